// The board: one column per status. Dropping a card on another column sends
// the status change to the server. A rejected change leaves the card where
// it was and shows the server's message.

import { element } from "../../dom";
import { runAction } from "../../feedback";
import { formatDate } from "../../i18n";
import { taskHash } from "../../router";
import type { TaskStatus } from "../../types";
import { patchTask, type TaskRecord } from "./taskApi";
import { dueText, isReturn, priorityLabel, statusLabel, TASK_STATUSES } from "./taskCommon";
import { tr } from "./taskMessages";

const DRAG_TYPE = "application/x-shtab-task";

export interface BoardOptions {
  /** Receives the task as the server returned it after a status change. */
  onChanged: (task: TaskRecord) => void;
}

function renderCard(task: TaskRecord): HTMLElement {
  const card = element(
    "li",
    {
      className: task.is_overdue ? "board-card overdue" : "board-card",
      testId: "board-card",
      dataset: { id: task.id, status: task.status },
      attributes: { draggable: "true" },
    },
    [
      element("a", { className: "task-title", testId: "board-card-title", text: task.title, attributes: { href: taskHash(task.id) } }),
      element("span", { className: `task-meta priority-${task.priority}`, text: priorityLabel(task.priority) }),
      element("span", { className: "task-meta muted", text: dueText(task, formatDate) }),
    ],
  );
  card.addEventListener("dragstart", (event) => {
    event.dataTransfer?.setData(DRAG_TYPE, task.id);
    event.dataTransfer?.setData("text/plain", task.id);
    card.classList.add("dragging");
  });
  card.addEventListener("dragend", () => card.classList.remove("dragging"));
  return card;
}

async function moveTask(task: TaskRecord, status: TaskStatus, options: BoardOptions): Promise<void> {
  let comment: string | undefined;
  if (isReturn(task.status, status)) {
    // Returning from review needs a comment, and the server rejects a move without one.
    const text = window.prompt(tr("taskReturnPrompt"));
    if (text === null) return;
    comment = text;
  }
  const result = await runAction(() => patchTask(task.id, comment === undefined ? { status } : { status, comment }));
  if (result) options.onChanged(result.task);
}

/** Builds the board of `tasks`, grouped by status in the order of TASK_STATUSES. */
export function renderBoard(tasks: TaskRecord[], options: BoardOptions): HTMLElement {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const columns = TASK_STATUSES.map((status) => {
    const cards = tasks.filter((task) => task.status === status).map(renderCard);
    const list = element("ul", { className: "board-cards" }, cards);
    const column = element(
      "section",
      { className: "board-column", testId: "board-column", dataset: { status } },
      [
        element("h3", {}, [statusLabel(status), " ", element("span", { className: "muted", text: `(${cards.length})` })]),
        list,
      ],
    );
    column.addEventListener("dragover", (event) => {
      event.preventDefault();
      column.classList.add("drop-target");
    });
    column.addEventListener("dragleave", () => column.classList.remove("drop-target"));
    column.addEventListener("drop", (event) => {
      event.preventDefault();
      column.classList.remove("drop-target");
      const taskId = event.dataTransfer?.getData(DRAG_TYPE) || event.dataTransfer?.getData("text/plain");
      const task = taskId ? byId.get(taskId) : undefined;
      if (!task || task.status === status) return;
      void moveTask(task, status, options);
    });
    return column;
  });
  return element("div", { className: "task-board", testId: "task-board" }, columns);
}
