// Task comments with @mentions: picking a person inserts "@Name" into the
// text, and every known "@Name" left in the text is sent as a mention id.

import { element, option } from "../../dom";
import { withBusyButton } from "../../feedback";
import { formatDateTime } from "../../i18n";
import type { User } from "../../types";
import { chatThreadHash } from "../chat/threadLink";
import { postTaskComment, type TaskCommentRecord, type TaskThread } from "./taskApi";
import { tr } from "./taskMessages";

// The server accepts at most this many mentions in one comment.
const MAX_MENTIONS = 20;

/** Lists the ids of the people whose "@Name" appears in `text`, longest names first. */
export function mentionedIds(text: string, users: User[]): string[] {
  const ids: string[] = [];
  const sorted = [...users].sort((left, right) => right.name.length - left.name.length);
  let rest = text;
  for (const user of sorted) {
    const tag = `@${user.name}`;
    if (rest.includes(tag)) {
      ids.push(user.id);
      // Blank the match, so "@Анна" inside "@Анна Петрова" does not count twice.
      rest = rest.split(tag).join(" ");
    }
  }
  return ids.slice(0, MAX_MENTIONS);
}

function renderComment(comment: TaskCommentRecord): HTMLElement {
  return element("li", { className: "comment", testId: "task-comment", dataset: { id: comment.id, kind: comment.kind } }, [
    element("div", { className: "comment-header" }, [
      element("span", { className: "comment-author", text: comment.author_name }),
      element("time", { className: "muted", text: formatDateTime(comment.created_at), attributes: { datetime: comment.created_at } }),
    ]),
    comment.deleted_at
      ? element("div", { className: "comment-text muted", testId: "task-comment-text", text: tr("taskCommentDeleted") })
      : element("div", { className: "comment-text", testId: "task-comment-text", text: comment.text }),
  ]);
}

export interface CommentsSection {
  element: HTMLElement;
  show(taskId: string, comments: TaskCommentRecord[], users: User[], thread: TaskThread | null): void;
}

export function createCommentsSection(onPosted: () => void): CommentsSection {
  let taskId = "";
  let userList: User[] = [];
  const list = element("ul", { className: "comment-list", testId: "task-comments" });
  // The task's chat channel: comments and thread replies are one discussion.
  const chatLink = element("a", {
    className: "task-thread-link",
    testId: "task-thread-link",
    text: tr("taskDiscussInChat"),
  });
  const chatRow = element("p", { className: "task-thread-row", attributes: { hidden: true } }, [chatLink]);
  const empty = element("p", { className: "muted", text: tr("taskCommentsEmpty"), attributes: { hidden: true } });
  const input = element("textarea", {
    testId: "task-comment-input",
    attributes: { rows: 3, placeholder: tr("taskCommentPlaceholder"), "aria-label": tr("taskCommentPlaceholder") },
  });
  const mentionSelect = element("select", { testId: "task-comment-mention", attributes: { "aria-label": tr("mentionPick") } });
  mentionSelect.addEventListener("change", () => {
    const user = userList.find((candidate) => candidate.id === mentionSelect.value);
    mentionSelect.value = "";
    if (!user) return;
    const before = input.value && !input.value.endsWith(" ") ? `${input.value} ` : input.value;
    input.value = `${before}@${user.name} `;
    input.focus();
  });
  const submit = element("button", {
    className: "button-primary",
    testId: "task-comment-submit",
    text: tr("taskCommentSubmit"),
    attributes: { type: "submit" },
  });
  const form = element("form", { className: "comment-form", attributes: { novalidate: true } }, [input, mentionSelect, submit]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value;
    const mentions = mentionedIds(text, userList);
    const result = await withBusyButton(submit, () => postTaskComment(taskId, text, mentions));
    if (!result) return;
    input.value = "";
    list.appendChild(renderComment(result.comment));
    empty.hidden = true;
    onPosted();
  });

  return {
    element: element("section", { className: "comments-section" }, [
      element("h2", { text: tr("taskComments") }),
      chatRow,
      list,
      empty,
      form,
    ]),
    show(nextTaskId, comments, users, thread) {
      taskId = nextTaskId;
      chatRow.hidden = thread === null;
      if (thread) chatLink.setAttribute("href", chatThreadHash(thread.channel_id, thread.thread_id));
      userList = users.filter((user) => user.status === "active");
      mentionSelect.replaceChildren(
        option("", tr("mentionPick")),
        ...userList.map((user) => option(user.id, user.name)),
      );
      list.replaceChildren(...comments.map(renderComment));
      empty.hidden = comments.length > 0;
    },
  };
}
