// One open channel: its header, history with "load older", composer, member
// list, Telegram import and the thread panel.

import { fetchThread, listMessages, listMessagesAfter, postMessage } from "../../api";
import { element } from "../../dom";
import { errorMessage, runAction, runInBackground, showError } from "../../feedback";
import { t } from "../../i18n";
import { getCurrentUser, isAdmin } from "../../session";
import { liveSocket } from "../../socket";
import type { Message } from "../../types";
import { findChannel, onChannelsChange } from "./channelStore";
import { createComposer } from "./composer";
import { createMembersPanel } from "./membersPanel";
import { MessageCollection } from "./messageCollection";
import { renderMessage } from "./messageItem";
import { createTelegramImport } from "./telegramImport";
import { createThreadPanel, type ThreadPanel } from "./threadPanel";

// Bounds the catch-up after a reconnect: 10 pages of 200 messages. Past that
// the pane reloads the latest page instead, as on first opening.
const MAX_CATCH_UP_PAGES = 10;
const NEAR_BOTTOM_PX = 80;

export interface ChannelPane {
  readonly element: HTMLElement;
  readonly channelId: string;
  handleCreated(message: Message): void;
  handleUpdated(message: Message): void;
  /** Loads what the socket missed while it was closed. */
  catchUp(): Promise<void>;
  destroy(): void;
}

export function createChannelPane(channelId: string): ChannelPane {
  let olderCursor: string | null = null;
  let historyLoaded = false;
  // The newest root message id up to which the shown history has no gaps. It
  // advances with history pages and live events. It does not advance with
  // messages this tab posts over HTTP while the socket is down, because others
  // may have posted before them. A reconnect catches up from this id.
  let syncedThroughId: string | null = null;
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
  const actions = element("div", { className: "channel-actions" }, [members.button]);

  function renderHeader(): void {
    const channel = findChannel(channelId);
    title.textContent = channel?.name ?? "";
    titleIcon.textContent = channel?.kind === "notifications" ? "🔔" : "#";
    description.textContent = channel?.description ?? "";
    description.hidden = !channel?.description;
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
  const messages = new MessageCollection(messagesContainer, (message) =>
    renderMessage(message, { testId: "message", onOpenThread: (root) => openThread(root.id) }),
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

  /** Adds root messages only: replies belong to their thread, not to the channel. */
  function addRootMessage(message: Message): boolean {
    if (message.thread_id || message.channel_id !== channelId) return false;
    return messages.upsert(message);
  }

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

  async function catchUp(): Promise<void> {
    if (!historyLoaded) {
      await loadLatest();
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
  async function send(text: string, threadId: string | null): Promise<{ message: Message; overSocket: boolean }> {
    const pending = liveSocket.sendMessage({ channel_id: channelId, text, thread_id: threadId });
    if (pending) return { message: await pending, overSocket: true };
    const { message } = await postMessage(channelId, text, threadId);
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
    onSend: async (text) => {
      const { message, overSocket } = await send(text, null);
      addRootMessage(message);
      if (overSocket) markSyncedThrough(message.id);
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
      sendReply: async (text, root) => (await send(text, root)).message,
      onRootLoaded: (root) => {
        if (messages.get(root.id)) messages.upsert(root);
      },
      onClose: closeThread,
    });
    threadSlot.replaceChildren(threadPanel.element);
    pane.classList.add("with-thread");
  }

  function closeThread(): void {
    threadPanel = null;
    threadSlot.replaceChildren();
    pane.classList.remove("with-thread");
  }

  // --- Live events ---
  function handleCreated(message: Message): void {
    if (message.channel_id !== channelId) return;
    if (message.thread_id) {
      if (threadPanel?.rootId === message.thread_id) threadPanel.addReply(message);
      return;
    }
    const stickToBottom = isNearBottom() || message.sender_id === getCurrentUser()?.id;
    if (addRootMessage(message) && stickToBottom) scrollToBottom();
    markSyncedThrough(message.id);
    refreshHistoryNotes();
  }

  function handleUpdated(message: Message): void {
    if (message.channel_id !== channelId) return;
    if (message.thread_id) {
      if (threadPanel?.rootId === message.thread_id) threadPanel.addReply(message);
      return;
    }
    // Only messages already shown are updated, so an old root the user has not loaded stays out of the list.
    if (messages.get(message.id)) messages.upsert(message);
    if (threadPanel?.rootId === message.id) threadPanel.updateRoot(message);
  }

  const pane = element("div", { className: "channel-pane" }, [
    element("section", { className: "channel-main" }, [
      element("header", { className: "channel-header" }, [
        element("div", { className: "channel-heading" }, [
          element("div", { className: "channel-title-row" }, [titleIcon, title]),
          description,
        ]),
        actions,
      ]),
      members.panel,
      telegramImport.resultPanel,
      scroller,
      composer.element,
    ]),
    threadSlot,
  ]);

  renderHeader();
  void loadLatest().then(() => {
    if (!destroyed) composer.focus();
  });

  return {
    element: pane,
    channelId,
    handleCreated,
    handleUpdated,
    catchUp: () =>
      catchUp().catch((error) => {
        showError(errorMessage(error));
      }),
    destroy() {
      destroyed = true;
      unsubscribeChannels();
    },
  };
}
