// Pieces shared by the task list and the task page.

import { element, option } from "../../dom";
import { t, type MessageKey } from "../../i18n";
import type { TaskStatus, User } from "../../types";

export const TASK_STATUSES: TaskStatus[] = ["new", "in_progress", "done"];

const STATUS_LABELS: Record<TaskStatus, MessageKey> = {
  new: "statusNew",
  in_progress: "statusInProgress",
  done: "statusDone",
};

export function statusLabel(status: TaskStatus): string {
  return STATUS_LABELS[status] ? t(STATUS_LABELS[status]) : status;
}

export function statusPill(status: TaskStatus, testId?: string): HTMLElement {
  return element("span", {
    className: `status-pill status-${status}`,
    testId,
    text: statusLabel(status),
    dataset: { status },
  });
}

export function userName(users: Map<string, User>, userId: string | null): string {
  if (!userId) return "—";
  return users.get(userId)?.name ?? t("unknownUser");
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
