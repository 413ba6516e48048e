// Header controls of an open channel: the pinned messages list, the
// person's notification level and leaving a public or private custom channel.

import { element, option } from "../../dom";
import { runAction, runInBackground } from "../../feedback";
import { navigate } from "../../router";
import type { Channel } from "../../types";
import { getNotificationLevel, leaveChannel, listPins, setNotificationLevel, type NotificationLevel } from "./chatApi";
import { ct } from "./chatText";
import { removeChannel } from "./channelStore";
import { renderMessage } from "./messageItem";

export interface ChannelTools {
  /** Buttons and the level select, for the channel header. */
  controls: HTMLElement[];
  /** The pins list, shown under the header when open. */
  pinsPanel: HTMLElement;
  /** Reloads the pins list if it is open, after a pin changed. */
  refreshPins(): void;
  /** Shows or hides the controls that only some kinds of channel have. */
  update(channel: Channel | undefined): void;
}

const LEVELS: NotificationLevel[] = ["all", "mentions", "mute"];
const LEVEL_TEXT = { all: "levelAll", mentions: "levelMentions", mute: "levelMute" } as const;

export function createChannelTools(channelId: string, onOpenMessage: (message_id: string) => void): ChannelTools {
  const pinsPanel = element("div", { className: "pins-panel card", testId: "pins-panel", attributes: { hidden: true } });
  const pinsButton = element("button", {
    testId: "pins-button",
    text: `📌 ${ct("pins")}`,
    attributes: { type: "button", "aria-expanded": "false" },
  });

  async function loadPins(): Promise<void> {
    const result = await runInBackground(() => listPins(channelId));
    if (!result) return;
    pinsPanel.replaceChildren(
      element("h3", { text: ct("pins") }),
      result.pins.length === 0
        ? element("p", { className: "muted", text: ct("pinsEmpty") })
        : element(
            "div",
            { className: "pins-list" },
            result.pins.map((message) => {
              const node = renderMessage(message, { testId: "message" });
              node.dataset.testid = "pinned-message";
              node.addEventListener("click", () => onOpenMessage(message.id));
              return node;
            }),
          ),
    );
  }

  pinsButton.addEventListener("click", async () => {
    if (!pinsPanel.hidden) {
      pinsPanel.hidden = true;
      pinsButton.setAttribute("aria-expanded", "false");
      return;
    }
    await loadPins();
    pinsPanel.hidden = false;
    pinsButton.setAttribute("aria-expanded", "true");
  });

  const levelSelect = element(
    "select",
    { testId: "notification-level", attributes: { "aria-label": ct("notificationLevel"), title: ct("notificationLevel") } },
    LEVELS.map((level) => option(level, ct(LEVEL_TEXT[level]))),
  );
  levelSelect.disabled = true;
  void runInBackground(() => getNotificationLevel(channelId)).then((result) => {
    if (!result) return;
    levelSelect.value = result.level;
    levelSelect.disabled = false;
  });
  levelSelect.addEventListener("change", async () => {
    const level = levelSelect.value as NotificationLevel;
    levelSelect.disabled = true;
    const result = await runAction(() => setNotificationLevel(channelId, level));
    levelSelect.disabled = false;
    if (result) levelSelect.value = result.level;
  });

  const leaveButton = element("button", {
    testId: "channel-leave",
    text: ct("leave"),
    attributes: { type: "button", hidden: true },
  });
  leaveButton.addEventListener("click", async () => {
    const result = await runAction(() => leaveChannel(channelId));
    if (!result) return;
    removeChannel(channelId);
    navigate("#/chat", { replace: true });
  });

  return {
    controls: [pinsButton, levelSelect, leaveButton],
    pinsPanel,
    refreshPins() {
      if (!pinsPanel.hidden) void loadPins();
    },
    update(channel) {
      leaveButton.hidden = channel?.kind !== "custom";
      levelSelect.hidden = channel?.kind === "notifications";
    },
  };
}
