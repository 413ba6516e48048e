// The task page: every field, status actions with the review step, editing
// (of one occurrence or a whole series), checklist, subtasks, blocked-by
// links, comments and history.

import { listUsers } from "../../api";
import { element, field, option } from "../../dom";
import { runAction, withBusyButton } from "../../feedback";
import { formatDate, formatDateTime } from "../../i18n";
import type { Route } from "../../router";
import { taskHash } from "../../router";
import { getCurrentUser } from "../../session";
import type { TaskStatus, User } from "../../types";
import type { View } from "../view";
import { fetchTaskRecord, patchTask, type TaskFields, type TaskRecord } from "./taskApi";
import { createChecklistSection } from "./taskChecklist";
import {
  dueText,
  fillAssigneeSelect,
  isReturn,
  nextStatuses,
  priorityLabel,
  statusLabel,
  statusPill,
  TASK_PRIORITIES,
  userName,
} from "./taskCommon";
import { createCommentsSection } from "./taskComments";
import { createHistorySection } from "./taskHistory";
import { createLinksSection } from "./taskLinks";
import { parseTags } from "./taskListView";
import { tr } from "./taskMessages";

/** Returns the caption of the button that moves a task from `from` to `to`. */
function actionLabel(from: TaskStatus, to: TaskStatus): string {
  if (to === "review") return tr("actionSendToReview");
  if (from === "review" && to === "done") return tr("actionApprove");
  if (isReturn(from, to)) return tr("actionReturn");
  return tr("actionMoveTo", { status: statusLabel(to) });
}

