// The task lists (mine, set by me, watching, my department's, overdue) as a
// list or a board, with filters, sorting and paging, and the new task form.

import { listUsers } from "../../api";
import { element, field, option } from "../../dom";
import { runAction, showNotice, withBusyButton } from "../../feedback";
import { formatDate } from "../../i18n";
import { taskHash } from "../../router";
import { getCurrentUser } from "../../session";
import type { TaskStatus, User } from "../../types";
import type { View } from "../view";
import { createTaskRecord, listTaskView, type TaskFields, type TaskListName, type TaskRecord } from "./taskApi";
import { renderBoard } from "./taskBoard";
import {
  dueText,
  fillAssigneeSelect,
  priorityLabel,
  statusLabel,
  statusPill,
  TASK_PRIORITIES,
  TASK_STATUSES,
  tasksSubnav,
  userName,
} from "./taskCommon";
import { tr, type TaskMessageKey } from "./taskMessages";

const LISTS: { name: TaskListName; key: TaskMessageKey }[] = [
  { name: "mine", key: "listMine" },
  { name: "created", key: "listCreated" },
  { name: "watching", key: "listWatching" },
  { name: "department", key: "listDepartment" },
  { name: "overdue", key: "listOverdue" },
];

/** Splits "a, b,c" into tags, dropping blanks. */
export function parseTags(text: string): string[] {
  return text
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
}

