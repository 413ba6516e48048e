// My week plan: an ISO week picker, the planned tasks and the backlog of my
// open tasks. A task joins the plan by its button or by dragging it onto the
// plan, and every change is saved at once with the plan's version, so a
// concurrent change elsewhere is reported instead of overwritten.

import { ApiError } from "../../api";
import { element } from "../../dom";
import { errorMessage, runAction, showError, showNotice, withBusyButton } from "../../feedback";
import { formatDate } from "../../i18n";
import { navigate, taskHash } from "../../router";
import type { View } from "../view";
import { closeWeek, fetchWeekPlan, listTaskView, saveWeekPlan, type TaskRecord, type WeekPlan } from "./taskApi";
import { dueText, statusPill, tasksSubnav } from "./taskCommon";
import { tr } from "./taskMessages";
import { currentIsoWeek, weekRange } from "./isoWeek";
import { createWeekPicker } from "./weekPicker";

const DRAG_TYPE = "application/x-shtab-task";
// Only open tasks can be planned.
const PLANNABLE = ["new", "in_progress", "review", "postponed"] as const;

export function weekPlanHash(isoWeek: string): string {
  return `#/tasks/week/${isoWeek}`;
}

export function createWeekPlanPage(container: HTMLElement, initialWeek: string | null): View {
  let destroyed = false;
  let week = initialWeek ?? currentIsoWeek();
  let plan: WeekPlan | null = null;
  let backlog: TaskRecord[] = [];

  const picker = createWeekPicker(week, (next) => navigate(weekPlanHash(next)));
  const range = element("p", { className: "muted", testId: "week-range" });
  const planList = element("ul", { className: "week-plan", testId: "week-plan" });
  const planEmpty = element("p", { className: "muted", testId: "week-plan-empty", text: tr("weekPlanEmpty"), attributes: { hidden: true } });
  const closedNote = element("p", { className: "muted", testId: "week-closed", attributes: { hidden: true } });
  const backlogList = element("ul", { className: "week-backlog", testId: "week-backlog" });
  const closeButton = element("button", { testId: "week-close", text: tr("weekClose"), attributes: { type: "button" } });
  closeButton.addEventListener("click", async () => {
    const closing = week;
    const result = await withBusyButton(closeButton, () => closeWeek(closing));
    if (!result || destroyed) return;
    showNotice(tr("weekClosed", { week: result.next_week }));
    await load();
  });

  const planZone = element("section", { className: "card week-plan-zone", testId: "week-plan-zone" }, [
    element("h2", { text: tr("weekPlanTitle") }),
    closedNote,
    planList,
    planEmpty,
    closeButton,
  ]);
  planZone.addEventListener("dragover", (event) => {
    event.preventDefault();
    planZone.classList.add("drop-target");
  });
  planZone.addEventListener("dragleave", () => planZone.classList.remove("drop-target"));
  planZone.addEventListener("drop", (event) => {
    event.preventDefault();
    planZone.classList.remove("drop-target");
    const taskId = event.dataTransfer?.getData(DRAG_TYPE) || event.dataTransfer?.getData("text/plain");
    if (taskId && backlog.some((task) => task.id === taskId)) void changePlan((ids) => [...ids, taskId]);
  });

  async function changePlan(edit: (ids: string[]) => string[]): Promise<void> {
    if (!plan) return;
    const ids = edit(plan.tasks.map((task) => task.task_id));
    const saving = week;
    try {
      const result = await saveWeekPlan(saving, ids, plan.version);
      if (destroyed || saving !== week) return;
      plan = result.plan;
      render();
    } catch (error) {
      showError(errorMessage(error));
      // After a conflict the page shows the plan as stored, so the next change builds on it.
      if (error instanceof ApiError && error.status === 409) await load(false);
    }
  }

  function renderPlanned(entry: WeekPlan["tasks"][number]): HTMLElement {
    const remove = element("button", { className: "link-button", testId: "week-unplan", text: tr("weekUnplan"), attributes: { type: "button" } });
    remove.addEventListener("click", () => void changePlan((ids) => ids.filter((id) => id !== entry.task_id)));
    const title = entry.hidden || !entry.title
      ? element("span", { className: "muted", text: tr("weekHiddenTask") })
      : element("a", { testId: "week-plan-title", text: entry.title, attributes: { href: taskHash(entry.task_id) } });
    return element(
      "li",
      { className: "week-plan-task", testId: "week-plan-task", dataset: { id: entry.task_id, state: entry.state } },
      [
        title,
        " ",
        entry.status ? statusPill(entry.status) : null,
        entry.due ? element("span", { className: "muted", text: ` ${formatDate(entry.due.date)}` }) : null,
        entry.late ? element("span", { className: "flag late", text: tr("launchLate") }) : null,
        entry.rollovers ? element("span", { className: "flag", testId: "week-rollovers", text: tr("weekRollovers", { count: entry.rollovers }) }) : null,
        " ",
        remove,
      ],
    );
  }

  function renderBacklogTask(task: TaskRecord): HTMLElement {
    const add = element("button", { testId: "week-plan-add", text: tr("weekPlanAdd"), attributes: { type: "button" } });
    add.addEventListener("click", () => void changePlan((ids) => [...ids, task.id]));
    const item = element(
      "li",
      { className: "week-backlog-task", testId: "week-backlog-task", dataset: { id: task.id }, attributes: { draggable: "true" } },
      [
        element("a", { testId: "week-backlog-title", text: task.title, attributes: { href: taskHash(task.id) } }),
        " ",
        statusPill(task.status),
        element("span", { className: "muted", text: ` ${dueText(task, formatDate)} ` }),
        add,
      ],
    );
    item.addEventListener("dragstart", (event) => {
      event.dataTransfer?.setData(DRAG_TYPE, task.id);
      event.dataTransfer?.setData("text/plain", task.id);
    });
    return item;
  }

  function render(): void {
    const [monday, sunday] = weekRange(week);
    range.textContent = tr("weekRange", { from: formatDate(monday), to: formatDate(sunday) });
    const planned = new Set(plan?.tasks.map((task) => task.task_id) ?? []);
    planList.replaceChildren(...(plan?.tasks ?? []).map(renderPlanned));
    planEmpty.hidden = planned.size > 0;
    closedNote.hidden = !plan?.closed_at;
    closedNote.textContent = plan?.closed_into ? tr("weekClosedInto", { week: plan.closed_into }) : "";
    backlogList.replaceChildren(...backlog.filter((task) => !planned.has(task.id)).map(renderBacklogTask));
  }

  async function load(withBacklog = true): Promise<void> {
    const loading = week;
    const result = await runAction(() =>
      Promise.all([
        fetchWeekPlan(loading),
        withBacklog
          ? listTaskView("mine", { statuses: [...PLANNABLE], sort: "due", cursor: null, limit: 200 })
          : Promise.resolve(null),
      ]),
    );
    if (!result || destroyed || loading !== week) return;
    plan = result[0].plan;
    if (result[1]) backlog = result[1].tasks;
    render();
  }

  container.appendChild(
    element("div", { className: "tasks-subpage" }, [
      tasksSubnav("week"),
      element("section", { className: "card" }, [element("h1", { text: tr("weekTitle") }), picker.element, range]),
      element("div", { className: "week-columns" }, [
        planZone,
        element("section", { className: "card" }, [
          element("h2", { text: tr("weekBacklogTitle") }),
          element("p", { className: "muted", text: tr("weekBacklogHint") }),
          backlogList,
        ]),
      ]),
    ]),
  );
  void load();

  return {
    update(route) {
      if (route.name !== "taskPage" || route.page.kind !== "week") return;
      const next = route.page.week ?? currentIsoWeek();
      if (next === week) return;
      week = next;
      picker.set(week);
      plan = null;
      void load(false);
    },
    destroy() {
      destroyed = true;
    },
  };
}
