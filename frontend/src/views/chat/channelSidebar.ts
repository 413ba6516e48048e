// The channel list on the left of the chat screen, with the form that creates
// a channel, the conversations, unread counts and the links to the Threads,
// Unread and Search panels. The channels of tasks and payment requests sit
// under a heading that folds them away, since one person may be on many.

import { element, field, option } from "../../dom";
import { withBusyButton } from "../../feedback";
import { t } from "../../i18n";
import { chatHash, navigate } from "../../router";
import { isAdmin } from "../../session";
import type { Channel } from "../../types";
import { openChannelBrowser } from "./channelBrowser";
import { onChannelsChange, sortedChannels, unreadCount, unreadThreads, upsertChannel } from "./channelStore";
import { createChatChannel } from "./chatApi";
import { ct } from "./chatText";
import { openDirectDialog } from "./directDialog";
import { openImportDialog } from "./importDialog";

export type ChatPanelName = "threads" | "unread" | "search";

// The channels every task and payment request gets for its discussion.
const WORK_KINDS: ReadonlySet<Channel["kind"]> = new Set(["task", "finance"]);
// The key under which this browser keeps whether the person unfolded them.
const WORK_OPEN_KEY = "shtab.chat.workChannelsOpen";

function readWorkOpen(): boolean {
  try {
    return localStorage.getItem(WORK_OPEN_KEY) === "1";
  } catch {
    return false;
  }
}

function saveWorkOpen(open: boolean): void {
  try {
    localStorage.setItem(WORK_OPEN_KEY, open ? "1" : "0");
  } catch {
    // Storage may be off, as in private mode, and then the choice lasts until reload.
  }
}

export interface ChannelSidebar {
  element: HTMLElement;
  setActive(channelId: string | null): void;
  destroy(): void;
}

