// The thread panel beside a channel: the root message, its replies (oldest
// first) and a composer that replies in the thread.

import { fetchThread } from "../../api";
import { element } from "../../dom";
import { runInBackground } from "../../feedback";
import { t } from "../../i18n";
import type { Message } from "../../types";
import { createComposer } from "./composer";
import { MessageCollection } from "./messageCollection";
import { renderMessage } from "./messageItem";

export interface ThreadPanel {
  readonly element: HTMLElement;
  readonly rootId: string;
  addReply(message: Message): void;
  updateRoot(message: Message): void;
  /** Fetches the root and all replies again, e.g. after the socket reconnects. */
  reload(): Promise<void>;
}

export interface ThreadPanelOptions {
  rootId: string;
  sendReply: (text: string, rootId: string) => Promise<Message>;
  /** Receives the root as fetched, so the channel can refresh its reply count. */
  onRootLoaded: (root: Message) => void;
  onClose: () => void;
}

export function createThreadPanel(options: ThreadPanelOptions): ThreadPanel {
  const { rootId } = options;
  const rootContainer = element("div", { className: "thread-root" });
  const repliesContainer = element("div", { className: "thread-replies" });
  const emptyNote = element("p", { className: "muted thread-empty", text: t("threadEmpty"), attributes: { hidden: true } });
  const replies = new MessageCollection(repliesContainer, (message) =>
    renderMessage(message, { testId: "thread-reply" }),
  );

  const composer = createComposer({
    inputTestId: "thread-composer-input",
    sendTestId: "thread-composer-send",
    counterTestId: "thread-char-counter",
    errorTestId: "thread-composer-error",
    placeholder: t("threadComposerPlaceholder"),
    onSend: async (text) => {
      addReply(await options.sendReply(text, rootId));
    },
  });

  const scrollArea = element("div", { className: "thread-scroll" }, [rootContainer, repliesContainer, emptyNote]);
  const panel = element("aside", { className: "thread-panel", testId: "thread-panel", dataset: { rootId } }, [
    element("header", { className: "pane-header" }, [
      element("h3", { text: t("threadTitle") }),
      element("button", {
        className: "icon-button",
        testId: "thread-close",
        text: "×",
        attributes: { type: "button", "aria-label": t("close"), title: t("close") },
        on: { click: () => options.onClose() },
      }),
    ]),
    scrollArea,
    composer.element,
  ]);

  function updateRoot(message: Message): void {
    rootContainer.replaceChildren(renderMessage(message, { testId: "thread-root" }));
  }

  function addReply(message: Message): void {
    const nearBottom = scrollArea.scrollHeight - scrollArea.scrollTop - scrollArea.clientHeight < 80;
    replies.upsert(message);
    emptyNote.hidden = replies.size > 0;
    if (nearBottom) scrollArea.scrollTop = scrollArea.scrollHeight;
  }

  async function reload(): Promise<void> {
    const result = await runInBackground(() => fetchThread(rootId));
    if (!result) return;
    updateRoot(result.root);
    options.onRootLoaded(result.root);
    for (const reply of result.replies) replies.upsert(reply);
    emptyNote.hidden = replies.size > 0;
    scrollArea.scrollTop = scrollArea.scrollHeight;
  }

  void reload().then(() => composer.focus());
  return { element: panel, rootId, addReply, updateRoot, reload };
}
