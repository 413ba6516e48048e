// Subtasks and blocked-by links of a task.

import { element } from "../../dom";
import { runAction, withBusyButton } from "../../feedback";
import { taskHash } from "../../router";
import { createTaskRecord, fetchTaskRecord, patchTask, type TaskRecord } from "./taskApi";
import { statusPill } from "./taskCommon";
import { tr } from "./taskMessages";

const TASK_ID = /[0-9A-HJKMNP-TV-Z]{26}/;

/** Reads a task id from a pasted id or a task page address. */
export function readTaskId(text: string): string | null {
  return TASK_ID.exec(text.trim().toUpperCase())?.[0] ?? null;
}

function taskLink(id: string, title: string, status: string | null, testId: string): HTMLElement {
  return element("li", { testId, dataset: { id } }, [
    element("a", { text: title, attributes: { href: taskHash(id) } }),
    " ",
    status ? statusPill(status) : null,
  ]);
}

export interface LinksSection {
  element: HTMLElement;
  show(task: TaskRecord): void;
}

export function createLinksSection(onChanged: (task: TaskRecord) => void): LinksSection {
  let task: TaskRecord | null = null;
  const subtaskList = element("ul", { className: "link-list", testId: "task-subtasks" });
  const blockerList = element("ul", { className: "link-list", testId: "task-blockers" });

  const subtaskTitle = element("input", {
    testId: "subtask-new-title",
    attributes: { type: "text", maxlength: 200, placeholder: tr("subtaskNewPlaceholder"), "aria-label": tr("subtaskNewPlaceholder") },
  });
  const subtaskButton = element("button", { testId: "subtask-add", text: tr("subtaskAdd"), attributes: { type: "submit" } });
  const subtaskForm = element("form", { className: "inline-form", attributes: { novalidate: true } }, [subtaskTitle, subtaskButton]);
  subtaskForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!task) return;
    const parent = task;
    const created = await withBusyButton(subtaskButton, () =>
      createTaskRecord({ title: subtaskTitle.value.trim(), assignee_id: parent.assignee_id, parent_id: parent.id }),
    );
    if (!created) return;
    subtaskTitle.value = "";
    const reloaded = await runAction(() => fetchTaskRecord(parent.id));
    if (reloaded) onChanged(reloaded.task);
  });

  const blockerInput = element("input", {
    testId: "blocker-new-id",
    attributes: { type: "text", placeholder: tr("blockerPlaceholder"), "aria-label": tr("blockerPlaceholder") },
  });
  const blockerButton = element("button", { testId: "blocker-add", text: tr("blockerAdd"), attributes: { type: "submit" } });
  const blockerHint = element("p", { className: "field-error", testId: "blocker-error", attributes: { hidden: true } });
  const blockerForm = element("form", { className: "inline-form", attributes: { novalidate: true } }, [blockerInput, blockerButton]);
  blockerForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!task) return;
    const blockerId = readTaskId(blockerInput.value);
    blockerHint.hidden = blockerId !== null;
    blockerHint.textContent = blockerId ? "" : tr("blockerInvalid");
    if (!blockerId) return;
    const current = task;
    const result = await withBusyButton(blockerButton, () =>
      patchTask(current.id, { blocked_by_ids: [...current.blocked_by_ids, blockerId] }),
    );
    if (!result) return;
    blockerInput.value = "";
    onChanged(result.task);
  });

  async function showBlockers(current: TaskRecord): Promise<void> {
    // The task lists only ids, so each blocker is read for its title and status.
    const rows = await Promise.all(
      current.blocked_by_ids.map(async (id) => {
        const found = await fetchTaskRecord(id).catch(() => null);
        const row = taskLink(id, found ? found.task.title : id, found ? found.task.status : null, "task-blocker");
        const remove = element("button", {
          className: "link-button",
          testId: "blocker-remove",
          text: tr("blockerRemove"),
          attributes: { type: "button" },
        });
        remove.addEventListener("click", async () => {
          const ids = current.blocked_by_ids.filter((blocker) => blocker !== id);
          const result = await withBusyButton(remove, () => patchTask(current.id, { blocked_by_ids: ids }));
          if (result) onChanged(result.task);
        });
        row.append(" ", remove);
        return row;
      }),
    );
    if (task === current) blockerList.replaceChildren(...rows);
  }

  return {
    element: element("section", { className: "links-section" }, [
      element("h2", { text: tr("subtasksTitle") }),
      subtaskList,
      subtaskForm,
      element("h2", { text: tr("blockersTitle") }),
      blockerList,
      blockerForm,
      blockerHint,
    ]),
    show(nextTask) {
      task = nextTask;
      subtaskList.replaceChildren(
        ...(nextTask.subtasks ?? []).map((child) => taskLink(child.id, child.title, child.status, "task-subtask")),
      );
      void showBlockers(nextTask);
    },
  };
}
