// The weekly review shows per person the planned, done, not done, late and
// rolled-over tasks. It also edits the department's meeting notes of the
// week and closes the week, which rolls unfinished tasks into the next one.

import { fetchChart } from "../../api";
import { element, field, option } from "../../dom";
import { runAction, showNotice, withBusyButton } from "../../feedback";
import { formatDate, localized } from "../../i18n";
import { navigate } from "../../router";
import type { ChartDepartment } from "../../types";
import type { View } from "../view";
import { closeWeek, fetchWeekNotes, fetchWeekReview, saveWeekNotes, type ReviewPerson } from "./taskApi";
import { tasksSubnav } from "./taskCommon";
import { tr } from "./taskMessages";
import { currentIsoWeek, weekRange } from "./isoWeek";
import { createWeekPicker } from "./weekPicker";

export function weekReviewHash(isoWeek: string): string {
  return `#/tasks/review/${isoWeek}`;
}

function flatten(departments: ChartDepartment[], depth = 0): { id: string; label: string }[] {
  return departments.flatMap((department) => [
    { id: department.id, label: `${"  ".repeat(depth)}${localized(department.name, department.name_en)}` },
    ...flatten(department.children, depth + 1),
  ]);
}

const COLUMNS = ["planned", "done", "not_done", "late", "rolled_over", "rollovers"] as const;

export function createWeekReviewPage(container: HTMLElement, initialWeek: string | null): View {
  let destroyed = false;
  let week = initialWeek ?? currentIsoWeek();
  let notesVersion = 0;

  const picker = createWeekPicker(week, (next) => navigate(weekReviewHash(next)));
  const range = element("p", { className: "muted" });
  const departmentSelect = element("select", { testId: "review-department" }, [option("", tr("reviewAllDepartments"))]);
  departmentSelect.addEventListener("change", () => void load());
  const table = element("table", { className: "data-table", testId: "review-table" });
  const closeButton = element("button", { testId: "review-close", text: tr("reviewCloseDepartment"), attributes: { type: "button" } });
  closeButton.addEventListener("click", async () => {
    const departmentId = departmentSelect.value;
    if (!departmentId) return;
    const closing = week;
    const result = await withBusyButton(closeButton, () =>
      closeWeek(closing, { department_id: departmentId }),
    );
    if (!result || destroyed) return;
    showNotice(tr("weekClosed", { week: result.next_week }));
    await load();
  });

  const notesInput = element("textarea", { testId: "review-notes", attributes: { rows: 8, "aria-label": tr("reviewNotes") } });
  const notesSave = element("button", { className: "button-primary", testId: "review-notes-save", text: tr("save"), attributes: { type: "button" } });
  const notesSection = element("section", { className: "card", testId: "review-notes-section", attributes: { hidden: true } }, [
    element("h2", { text: tr("reviewNotes") }),
    element("p", { className: "muted", text: tr("reviewNotesHint") }),
    notesInput,
    notesSave,
  ]);
  notesSave.addEventListener("click", async () => {
    const departmentId = departmentSelect.value;
    if (!departmentId) return;
    const saving = week;
    const result = await withBusyButton(notesSave, () => saveWeekNotes(saving, departmentId, notesInput.value, notesVersion));
    if (!result || destroyed) return;
    notesVersion = result.notes.version;
    showNotice(tr("reviewNotesSaved"));
  });

  function renderTable(people: ReviewPerson[]): void {
    const header = element("tr", {}, [
      element("th", { text: tr("reviewPerson") }),
      element("th", { text: tr("reviewDepartment") }),
      ...COLUMNS.map((column) => element("th", { text: tr(`review_${column}`) })),
    ]);
    const rows = people.map((person) =>
      element("tr", { testId: "review-person", dataset: { id: person.user_id } }, [
        element("td", { text: person.name }),
        element("td", { text: person.department ?? "—" }),
        ...COLUMNS.map((column) => element("td", { dataset: { column }, text: String(person[column]) })),
      ]),
    );
    table.replaceChildren(element("thead", {}, [header]), element("tbody", {}, rows));
  }

  async function load(): Promise<void> {
    const loading = week;
    const departmentId = departmentSelect.value || null;
    const [monday, sunday] = weekRange(loading);
    range.textContent = tr("weekRange", { from: formatDate(monday), to: formatDate(sunday) });
    closeButton.hidden = departmentId === null;
    notesSection.hidden = departmentId === null;
    const result = await runAction(() =>
      Promise.all([
        fetchWeekReview(loading, departmentId),
        departmentId ? fetchWeekNotes(loading, departmentId) : Promise.resolve(null),
      ]),
    );
    if (!result || destroyed || loading !== week || departmentId !== (departmentSelect.value || null)) return;
    renderTable(result[0].people);
    if (result[1]) {
      notesInput.value = result[1].notes.text;
      notesVersion = result[1].notes.version;
    }
  }

  async function loadDepartments(): Promise<void> {
    const result = await runAction(fetchChart);
    if (!result || destroyed) return;
    departmentSelect.append(...flatten(result.departments).map((department) => option(department.id, department.label)));
  }

  container.appendChild(
    element("div", { className: "tasks-subpage" }, [
      tasksSubnav("review"),
      element("section", { className: "card" }, [
        element("h1", { text: tr("reviewTitle") }),
        picker.element,
        range,
        field(tr("reviewDepartment"), departmentSelect),
        table,
        closeButton,
      ]),
      notesSection,
    ]),
  );
  void loadDepartments();
  void load();

  return {
    update(route) {
      if (route.name !== "taskPage" || route.page.kind !== "review") return;
      const next = route.page.week ?? currentIsoWeek();
      if (next === week) return;
      week = next;
      picker.set(week);
      void load();
    },
    destroy() {
      destroyed = true;
    },
  };
}