export function createTaskDetailView(container: HTMLElement, route: Route): View {
  let destroyed = false;
  let taskId = route.name === "task" ? route.taskId : "";
  let task: TaskRecord | null = null;
  let users = new Map<string, User>();
  let userList: User[] = [];

  const title = element("h1", { className: "task-page-title", testId: "task-title" });
  const statusSlot = element("span");
  const meta = element("dl", { className: "task-facts" });
  // Markdown is shown as typed, as plain text, so no markup from it is ever parsed.
  const description = element("p", { className: "task-description", testId: "task-description" });

  // --- Status actions ---
  const actions = element("div", { className: "status-buttons", testId: "task-actions", attributes: { role: "group" } });
  const returnComment = element("textarea", {
    testId: "task-return-comment",
    attributes: { rows: 2, placeholder: tr("taskReturnPrompt"), "aria-label": tr("taskReturnPrompt") },
  });
  const returnSubmit = element("button", { testId: "task-return-submit", text: tr("actionReturn"), attributes: { type: "submit" } });
  const returnForm = element("form", { className: "return-form", attributes: { hidden: true, novalidate: true } }, [
    returnComment,
    returnSubmit,
  ]);
  returnForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const comment = returnComment.value.trim();
    const result = await withBusyButton(returnSubmit, () => patchTask(taskId, { status: "in_progress", comment }));
    if (!result || destroyed) return;
    returnComment.value = "";
    returnForm.hidden = true;
    applyTask(result.task);
  });

  function renderActions(current: TaskRecord): void {
    const buttons = nextStatuses(current, getCurrentUser()).map((status) => {
      const button = element("button", {
        className: "status-button",
        testId: `task-status-${status}`,
        text: actionLabel(current.status, status),
        dataset: { status },
        attributes: { type: "button" },
      });
      button.addEventListener("click", async () => {
        if (isReturn(current.status, status)) {
          returnForm.hidden = false;
          returnComment.focus();
          return;
        }
        const result = await withBusyButton(button, () => patchTask(taskId, { status }));
        if (result && !destroyed) applyTask(result.task);
      });
      return button;
    });
    actions.replaceChildren(...buttons);
    if (current.status !== "review") returnForm.hidden = true;
  }

  // --- Editing ---
  const assigneeSelect = element("select", { testId: "task-assignee" });
  assigneeSelect.addEventListener("change", async () => {
    const assigneeId = assigneeSelect.value;
    if (!task || !assigneeId || assigneeId === task.assignee_id) return;
    assigneeSelect.disabled = true;
    const result = await runAction(() => patchTask(taskId, { assignee_id: assigneeId }));
    assigneeSelect.disabled = false;
    if (destroyed || !task) return;
    // On failure the select goes back to the assignee the server still has.
    applyTask(result ? result.task : task);
  });

  const editTitle = element("input", { testId: "task-edit-title", attributes: { type: "text", maxlength: 200 } });
  const editDescription = element("textarea", { testId: "task-edit-description", attributes: { rows: 5 } });
  const editPriority = element(
    "select",
    { testId: "task-edit-priority" },
    TASK_PRIORITIES.map((priority) => option(priority, priorityLabel(priority))),
  );
  const editTags = element("input", { testId: "task-edit-tags", attributes: { type: "text", placeholder: tr("tagsHint") } });
  const editDue = element("input", { testId: "task-edit-due", attributes: { type: "date" } });
  const editReview = element("input", { testId: "task-edit-review", attributes: { type: "checkbox" } });
  const editReviewer = element("select", { testId: "task-edit-reviewer" });
  const editScope = element("select", { testId: "task-edit-scope" }, [
    option("this", tr("scopeThis")),
    option("future", tr("scopeFuture")),
  ]);
  const scopeField = field(tr("scopeLabel"), editScope);
  const editSave = element("button", { className: "button-primary", testId: "task-edit-save", text: tr("save"), attributes: { type: "submit" } });
  const editForm = element("form", { className: "task-edit-form", attributes: { novalidate: true } }, [
    field(tr("taskTitle"), editTitle),
    field(tr("taskDescription"), editDescription),
    element("div", { className: "field-row" }, [field(tr("taskPriority"), editPriority), field(tr("taskTags"), editTags)]),
    element("div", { className: "field-row" }, [
      field(tr("taskDue"), editDue),
      element("label", { className: "checkbox-field" }, [editReview, " ", tr("taskRequiresReview")]),
      field(tr("taskReviewer"), editReviewer),
    ]),
    scopeField,
    editSave,
  ]);
  const editDetails = element("details", { className: "task-edit", testId: "task-edit" }, [
    element("summary", { text: tr("taskEdit") }),
    editForm,
  ]);
  editForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!task) return;
    const scope = task.series && editScope.value === "future" ? "future" : "this";
    const changes = editedFields(task, scope);
    if (Object.keys(changes).length === 0) return;
    const result = await withBusyButton(editSave, () => patchTask(taskId, changes, scope));
    if (result && !destroyed) applyTask(result.task);
  });

  /** Collects the fields that differ from `current`. The series scope takes template fields only. */
  function editedFields(current: TaskRecord, scope: "this" | "future"): TaskFields {
    const changes: TaskFields = {};
    const newTitle = editTitle.value.trim();
    if (newTitle !== current.title) changes.title = newTitle;
    const newDescription = editDescription.value;
    if (newDescription !== (current.description ?? "")) changes.description = newDescription || null;
    if (editPriority.value !== current.priority) changes.priority = editPriority.value as TaskFields["priority"];
    const tags = parseTags(editTags.value);
    if (tags.join(",") !== current.tags.join(",")) changes.tags = tags;
    if (editReview.checked !== current.requires_review) changes.requires_review = editReview.checked;
    const reviewer = editReviewer.value || null;
    if (reviewer !== current.reviewer_id) changes.reviewer_id = reviewer;
    // A due date belongs to one occurrence, so a series change never sends it.
    if (scope === "this" && editDue.value !== (current.due_date ?? "")) changes.due = editDue.value || null;
    return changes;
  }

  function fillEditForm(current: TaskRecord): void {
    editTitle.value = current.title;
    editDescription.value = current.description ?? "";
    editPriority.value = current.priority;
    editTags.value = current.tags.join(", ");
    editDue.value = current.due_date ?? "";
    editReview.checked = current.requires_review;
    fillAssigneeSelect(editReviewer, userList, current.reviewer_id, tr("taskReviewerCreator"));
    scopeField.hidden = current.series === null;
  }

  // --- Sections ---
  const checklist = createChecklistSection((next) => applyTask(next));
  const links = createLinksSection((next) => applyTask(next));
  const history = createHistorySection((userId) => userName(users, userId));
  const comments = createCommentsSection(() => void history.load(taskId));

  const content = element("div", { className: "task-page card", attributes: { hidden: true } }, [
    element("div", { className: "task-heading" }, [title, statusSlot]),
    meta,
    description,
    actions,
    returnForm,
    editDetails,
    checklist.element,
    links.element,
    comments.element,
    history.element,
  ]);
  container.appendChild(
    element("div", { className: "task-page-wrapper" }, [
      element("a", { className: "back-link", testId: "task-back", text: tr("taskBack"), attributes: { href: "#/tasks" } }),
      content,
    ]),
  );

  function fact(caption: string, value: Node | string, testId?: string): HTMLElement[] {
    return [element("dt", { text: caption }), element("dd", { testId }, [value])];
  }

  function names(ids: string[]): string {
    return ids.length ? ids.map((id) => userName(users, id)).join(", ") : "—";
  }

  function showFacts(current: TaskRecord): void {
    fillAssigneeSelect(assigneeSelect, userList, current.assignee_id);
    if (!users.has(current.assignee_id)) {
      // A deactivated assignee is missing from the people list, so add them to keep the select truthful.
      assigneeSelect.prepend(element("option", { text: tr("unknownUser"), attributes: { value: current.assignee_id } }));
      assigneeSelect.value = current.assignee_id;
    }
    const due = element("span", { testId: "task-due", text: dueText(current, formatDate) });
    if (current.is_overdue) due.append(" ", element("span", { className: "overdue-flag", testId: "task-overdue", text: tr("taskOverdue") }));
    const facts = [
      ...fact(tr("taskCreator"), userName(users, current.creator_id)),
      ...fact(tr("taskAssignee"), assigneeSelect),
      ...fact(tr("taskCoAssignees"), names(current.co_assignee_ids)),
      ...fact(tr("taskWatchers"), names(current.watcher_ids)),
      ...fact(tr("taskPriority"), priorityLabel(current.priority), "task-priority"),
      ...fact(tr("taskDue"), due),
      ...fact(tr("taskTags"), current.tags.join(", ") || "—", "task-tags"),
      ...fact(
        tr("taskReview"),
        current.requires_review
          ? tr("taskReviewBy", { name: userName(users, current.reviewer_id ?? current.creator_id) })
          : tr("taskNoReview"),
        "task-review",
      ),
      ...fact(tr("taskCreatedAt"), formatDateTime(current.created_at)),
    ];
    if (current.parent_id) {
      facts.push(...fact(tr("taskParent"), element("a", { text: tr("taskOpenParent"), attributes: { href: taskHash(current.parent_id) } })));
    }
    if (current.series) {
      facts.push(...fact(tr("taskSeries"), tr("taskSeriesOccurrence", { date: formatDate(current.series.occurrence_date) }), "task-series"));
    }
    if (current.done_at) facts.push(...fact(tr("taskDoneAt"), formatDateTime(current.done_at)));
    meta.replaceChildren(...facts);
  }

  function applyTask(next: TaskRecord): void {
    if (next.subtasks === undefined && task?.subtasks) {
      const sameChildren = next.subtask_ids.join(",") === task.subtask_ids.join(",");
      if (!sameChildren) {
        // A change that added a subtask returns no subtask titles, so read the task again.
        void reload();
        return;
      }
      next = { ...next, subtasks: task.subtasks };
    }
    task = next;
    title.textContent = next.title;
    statusSlot.replaceChildren(statusPill(next.status, "task-status"));
    showFacts(next);
    description.textContent = next.description || tr("taskNoDescription");
    description.classList.toggle("muted", !next.description);
    renderActions(next);
    fillEditForm(next);
    checklist.show(next, userList);
    links.show(next);
    content.hidden = false;
    void history.load(next.id);
  }

  async function reload(): Promise<void> {
    const result = await runAction(() => fetchTaskRecord(taskId));
    if (!result || destroyed) return;
    task = null;
    applyTask(result.task);
  }

  async function load(): Promise<void> {
    const result = await runAction(() => Promise.all([fetchTaskRecord(taskId), listUsers()]));
    if (!result || destroyed) return;
    const [taskResult, usersResult] = result;
    userList = usersResult.users;
    users = new Map(userList.map((user) => [user.id, user]));
    task = null;
    applyTask(taskResult.task);
    comments.show(taskId, taskResult.comments, userList, taskResult.thread ?? null);
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
