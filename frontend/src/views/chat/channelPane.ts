// One open channel: its header, history with "load older", composer, member
// list, pins, notification level, Telegram import and the thread panel. It
// moves the read marker while the channel is on screen and, after a
// reconnect, loads every position it missed by server order (`channel_seq`).

import { fetchThread, listMembers, listMessages, listMessagesAfter } from "../../api";
import { element } from "../../dom";
import { errorMessage, runAction, runInBackground, showError } from "../../feedback";
import { t } from "../../i18n";
import { getCurrentUser, isAdmin } from "../../session";
import { liveSocket } from "../../socket";
import type { Message } from "../../types";
import { channelMessagesAfterSeq, markChannelRead, markChannelUnread, postChatMessage, type ThreadSummary } from "./chatApi";
import { createChannelTools } from "./channelTools";
import { findChannel, onChannelsChange, pauseAutoRead, setChannelUnread } from "./channelStore";
import type { MessageActionHandlers } from "./messageActions";
import { createComposer } from "./composer";
import type { MentionCandidate } from "./mentionAutocomplete";
import { createMembersPanel } from "./membersPanel";
import { MessageCollection } from "./messageCollection";
import { renderMessage } from "./messageItem";
import { createTelegramImport } from "./telegramImport";
import { createThreadPanel, type ThreadPanel } from "./threadPanel";

// Bounds the catch-up after a reconnect: 10 pages of 200 messages. Past that
// the pane reloads the latest page instead, as on first opening.
const MAX_CATCH_UP_PAGES = 10;
const NEAR_BOTTOM_PX = 80;
// Read markers are sent at most this often while messages keep arriving.
const MARK_READ_DELAY_MS = 300;
// A catch-up page can stop short while the position index settles; the next
// request waits this long.
const INCOMPLETE_PAGE_PAUSE_MS = 200;

export interface ChannelPane {
  readonly element: HTMLElement;
  readonly channelId: string;
  handleCreated(message: Message): void;
  handleUpdated(message: Message): void;
  handleThreadUpdated(thread: ThreadSummary): void;
  openThread(rootId: string): void;
  /** Closes the open thread; returns false when none was open. */
  closeThread(): boolean;
  /** Loads what the socket missed while it was closed. */
  catchUp(): Promise<void>;
  destroy(): void;
}