export function createChannelSidebar(onShowPanel: (panel: ChatPanelName) => void): ChannelSidebar {
  let activeChannelId: string | null = null;
  const list = element("ul", { className: "channel-list", testId: "channel-list" });
  const conversationList = element("ul", { className: "channel-list", testId: "conversation-list" });
  const conversationsTitle = element("h3", { className: "sidebar-subtitle", text: ct("conversations") });
  const emptyNote = element("p", { className: "muted", text: t("channelsEmpty"), attributes: { hidden: true } });
  let workOpen = readWorkOpen();
  const workList = element("ul", { className: "channel-list", testId: "work-channel-list" });
  const workCount = element("span", { className: "muted", testId: "work-channels-count" });
  const workToggle = element(
    "button",
    {
      className: "link-button sidebar-subtitle sidebar-group-toggle",
      testId: "work-channels-toggle",
      attributes: { type: "button", "aria-expanded": String(workOpen) },
      on: {
        click: () => {
          workOpen = !workOpen;
          saveWorkOpen(workOpen);
          renderList();
        },
      },
    },
    [element("span", { className: "sidebar-group-arrow", attributes: { "aria-hidden": "true" } }), ct("workChannels"), workCount],
  );

  const nameInput = element("input", {
    testId: "channel-create-name",
    attributes: { type: "text", maxlength: 80, required: true },
  });
  const descriptionInput = element("input", {
    testId: "channel-create-description",
    attributes: { type: "text", maxlength: 500 },
  });
  const visibilitySelect = element("select", { testId: "channel-create-visibility" }, [
    option("public", ct("visibilityPublic"), true),
    option("private", ct("visibilityPrivate")),
  ]);
  const submitButton = element("button", {
    className: "button-primary",
    testId: "channel-create-submit",
    text: t("channelCreateSubmit"),
    attributes: { type: "submit" },
  });
  const createForm = element(
    "form",
    { className: "channel-create-form", attributes: { hidden: true, novalidate: true } },
    [
      field(t("channelName"), nameInput),
      field(t("channelDescription"), descriptionInput),
      field(ct("visibility"), visibilitySelect),
      element("div", { className: "form-actions" }, [
        submitButton,
        element("button", {
          text: t("cancel"),
          attributes: { type: "button" },
          on: { click: () => (createForm.hidden = true) },
        }),
      ]),
    ],
  );
  createForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await withBusyButton(submitButton, () =>
      createChatChannel(
        nameInput.value.trim(),
        descriptionInput.value.trim() || null,
        visibilitySelect.value === "private" ? "private" : "public",
      ),
    );
    if (!result) return;
    createForm.reset();
    createForm.hidden = true;
    upsertChannel(result.channel);
    navigate(chatHash(result.channel.id));
  });

  const openFormButton = element("button", {
    className: "icon-button",
    testId: "channel-create",
    text: "+",
    attributes: { type: "button", title: t("channelCreate"), "aria-label": t("channelCreate") },
    on: {
      click: () => {
        createForm.hidden = !createForm.hidden;
        if (!createForm.hidden) nameInput.focus();
      },
    },
  });

  const threadsCount = element("span", { className: "unread-count", testId: "threads-unread" });
  const navButton = (panel: ChatPanelName, text: string, extra: HTMLElement | null = null) =>
    element("button", {
      className: "link-button sidebar-nav",
      testId: `nav-${panel}`,
      attributes: { type: "button" },
      on: { click: () => onShowPanel(panel) },
    }, [text, extra]);
  const actionButton = (testId: string, text: string, action: () => void) =>
    element("button", {
      className: "link-button sidebar-nav",
      testId,
      text,
      attributes: { type: "button" },
      on: { click: action },
    });
  const importButton = actionButton("import-open", ct("importOpen"), () => openImportDialog());
  const navigation = element("nav", { className: "chat-sidebar-nav" }, [
    navButton("threads", ct("threadsView"), threadsCount),
    navButton("unread", ct("unreadView")),
    navButton("search", ct("searchView")),
    actionButton("browse-open", ct("browse"), () => void openChannelBrowser()),
    actionButton("direct-new", ct("direct"), () => void openDirectDialog()),
    importButton,
  ]);

  function channelIcon(channel: Channel): string {
    if (channel.kind === "notifications") return "🔔";
    if (channel.kind === "direct" || channel.kind === "group") return "@";
    return channel.visibility === "private" ? "🔒" : "#";
  }

  function renderList(): void {
    importButton.hidden = !isAdmin();
    const threadUnread = unreadThreads().reduce((sum, thread) => sum + thread.unread, 0);
    threadsCount.textContent = threadUnread > 0 ? ` ${threadUnread}` : "";
    const all = sortedChannels();
    const isConversation = (channel: Channel) => channel.kind === "direct" || channel.kind === "group";
    const channels = all.filter((channel) => !isConversation(channel) && !WORK_KINDS.has(channel.kind));
    const conversations = all.filter(isConversation);
    const work = all.filter((channel) => WORK_KINDS.has(channel.kind));
    emptyNote.hidden = all.length > 0;
    conversationsTitle.hidden = conversations.length === 0;
    conversationList.replaceChildren(...conversations.map(renderItem));
    list.replaceChildren(...channels.map(renderItem));
    // Folded, the group still shows the channels with unread messages and the
    // open one, so nothing new is hidden and the open channel stays marked.
    const shownWork = workOpen
      ? work
      : work.filter((channel) => unreadCount(channel.id) > 0 || channel.id === activeChannelId);
    workToggle.hidden = work.length === 0;
    workToggle.setAttribute("aria-expanded", String(workOpen));
    workToggle.classList.toggle("open", workOpen);
    workCount.textContent = ` ${work.length}`;
    workList.replaceChildren(...shownWork.map(renderItem));
  }

  function renderItem(channel: Channel): HTMLElement {
        const count = unreadCount(channel.id);
        const unread = count > 0;
        const link = element(
          "a",
          {
            className: [
              "channel-item",
              channel.id === activeChannelId ? "active" : "",
              unread ? "unread" : "",
              channel.archived ? "archived" : "",
            ].join(" ").trim(),
            testId: "channel-item",
            dataset: { id: channel.id, kind: channel.kind },
            attributes: {
              href: chatHash(channel.id),
              title: channel.description ?? channel.name,
              "aria-current": channel.id === activeChannelId ? "page" : null,
            },
          },
          [
            element("span", {
              className: "channel-icon",
              text: channelIcon(channel),
              attributes: { "aria-hidden": "true" },
            }),
            element("span", { className: "channel-name", text: channel.name }),
            unread
              ? element("span", {
                  className: "unread-badge",
                  testId: "channel-unread",
                  text: String(count),
                  attributes: { title: t("channelUnread"), "aria-label": ct("unreadCount", { count }) },
                })
              : null,
          ],
        );
        return element("li", {}, [link]);
  }

  const unsubscribe = onChannelsChange(renderList);
  renderList();

  const sidebar = element("aside", { className: "chat-sidebar" }, [
    element("header", { className: "pane-header" }, [
      element("h2", { text: t("channelsTitle") }),
      openFormButton,
    ]),
    navigation,
    createForm,
    list,
    workToggle,
    workList,
    conversationsTitle,
    conversationList,
    emptyNote,
  ]);

  return {
    element: sidebar,
    setActive(channelId) {
      activeChannelId = channelId;
      renderList();
    },
    destroy: unsubscribe,
  };
}
