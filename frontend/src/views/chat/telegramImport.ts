// "Import from Telegram": a file input for a Telegram Desktop result.json,
// uploaded as is, and the summary the server returns.

import { importTelegram } from "../../api";
import { element } from "../../dom";
import { runAction } from "../../feedback";
import { t } from "../../i18n";
import type { TelegramImportSummary } from "../../types";

export interface TelegramImport {
  /** The button-styled label that wraps the file input. */
  control: HTMLElement;
  resultPanel: HTMLElement;
}

export function createTelegramImport(
  channelId: string,
  onImported: () => Promise<void>,
  isDestroyed: () => boolean,
): TelegramImport {
  const summaryText = element("div", { className: "import-summary", testId: "import-result" });
  const resultPanel = element("div", { className: "import-result card", attributes: { hidden: true } }, [
    summaryText,
    element("button", {
      className: "link-button",
      text: t("close"),
      attributes: { type: "button" },
      on: { click: () => (resultPanel.hidden = true) },
    }),
  ]);

  // The input stays in the layout (visually hidden, not display:none) so it
  // can take keyboard focus through its label.
  const input = element("input", {
    className: "visually-hidden",
    testId: "import-file",
    attributes: { type: "file", accept: ".json,application/json" },
  });
  const control = element("label", { className: "button", testId: "import-button" }, [
    element("span", { text: t("importTelegram") }),
    input,
  ]);

  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    // Cleared so choosing the same file again fires another change event.
    input.value = "";
    if (!file) return;
    resultPanel.hidden = false;
    summaryText.replaceChildren(element("p", { text: t("importRunning") }));
    const summary = await runAction(() => importTelegram(channelId, file));
    if (isDestroyed()) return;
    if (!summary) {
      resultPanel.hidden = true;
      return;
    }
    summaryText.replaceChildren(...summaryLines(summary).map((line) => element("p", { text: line })));
    await onImported();
  });

  return { control, resultPanel };
}

function summaryLines(summary: TelegramImportSummary): string[] {
  const lines = [
    t("importSummary", {
      chat: summary.chat_name,
      total: summary.total,
      imported: summary.imported,
      present: summary.already_present,
      skipped: summary.skipped,
      replies: summary.replies,
    }),
  ];
  if (summary.matched_authors.length > 0) {
    lines.push(t("importMatched", { names: summary.matched_authors.join(", ") }));
  }
  if (summary.unmatched_authors.length > 0) {
    lines.push(t("importUnmatched", { names: summary.unmatched_authors.join(", ") }));
  }
  return lines;
}
