// The Unread view: channels and followed threads with unread messages, from
// the unread counts the channel store keeps current.

import { element } from "../../dom";
import { runInBackground } from "../../feedback";
import { ct } from "./chatText";
import { findChannel, loadUnread, onChannelsChange, sortedChannels, unreadCount, unreadThreads } from "./channelStore";
import type { ChatPanel } from "./searchPanel";

export function createUnreadPanel(openMessage: (channelId: string, rootId: string | null) => void): ChatPanel {
  const list = element("ul", { className: "unread-list", testId: "unread-list" });
  const emptyNote = element("p", { className: "muted", testId: "unread-empty", text: ct("unreadEmpty") });

  function entry(testId: string, title: string, count: number, open: () => void): HTMLElement {
    return element("li", {}, [
      element("button", {
        className: "link-button unread-entry",
        testId,
        attributes: { type: "button" },
        on: { click: open },
      }, [
        element("span", { text: title }),
        " ",
        element("span", { className: "unread-badge", text: String(count) }),
      ]),
    ]);
  }

  function render(): void {
    const channels = sortedChannels().filter((channel) => unreadCount(channel.id) > 0);
    const threads = unreadThreads();
    list.replaceChildren(
      ...channels.map((channel) =>
        entry("unread-channel", channel.name, unreadCount(channel.id), () => openMessage(channel.id, null)),
      ),
      ...threads.map((thread) =>
        entry(
          "unread-thread",
          `${ct("threadsView")}: ${findChannel(thread.channel_id)?.name ?? ""}`,
          thread.unread,
          () => openMessage(thread.channel_id, thread.root_id),
        ),
      ),
    );
    emptyNote.hidden = channels.length + threads.length > 0;
  }

  const unsubscribe = onChannelsChange(render);
  render();
  void runInBackground(() => loadUnread());
  return {
    element: element("section", { className: "chat-panel", testId: "unread-panel" }, [
      element("header", { className: "pane-header" }, [element("h2", { text: ct("unreadView") })]),
      list,
      emptyNote,
    ]),
    destroy: unsubscribe,
  };
}
