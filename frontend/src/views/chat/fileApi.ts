// HTTP calls of chat files: the upload request, the upload itself with
// progress, and the short-lived download and preview URLs.

import { ApiError, request } from "../../api";
import { t } from "../../i18n";
import type { ChatFile } from "../../types";

const encode = encodeURIComponent;

export interface UploadForm {
  url: string;
  method: "POST";
  fields: Record<string, string>;
}

// Browsers report some files with no type at all; these are the accepted ones
// (chalicelib/chat/attachment_limits.py) by extension.
const TYPES_BY_EXTENSION: Record<string, string> = {
  md: "text/markdown",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  zip: "application/zip",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};

export function contentTypeOf(file: File): string {
  if (file.type) return file.type;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return TYPES_BY_EXTENSION[extension] ?? "application/octet-stream";
}

export function startChatUpload(channelId: string, file: File) {
  return request<{ attachment: { id: string }; upload: UploadForm }>(
    "POST",
    `/api/chat/channels/${encode(channelId)}/attachments`,
    { json: { file_name: file.name, content_type: contentTypeOf(file), size: file.size } },
  );
}

/** Posts the file to storage and reports the share sent, from 0 to 1. */
export function uploadWithProgress(form: UploadForm, file: File, onProgress: (share: number) => void): Promise<void> {
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append("file", file);
  return new Promise((resolve, reject) => {
    // fetch() reports no upload progress, so this one request uses XMLHttpRequest.
    const upload = new XMLHttpRequest();
    upload.open("POST", form.url);
    upload.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    upload.addEventListener("load", () => {
      if (upload.status >= 200 && upload.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(new ApiError(upload.status, { code: "upload_failed", message: t("unexpectedError", { status: upload.status }) }));
      }
    });
    upload.addEventListener("error", () => reject(new ApiError(0, { code: "network_error", message: t("networkError") })));
    upload.send(body);
  });
}

export function fetchDownloadUrl(attachmentId: string) {
  return request<{ url: string; attachment: ChatFile }>("GET", `/api/chat/attachments/${encode(attachmentId)}`);
}

export function fetchPreviewUrl(attachmentId: string) {
  return request<{ url: string }>("GET", `/api/chat/attachments/${encode(attachmentId)}/preview`);
}
