// The chat screen: the channel sidebar and the open channel. It routes live
// socket events to the open channel and picks a channel when none is named.

import { element } from "../../dom";
import { errorMessage, showError, showNotice } from "../../feedback";
import { t } from "../../i18n";
import { chatHash, navigate, type Route } from "../../router";
import { liveSocket } from "../../socket";
import type { View } from "../view";
import { createChannelPane, type ChannelPane } from "./channelPane";
import { createChannelSidebar } from "./channelSidebar";
import { isLoaded, loadChannels, setOpenChannel, sortedChannels } from "./channelStore";

export function createChatView(container: HTMLElement, route: Route): View {
  const sidebar = createChannelSidebar();
  const mainArea = element("div", { className: "chat-main-area" });
  container.appendChild(element("div", { className: "chat-layout" }, [sidebar.element, mainArea]));

  let channelPane: ChannelPane | null = null;
  let requestedChannelId: string | null = null;
  let destroyed = false;

  function showChannel(channelId: string | null): void {
    requestedChannelId = channelId;
    setOpenChannel(channelId);
    sidebar.setActive(channelId);
    if (channelPane && channelPane.channelId === channelId) return;
    channelPane?.destroy();
    channelPane = null;
    if (channelId === null) {
      mainArea.replaceChildren(element("p", { className: "muted empty-pane", text: t("channelNone") }));
      // Deferred: navigating while this view is still being built would run the
      // router again before the app has recorded this view as the current one.
      if (isLoaded()) queueMicrotask(openDefaultChannel);
      return;
    }
    channelPane = createChannelPane(channelId);
    mainArea.replaceChildren(channelPane.element);
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
        channelPane?.handleUpdated(event.message);
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

  showChannel(route.name === "chat" ? route.channelId : null);
  loadChannels()
    .then(() => {
      if (requestedChannelId === null) openDefaultChannel();
    })
    .catch((error) => showError(errorMessage(error)));

  return {
    update(nextRoute) {
      if (nextRoute.name === "chat") showChannel(nextRoute.channelId);
    },
    destroy() {
      destroyed = true;
      unsubscribeEvents();
      unsubscribeOpen();
      channelPane?.destroy();
      sidebar.destroy();
      setOpenChannel(null);
    },
  };
}