/** ``onThreadClosed`` runs when the thread panel closes, by its button or by Esc. */
export function createChannelPane(channelId: string, onThreadClosed: () => void = () => {}): ChannelPane {
  let olderCursor: string | null = null;
  let historyLoaded = false;
  // The newest root message id up to which the shown history has no gaps. It
  // advances with history pages and live events. It does not advance with
  // messages this tab posts over HTTP while the socket is down, because others
  // may have posted before them. A reconnect catches up from this id.
  let syncedThroughId: string | null = null;
  // The channel position up to which the shown history has no gaps, or null
  // before the first page. Live events advance it only one position at a
  // time, so a position missed while the socket was down is fetched again.
  let syncedSeq: number | null = null;
  let markReadTimer: number | undefined;
  // Set by "mark as unread", so that viewing the channel does not mark it read
  // again at once. The person's next message clears it.
  let autoReadPaused = false;
  const memberNames = new Map<string, string>();
  // The people the composer offers after "@", filled when the member list loads.
  let mentionCandidates: MentionCandidate[] = [];
  let threadPanel: ThreadPanel | null = null;
  let latestLoad: Promise<void> | null = null;
  let destroyed = false;

  // --- Header ---
  const title = element("h2", { className: "channel-title", testId: "channel-title" });
  const titleIcon = element("span", { className: "channel-icon", attributes: { "aria-hidden": "true" } });
  const description = element("p", { className: "channel-description muted" });
  const isDestroyed = () => destroyed;
  const members = createMembersPanel(channelId, isDestroyed);
  const telegramImport = createTelegramImport(channelId, () => fetchLatest(false), isDestroyed);
  const importControl = telegramImport.control;
  const tools = createChannelTools(channelId, (messageId) => {
    const shown = messages.get(messageId);
    if (shown && !shown.thread_id) openThread(shown.id);
  });
  const actions = element("div", { className: "channel-actions" }, [...tools.controls, members.button]);

  function renderHeader(): void {
    const channel = findChannel(channelId);
    title.textContent = channel?.name ?? "";
    titleIcon.textContent = channel?.kind === "notifications" ? "🔔" : "#";
    description.textContent = channel?.description ?? "";
    description.hidden = !channel?.description;
    tools.update(channel);
    const canImport = isAdmin() && channel !== undefined && channel.kind !== "notifications";
    if (canImport && !importControl.isConnected) actions.appendChild(importControl);
    if (!canImport && importControl.isConnected) importControl.remove();
  }
  const unsubscribeChannels = onChannelsChange(renderHeader);

  // --- History ---
  const loadOlderButton = element("button", {
    className: "link-button load-older",
    testId: "load-older",
    text: t("loadOlder"),
    attributes: { type: "button", hidden: true },
    on: { click: () => void loadOlder() },
  });
  const messagesContainer = element("div", { className: "messages" });
  const emptyNote = element("p", { className: "muted history-empty", text: t("historyEmpty"), attributes: { hidden: true } });
  const loadingNote = element("p", { className: "muted", text: t("loading") });
  const scroller = element("div", { className: "message-list", testId: "message-list" }, [
    loadOlderButton,
    loadingNote,
    messagesContainer,
    emptyNote,
  ]);
  const messageActions: MessageActionHandlers = {
    onChanged: (message) => {
      handleUpdated(message);
      tools.refreshPins();
    },
    onMarkUnread: (message) => void markUnreadFrom(message),
    canModerate: () => findChannel(channelId)?.owner_ids?.includes(getCurrentUser()?.id ?? "") ?? false,
  };
  const messages = new MessageCollection(messagesContainer, (message) =>
    renderMessage(message, {
      testId: "message",
      onOpenThread: (root) => openThread(root.thread_id ?? root.id),
      actions: messageActions,
      nameOf: (userId) => memberNames.get(userId) ?? null,
    }),
  );

  function isNearBottom(): boolean {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToBottom(): void {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function refreshHistoryNotes(): void {
    loadOlderButton.hidden = olderCursor === null;
    emptyNote.hidden = !historyLoaded || messages.size > 0;
  }

  /** Adds root messages and replies also sent to the channel; other replies belong to their thread. */
  function addRootMessage(message: Message): boolean {
    if (message.channel_id !== channelId) return false;
    if (message.thread_id && !message.also_in_channel) return false;
    const added = messages.upsert(message);
    scheduleMarkRead();
    return added;
  }

  /** Records a message's position; only the next position extends the gap-free range. */
  function advanceSyncedSeq(message: Message): void {
    const position = message.channel_seq;
    if (position === null || position === undefined || syncedSeq === null) return;
    if (position === syncedSeq + 1) syncedSeq = position;
  }

  function scheduleMarkRead(): void {
    if (autoReadPaused) return;
    window.clearTimeout(markReadTimer);
    markReadTimer = window.setTimeout(() => void markRead(), MARK_READ_DELAY_MS);
  }

  /** Moves the read marker to the newest shown message while the page is visible. */
  async function markRead(): Promise<void> {
    if (destroyed || autoReadPaused || document.visibilityState !== "visible") return;
    const newest = messages.lastId();
    if (!newest) return;
    setChannelUnread(channelId, 0);
    await runInBackground(() => markChannelRead(channelId, newest));
  }

  async function markUnreadFrom(message: Message): Promise<void> {
    const result = await runAction(() => markChannelUnread(channelId, message.id));
    if (!result || destroyed) return;
    autoReadPaused = true;
    window.clearTimeout(markReadTimer);
    pauseAutoRead(channelId);
    setChannelUnread(channelId, result.channel.unread);
  }

  function onVisibilityChange(): void {
    if (document.visibilityState === "visible") scheduleMarkRead();
  }
  document.addEventListener("visibilitychange", onVisibilityChange);

  function markSyncedThrough(messageId: string | undefined): void {
    if (messageId && (syncedThroughId === null || messageId > syncedThroughId)) syncedThroughId = messageId;
  }

  /**
   * Loads the newest page. It merges into what is shown unless `replace` is
   * set, so a live message that arrives while the page loads is kept.
   */
  function loadLatest({ replace = false } = {}): Promise<void> {
    // The first socket open and the pane's own first load often coincide, so they share one request.
    if (!replace && latestLoad) return latestLoad;
    const load = fetchLatest(replace).finally(() => {
      if (latestLoad === load) latestLoad = null;
    });
    if (!replace) latestLoad = load;
    return load;
  }

  async function fetchLatest(replace: boolean): Promise<void> {
    const page = await runInBackground(() => listMessages(channelId));
    loadingNote.hidden = true;
    if (!page || destroyed) return;
    if (replace) messages.clear();
    for (const message of page.messages) addRootMessage(message);
    markSyncedThrough(page.messages[0]?.id);
    // The newest page contains every position up to its newest one. An empty
    // or position-less page means every position is still to come.
    const positions = page.messages.map((message) => message.channel_seq ?? 0);
    syncedSeq = Math.max(syncedSeq ?? 0, 0, ...positions);
    olderCursor = page.next_cursor;
    historyLoaded = true;
    refreshHistoryNotes();
    scrollToBottom();
  }

  async function loadOlder(): Promise<void> {
    if (!olderCursor) return;
    loadOlderButton.disabled = true;
    const page = await runAction(() => listMessages(channelId, olderCursor));
    loadOlderButton.disabled = false;
    if (!page || destroyed) return;
    // Keep the message the user was reading in place while older ones go in above it.
    const distanceFromBottom = scroller.scrollHeight - scroller.scrollTop;
    for (const message of page.messages) addRootMessage(message);
    scroller.scrollTop = scroller.scrollHeight - distanceFromBottom;
    olderCursor = page.next_cursor;
    refreshHistoryNotes();
  }

  /**
   * Updates reply counts of the newest shown messages: replies posted while
   * the socket was down change their roots, and "after" returns only new roots.
   */
  async function refreshShownMessages(): Promise<void> {
    const page = await runInBackground(() => listMessages(channelId));
    if (!page || destroyed) return;
    for (const message of page.messages) {
      if (messages.get(message.id)) messages.upsert(message);
    }
  }

  /**
   * Loads every position after `syncedSeq`, page by page. Returns false when
   * the gap is longer than MAX_CATCH_UP_PAGES pages.
   */
  async function catchUpBySeq(): Promise<boolean> {
    let after = syncedSeq ?? 0;
    for (let pages = 0; pages < MAX_CATCH_UP_PAGES; pages += 1) {
      const from = after;
      const page = await channelMessagesAfterSeq(channelId, from);
      if (destroyed) return true;
      for (const message of page.messages ?? []) addRootMessage(message);
      after = Math.max(after, page.next_after_seq);
      syncedSeq = Math.max(syncedSeq ?? 0, after);
      if (page.complete) return true;
      if ((page.messages ?? []).length === 0) {
        await new Promise((resolve) => window.setTimeout(resolve, INCOMPLETE_PAGE_PAUSE_MS));
      }
    }
    return false;
  }

  async function catchUp(): Promise<void> {
    if (!historyLoaded) {
      await loadLatest();
    } else if (syncedSeq !== null) {
      const stickToBottom = isNearBottom();
      const caughtUp = await catchUpBySeq();
      if (!caughtUp) await loadLatest({ replace: true });
      else await refreshShownMessages();
      refreshHistoryNotes();
      if (stickToBottom) scrollToBottom();
    } else {
      let after = syncedThroughId;
      if (after === null) {
        await loadLatest();
      } else {
        const stickToBottom = isNearBottom();
        let pages = 0;
        while (after !== null && pages < MAX_CATCH_UP_PAGES && !destroyed) {
          const cursor: string = after;
          const page = await runInBackground(() => listMessagesAfter(channelId, cursor));
          if (!page) break;
          for (const message of page.messages) addRootMessage(message);
          markSyncedThrough(page.messages.at(-1)?.id);
          after = page.next_cursor;
          pages += 1;
        }
        if (after !== null && pages >= MAX_CATCH_UP_PAGES) await loadLatest({ replace: true });
        else await refreshShownMessages();
        refreshHistoryNotes();
        if (stickToBottom) scrollToBottom();
      }
    }
    await threadPanel?.reload();
  }

  // --- Sending ---
  /** Sends over the socket when it is open, else over HTTP. */
  async function send(
    text: string,
    threadId: string | null,
    alsoSendToChannel = false,
    attachmentIds: string[] = [],
  ): Promise<{ message: Message; overSocket: boolean }> {
    autoReadPaused = false;
    const pending = liveSocket.sendMessage({
      channel_id: channelId,
      text,
      thread_id: threadId,
      also_send_to_channel: alsoSendToChannel,
      attachment_ids: attachmentIds,
    });
    if (pending) return { message: await pending, overSocket: true };
    const { message } = await postChatMessage(channelId, text, threadId, alsoSendToChannel, attachmentIds);
    if (threadId) {
      // Without the socket no message.updated arrives, so fetch the root's new reply count.
      fetchThread(threadId)
        .then((thread) => handleUpdated(thread.root))
        .catch(() => {});
    }
    return { message, overSocket: false };
  }

  const composer = createComposer({
    inputTestId: "composer-input",
    sendTestId: "composer-send",
    counterTestId: "char-counter",
    errorTestId: "composer-error",
    placeholder: t("composerPlaceholder"),
    filesChannelId: channelId,
    mentionCandidates: () => mentionCandidates,
    onSend: async (text, attachmentIds) => {
      const { message, overSocket } = await send(text, null, false, attachmentIds);
      addRootMessage(message);
      if (overSocket) markSyncedThrough(message.id);
      advanceSyncedSeq(message);
      refreshHistoryNotes();
      scrollToBottom();
    },
  });

  // --- Thread panel ---
  const threadSlot = element("div", { className: "thread-slot" });

  function openThread(rootId: string): void {
    if (threadPanel?.rootId === rootId) return;
    threadPanel = createThreadPanel({
      rootId,
      channelId,
      mentionCandidates: () => mentionCandidates,
      sendReply: async (text, root, alsoSendToChannel, attachmentIds) => {
        const { message } = await send(text, root, alsoSendToChannel, attachmentIds);
        if (alsoSendToChannel) {
          addRootMessage(message);
          advanceSyncedSeq(message);
        }
        return message;
      },
      actions: messageActions,
      onRootLoaded: (root) => {
        if (messages.get(root.id)) messages.upsert(root);
      },
      onClose: closeThread,
    });
    threadSlot.replaceChildren(threadPanel.element);
    pane.classList.add("with-thread");
  }

  function closeThread(): boolean {
    if (!threadPanel) return false;
    threadPanel = null;
    threadSlot.replaceChildren();
    pane.classList.remove("with-thread");
    onThreadClosed();
    return true;
  }

  // --- Live events ---
  function handleCreated(message: Message): void {
    if (message.channel_id !== channelId) return;
    if (message.thread_id && threadPanel?.rootId === message.thread_id) threadPanel.addReply(message);
    if (message.thread_id && !message.also_in_channel) return;
    const stickToBottom = isNearBottom() || message.sender_id === getCurrentUser()?.id;
    if (addRootMessage(message) && stickToBottom) scrollToBottom();
    advanceSyncedSeq(message);
    if (!message.thread_id) markSyncedThrough(message.id);
    refreshHistoryNotes();
  }

  function handleUpdated(message: Message): void {
    if (message.channel_id !== channelId) return;
    if (message.thread_id) {
      if (threadPanel?.rootId === message.thread_id) threadPanel.addReply(message);
      if (messages.get(message.id)) messages.upsert(message);
      return;
    }
    // Only messages already shown are updated, so an old root the user has not loaded stays out of the list.
    if (messages.get(message.id)) messages.upsert(message);
    if (threadPanel?.rootId === message.id) threadPanel.updateRoot(message);
  }

  /** Copies a thread summary onto its shown root, whose other fields stay. */
  function handleThreadUpdated(thread: ThreadSummary): void {
    if (thread.channel_id !== channelId) return;
    const root = messages.get(thread.root_id);
    if (!root) return;
    const updated: Message = {
      ...root,
      reply_count: thread.reply_count,
      reply_user_ids: thread.reply_user_ids,
      thread_participants: thread.participants,
      last_reply_at: thread.last_reply_at,
      last_reply_seq: thread.last_reply_seq,
    };
    messages.upsert(updated);
    if (threadPanel?.rootId === root.id) threadPanel.updateRoot(updated);
  }

  const pane = element("div", { className: "channel-pane" }, [
    element("section", { className: "channel-main", testId: "channel-main" }, [
      element("header", { className: "channel-header" }, [
        element("div", { className: "channel-heading" }, [
          element("div", { className: "channel-title-row" }, [titleIcon, title]),
          description,
        ]),
        actions,
      ]),
      members.panel,
      tools.pinsPanel,
      telegramImport.resultPanel,
      scroller,
      composer.element,
    ]),
    threadSlot,
  ]);

  // The whole channel column takes dropped files, not only the composer.
  composer.acceptDrops(pane.querySelector<HTMLElement>(".channel-main") as HTMLElement);
  renderHeader();
  void runInBackground(() => listMembers(channelId)).then((result) => {
    if (!result || destroyed) return;
    for (const member of result.members) memberNames.set(member.id, member.name);
    const ownId = getCurrentUser()?.id;
    mentionCandidates = result.members
      .filter((member) => member.handle && member.id !== ownId)
      .map((member) => ({ handle: member.handle as string, name: member.name }));
    composer.refreshMentions();
    threadPanel?.refreshMentions();
  });
  void loadLatest().then(() => {
    if (!destroyed) composer.focus();
  });

  return {
    element: pane,
    channelId,
    handleCreated,
    handleUpdated,
    handleThreadUpdated,
    openThread,
    closeThread,
    catchUp: () =>
      catchUp().catch((error) => {
        showError(errorMessage(error));
      }),
    destroy() {
      destroyed = true;
      window.clearTimeout(markReadTimer);
      document.removeEventListener("visibilitychange", onVisibilityChange);
      unsubscribeChannels();
    },
  };
}