export function createTaskListView(container: HTMLElement): View {
  let destroyed = false;
  let currentList: TaskListName = "mine";
  let layout: "list" | "board" = "list";
  let users = new Map<string, User>();
  let nextCursor: string | null = null;
  let loadedTasks: TaskRecord[] = [];
  // Counts the loads, so a slow reply to an older filter never replaces a newer one.
  let loadSerial = 0;
  // A task this page just created. The lists are written by a stream reaction
  // a moment after a change, so the first load may not contain it yet.
  let justCreated: TaskRecord | null = null;

  // --- Lists, filters and layout ---
  const listTabs = LISTS.map((list) =>
    element("button", {
      className: "tab",
      testId: `tasks-list-${list.name}`,
      text: tr(list.key),
      dataset: { list: list.name },
      attributes: { type: "button", role: "tab" },
      on: { click: () => switchList(list.name) },
    }),
  );
  const statusFilter = element("select", { testId: "tasks-filter-status" }, [
    option("", tr("filterAnyStatus")),
    ...TASK_STATUSES.map((status) => option(status, statusLabel(status))),
  ]);
  const priorityFilter = element("select", { testId: "tasks-filter-priority" }, [
    option("", tr("filterAnyPriority")),
    ...TASK_PRIORITIES.map((priority) => option(priority, priorityLabel(priority))),
  ]);
  const tagFilter = element("input", { testId: "tasks-filter-tag", attributes: { type: "search" } });
  const dueFrom = element("input", { testId: "tasks-filter-due-from", attributes: { type: "date" } });
  const dueTo = element("input", { testId: "tasks-filter-due-to", attributes: { type: "date" } });
  const sortSelect = element("select", { testId: "tasks-sort" }, [
    option("created", tr("sortCreated")),
    option("due", tr("sortDue")),
  ]);
  const layoutButton = element("button", {
    className: "link-button",
    testId: "tasks-layout-toggle",
    attributes: { type: "button" },
    on: { click: () => toggleLayout() },
  });
  statusFilter.addEventListener("change", () => reload());
  sortSelect.addEventListener("change", () => reload());
  for (const input of [priorityFilter, tagFilter, dueFrom, dueTo]) {
    input.addEventListener("input", () => renderTasks());
    input.addEventListener("change", () => renderTasks());
  }

  const results = element("div", { className: "task-results", testId: "task-results" });
  const emptyNote = element("p", { className: "muted", testId: "tasks-empty", text: tr("tasksEmpty"), attributes: { hidden: true } });
  const loadMoreButton = element("button", {
    className: "link-button",
    testId: "tasks-load-more",
    text: tr("loadMore"),
    attributes: { type: "button", hidden: true },
    on: { click: () => void loadTasks(true) },
  });

  /** Applies the filters the API has no parameter for: priority, tag and due range. */
  function visibleTasks(): TaskRecord[] {
    const tag = tagFilter.value.trim().toLocaleLowerCase();
    return loadedTasks.filter((task) => {
      if (priorityFilter.value && task.priority !== priorityFilter.value) return false;
      if (tag && !task.tags.some((value) => value.toLocaleLowerCase().includes(tag))) return false;
      if (dueFrom.value && (!task.due_date || task.due_date < dueFrom.value)) return false;
      if (dueTo.value && (!task.due_date || task.due_date > dueTo.value)) return false;
      return true;
    });
  }

  function renderTask(task: TaskRecord): HTMLElement {
    const otherPerson =
      currentList === "created"
        ? `${tr("taskAssignee")}: ${userName(users, task.assignee_id)}`
        : `${tr("taskCreator")}: ${userName(users, task.creator_id)}`;
    return element(
      "li",
      {
        className: task.is_overdue ? "task-item overdue" : "task-item",
        testId: "task-item",
        dataset: { id: task.id, status: task.status },
      },
      [
        element("a", { className: "task-link", attributes: { href: taskHash(task.id) } }, [
          element("span", { className: "task-title", testId: "task-item-title", text: task.title }),
          statusPill(task.status),
          element("span", { className: `task-meta priority-${task.priority}`, text: priorityLabel(task.priority) }),
          element("span", { className: "task-meta muted", text: otherPerson }),
          element("span", { className: "task-meta muted", text: `${tr("taskDue")}: ${dueText(task, formatDate)}` }),
          task.tags.length ? element("span", { className: "task-meta tags", text: task.tags.join(", ") }) : null,
          task.checklist_progress.total
            ? element("span", {
                className: "task-meta muted",
                text: `☑ ${task.checklist_progress.done}/${task.checklist_progress.total}`,
              })
            : null,
        ]),
      ],
    );
  }

  function renderTasks(): void {
    for (const tab of listTabs) {
      const active = tab.dataset.list === currentList;
      tab.classList.toggle("active", active);
      tab.setAttribute("aria-selected", String(active));
    }
    layoutButton.textContent = layout === "list" ? tr("layoutBoard") : tr("layoutList");
    layoutButton.dataset.layout = layout;
    const shown = visibleTasks();
    if (layout === "board") {
      results.replaceChildren(renderBoard(shown, { onChanged: replaceTask }));
    } else {
      results.replaceChildren(element("ul", { className: "task-list", testId: "task-list" }, shown.map(renderTask)));
    }
    emptyNote.hidden = shown.length > 0;
    loadMoreButton.hidden = nextCursor === null;
  }

  function replaceTask(task: TaskRecord): void {
    loadedTasks = loadedTasks.map((loaded) => (loaded.id === task.id ? task : loaded));
    if (justCreated?.id === task.id) justCreated = task;
    renderTasks();
  }

  async function loadTasks(more = false): Promise<void> {
    const serial = ++loadSerial;
    const statuses = statusFilter.value ? [statusFilter.value as TaskStatus] : [];
    const sort = sortSelect.value === "due" ? "due" : "created";
    const result = await runAction(() =>
      listTaskView(currentList, { statuses, sort, cursor: more ? nextCursor : null }),
    );
    if (!result || destroyed || serial !== loadSerial) return;
    loadedTasks = more ? [...loadedTasks, ...result.tasks] : result.tasks;
    const created = justCreated;
    const matchesStatus = !statusFilter.value || created?.status === statusFilter.value;
    if (!more && created && matchesStatus && currentList === "created" && !loadedTasks.some((task) => task.id === created.id)) {
      loadedTasks = [created, ...loadedTasks];
    }
    nextCursor = result.next_cursor;
    renderTasks();
  }

  function reload(): void {
    nextCursor = null;
    loadedTasks = [];
    renderTasks();
    void loadTasks();
  }

  function switchList(list: TaskListName): void {
    currentList = list;
    if (list !== "created") justCreated = null;
    reload();
  }

  function toggleLayout(): void {
    layout = layout === "list" ? "board" : "list";
    renderTasks();
  }

  // --- Create form ---
  const titleInput = element("input", { testId: "task-create-title", attributes: { type: "text", maxlength: 200, required: true } });
  const descriptionInput = element("textarea", { testId: "task-create-description", attributes: { rows: 4 } });
  const assigneeSelect = element("select", { testId: "task-create-assignee" });
  const dueInput = element("input", { testId: "task-create-due", attributes: { type: "date" } });
  const prioritySelect = element(
    "select",
    { testId: "task-create-priority" },
    TASK_PRIORITIES.map((priority) => option(priority, priorityLabel(priority), priority === "normal")),
  );
  const tagsInput = element("input", { testId: "task-create-tags", attributes: { type: "text", placeholder: tr("tagsHint") } });
  const reviewCheckbox = element("input", { testId: "task-create-review", attributes: { type: "checkbox" } });
  const reviewerSelect = element("select", { testId: "task-create-reviewer" });
  const submitButton = element("button", {
    className: "button-primary",
    testId: "task-create-submit",
    text: tr("taskCreateSubmit"),
    // Enabled once the people are loaded, because the assignee select is empty until then.
    attributes: { type: "submit", disabled: true },
  });
  const form = element("form", { className: "task-create-form", attributes: { novalidate: true } }, [
    field(tr("taskTitle"), titleInput),
    field(tr("taskDescription"), descriptionInput),
    element("div", { className: "field-row" }, [field(tr("taskAssignee"), assigneeSelect), field(tr("taskDue"), dueInput)]),
    element("div", { className: "field-row" }, [field(tr("taskPriority"), prioritySelect), field(tr("taskTags"), tagsInput)]),
    element("div", { className: "field-row" }, [
      element("label", { className: "checkbox-field" }, [reviewCheckbox, " ", tr("taskRequiresReview")]),
      field(tr("taskReviewer"), reviewerSelect),
    ]),
    submitButton,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields: TaskFields & { title: string; assignee_id: string } = {
      title: titleInput.value.trim(),
      assignee_id: assigneeSelect.value,
      priority: prioritySelect.value as TaskFields["priority"],
      tags: parseTags(tagsInput.value),
    };
    const description = descriptionInput.value.trim();
    if (description) fields.description = description;
    if (dueInput.value) fields.due = dueInput.value;
    if (reviewCheckbox.checked) {
      fields.requires_review = true;
      if (reviewerSelect.value) fields.reviewer_id = reviewerSelect.value;
    }
    const result = await withBusyButton(submitButton, () => createTaskRecord(fields));
    if (!result) return;
    form.reset();
    // The next task most often goes to the same person.
    assigneeSelect.value = fields.assignee_id;
    showNotice(tr("taskCreated", { title: result.task.title }));
    // The new task is always in "Set by me", so show that list.
    justCreated = result.task;
    switchList("created");
  });

  async function loadUsers(): Promise<void> {
    const result = await runAction(listUsers);
    if (!result || destroyed) return;
    users = new Map(result.users.map((user) => [user.id, user]));
    fillAssigneeSelect(assigneeSelect, result.users, getCurrentUser()?.id ?? null, tr("taskChooseAssignee"));
    fillAssigneeSelect(reviewerSelect, result.users, null, tr("taskReviewerCreator"));
    submitButton.disabled = false;
    renderTasks();
  }

  container.appendChild(
    element("div", { className: "tasks-page" }, [
      tasksSubnav("list"),
      element("section", { className: "card tasks-section" }, [
        element("div", { className: "tabs", attributes: { role: "tablist" } }, listTabs),
        element("div", { className: "task-filters" }, [
          field(tr("taskStatus"), statusFilter),
          field(tr("taskPriority"), priorityFilter),
          field(tr("filterTag"), tagFilter),
          field(tr("filterDueFrom"), dueFrom),
          field(tr("filterDueTo"), dueTo),
          field(tr("sortBy"), sortSelect),
          layoutButton,
        ]),
        results,
        emptyNote,
        loadMoreButton,
      ]),
      element("section", { className: "card task-create-section" }, [element("h2", { text: tr("taskCreateTitle") }), form]),
    ]),
  );
  renderTasks();
  void loadUsers();
  void loadTasks();

  return {
    destroy() {
      destroyed = true;
    },
  };
}
