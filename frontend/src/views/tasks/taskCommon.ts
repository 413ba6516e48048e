// Pieces shared by the task screens: status and priority labels, people
// selects, the sub-navigation and the transition table.

import "./tasks.css";
import { element, option } from "../../dom";
import type { TaskStatus, User } from "../../types";
import { placeholderName, type TaskPriority, type TaskRecord } from "./taskApi";
import { tr, type TaskMessageKey } from "./taskMessages";

export const TASK_STATUSES: TaskStatus[] = ["new", "in_progress", "review", "done", "postponed", "cancelled"];
export const TASK_PRIORITIES: TaskPriority[] = ["low", "normal", "high", "urgent"];

const STATUS_LABELS: Record<TaskStatus, TaskMessageKey> = {
  new: "statusNew",
  in_progress: "statusInProgress",
  review: "statusReview",
  done: "statusDone",
  postponed: "statusPostponed",
  cancelled: "statusCancelled",
};

const PRIORITY_LABELS: Record<TaskPriority, TaskMessageKey> = {
  low: "priorityLow",
  normal: "priorityNormal",
  high: "priorityHigh",
  urgent: "priorityUrgent",
};

export function statusLabel(status: string): string {
  const key = STATUS_LABELS[status as TaskStatus];
  return key ? tr(key) : status;
}

export function priorityLabel(priority: string): string {
  const key = PRIORITY_LABELS[priority as TaskPriority];
  return key ? tr(key) : priority;
}

export function statusPill(status: string, testId?: string): HTMLElement {
  return element("span", {
    className: `status-pill status-${status}`,
    testId,
    text: statusLabel(status),
    dataset: { status },
  });
}

export function userName(users: Map<string, User>, userId: string | null): string {
  if (!userId) return "—";
  const placeholder = placeholderName(userId);
  if (placeholder !== undefined) return tr("placeholderPerson", { name: placeholder });
  return users.get(userId)?.name ?? tr("unknownUser");
}

/** Fills an assignee select with active people sorted by name, with `selectedId` preselected. */
export function fillAssigneeSelect(
  select: HTMLSelectElement,
  users: User[],
  selectedId: string | null,
  placeholder: string | null = null,
): void {
  const sorted = users
    .filter((user) => user.status === "active" || user.id === selectedId)
    .sort((left, right) => left.name.localeCompare(right.name));
  const options = sorted.map((user) => option(user.id, user.name, user.id === selectedId));
  if (placeholder !== null) options.unshift(option("", placeholder, selectedId === null));
  select.replaceChildren(...options);
}

type TransitionRole = "executor" | "owner" | "reviewer";

// The status changes the server accepts and who may make each, as in
// chalicelib/tasks/transitions.py. The server checks again, so a change the
// page offers can still be rejected with a message, which the page shows.
const TRANSITIONS: Record<TaskStatus, [TaskStatus, TransitionRole[]][]> = {
  new: [
    ["in_progress", ["executor", "owner"]],
    ["review", ["executor", "owner"]],
    ["done", ["executor", "owner"]],
    ["postponed", ["executor", "owner"]],
    ["cancelled", ["owner"]],
  ],
  in_progress: [
    ["new", ["executor", "owner"]],
    ["review", ["executor", "owner"]],
    ["done", ["executor", "owner"]],
    ["postponed", ["executor", "owner"]],
    ["cancelled", ["owner"]],
  ],
  review: [
    ["done", ["reviewer"]],
    ["in_progress", ["reviewer"]],
    ["cancelled", ["owner"]],
  ],
  postponed: [
    ["new", ["executor", "owner"]],
    ["in_progress", ["executor", "owner"]],
    ["cancelled", ["owner"]],
  ],
  done: [["in_progress", ["owner"]]],
  cancelled: [["new", ["owner"]]],
};

type TransitionTask = Pick<
  TaskRecord,
  "status" | "requires_review" | "assignee_id" | "co_assignee_ids" | "creator_id" | "reviewer_id"
>;

function rolesOf(task: TransitionTask, user: User | null): Set<TransitionRole> {
  const roles = new Set<TransitionRole>();
  if (!user) return roles;
  if (user.id === task.assignee_id || task.co_assignee_ids.includes(user.id)) roles.add("executor");
  if (user.id === task.creator_id || user.role === "owner" || user.role === "admin") roles.add("owner");
  if (user.id === task.creator_id || user.id === task.reviewer_id) roles.add("reviewer");
  return roles;
}

/** Lists the statuses `user` may move `task` to, following the review rule. */
export function nextStatuses(task: TransitionTask, user: User | null): TaskStatus[] {
  const roles = rolesOf(task, user);
  return TRANSITIONS[task.status]
    .filter(([target, allowed]) => {
      if (!allowed.some((role) => roles.has(role))) return false;
      if (target === "review") return task.requires_review;
      if (target === "done" && task.requires_review) return task.status === "review";
      return true;
    })
    .map(([target]) => target);
}

/** True when moving from review back to in progress, which needs a comment. */
export function isReturn(from: TaskStatus, to: TaskStatus): boolean {
  return from === "review" && to === "in_progress";
}

export function dueText(task: Pick<TaskRecord, "due" | "due_date">, format: (value: string) => string): string {
  if (task.due?.kind === "datetime" && task.due.local) return task.due.local.replace("T", " ").slice(0, 16);
  return task.due_date ? format(task.due_date) : tr("taskNoDue");
}

const SUB_PAGES: { hash: string; key: TaskMessageKey; testId: string; page: string }[] = [
  { hash: "#/tasks", key: "subnavTasks", testId: "tasks-nav-list", page: "list" },
  { hash: "#/tasks/week", key: "subnavWeek", testId: "tasks-nav-week", page: "week" },
  { hash: "#/tasks/review", key: "subnavReview", testId: "tasks-nav-review", page: "review" },
  { hash: "#/tasks/series", key: "subnavSeries", testId: "tasks-nav-series", page: "series" },
  { hash: "#/tasks/launches", key: "subnavLaunches", testId: "tasks-nav-launches", page: "launches" },
  { hash: "#/tasks/import", key: "subnavImport", testId: "tasks-nav-import", page: "import" },
];

/** Builds the links between the task screens, marking `active`. */
export function tasksSubnav(active: string): HTMLElement {
  return element(
    "nav",
    { className: "tabs tasks-subnav" },
    SUB_PAGES.map((page) =>
      element("a", {
        className: page.page === active ? "tab active" : "tab",
        testId: page.testId,
        text: tr(page.key),
        attributes: { href: page.hash, "aria-current": page.page === active ? "page" : null },
      }),
    ),
  );
}
