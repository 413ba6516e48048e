// Files waiting to be sent with the next message: the attach button, drag and
// drop onto the composer or the channel, upload progress and removal.

import { element } from "../../dom";
import { errorMessage, showError } from "../../feedback";
import { fetchPreviewUrl, startChatUpload, uploadWithProgress } from "./fileApi";
import { formatFileSize, ft } from "./fileTexts";

// The backend's limits (chalicelib/chat/attachment_limits.py), checked here
// first so that a person learns before the upload starts.
export const MAX_FILE_MEGABYTES = 25;
export const MAX_FILES_PER_MESSAGE = 10;
// The types the file picker offers; the backend rejects others by type.
const ACCEPTED_FILES =
  "image/png,image/jpeg,image/gif,image/webp,.pdf,.txt,.csv,.md,.json,.zip,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp";

interface PendingFile {
  file: File;
  attachmentId: string | null;
  failed: boolean;
  chip: HTMLElement;
}

export interface ComposerFiles {
  readonly button: HTMLElement;
  readonly list: HTMLElement;
  addFiles(files: File[]): void;
  /** Ids of the files that finished uploading, in the order they were added. */
  readyIds(): string[];
  uploading(): boolean;
  clear(): void;
  /** Lets files be dropped onto ``target``, which is highlighted while a drag is over it. */
  acceptDrops(target: HTMLElement): void;
}

/**
 * ``testIdPrefix`` names the test ids of the parts ("composer" gives
 * "composer-attach", "composer-file" and so on), so that the channel's and the
 * thread's composers can be told apart on one page.
 */
export function createComposerFiles(channelId: string, onChange: () => void, testIdPrefix = "composer"): ComposerFiles {
  const pending: PendingFile[] = [];
  const list = element("div", { className: "composer-files", testId: `${testIdPrefix}-files`, attributes: { hidden: true } });
  const input = element("input", {
    className: "composer-file-input",
    testId: `${testIdPrefix}-file-input`,
    attributes: { type: "file", multiple: true, accept: ACCEPTED_FILES, tabindex: -1, "aria-hidden": "true" },
  });
  const button = element("button", {
    className: "button composer-attach",
    testId: `${testIdPrefix}-attach`,
    text: "📎",
    attributes: { type: "button", title: ft("attach"), "aria-label": ft("attach") },
    on: { click: () => input.click() },
  });
  input.addEventListener("change", () => {
    addFiles([...(input.files ?? [])]);
    input.value = "";
  });

  function renderList(): void {
    list.hidden = pending.length === 0;
    onChange();
  }

  function remove(entry: PendingFile): void {
    const index = pending.indexOf(entry);
    if (index >= 0) pending.splice(index, 1);
    entry.chip.remove();
    renderList();
  }

  function createChip(file: File): { chip: HTMLElement; progress: HTMLProgressElement; status: HTMLElement } {
    const progress = element("progress", { className: "composer-file-progress", attributes: { max: 100, value: 0 } });
    const status = element("span", { className: "muted composer-file-status", text: ft("uploading", { percent: 0 }) });
    const chip = element("div", { className: "composer-file", testId: `${testIdPrefix}-file`, dataset: { state: "uploading" } }, [
      element("span", { className: "composer-file-name", text: file.name }),
      element("span", { className: "muted", text: formatFileSize(file.size) }),
      progress,
      status,
    ]);
    return { chip, progress, status };
  }

  async function upload(entry: PendingFile, progress: HTMLProgressElement, status: HTMLElement): Promise<void> {
    try {
      const started = await startChatUpload(channelId, entry.file);
      await uploadWithProgress(started.upload, entry.file, (share) => {
        const percent = Math.round(share * 100);
        progress.value = percent;
        status.textContent = ft("uploading", { percent });
      });
      entry.attachmentId = started.attachment.id;
      entry.chip.dataset.state = "ready";
      progress.remove();
      status.remove();
      if (entry.file.type.startsWith("image/")) showLocalThumbnail(entry, testIdPrefix);
    } catch (error) {
      entry.failed = true;
      entry.chip.dataset.state = "failed";
      status.textContent = ft("uploadFailed");
      showError(errorMessage(error));
    }
    onChange();
  }

  function addFiles(files: File[]): void {
    for (const file of files) {
      if (pending.length >= MAX_FILES_PER_MESSAGE) {
        showError(ft("tooManyFiles", { max: MAX_FILES_PER_MESSAGE }));
        break;
      }
      if (file.size > MAX_FILE_MEGABYTES * 1024 * 1024) {
        showError(ft("tooLarge", { name: file.name, max: MAX_FILE_MEGABYTES }));
        continue;
      }
      const { chip, progress, status } = createChip(file);
      const entry: PendingFile = { file, attachmentId: null, failed: false, chip };
      chip.appendChild(
        element("button", {
          className: "link-button composer-file-remove",
          testId: `${testIdPrefix}-file-remove`,
          text: "×",
          attributes: { type: "button", title: ft("removeFile"), "aria-label": ft("removeFile") },
          on: { click: () => remove(entry) },
        }),
      );
      pending.push(entry);
      list.appendChild(chip);
      void upload(entry, progress, status);
    }
    renderList();
  }

  function acceptDrops(target: HTMLElement): void {
    // Counting enters and leaves keeps the highlight while the drag crosses child elements.
    let depth = 0;
    const carriesFiles = (event: DragEvent) => [...(event.dataTransfer?.types ?? [])].includes("Files");
    target.addEventListener("dragenter", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth += 1;
      target.classList.add("drop-active");
    });
    target.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
    });
    target.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) target.classList.remove("drop-active");
    });
    target.addEventListener("drop", (event) => {
      depth = 0;
      target.classList.remove("drop-active");
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      addFiles(files);
    });
  }

  return {
    button: element("span", { className: "composer-attach-wrap" }, [button, input]),
    list,
    addFiles,
    readyIds: () => pending.filter((entry) => entry.attachmentId && !entry.failed).map((entry) => entry.attachmentId as string),
    uploading: () => pending.some((entry) => entry.attachmentId === null && !entry.failed),
    clear() {
      pending.splice(0, pending.length);
      list.replaceChildren();
      renderList();
    },
    acceptDrops,
  };
}

// Larger pictures get no thumbnail while pending, since it is read into memory as a data: URL.
const MAX_THUMBNAIL_BYTES = 5 * 1024 * 1024;

/**
 * Shows the picked image in its chip, read from the local file. The page's
 * Content-Security-Policy allows data: images but not blob: ones.
 */
function showLocalThumbnail(entry: PendingFile, testIdPrefix: string): void {
  if (entry.file.size > MAX_THUMBNAIL_BYTES) return;
  const reader = new FileReader();
  reader.addEventListener("load", () => {
    if (typeof reader.result !== "string") return;
    const image = element("img", { className: "composer-file-thumbnail", testId: `${testIdPrefix}-file-thumbnail`, attributes: { src: reader.result, alt: "" } });
    entry.chip.prepend(image);
  });
  reader.readAsDataURL(entry.file);
}

/** Loads an image preview into ``image`` from a short-lived URL, fetched when needed. */
export async function loadPreview(image: HTMLImageElement, attachmentId: string): Promise<void> {
  try {
    const { url } = await fetchPreviewUrl(attachmentId);
    image.src = url;
  } catch {
    image.closest(".message-file-image")?.classList.add("preview-failed");
  }
}
