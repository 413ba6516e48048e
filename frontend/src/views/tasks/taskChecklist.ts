// The checklist of a task: add, tick, assign, set a due date, delete, and
// turn an item into a subtask.

import { element, field } from "../../dom";
import { runAction, withBusyButton } from "../../feedback";
import { formatDate } from "../../i18n";
import type { User } from "../../types";
import {
  addChecklistItem,
  convertChecklistItem,
  deleteChecklistItem,
  updateChecklistItem,
  type ChecklistItem,
  type TaskRecord,
} from "./taskApi";
import { fillAssigneeSelect } from "./taskCommon";
import { tr } from "./taskMessages";

export interface ChecklistSection {
  element: HTMLElement;
  show(task: TaskRecord, users: User[]): void;
}

/** Builds the checklist section; `onChanged` receives the task after each change. */
export function createChecklistSection(onChanged: (task: TaskRecord) => void): ChecklistSection {
  let taskId = "";
  let userList: User[] = [];
  const progress = element("span", { className: "muted", testId: "checklist-progress" });
  const list = element("ul", { className: "checklist", testId: "checklist" });

  const textInput = element("input", {
    testId: "checklist-new-text",
    attributes: { type: "text", maxlength: 200, placeholder: tr("checklistNewPlaceholder"), "aria-label": tr("checklistNewPlaceholder") },
  });
  const assigneeSelect = element("select", { testId: "checklist-new-assignee" });
  const dueInput = element("input", { testId: "checklist-new-due", attributes: { type: "date" } });
  const addButton = element("button", { testId: "checklist-add", text: tr("checklistAdd"), attributes: { type: "submit" } });
  const form = element("form", { className: "checklist-form", attributes: { novalidate: true } }, [
    textInput,
    field(tr("taskAssignee"), assigneeSelect),
    field(tr("taskDue"), dueInput),
    addButton,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const item: { text: string; assignee_id?: string; due?: string } = { text: textInput.value.trim() };
    if (assigneeSelect.value) item.assignee_id = assigneeSelect.value;
    if (dueInput.value) item.due = dueInput.value;
    const result = await withBusyButton(addButton, () => addChecklistItem(taskId, item));
    if (!result) return;
    form.reset();
    onChanged(result.task);
  });

  function renderItem(item: ChecklistItem): HTMLElement {
    const checkbox = element("input", {
      testId: "checklist-done",
      attributes: { type: "checkbox", "aria-label": item.text },
    });
    checkbox.checked = item.done;
    checkbox.addEventListener("change", async () => {
      checkbox.disabled = true;
      const result = await runAction(() => updateChecklistItem(taskId, item.id, { done: checkbox.checked }));
      checkbox.disabled = false;
      if (result) onChanged(result.task);
      else checkbox.checked = item.done;
    });

    const assignee = element("select", { testId: "checklist-assignee", attributes: { "aria-label": tr("taskAssignee") } });
    fillAssigneeSelect(assignee, userList, item.assignee_id, tr("checklistNobody"));
    assignee.addEventListener("change", async () => {
      const result = await runAction(() =>
        updateChecklistItem(taskId, item.id, { assignee_id: assignee.value || null }),
      );
      if (result) onChanged(result.task);
    });

    const due = element("input", {
      testId: "checklist-due",
      attributes: { type: "date", value: item.due?.date ?? "", "aria-label": tr("taskDue") },
    });
    due.addEventListener("change", async () => {
      const result = await runAction(() => updateChecklistItem(taskId, item.id, { due: due.value || null }));
      if (result) onChanged(result.task);
    });

    const toSubtask = element("button", {
      className: "link-button",
      testId: "checklist-to-subtask",
      text: tr("checklistToSubtask"),
      attributes: { type: "button" },
    });
    toSubtask.addEventListener("click", async () => {
      const result = await withBusyButton(toSubtask, () => convertChecklistItem(taskId, item.id));
      if (result) onChanged(result.task);
    });
    const remove = element("button", {
      className: "link-button",
      testId: "checklist-delete",
      text: tr("checklistDelete"),
      attributes: { type: "button" },
    });
    remove.addEventListener("click", async () => {
      const result = await withBusyButton(remove, () => deleteChecklistItem(taskId, item.id));
      if (result) onChanged(result.task);
    });

    return element(
      "li",
      { className: item.done ? "checklist-item done" : "checklist-item", testId: "checklist-item", dataset: { id: item.id, done: String(item.done) } },
      [
        element("label", { className: "checklist-text" }, [checkbox, " ", element("span", { testId: "checklist-text", text: item.text })]),
        assignee,
        due,
        item.due ? element("span", { className: "muted", text: formatDate(item.due.date) }) : null,
        toSubtask,
        remove,
      ],
    );
  }

  const section = element("section", { className: "checklist-section", testId: "checklist-section" }, [
    element("h2", {}, [tr("checklistTitle"), " ", progress]),
    list,
    form,
  ]);

  return {
    element: section,
    show(task, users) {
      taskId = task.id;
      userList = users;
      progress.textContent = `${task.checklist_progress.done}/${task.checklist_progress.total}`;
      list.replaceChildren(...task.checklist.map(renderItem));
      if (assigneeSelect.options.length === 0) {
        fillAssigneeSelect(assigneeSelect, users, null, tr("checklistNobody"));
      }
    },
  };
}
