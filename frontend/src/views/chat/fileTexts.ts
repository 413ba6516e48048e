// Texts of chat files and the mention list, in Russian and English. They
// follow the language chosen in i18n.ts.

import { getLanguage } from "../../i18n";

const ru = {
  attach: "Прикрепить файл",
  dropHere: "Отпустите, чтобы прикрепить",
  removeFile: "Убрать",
  uploading: "Загрузка {percent}%",
  uploadFailed: "Не загрузился",
  download: "Скачать {name}",
  sizeBytes: "{size} Б",
  sizeKilobytes: "{size} КБ",
  sizeMegabytes: "{size} МБ",
  tooLarge: "Файл «{name}» больше {max} МБ.",
  tooManyFiles: "В одном сообщении — не больше {max} файлов.",
  uploadsPending: "Дождитесь, пока файлы загрузятся.",
  mentionList: "Упомянуть",
  mentionChannel: "всех в канале",
};

type FileTextKey = keyof typeof ru;

const en: Record<FileTextKey, string> = {
  attach: "Attach a file",
  dropHere: "Drop to attach",
  removeFile: "Remove",
  uploading: "Uploading {percent}%",
  uploadFailed: "Upload failed",
  download: "Download {name}",
  sizeBytes: "{size} B",
  sizeKilobytes: "{size} KB",
  sizeMegabytes: "{size} MB",
  tooLarge: "“{name}” is larger than {max} MB.",
  tooManyFiles: "A message takes at most {max} files.",
  uploadsPending: "Wait until the files finish uploading.",
  mentionList: "Mention",
  mentionChannel: "everyone in the channel",
};

/** Returns the text in the current language with `{name}` placeholders filled in. */
export function ft(key: FileTextKey, values: Record<string, string | number> = {}): string {
  const template = getLanguage() === "en" ? en[key] : ru[key];
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}

export function formatFileSize(size: number): string {
  const locale = getLanguage() === "en" ? "en-GB" : "ru-RU";
  if (size < 1024) return ft("sizeBytes", { size });
  const kilobytes = size / 1024;
  if (kilobytes < 1024) return ft("sizeKilobytes", { size: kilobytes.toLocaleString(locale, { maximumFractionDigits: 1 }) });
  return ft("sizeMegabytes", { size: (kilobytes / 1024).toLocaleString(locale, { maximumFractionDigits: 1 }) });
}
