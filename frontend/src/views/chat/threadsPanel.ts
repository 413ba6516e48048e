// The Threads view: threads the person follows, newest activity first, each
// with its root message and unread reply count.

import { element } from "../../dom";
import { runInBackground } from "../../feedback";
import { listThreads } from "./chatApi";
import { ct } from "./chatText";
import { findChannel } from "./channelStore";
import { renderMessage } from "./messageItem";
import type { ChatPanel } from "./searchPanel";

export function createThreadsPanel(openMessage: (channelId: string, rootId: string | null) => void): ChatPanel {
  const list = element("ul", { className: "threads-list", testId: "threads-list" });
  const emptyNote = element("p", { className: "muted", text: ct("threadsEmpty"), attributes: { hidden: true } });
  const moreButton = element("button", {
    className: "link-button",
    text: ct("threadsView"),
    attributes: { type: "button", hidden: true },
  });
  let cursor: string | null = null;

  async function loadPage(): Promise<void> {
    const page = await runInBackground(() => listThreads(cursor));
    if (!page) return;
    for (const thread of page.threads) {
      const channelName = findChannel(thread.channel_id)?.name ?? "";
      const item = element("li", { className: "thread-entry", testId: "thread-entry", dataset: { rootId: thread.root_id } }, [
        element("div", { className: "thread-entry-header" }, [
          element("span", { className: "muted", text: ct("inChannel", { name: channelName }) }),
          thread.unread > 0
            ? element("span", { className: "unread-badge", testId: "thread-entry-unread", text: String(thread.unread) })
            : null,
        ]),
        renderMessage(thread.root, { testId: "thread-root" }),
      ]);
      item.addEventListener("click", () => openMessage(thread.channel_id, thread.root_id));
      list.appendChild(item);
    }
    cursor = page.next_cursor;
    moreButton.hidden = cursor === null;
    emptyNote.hidden = list.childElementCount > 0;
  }

  moreButton.addEventListener("click", () => void loadPage());
  void loadPage();
  return {
    element: element("section", { className: "chat-panel", testId: "threads-panel" }, [
      element("header", { className: "pane-header" }, [element("h2", { text: ct("threadsView") })]),
      list,
      emptyNote,
      moreButton,
    ]),
    destroy() {},
  };
}
