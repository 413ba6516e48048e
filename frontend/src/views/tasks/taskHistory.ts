// The change history of a task, oldest first, one row per changed field.

import { element } from "../../dom";
import { runAction } from "../../feedback";
import { formatDateTime } from "../../i18n";
import { fetchTaskHistory, type HistoryRow } from "./taskApi";
import { statusLabel } from "./taskCommon";
import { tr, type TaskMessageKey } from "./taskMessages";

const FIELD_LABELS: Record<string, TaskMessageKey> = {
  title: "taskTitle",
  description: "taskDescription",
  status: "taskStatus",
  priority: "taskPriority",
  assignee_id: "taskAssignee",
  co_assignee_ids: "taskCoAssignees",
  watcher_ids: "taskWatchers",
  tags: "taskTags",
  due: "taskDue",
  due_date: "taskDue",
  requires_review: "taskRequiresReview",
  reviewer_id: "taskReviewer",
  blocked_by_ids: "blockersTitle",
  parent_id: "taskParent",
  subtask_ids: "subtasksTitle",
  series_id: "taskSeries",
  checklist: "checklistTitle",
  done: "historyDone",
  text: "historyText",
  comment: "historyComment",
};

// Fields whose values are user ids, shown as names.
const PERSON_FIELDS = new Set(["assignee_id", "co_assignee_ids", "watcher_ids", "reviewer_id"]);

/** Names a changed field: "status", or "checklist.<item id>.done" as "Checklist · done". */
function fieldLabel(fieldName: string): string {
  const [base, , detail] = fieldName.split(".");
  const label = (name: string) => (FIELD_LABELS[name] ? tr(FIELD_LABELS[name]) : name);
  return detail ? `${label(base)} · ${label(detail)}` : label(base);
}

function valueText(fieldName: string, value: unknown, personName: (userId: string) => string): string {
  if (value === null || value === undefined || value === "") return "—";
  const last = fieldName.split(".").pop() ?? fieldName;
  if (PERSON_FIELDS.has(last)) {
    if (typeof value === "string") return personName(value);
    if (Array.isArray(value)) return value.map((id) => personName(String(id))).join(", ") || "—";
  }
  if (last === "status" && typeof value === "string") return statusLabel(value);
  if (typeof value === "boolean") return value ? "✓" : "✗";
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.join(", ");
  if (typeof value === "object" && "text" in value && typeof value.text === "string") return value.text;
  if (typeof value === "object" && "date" in value && typeof value.date === "string") return value.date;
  return JSON.stringify(value);
}

function renderRow(row: HistoryRow, personName: (userId: string) => string): HTMLElement {
  const change =
    row.field === "comment"
      ? `${tr("historyComment")}: ${valueText(row.field, row.to, personName)}`
      : `${fieldLabel(row.field)}: ${valueText(row.field, row.from, personName)} → ${valueText(row.field, row.to, personName)}`;
  return element("li", { className: "history-entry", testId: "task-history-entry", dataset: { field: row.field, action: row.action } }, [
    element("span", { className: "muted", text: `${formatDateTime(row.at)} · ${row.actor_name} · ` }),
    element("span", { testId: "task-history-change", text: change }),
  ]);
}

export interface HistorySection {
  element: HTMLElement;
  load(taskId: string): Promise<void>;
}

/** Builds the history section; `personName` turns a user id into a name. */
export function createHistorySection(personName: (userId: string) => string): HistorySection {
  let taskId = "";
  let cursor: string | null = null;
  const list = element("ul", { className: "history-list", testId: "task-history" });
  const moreButton = element("button", {
    className: "link-button",
    testId: "task-history-more",
    text: tr("loadMore"),
    attributes: { type: "button", hidden: true },
    on: { click: () => void loadPage(true) },
  });

  async function loadPage(more: boolean): Promise<void> {
    const requestedFor = taskId;
    const result = await runAction(() => fetchTaskHistory(requestedFor, more ? cursor : null));
    if (!result || requestedFor !== taskId) return;
    const rows = result.entries.map((row) => renderRow(row, personName));
    if (more) list.append(...rows);
    else list.replaceChildren(...rows);
    cursor = result.next_cursor;
    moreButton.hidden = cursor === null;
  }

  return {
    element: element("section", { className: "history-section" }, [element("h2", { text: tr("historyTitle") }), list, moreButton]),
    load(nextTaskId) {
      taskId = nextTaskId;
      cursor = null;
      return loadPage(false);
    },
  };
}
