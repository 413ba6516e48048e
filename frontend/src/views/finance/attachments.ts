// A request's attached files: upload in three steps (register, form POST to
// storage, complete), download through a short-lived URL, and removal by the
// person who added the file. The author attaches invoices while the request is
// a draft or returned, finance attaches receipts once it is approved.

import {
  completeFinanceAttachment,
  deleteFinanceAttachment,
  fetchFinanceAttachmentUrl,
  startFinanceAttachment,
  uploadToStorage,
} from "../../api";
import { element } from "../../dom";
import { runAction, showNotice, withBusyButton } from "../../feedback";
import { getLanguage, t } from "../../i18n";
import { getCurrentUser } from "../../session";
import type { FinanceAttachment, FinanceRequestDetail } from "../../types";

export interface AttachmentsSection {
  readonly element: HTMLElement;
  render(request: FinanceRequestDetail): void;
}

// The backend's accepted types (chalicelib/files/limits.py), to steer the file picker.
const ACCEPTED_FILES = ".pdf,.png,.jpg,.jpeg,.webp,.csv,.txt,.xlsx,.xls,.docx,.doc";

function formatSize(size: number): string {
  const locale = getLanguage() === "ru" ? "ru-RU" : "en-GB";
  if (size < 1024) return t("financeSizeBytes", { size });
  const kilobytes = size / 1024;
  if (kilobytes < 1024) return t("financeSizeKilobytes", { size: kilobytes.toLocaleString(locale, { maximumFractionDigits: 1 }) });
  return t("financeSizeMegabytes", { size: (kilobytes / 1024).toLocaleString(locale, { maximumFractionDigits: 1 }) });
}

/**
 * Follows a download URL from the server, fetched per click because it
 * expires. Its response is sent as an attachment, so the page stays open.
 */
function openDownload(url: string, fileName: string): void {
  const link = element("a", { attributes: { href: url, download: fileName, rel: "noopener", hidden: true } });
  document.body.appendChild(link);
  link.click();
  link.remove();
}

export function createAttachmentsSection(requestId: string, onChanged: () => Promise<void>): AttachmentsSection {
  const list = element("ul", { className: "finance-attachments", testId: "finance-attachments" });
  const emptyNote = element("p", { className: "muted", text: t("financeAttachmentsEmpty") });
  const fileInput = element("input", {
    testId: "finance-attachment-input",
    attributes: { type: "file", multiple: true, accept: ACCEPTED_FILES, "aria-label": t("financeAttachFiles") },
  });
  const uploadLabel = element("label", { className: "button finance-attach-button" }, [t("financeAttachFiles"), fileInput]);
  const section = element("section", { className: "card", testId: "finance-attachments-section", attributes: { hidden: true } }, [
    element("h2", { text: t("financeAttachments") }),
    list,
    emptyNote,
    uploadLabel,
  ]);

  async function upload(file: File): Promise<void> {
    const started = await startFinanceAttachment(requestId, {
      file_name: file.name,
      content_type: file.type || "application/octet-stream",
      size: file.size,
    });
    await uploadToStorage(started.upload.url, started.upload.fields, file);
    await completeFinanceAttachment(requestId, started.attachment.attachment_id);
  }

  fileInput.addEventListener("change", async () => {
    const files = [...(fileInput.files ?? [])];
    if (files.length === 0) return;
    fileInput.disabled = true;
    const done = await runAction(async () => {
      for (const file of files) await upload(file);
      return true;
    });
    fileInput.disabled = false;
    fileInput.value = "";
    if (done) showNotice(t("financeAttachmentsUploaded", { count: files.length }));
    // Reloads after a failure too, since the files before it did upload.
    await onChanged();
  });

  function renderItem(attachment: FinanceAttachment, removable: boolean): HTMLElement {
    const uploaded = attachment.status === "uploaded";
    const downloadButton = element("button", {
      className: "link-button",
      testId: "finance-attachment-download",
      text: attachment.file_name,
      attributes: { type: "button", disabled: !uploaded },
    });
    downloadButton.addEventListener("click", async () => {
      const result = await withBusyButton(downloadButton, () => fetchFinanceAttachmentUrl(requestId, attachment.attachment_id));
      if (result) openDownload(result.url, attachment.file_name);
    });
    const removeButton = element("button", {
      className: "link-button",
      testId: "finance-attachment-delete",
      text: t("financeAttachmentDelete"),
      attributes: { type: "button", hidden: !removable },
    });
    removeButton.addEventListener("click", async () => {
      // The server returns 204 with no body, so success is the call not throwing.
      const deleted = await withBusyButton(removeButton, async () => {
        await deleteFinanceAttachment(requestId, attachment.attachment_id);
        return true;
      });
      if (deleted) await onChanged();
    });
    return element("li", { className: "finance-attachment", testId: "finance-attachment", dataset: { id: attachment.attachment_id, status: attachment.status } }, [
      downloadButton,
      element("span", { className: "muted", text: formatSize(attachment.size) }),
      uploaded ? null : element("span", { className: "muted", text: t("financeAttachmentPending") }),
      removeButton,
    ]);
  }

  return {
    element: section,
    render(request) {
      const mayAttach = request.allowed_actions.includes("attach");
      const userId = getCurrentUser()?.id;
      list.replaceChildren(
        ...request.attachments.map((attachment) => renderItem(attachment, mayAttach && attachment.uploaded_by === userId)),
      );
      emptyNote.hidden = request.attachments.length > 0;
      uploadLabel.hidden = !mayAttach;
      section.hidden = false;
    },
  };
}
