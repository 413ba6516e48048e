// The thread panel beside a channel: the root message, its replies (oldest
// first), a composer that replies in the thread (optionally also to the
// channel) with files and @mentions, and the follow switch. Files dropped
// anywhere on the panel go into its composer. A reconnect loads the replies after the
// highest thread position shown (`seq`).

import { fetchThread } from "../../api";
import { element } from "../../dom";
import { runInBackground } from "../../feedback";
import { t } from "../../i18n";
import type { Message } from "../../types";
import { followThread, markThreadRead, threadRepliesAfterSeq } from "./chatApi";
import { ct } from "./chatText";
import { setThreadUnread } from "./channelStore";
import { createComposer } from "./composer";
import type { MentionCandidate } from "./mentionAutocomplete";
import type { MessageActionHandlers } from "./messageActions";
import { MessageCollection } from "./messageCollection";
import { renderMessage } from "./messageItem";

export interface ThreadPanel {
  readonly element: HTMLElement;
  readonly rootId: string;
  addReply(message: Message): void;
  updateRoot(message: Message): void;
  /** Fetches the root and all replies again, e.g. after the socket reconnects. */
  reload(): Promise<void>;
  /** Filters an open mention list again once the channel's members have loaded. */
  refreshMentions(): void;
}

export interface ThreadPanelOptions {
  rootId: string;
  /** The channel of the thread, to which the composer uploads files. */
  channelId: string;
  sendReply: (text: string, rootId: string, alsoSendToChannel: boolean, attachmentIds: string[]) => Promise<Message>;
  /** The people offered after "@" in the composer. */
  mentionCandidates: () => MentionCandidate[];
  actions?: MessageActionHandlers;
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
    renderMessage(message, { testId: "thread-reply", actions: options.actions }),
  );
  // The thread position up to which the shown replies have no gaps.
  let syncedSeq = 0;
  let following = false;
  const alsoToChannel = element("input", { testId: "thread-also-channel", attributes: { type: "checkbox" } });
  const followButton = element("button", {
    className: "link-button",
    testId: "thread-follow",
    text: ct("follow"),
    attributes: { type: "button" },
  });
  followButton.addEventListener("click", async () => {
    const result = await runInBackground(() => followThread(rootId, !following));
    if (!result) return;
    setFollowing(result.thread.following ?? false);
    setThreadUnread(result.thread);
  });

  function setFollowing(value: boolean): void {
    following = value;
    followButton.textContent = value ? ct("unfollow") : ct("follow");
    followButton.setAttribute("aria-pressed", String(value));
  }

  function advance(message: Message): void {
    if (message.seq === syncedSeq + 1) syncedSeq = message.seq;
  }

  const composer = createComposer({
    inputTestId: "thread-composer-input",
    sendTestId: "thread-composer-send",
    counterTestId: "thread-char-counter",
    errorTestId: "thread-composer-error",
    placeholder: t("threadComposerPlaceholder"),
    filesChannelId: options.channelId,
    filesTestIdPrefix: "thread-composer",
    mentionCandidates: options.mentionCandidates,
    onSend: async (text, attachmentIds) => {
      const reply = await options.sendReply(text, rootId, alsoToChannel.checked, attachmentIds);
      alsoToChannel.checked = false;
      addReply(reply);
      // Replying makes the replier follow the thread.
      setFollowing(true);
    },
  });

  const scrollArea = element("div", { className: "thread-scroll" }, [rootContainer, repliesContainer, emptyNote]);
  const panel = element("aside", { className: "thread-panel", testId: "thread-panel", dataset: { rootId } }, [
    element("header", { className: "pane-header" }, [
      element("h3", { text: t("threadTitle") }),
      followButton,
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
    element("label", { className: "thread-also-channel" }, [alsoToChannel, ct("alsoSendToChannel")]),
  ]);

  composer.acceptDrops(panel);

  function updateRoot(message: Message): void {
    rootContainer.replaceChildren(renderMessage(message, { testId: "thread-root" }));
  }

  function addReply(message: Message): void {
    const nearBottom = scrollArea.scrollHeight - scrollArea.scrollTop - scrollArea.clientHeight < 80;
    replies.upsert(message);
    advance(message);
    emptyNote.hidden = replies.size > 0;
    if (nearBottom) scrollArea.scrollTop = scrollArea.scrollHeight;
    scheduleMarkRead();
  }

  let markReadTimer: number | undefined;
  function scheduleMarkRead(): void {
    window.clearTimeout(markReadTimer);
    markReadTimer = window.setTimeout(async () => {
      if (!panel.isConnected || document.visibilityState !== "visible") return;
      // Reading moves the marker of a followed thread and, followed or not,
      // returns whether the person follows it, which no other route reports.
      const newest = replies.lastId() ?? rootId;
      const result = await runInBackground(() => markThreadRead(rootId, newest));
      if (!result) return;
      setFollowing(result.thread.following ?? false);
      setThreadUnread(result.thread);
    }, 300);
  }

  /** Loads the replies after the highest gap-free position. Returns false when the first load is still due. */
  async function catchUpBySeq(): Promise<boolean> {
    if (replies.size === 0 && syncedSeq === 0) return false;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await runInBackground(() => threadRepliesAfterSeq(rootId, syncedSeq));
      if (!page) return true;
      if (page.root) updateRoot(page.root);
      for (const reply of page.replies ?? []) replies.upsert(reply);
      syncedSeq = Math.max(syncedSeq, page.next_after_seq);
      if (page.complete) break;
      if ((page.replies ?? []).length === 0) await new Promise((resolve) => window.setTimeout(resolve, 200));
    }
    emptyNote.hidden = replies.size > 0;
    return true;
  }

  async function reload(): Promise<void> {
    if (await catchUpBySeq()) return;
    const result = await runInBackground(() => fetchThread(rootId));
    if (!result) return;
    updateRoot(result.root);
    options.onRootLoaded(result.root);
    for (const reply of result.replies) replies.upsert(reply);
    // Every reply up to the newest fetched one is shown.
    syncedSeq = Math.max(syncedSeq, ...result.replies.map((reply) => reply.seq ?? 0));
    emptyNote.hidden = replies.size > 0;
    scrollArea.scrollTop = scrollArea.scrollHeight;
  }

  void reload().then(() => {
    composer.focus();
    scheduleMarkRead();
  });

  return { element: panel, rootId, addReply, updateRoot, reload, refreshMentions: () => composer.refreshMentions() };
}
