// A modal <dialog> with a title and a close button, used by the messenger's
// browse, conversation and import windows. Closing removes it from the page.

import { element } from "../../dom";
import { t } from "../../i18n";

export interface ChatDialog {
  readonly element: HTMLDialogElement;
  readonly body: HTMLElement;
  close(): void;
}

export function openChatDialog(title: string, testId: string, onClose?: () => void): ChatDialog {
  const body = element("div", { className: "chat-dialog-body" });
  const dialog = element("dialog", { className: "chat-dialog", testId }, [
    element("header", { className: "pane-header" }, [
      element("h3", { text: title }),
      element("button", {
        className: "icon-button",
        testId: `${testId}-close`,
        text: "×",
        attributes: { type: "button", "aria-label": t("close"), title: t("close") },
        on: { click: () => dialog.close() },
      }),
    ]),
    body,
  ]);
  dialog.addEventListener("close", () => {
    dialog.remove();
    onClose?.();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  return { element: dialog, body, close: () => dialog.close() };
}
