// The chat screen: the channel sidebar and the open channel or one of the
// Threads, Unread and Search panels. It routes live socket events to the open
// channel, picks a channel when none is named, opens the thread a link names
// (#/chat/<channel>/thread/<message>) and closes a thread on Esc.

import "./chat.css";
import { element } from "../../dom";
import { errorMessage, showError, showNotice } from "../../feedback";
import { t } from "../../i18n";
import { chatHash, navigate, type Route } from "../../router";
import { liveSocket } from "../../socket";
import type { View } from "../view";
import { createChannelPane, type ChannelPane } from "./channelPane";
import { createChannelSidebar, type ChatPanelName } from "./channelSidebar";
import { isLoaded, loadChannels, loadUnread, setOpenChannel, sortedChannels } from "./channelStore";
import { createSearchPanel, type ChatPanel } from "./searchPanel";
import { chatThreadHash, threadIdFromHash } from "./threadLink";
import { createThreadsPanel } from "./threadsPanel";
import { createUnreadPanel } from "./unreadPanel";

export function createChatView(container: HTMLElement, route: Route): View {
  const sidebar = createChannelSidebar(showPanel);
  const mainArea = element("div", { className: "chat-main-area" });
  container.appendChild(element("div", { className: "chat-layout" }, [sidebar.element, mainArea]));

  let channelPane: ChannelPane | null = null;
  let panel: ChatPanel | null = null;
  // A thread to open once the channel it belongs to is shown.
  let pendingThread: { channelId: string; rootId: string } | null = null;
  let requestedChannelId: string | null = null;
  let destroyed = false;

  function closePanel(): void {
    panel?.destroy();
    panel = null;
  }

  function showPanel(name: ChatPanelName): void {
    closePanel();
    channelPane?.destroy();
    channelPane = null;
    setOpenChannel(null);
    sidebar.setActive(null);
    if (name === "search") panel = createSearchPanel(openMessage);
    else if (name === "threads") panel = createThreadsPanel(openMessage);
    else panel = createUnreadPanel(openMessage);
    mainArea.replaceChildren(panel.element);
  }

  /** Opens a channel from a panel and, when `rootId` is set, its thread. */
  function openMessage(channelId: string, rootId: string | null): void {
    pendingThread = rootId ? { channelId, rootId } : null;
    const hash = rootId ? chatThreadHash(channelId, rootId) : chatHash(channelId);
    if (location.hash === hash) showChannel(channelId);
    else navigate(hash);
  }

  /** Remembers the thread the current link names, to open once its channel is shown. */
  function takeThreadFromLink(channelId: string | null): void {
    const rootId = threadIdFromHash(location.hash);
    if (channelId !== null && rootId !== null) pendingThread = { channelId, rootId };
  }

  /** Drops the thread from the link once its panel closes, so the link opens it again. */
  function onThreadClosed(): void {
    const channelId = channelPane?.channelId;
    if (channelId && threadIdFromHash(location.hash) !== null) navigate(chatHash(channelId), { replace: true });
  }

  function openPendingThread(): void {
    if (!pendingThread || channelPane?.channelId !== pendingThread.channelId) return;
    channelPane.openThread(pendingThread.rootId);
    pendingThread = null;
  }

  function showChannel(channelId: string | null): void {
    requestedChannelId = channelId;
    setOpenChannel(channelId);
    sidebar.setActive(channelId);
    if (panel === null && channelPane && channelPane.channelId === channelId) {
      openPendingThread();
      return;
    }
    closePanel();
    channelPane?.destroy();
    channelPane = null;
    if (channelId === null) {
      mainArea.replaceChildren(element("p", { className: "muted empty-pane", text: t("channelNone") }));
      // Deferred: navigating while this view is still being built would run the
      // router again before the app has recorded this view as the current one.
      if (isLoaded()) queueMicrotask(openDefaultChannel);
      return;
    }
    channelPane = createChannelPane(channelId, onThreadClosed);
    mainArea.replaceChildren(channelPane.element);
    openPendingThread();
  }

  /** Opens the general channel, or the first one, when the route names none. */
  function openDefaultChannel(): void {
    if (destroyed || requestedChannelId !== null) return;
    // The channel list may finish loading after the person has already picked
    // a channel; the route, not this view's state, says whether they did.
    if (!/^#\/chat\/?$/.test(location.hash)) return;
    const channels = sortedChannels();
    const preferred =
      channels.find((channel) => channel.kind === "general") ??
      channels.find((channel) => channel.kind !== "notifications") ??
      channels[0];
    if (preferred) navigate(chatHash(preferred.id), { replace: true });
  }

  const unsubscribeEvents = liveSocket.onEvent((event) => {
    switch (event.type) {
      case "message.created":
        channelPane?.handleCreated(event.message);
        return;
      case "message.updated":
      case "message.edited":
      case "message.deleted":
      case "message.pinned":
      case "reaction.updated":
        channelPane?.handleUpdated(event.message);
        return;
      case "thread.updated":
        channelPane?.handleThreadUpdated(event.thread);
        return;
      case "channel.left":
        if (event.channel_id === requestedChannelId) {
          showNotice(t("channelLeft"));
          navigate("#/chat", { replace: true });
        }
        return;
      default:
        return;
    }
  });
  const unsubscribeOpen = liveSocket.onOpen(() => {
    void channelPane?.catchUp();
  });

  function onKeyDown(event: KeyboardEvent): void {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    if (document.querySelector("dialog[open]")) return;
    if (channelPane?.closeThread()) event.preventDefault();
  }
  document.addEventListener("keydown", onKeyDown);

  const firstChannelId = route.name === "chat" ? route.channelId : null;
  takeThreadFromLink(firstChannelId);
  showChannel(firstChannelId);
  loadUnread().catch(() => {});
  loadChannels()
    .then(() => {
      if (requestedChannelId === null) openDefaultChannel();
    })
    .catch((error) => showError(errorMessage(error)));

  return {
    update(nextRoute) {
      if (nextRoute.name !== "chat") return;
      takeThreadFromLink(nextRoute.channelId);
      showChannel(nextRoute.channelId);
    },
    destroy() {
      destroyed = true;
      document.removeEventListener("keydown", onKeyDown);
      closePanel();
      unsubscribeEvents();
      unsubscribeOpen();
      channelPane?.destroy();
      sidebar.destroy();
      setOpenChannel(null);
    },
  };
}
