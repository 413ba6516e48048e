// The task list: "My tasks" and "Set by me" tabs, and the form that sets a task.

import { createTask, listTasks, listUsers, type NewTask } from "../../api";
import { element, field } from "../../dom";
import { runAction, showNotice, withBusyButton } from "../../feedback";
import { formatDate, t } from "../../i18n";
import { taskHash } from "../../router";
import { getCurrentUser } from "../../session";
import type { Task, User } from "../../types";
import type { View } from "../view";
import { fillAssigneeSelect, statusPill, userName } from "./taskCommon";

type TaskListRole = "assignee" | "creator";

export function createTaskListView(container: HTMLElement): View {
  let destroyed = false;
  let currentRole: TaskListRole = "assignee";
  let users = new Map<string, User>();
  let nextCursor: string | null = null;
  let loadedTasks: Task[] = [];

  // --- Tabs and list ---
  const assignedTab = element("button", {
    className: "tab",
    testId: "tasks-tab-assigned",
    text: t("tasksAssigned"),
    attributes: { type: "button", role: "tab" },
    on: { click: () => switchRole("assignee") },
  });
  const createdTab = element("button", {
    className: "tab",
    testId: "tasks-tab-created",
    text: t("tasksCreated"),
    attributes: { type: "button", role: "tab" },
    on: { click: () => switchRole("creator") },
  });
  const taskList = element("ul", { className: "task-list", testId: "task-list" });
  const emptyNote = element("p", { className: "muted", text: t("tasksEmpty"), attributes: { hidden: true } });
  const loadMoreButton = element("button", {
    className: "link-button",
    testId: "tasks-load-more",
    text: t("loadMore"),
    attributes: { type: "button", hidden: true },
    on: { click: () => void loadTasks(true) },
  });

  function renderTabs(): void {
    for (const [tab, role] of [
      [assignedTab, "assignee"],
      [createdTab, "creator"],
    ] as const) {
      tab.classList.toggle("active", currentRole === role);
      tab.setAttribute("aria-selected", String(currentRole === role));
    }
  }

  function renderTask(task: Task): HTMLElement {
    const otherPerson =
      currentRole === "assignee"
        ? `${t("taskCreator")}: ${userName(users, task.creator_id)}`
        : `${t("taskAssignee")}: ${userName(users, task.assignee_id)}`;
    return element("li", { className: "task-item", testId: "task-item", dataset: { id: task.id, status: task.status } }, [
      element("a", { className: "task-link", attributes: { href: taskHash(task.id) } }, [
        element("span", { className: "task-title", testId: "task-item-title", text: task.title }),
        statusPill(task.status),
        element("span", { className: "task-meta muted", text: otherPerson }),
        element("span", {
          className: "task-meta muted",
          text: task.due_date ? t("taskDueLabel", { date: formatDate(task.due_date) }) : t("taskNoDue"),
        }),
      ]),
    ]);
  }

  function renderTasks(): void {
    taskList.replaceChildren(...loadedTasks.map(renderTask));
    emptyNote.hidden = loadedTasks.length > 0;
    loadMoreButton.hidden = nextCursor === null;
  }

  async function loadTasks(more = false): Promise<void> {
    const role = currentRole;
    const result = await runAction(() => listTasks(role, more ? nextCursor : null));
    if (!result || destroyed || role !== currentRole) return;
    loadedTasks = more ? [...loadedTasks, ...result.tasks] : result.tasks;
    nextCursor = result.next_cursor;
    renderTasks();
  }

  function switchRole(role: TaskListRole): void {
    currentRole = role;
    nextCursor = null;
    loadedTasks = [];
    renderTabs();
    renderTasks();
    void loadTasks();
  }

  // --- Create form ---
  const titleInput = element("input", {
    testId: "task-create-title",
    attributes: { type: "text", maxlength: 200, required: true },
  });
  const descriptionInput = element("textarea", {
    testId: "task-create-description",
    attributes: { rows: 4 },
  });
  const assigneeSelect = element("select", { testId: "task-create-assignee" });
  const dueInput = element("input", { testId: "task-create-due", attributes: { type: "date" } });
  const submitButton = element("button", {
    className: "button-primary",
    testId: "task-create-submit",
    text: t("taskCreateSubmit"),
    attributes: { type: "submit" },
  });
  const form = element("form", { className: "task-create-form", attributes: { novalidate: true } }, [
    field(t("taskTitle"), titleInput),
    field(t("taskDescription"), descriptionInput),
    element("div", { className: "field-row" }, [field(t("taskAssignee"), assigneeSelect), field(t("taskDue"), dueInput)]),
    submitButton,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const newTask: NewTask = { title: titleInput.value.trim(), assignee_id: assigneeSelect.value };
    const description = descriptionInput.value.trim();
    if (description) newTask.description = description;
    if (dueInput.value) newTask.due_date = dueInput.value;
    const result = await withBusyButton(submitButton, () => createTask(newTask));
    if (!result) return;
    titleInput.value = "";
    descriptionInput.value = "";
    dueInput.value = "";
    showNotice(t("taskCreated", { title: result.task.title }));
    // The new task is always in "Set by me", so show that list.
    switchRole("creator");
  });

  async function loadUsers(): Promise<void> {
    const result = await runAction(listUsers);
    if (!result || destroyed) return;
    users = new Map(result.users.map((user) => [user.id, user]));
    fillAssigneeSelect(assigneeSelect, result.users, assigneeSelect.value || getCurrentUser()?.id || null, t("taskChooseAssignee"));
    renderTasks();
  }

  container.appendChild(
    element("div", { className: "tasks-page" }, [
      element("section", { className: "card tasks-section" }, [
        element("div", { className: "tabs", attributes: { role: "tablist" } }, [assignedTab, createdTab]),
        taskList,
        emptyNote,
        loadMoreButton,
      ]),
      element("section", { className: "card task-create-section" }, [element("h2", { text: t("taskCreateTitle") }), form]),
    ]),
  );
  renderTabs();
  void loadUsers();
  void loadTasks();

  return {
    destroy() {
      destroyed = true;
    },
  };
}
