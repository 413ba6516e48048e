// Process launches: the form that launches a template for a product (with
// the vacant positions listed before launching) and the launch view with
// progress per department and the critical path.

import { listUsers } from "../../api";
import { element, field, option } from "../../dom";
import { runAction, withBusyButton } from "../../feedback";
import { formatDate, getLanguage, localized } from "../../i18n";
import { navigate, taskHash } from "../../router";
import type { User } from "../../types";
import type { View } from "../view";
import {
  fetchLaunch,
  fetchProcessTemplate,
  launchTemplate,
  listProcessTemplates,
  type LaunchCounts,
  type LaunchFields,
  type LaunchRecord,
  type LaunchRow,
  type LocalizedText,
  type ProcessTemplate,
} from "./taskApi";
import { fillAssigneeSelect, statusPill, tasksSubnav, userName } from "./taskCommon";
import { tr } from "./taskMessages";

// The shipped template «Запуск нового товара на маркетплейсе», chosen first.
const PRODUCT_TEMPLATE_ID = "product-launch";

function newIdempotencyKey(): string {
  // crypto.randomUUID exists only on HTTPS and localhost pages.
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function launchHash(launchId: string): string {
  return `#/tasks/launches/${encodeURIComponent(launchId)}`;
}

function text(value: LocalizedText): string {
  return getLanguage() === "en" && value.en ? value.en : value.ru;
}

export function createLaunchFormPage(container: HTMLElement): View {
  let destroyed = false;
  let template: ProcessTemplate | null = null;
  const templateSelect = element("select", { testId: "launch-template" });
  const nameInput = element("input", { testId: "launch-name", attributes: { type: "text", maxlength: 150 } });
  const productInput = element("input", { testId: "launch-product", attributes: { type: "text", maxlength: 200 } });
  const targetInput = element("input", { testId: "launch-target-date", attributes: { type: "date" } });
  const vacancies = element("div", { className: "launch-vacancies", testId: "launch-vacancies" });
  const allowVacant = element("input", { testId: "launch-allow-vacant", attributes: { type: "checkbox" } });
  const vacantAssignee = element("select", { testId: "launch-vacant-assignee" });
  const vacantFields = element("div", { className: "field-row", attributes: { hidden: true } }, [
    element("label", { className: "checkbox-field" }, [allowVacant, " ", tr("launchAllowVacant")]),
    field(tr("launchVacantAssignee"), vacantAssignee),
  ]);
  const submit = element("button", { className: "button-primary", testId: "launch-submit", text: tr("launchSubmit"), attributes: { type: "submit" } });
  // One key per form, so a double submit or a retry after a lost reply returns the same launch.
  let idempotencyKey = newIdempotencyKey();

  function showVacancies(current: ProcessTemplate): void {
    const vacant = (current.steps ?? []).filter((step) => step.vacant);
    vacantFields.hidden = vacant.length === 0;
    if (vacant.length === 0) {
      vacancies.replaceChildren(element("p", { className: "muted", testId: "launch-no-vacancies", text: tr("launchNoVacancies") }));
      return;
    }
    vacancies.replaceChildren(
      element("p", { className: "warning", testId: "launch-vacancy-count", text: tr("launchVacancies", { count: vacant.length }) }),
      element(
        "ul",
        {},
        vacant.map((step) =>
          element("li", { testId: "launch-vacant-step", dataset: { step: step.key } }, [
            text(step.title),
            " — ",
            step.position ? localized(step.position.name, step.position.name_en) : step.position_ref,
          ]),
        ),
      ),
    );
  }

  async function chooseTemplate(templateId: string): Promise<void> {
    vacancies.replaceChildren(element("p", { className: "muted", text: tr("loading") }));
    const result = await runAction(() => fetchProcessTemplate(templateId));
    if (!result || destroyed || templateSelect.value !== templateId) return;
    template = result.template;
    showVacancies(result.template);
  }
  templateSelect.addEventListener("change", () => void chooseTemplate(templateSelect.value));

  const form = element("form", { className: "launch-form", attributes: { novalidate: true } }, [
    field(tr("launchTemplate"), templateSelect),
    element("div", { className: "field-row" }, [field(tr("launchProduct"), productInput), field(tr("launchName"), nameInput)]),
    field(tr("launchTargetDate"), targetInput),
    element("h3", { text: tr("launchVacanciesTitle") }),
    vacancies,
    vacantFields,
    submit,
  ]);
  productInput.addEventListener("input", () => {
    // The launch is named after the product unless the user typed a name.
    if (!nameInput.dataset.edited) nameInput.value = productInput.value;
  });
  nameInput.addEventListener("input", () => {
    nameInput.dataset.edited = "true";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!template) return;
    const fields: LaunchFields = {
      name: nameInput.value.trim(),
      target_date: targetInput.value,
      idempotency_key: idempotencyKey,
    };
    if (productInput.value.trim()) fields.product = productInput.value.trim();
    if (allowVacant.checked) {
      fields.allow_vacant = true;
      if (vacantAssignee.value) fields.assign_vacant_to = vacantAssignee.value;
    }
    const templateId = template.id;
    const result = await withBusyButton(submit, () => launchTemplate(templateId, fields));
    if (!result || destroyed) {
      // A rejected request may be corrected and sent again, which is a new request.
      idempotencyKey = newIdempotencyKey();
      return;
    }
    navigate(launchHash(result.launch.id));
  });

  async function load(): Promise<void> {
    const result = await runAction(() => Promise.all([listProcessTemplates(), listUsers()]));
    if (!result || destroyed) return;
    const [templates, users] = result;
    templateSelect.replaceChildren(
      ...templates.templates.map((item) => option(item.id, text(item.name), item.id === PRODUCT_TEMPLATE_ID)),
    );
    fillAssigneeSelect(vacantAssignee, users.users, null, tr("taskChooseAssignee"));
    if (templateSelect.value) await chooseTemplate(templateSelect.value);
  }

  container.appendChild(
    element("div", { className: "tasks-subpage" }, [
      tasksSubnav("launches"),
      element("section", { className: "card" }, [element("h2", { text: tr("launchNewTitle") }), form]),
    ]),
  );
  void load();
  return {
    destroy() {
      destroyed = true;
    },
  };
}

