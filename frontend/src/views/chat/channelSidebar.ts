// The channel list on the left of the chat screen, with the form that creates a channel.

import { createChannel } from "../../api";
import { element, field } from "../../dom";
import { withBusyButton } from "../../feedback";
import { t } from "../../i18n";
import { chatHash, navigate } from "../../router";
import { isUnread, onChannelsChange, sortedChannels, upsertChannel } from "./channelStore";

export interface ChannelSidebar {
  element: HTMLElement;
  setActive(channelId: string | null): void;
  destroy(): void;
}

export function createChannelSidebar(): ChannelSidebar {
  let activeChannelId: string | null = null;
  const list = element("ul", { className: "channel-list", testId: "channel-list" });
  const emptyNote = element("p", { className: "muted", text: t("channelsEmpty"), attributes: { hidden: true } });

  const nameInput = element("input", {
    testId: "channel-create-name",
    attributes: { type: "text", maxlength: 80, required: true },
  });
  const descriptionInput = element("input", {
    testId: "channel-create-description",
    attributes: { type: "text", maxlength: 500 },
  });
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
      createChannel(nameInput.value.trim(), descriptionInput.value.trim() || null),
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

  function renderList(): void {
    const channels = sortedChannels();
    emptyNote.hidden = channels.length > 0;
    list.replaceChildren(
      ...channels.map((channel) => {
        const unread = isUnread(channel.id);
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
              text: channel.kind === "notifications" ? "🔔" : "#",
              attributes: { "aria-hidden": "true" },
            }),
            element("span", { className: "channel-name", text: channel.name }),
            unread
              ? element("span", {
                  className: "unread-badge",
                  testId: "channel-unread",
                  text: "●",
                  attributes: { title: t("channelUnread"), "aria-label": t("channelUnread") },
                })
              : null,
          ],
        );
        return element("li", {}, [link]);
      }),
    );
  }

  const unsubscribe = onChannelsChange(renderList);
  renderList();

  const sidebar = element("aside", { className: "chat-sidebar" }, [
    element("header", { className: "pane-header" }, [
      element("h2", { text: t("channelsTitle") }),
      openFormButton,
    ]),
    createForm,
    list,
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
