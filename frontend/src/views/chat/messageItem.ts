// Renders one chat message. All server text goes in as textContent.

import { element } from "../../dom";
import { formatDateTime, formatReplyCount, t } from "../../i18n";
import type { Message } from "../../types";
import { ct } from "./chatText";
import { renderActionBar, renderReactions, type MessageActionHandlers } from "./messageActions";
import { renderMessageFiles } from "./messageFiles";

// Only in-app hash routes become links, so a stored link can never be a
// javascript: or off-site URL.
const SAFE_LINK = /^#\/[A-Za-z0-9_\-/]+$/;

export interface MessageItemOptions {
  testId: "message" | "thread-reply" | "thread-root";
  /** Set for root messages in the channel, which show the thread controls. */
  onOpenThread?: (message: Message) => void;
  /** Set where the message can be edited, deleted, reacted to and pinned. */
  actions?: MessageActionHandlers;
  /** Returns a person's name for the thread participants, or null when unknown. */
  nameOf?: (userId: string) => string | null;
}

export function senderName(message: Message): string {
  if (message.sender_name) return message.sender_name;
  return message.kind === "user" || message.kind === "imported" ? t("unknownUser") : t("systemSender");
}

export function renderMessage(message: Message, options: MessageItemOptions): HTMLElement {
  const header = element("div", { className: "message-header" }, [
    element("span", { className: "message-sender", testId: "message-sender", text: senderName(message) }),
    element("time", {
      className: "message-time",
      text: formatDateTime(message.created_at),
      attributes: { datetime: message.created_at, title: new Date(message.created_at).toLocaleString() },
    }),
    message.edited_at && !message.deleted_at
      ? element("span", { className: "message-edited", testId: "message-edited", text: t("edited") })
      : null,
    message.pinned ? element("span", { className: "message-pinned", testId: "message-pinned", text: `📌 ${ct("pinned")}` }) : null,
  ]);

  const textNode = message.deleted_at
    ? element("div", { className: "message-text message-deleted muted", testId: "message-text", text: ct("deletedPlaceholder") })
    : element("div", { className: "message-text", testId: "message-text", text: message.text });
  const children: HTMLElement[] = [header, textNode];
  const files = message.deleted_at ? null : renderMessageFiles(message.files ?? []);
  if (files) children.push(files);
  if (options.actions) {
    const reactions = renderReactions(message, options.actions);
    if (reactions) children.push(reactions);
  }

  if (message.attachments.length > 0) {
    children.push(
      element(
        "div",
        { className: "message-attachments" },
        message.attachments.map((name) =>
          element("span", {
            className: "attachment-chip",
            testId: "message-attachment",
            text: `📎 ${attachmentName(name)}`,
            attributes: { title: t("attachment") },
          }),
        ),
      ),
    );
  }

  if (message.link && SAFE_LINK.test(message.link)) {
    children.push(
      element("a", {
        className: "message-link",
        testId: "message-link",
        text: t("openTask"),
        attributes: { href: message.link },
      }),
    );
  }

  if (options.onOpenThread) {
    const onOpenThread = options.onOpenThread;
    const footer = element("div", { className: "message-footer" });
    if (message.reply_count > 0) {
      footer.appendChild(
        element("button", {
          className: "link-button reply-count",
          testId: "reply-count",
          text: formatReplyCount(message.reply_count),
          attributes: { type: "button" },
          on: { click: () => onOpenThread(message) },
        }),
      );
      footer.appendChild(threadSummary(message, options.nameOf));
    }
    footer.appendChild(
      element("button", {
        className: "link-button open-thread",
        testId: "open-thread",
        text: t("openThread"),
        attributes: { type: "button" },
        on: { click: () => onOpenThread(message) },
      }),
    );
    children.push(footer);
  }
  if (options.actions) {
    const bar = renderActionBar(message, textNode, options.actions);
    if (bar) children.push(bar);
  }

  return element(
    "article",
    {
      className: `message message-kind-${message.kind}`,
      testId: options.testId,
      dataset: { id: message.id, kind: message.kind, deleted: message.deleted_at ? "true" : "false" },
    },
    children,
  );
}

/** Builds the root's thread line: who replied (the first five) and when the last reply came. */
function threadSummary(message: Message, nameOf?: (userId: string) => string | null): HTMLElement {
  const participants = message.thread_participants ?? [];
  const names = participants.map((userId) => nameOf?.(userId)).filter((name): name is string => Boolean(name));
  const parts: string[] = [];
  if (names.length > 0) parts.push(names.join(", "));
  else if (participants.length > 0) parts.push(ct("participants", { count: participants.length }));
  if (message.last_reply_at) parts.push(ct("lastReply", { time: formatDateTime(message.last_reply_at) }));
  return element("span", { className: "thread-summary muted", testId: "thread-summary", text: parts.join(" · ") });
}

/** Returns an attachment's file name, which is how the backend stores them, or an object's `name`. */
function attachmentName(attachment: unknown): string {
  if (typeof attachment === "string") return attachment;
  if (typeof attachment === "object" && attachment !== null && "name" in attachment) {
    return String((attachment as { name: unknown }).name);
  }
  return String(attachment);
}