function countCells(counts: LaunchCounts): HTMLElement[] {
  return [
    element("td", { dataset: { column: "done" }, text: `${counts.done}/${counts.total}` }),
    element("td", { dataset: { column: "in_progress" }, text: String(counts.in_progress) }),
    element("td", { dataset: { column: "late" }, className: counts.late ? "late" : "", text: String(counts.late) }),
    element("td", { dataset: { column: "blocked" }, text: String(counts.blocked) }),
  ];
}

function countHeaders(first: string): HTMLElement {
  return element("thead", {}, [
    element("tr", {}, [
      element("th", { text: first }),
      element("th", { text: tr("launchDone") }),
      element("th", { text: tr("launchInProgress") }),
      element("th", { text: tr("launchLate") }),
      element("th", { text: tr("launchBlocked") }),
    ]),
  ]);
}

function renderLaunch(launch: LaunchRecord, users: Map<string, User>): HTMLElement {
  const titles = new Map(launch.tasks.map((row) => [row.step, row.title]));
  const departmentTable = element("table", { className: "data-table", testId: "launch-departments" }, [
    countHeaders(tr("launchDepartment")),
    element(
      "tbody",
      {},
      launch.departments.map((department) =>
        element("tr", { testId: "launch-department", dataset: { id: department.department_id ?? "" } }, [
          element("td", { text: department.name ?? tr("launchNoDepartment") }),
          ...countCells(department),
        ]),
      ),
    ),
  ]);

  function taskRow(row: LaunchRow): HTMLElement {
    const flags = [
      row.critical ? element("span", { className: "flag critical", text: tr("launchCritical") }) : null,
      row.late ? element("span", { className: "flag late", text: tr("launchLate") }) : null,
      row.blocked
        ? element("span", {
            className: "flag blocked",
            text: tr("launchWaitingFor", { steps: row.waiting_for.map((key) => titles.get(key) ?? key).join(", ") }),
          })
        : null,
    ];
    return element(
      "tr",
      {
        className: row.critical ? "critical-row" : "",
        testId: "launch-task",
        dataset: { step: row.step, critical: String(row.critical), late: String(row.late), blocked: String(row.blocked) },
      },
      [
        element("td", {}, [element("a", { text: row.title, attributes: { href: taskHash(row.task_id) } })]),
        element("td", {}, [statusPill(row.status)]),
        element("td", { text: userName(users, row.assignee_id) }),
        element("td", { text: formatDate(row.due_date) }),
        element("td", {}, flags),
      ],
    );
  }

  const path = launch.critical_path;
  return element("div", { className: "launch-view", testId: "launch-view", dataset: { id: launch.id } }, [
    element("h1", { testId: "launch-title", text: launch.name }),
    launch.product ? element("p", { testId: "launch-product-name", text: `${tr("launchProduct")}: ${launch.product}` }) : null,
    element("p", { testId: "launch-target" }, [
      `${tr("launchTargetDate")}: ${formatDate(launch.target_date)}`,
      launch.target_date_passed ? element("span", { className: "flag late", text: ` ${tr("launchTargetPassed")}` }) : null,
    ]),
    element("table", { className: "data-table", testId: "launch-progress" }, [
      countHeaders(""),
      element("tbody", {}, [element("tr", {}, [element("td", { text: tr("launchAll") }), ...countCells(launch.progress)])]),
    ]),
    element("h2", { text: tr("launchByDepartment") }),
    departmentTable,
    element("h2", { text: tr("launchCriticalPath") }),
    element("p", {
      testId: "launch-critical-summary",
      text: tr("launchCriticalSummary", {
        steps: path.steps.length,
        days: path.remaining_days,
        date: formatDate(path.earliest_finish),
      }),
    }),
    element(
      "ol",
      { className: "critical-path", testId: "launch-critical-path" },
      path.steps.map((key) => element("li", { testId: "launch-critical-step", dataset: { step: key }, text: titles.get(key) ?? key })),
    ),
    element("h2", { text: tr("launchTasks") }),
    element("table", { className: "data-table launch-tasks" }, [
      element("thead", {}, [
        element("tr", {}, [
          element("th", { text: tr("taskTitle") }),
          element("th", { text: tr("taskStatus") }),
          element("th", { text: tr("taskAssignee") }),
          element("th", { text: tr("taskDue") }),
          element("th", { text: "" }),
        ]),
      ]),
      element("tbody", {}, launch.tasks.map(taskRow)),
    ]),
  ]);
}

export function createLaunchPage(container: HTMLElement, launchId: string): View {
  let destroyed = false;
  const slot = element("section", { className: "card" }, [element("p", { className: "muted", text: tr("loading") })]);
  container.appendChild(element("div", { className: "tasks-subpage" }, [tasksSubnav("launches"), slot]));

  async function load(): Promise<void> {
    const result = await runAction(() => Promise.all([fetchLaunch(launchId), listUsers()]));
    if (!result || destroyed) return;
    const [launch, users] = result;
    slot.replaceChildren(renderLaunch(launch.launch, new Map(users.users.map((user) => [user.id, user]))));
  }
  void load();
  return {
    destroy() {
      destroyed = true;
    },
  };
}
