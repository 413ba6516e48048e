// The task page: details, status buttons, assignee change and comments.

import { addTaskComment, fetchTask, listUsers, updateTask } from "../../api";
import { element } from "../../dom";
import { runAction, withBusyButton } from "../../feedback";
import { formatDate, formatDateTime, t } from "../../i18n";
import type { Route } from "../../router";
import type { Task, TaskComment, User } from "../../types";
import type { View } from "../view";
import { fillAssigneeSelect, statusLabel, statusPill, TASK_STATUSES, userName } from "./taskCommon";

export function createTaskDetailView(container: HTMLElement, route: Route): View {
  let destroyed = false;
  let taskId = route.name === "task" ? route.taskId : "";
  let task: Task | null = null;
  let users = new Map<string, User>();
  let userList: User[] = [];

  const title = element("h1", { className: "task-page-title", testId: "task-title" });
  const statusSlot = element("span");
  const meta = element("dl", { className: "task-facts" });
  const description = element("p", { className: "task-description", testId: "task-description" });
  const statusButtons = TASK_STATUSES.map((status) => {
    const button = element("button", {
      className: "status-button",
      testId: `task-status-${status}`,
      text: statusLabel(status),
      dataset: { status },
      attributes: { type: "button" },
    });
    button.addEventListener("click", async () => {
      const result = await withBusyButton(button, () => updateTask(taskId, { status }));
      if (result && !destroyed) showTask(result.task);
    });
    return button;
  });
  const assigneeSelect = element("select", { testId: "task-assignee" });
  assigneeSelect.addEventListener("change", async () => {
    const assigneeId = assigneeSelect.value;
    if (!task || !assigneeId || assigneeId === task.assignee_id) return;
    assigneeSelect.disabled = true;
    const result = await runAction(() => updateTask(taskId, { assignee_id: assigneeId }));
    assigneeSelect.disabled = false;
    if (destroyed || !task) return;
    // On failure the select goes back to the assignee the server still has.
    showTask(result ? result.task : task);
  });

  const commentList = element("ul", { className: "comment-list", testId: "task-comments" });
  const commentsEmpty = element("p", { className: "muted", text: t("taskCommentsEmpty"), attributes: { hidden: true } });
  const commentInput = element("textarea", {
    testId: "task-comment-input",
    attributes: { rows: 3, placeholder: t("taskCommentPlaceholder"), "aria-label": t("taskCommentPlaceholder") },
  });
  const commentSubmit = element("button", {
    className: "button-primary",
    testId: "task-comment-submit",
    text: t("taskCommentSubmit"),
    attributes: { type: "submit" },
  });
  const commentForm = element("form", { className: "comment-form", attributes: { novalidate: true } }, [
    commentInput,
    commentSubmit,
  ]);
  commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = commentInput.value;
    const result = await withBusyButton(commentSubmit, () => addTaskComment(taskId, text));
    if (!result || destroyed) return;
    commentInput.value = "";
    commentList.appendChild(renderComment(result.comment));
    commentsEmpty.hidden = true;
  });

  const content = element("div", { className: "task-page card", attributes: { hidden: true } }, [
    element("div", { className: "task-heading" }, [title, statusSlot]),
    meta,
    description,
    element("div", { className: "status-buttons", attributes: { role: "group", "aria-label": t("taskStatus") } }, statusButtons),
    element("section", { className: "comments-section" }, [
      element("h2", { text: t("taskComments") }),
      commentList,
      commentsEmpty,
      commentForm,
    ]),
  ]);
  container.appendChild(
    element("div", { className: "task-page-wrapper" }, [
      element("a", { className: "back-link", testId: "task-back", text: t("taskBack"), attributes: { href: "#/tasks" } }),
      content,
    ]),
  );

  function renderComment(comment: TaskComment): HTMLElement {
    return element("li", { className: "comment", testId: "task-comment", dataset: { id: comment.id } }, [
      element("div", { className: "comment-header" }, [
        element("span", { className: "comment-author", text: comment.author_name }),
        element("time", {
          className: "muted",
          text: formatDateTime(comment.created_at),
          attributes: { datetime: comment.created_at },
        }),
      ]),
      element("div", { className: "comment-text", testId: "task-comment-text", text: comment.text }),
    ]);
  }

  function fact(caption: string, value: Node | string): HTMLElement[] {
    return [element("dt", { text: caption }), element("dd", {}, [value])];
  }

  function showTask(nextTask: Task): void {
    task = nextTask;
    title.textContent = nextTask.title;
    statusSlot.replaceChildren(statusPill(nextTask.status, "task-status"));
    fillAssigneeSelect(assigneeSelect, userList, nextTask.assignee_id);
    if (!users.has(nextTask.assignee_id)) {
      // A deactivated assignee is missing from the people list, so add them to keep the select truthful.
      assigneeSelect.prepend(element("option", { text: t("unknownUser"), attributes: { value: nextTask.assignee_id } }));
      assigneeSelect.value = nextTask.assignee_id;
    }
    const facts = [
      ...fact(t("taskCreator"), userName(users, nextTask.creator_id)),
      ...fact(t("taskAssignee"), assigneeSelect),
      ...fact(t("taskDue"), nextTask.due_date ? formatDate(nextTask.due_date) : t("taskNoDue")),
    ];
    if (nextTask.done_at) facts.push(...fact(t("statusDone"), formatDateTime(nextTask.done_at)));
    meta.replaceChildren(...facts);
    description.textContent = nextTask.description || t("taskNoDescription");
    description.classList.toggle("muted", !nextTask.description);
    for (const button of statusButtons) {
      const current = button.dataset.status === nextTask.status;
      button.classList.toggle("active", current);
      button.setAttribute("aria-pressed", String(current));
    }
    content.hidden = false;
  }

  async function load(): Promise<void> {
    const result = await runAction(() => Promise.all([fetchTask(taskId), listUsers()]));
    if (!result || destroyed) return;
    const [taskResult, usersResult] = result;
    userList = usersResult.users;
    users = new Map(userList.map((user) => [user.id, user]));
    showTask(taskResult.task);
    commentList.replaceChildren(...taskResult.comments.map(renderComment));
    commentsEmpty.hidden = taskResult.comments.length > 0;
  }

  void load();

  return {
    update(nextRoute) {
      if (nextRoute.name !== "task" || nextRoute.taskId === taskId) return;
      taskId = nextRoute.taskId;
      content.hidden = true;
      void load();
    },
    destroy() {
      destroyed = true;
    },
  };
}
