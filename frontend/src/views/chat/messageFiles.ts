// The files of a sent message: image previews and file chips whose click
// downloads the file under its original name.

import "./chatFiles.css";
import { element } from "../../dom";
import { withBusyButton } from "../../feedback";
import type { ChatFile } from "../../types";
import { loadPreview } from "./composerFiles";
import { fetchDownloadUrl } from "./fileApi";
import { formatFileSize, ft } from "./fileTexts";

// Previews are scaled by the browser into this box; the server makes no thumbnails.
const PREVIEW_MAX_WIDTH = 320;
const PREVIEW_MAX_HEIGHT = 240;

/** Follows a fresh download URL; its response is an attachment, so the page stays. */
function openDownload(url: string, fileName: string): void {
  const link = element("a", { attributes: { href: url, download: fileName, rel: "noopener", hidden: true } });
  document.body.appendChild(link);
  link.click();
  link.remove();
}

function previewBox(file: ChatFile): { width: number; height: number } | null {
  if (!file.width || !file.height) return null;
  const scale = Math.min(1, PREVIEW_MAX_WIDTH / file.width, PREVIEW_MAX_HEIGHT / file.height);
  return { width: Math.max(1, Math.round(file.width * scale)), height: Math.max(1, Math.round(file.height * scale)) };
}

function renderPreview(file: ChatFile): HTMLElement {
  const box = previewBox(file);
  const image = element("img", {
    className: "message-file-preview",
    testId: "message-file-preview",
    attributes: { alt: file.file_name, width: box?.width, height: box?.height },
  });
  void loadPreview(image, file.id);
  return element("div", { className: "message-file-image" }, [image]);
}

function renderChip(file: ChatFile): HTMLElement {
  const chip = element(
    "button",
    {
      className: "message-file-chip",
      testId: "message-file",
      dataset: { id: file.id },
      attributes: { type: "button", title: ft("download", { name: file.file_name }) },
    },
    [
      element("span", { className: "message-file-icon", text: file.is_image ? "🖼" : "📄", attributes: { "aria-hidden": "true" } }),
      element("span", { className: "message-file-name", testId: "message-file-name", text: file.file_name }),
      element("span", { className: "muted message-file-size", text: formatFileSize(file.size) }),
    ],
  );
  chip.addEventListener("click", async () => {
    // The URL expires in minutes, so each click asks for a new one.
    const result = await withBusyButton(chip, () => fetchDownloadUrl(file.id));
    if (result) openDownload(result.url, file.file_name);
  });
  return chip;
}

export function renderMessageFiles(files: ChatFile[]): HTMLElement | null {
  if (files.length === 0) return null;
  return element(
    "div",
    { className: "message-files", testId: "message-files" },
    files.map((file) =>
      element("div", { className: "message-file" }, [file.is_image ? renderPreview(file) : null, renderChip(file)]),
    ),
  );
}
