// The per-message controls: reactions (pick and toggle), edit in place,
// delete, pin and "mark as unread". The server's response replaces the shown
// message, and the live events bring the same change to other people.

import { element } from "../../dom";
import { runAction } from "../../feedback";
import { getCurrentUser, isAdmin } from "../../session";
import type { Message, Reaction } from "../../types";
import { addReaction, deleteMessage, editMessage, pinMessage, removeReaction } from "./chatApi";
import { ct } from "./chatText";
import { countCodePoints, MAX_MESSAGE_LENGTH } from "./composer";

/** The emoji offered by the picker. The backend accepts any single emoji. */
export const PICKER_EMOJI = ["👍", "❤️", "😂", "🎉", "🙏", "👀", "✅", "🔥"];

export interface MessageActionHandlers {
  /** Shows the message as the server returned it after a change. */
  onChanged: (message: Message) => void;
  /** Set in a channel's history, where a message can become the read marker. */
  onMarkUnread?: (message: Message) => void;
  /** Whether the caller owns the channel, which lets them delete others' messages. */
  canModerate?: () => boolean;
}

function isOwn(message: Message): boolean {
  return message.sender_id !== null && message.sender_id === getCurrentUser()?.id;
}

export function renderReactions(message: Message, handlers: MessageActionHandlers): HTMLElement | null {
  const reactions: Reaction[] = message.reactions ?? [];
  if (reactions.length === 0 || message.deleted_at) return null;
  return element(
    "div",
    { className: "message-reactions", testId: "message-reactions" },
    reactions.map((reaction) =>
      element("button", {
        className: reaction.mine ? "reaction mine" : "reaction",
        testId: "reaction",
        text: `${reaction.emoji} ${reaction.count}`,
        dataset: { emoji: reaction.emoji },
        attributes: { type: "button", "aria-pressed": String(reaction.mine) },
        on: { click: () => void toggleReaction(message, reaction.emoji, reaction.mine, handlers) },
      }),
    ),
  );
}

async function toggleReaction(message: Message, emoji: string, mine: boolean, handlers: MessageActionHandlers) {
  const result = await runAction(() => (mine ? removeReaction(message.id, emoji) : addReaction(message.id, emoji)));
  if (result) handlers.onChanged(result.message);
}

function emojiPicker(message: Message, handlers: MessageActionHandlers): HTMLElement {
  const picker = element(
    "div",
    { className: "emoji-picker", testId: "emoji-picker", attributes: { hidden: true } },
    PICKER_EMOJI.map((emoji) =>
      element("button", {
        className: "emoji-option",
        testId: "emoji-option",
        text: emoji,
        attributes: { type: "button" },
        on: {
          click: () => {
            picker.hidden = true;
            const mine = (message.reactions ?? []).some((reaction) => reaction.emoji === emoji && reaction.mine);
            void toggleReaction(message, emoji, mine, handlers);
          },
        },
      }),
    ),
  );
  return picker;
}

/** Replaces the message text with an editor: Enter saves, Shift+Enter adds a line and Esc cancels. */
function startEditing(message: Message, textNode: HTMLElement, handlers: MessageActionHandlers): void {
  const editor = element("textarea", {
    className: "composer-input message-editor",
    testId: "message-editor",
    attributes: { rows: 2, "aria-label": ct("edit") },
  });
  editor.value = message.text;
  const saveButton = element("button", {
    className: "button-primary",
    testId: "message-edit-save",
    text: ct("save"),
    attributes: { type: "button" },
  });
  const cancelButton = element("button", { text: ct("cancel"), attributes: { type: "button" } });
  const form = element("div", { className: "message-edit-form" }, [
    editor,
    element("div", { className: "form-actions" }, [saveButton, cancelButton]),
  ]);

  const cancel = () => form.replaceWith(textNode);
  async function save(): Promise<void> {
    const text = editor.value;
    if (text.trim() === "" || countCodePoints(text) > MAX_MESSAGE_LENGTH) return;
    if (text === message.text) return cancel();
    saveButton.disabled = true;
    const result = await runAction(() => editMessage(message.id, text));
    saveButton.disabled = false;
    if (result) handlers.onChanged(result.message);
  }

  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void save();
    } else if (event.key === "Escape") {
      // The thread panel also closes on Esc, so the editor stops the event here.
      event.stopPropagation();
      cancel();
    }
  });
  saveButton.addEventListener("click", () => void save());
  cancelButton.addEventListener("click", cancel);
  textNode.replaceWith(form);
  editor.focus();
}

export function renderActionBar(message: Message, textNode: HTMLElement, handlers: MessageActionHandlers): HTMLElement | null {
  if (message.deleted_at || (message.kind !== "user" && message.kind !== "imported")) return null;
  const own = isOwn(message);
  const picker = emojiPicker(message, handlers);
  const button = (testId: string, text: string, action: () => void) =>
    element("button", {
      className: "link-button message-action",
      testId,
      text,
      attributes: { type: "button" },
      on: { click: action },
    });

  const buttons: HTMLElement[] = [
    button("message-react", ct("react"), () => (picker.hidden = !picker.hidden)),
  ];
  if (own) buttons.push(button("message-edit", ct("edit"), () => startEditing(message, textNode, handlers)));
  if (own || isAdmin() || handlers.canModerate?.()) {
    buttons.push(
      button("message-delete", ct("delete"), async () => {
        if (!window.confirm(ct("deleteConfirm"))) return;
        const result = await runAction(() => deleteMessage(message.id));
        if (result) handlers.onChanged(result.message);
      }),
    );
  }
  buttons.push(
    button("message-pin", message.pinned ? ct("unpin") : ct("pin"), async () => {
      const result = await runAction(() => pinMessage(message.id, !message.pinned));
      if (result) handlers.onChanged(result.message);
    }),
  );
  const onMarkUnread = handlers.onMarkUnread;
  if (onMarkUnread) buttons.push(button("message-mark-unread", ct("markUnread"), () => onMarkUnread(message)));
  return element("div", { className: "message-actions" }, [...buttons, picker]);
}
