// Task import: upload a Trello board export (JSON) or a CSV file, check and
// edit the server's proposed column, status and people mapping, then run the
// import as a background job and show its progress and report. Below, people
// left as placeholders by earlier imports can be mapped to employees.

import { listUsers } from "../../api";
import { element, field, option } from "../../dom";
import { runInBackground, showNotice, withBusyButton } from "../../feedback";
import { taskHash } from "../../router";
import type { User } from "../../types";
import type { View } from "../view";
import {
  fetchImportJob,
  listImportPlaceholders,
  mapImportPlaceholder,
  previewTaskImport,
  startTaskImport,
  type ImportFormat,
  type ImportJob,
  type ImportMapping,
  type ImportPlaceholder,
  type ImportPreview,
  type ImportReport,
  type TaskImportReport,
} from "./taskApi";
import { statusLabel, tasksSubnav } from "./taskCommon";
import { tr } from "./taskMessages";

// The server rejects larger files, so checking first saves a long upload.
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
// The report links this many created tasks; the count covers all of them.
const MAX_LINKED_TASKS = 50;
const POLL_INTERVAL_MS = 1000;
const AS_PLACEHOLDER = "placeholder";
const LEAVE_OUT = "none";

function rowsTable(rows: ImportReport["skipped"], testId: string): HTMLElement {
  return element("table", { className: "data-table", testId }, [
    element("thead", {}, [element("tr", {}, [element("th", { text: tr("importRow") }), element("th", { text: tr("importReason") })])]),
    element(
      "tbody",
      {},
      rows.map((row) =>
        element("tr", { testId: `${testId}-row` }, [element("td", { text: String(row.row) }), element("td", { text: row.reason })]),
      ),
    ),
  ]);
}

function renderReport(report: ImportReport | TaskImportReport): HTMLElement {
  const alreadySaved = "already_saved" in report ? report.already_saved : 0;
  return element("div", { className: "import-report", testId: "import-report" }, [
    element("p", { testId: "import-created", text: tr("importCreated", { count: report.created }) }),
    alreadySaved ? element("p", { className: "muted", text: tr("importAlreadySaved", { count: alreadySaved }) }) : null,
    element(
      "ul",
      { className: "link-list" },
      report.task_ids.slice(0, MAX_LINKED_TASKS).map((id) =>
        element("li", {}, [element("a", { testId: "import-task-link", text: id, attributes: { href: taskHash(id) } })]),
      ),
    ),
    report.skipped.length ? element("h3", { text: tr("importSkipped", { count: report.skipped.length }) }) : null,
    report.skipped.length ? rowsTable(report.skipped, "import-skipped") : null,
    report.warnings.length ? element("h3", { text: tr("importWarnings", { count: report.warnings.length }) }) : null,
    report.warnings.length ? rowsTable(report.warnings, "import-warnings") : null,
  ]);
}

function table(headers: string[], rows: HTMLElement[], testId: string): HTMLElement {
  return element("table", { className: "data-table", testId }, [
    element("thead", {}, [element("tr", {}, headers.map((text) => element("th", { text })))]),
    element("tbody", {}, rows),
  ]);
}

/** The editable mapping of one preview; `mapping()` returns what the request sends. */
function renderPreview(preview: ImportPreview, users: User[]): { node: HTMLElement; mapping: () => ImportMapping } {
  const columnSelects = new Map<string, HTMLSelectElement>();
  const columnRows = preview.columns.map((column) => {
    const select = element("select", { testId: "import-column-select", dataset: { column: column.name } }, [
      option("", tr("importFieldNone"), column.field === null),
      ...preview.fields.map((name) => option(name, name, name === column.field)),
    ]);
    columnSelects.set(column.name, select);
    return element("tr", { testId: "import-column", dataset: { column: column.name } }, [
      element("td", { text: column.name }),
      element("td", { className: "muted", text: column.samples.join(" · ") }),
      element("td", {}, [select]),
    ]);
  });

  const statusSelects = new Map<string, HTMLSelectElement>();
  const statusRows = preview.statuses.map((status) => {
    const select = element(
      "select",
      { testId: "import-status-select", dataset: { status: status.name } },
      preview.statuses_allowed.map((name) => option(name, statusLabel(name), name === status.status)),
    );
    statusSelects.set(status.name, select);
    return element("tr", { testId: "import-status" }, [
      element("td", { text: status.name }),
      element("td", { text: String(status.rows) }),
      element("td", {}, [select]),
    ]);
  });

  const activeUsers = users.filter((user) => user.status === "active").sort((left, right) => left.name.localeCompare(right.name));
  const personSelects = new Map<string, HTMLSelectElement>();
  const personRows = preview.people.map((person) => {
    const chosen = person.action === "user" ? person.user_id : person.action;
    const select = element("select", { testId: "import-person-select", dataset: { key: person.key } }, [
      option(AS_PLACEHOLDER, tr("importAsPlaceholder"), chosen === AS_PLACEHOLDER),
      option(LEAVE_OUT, tr("importLeaveOut"), chosen === LEAVE_OUT),
      ...activeUsers.map((user) => option(user.id, user.name, user.id === chosen)),
    ]);
    personSelects.set(person.key, select);
    const shown = person.email && person.email !== person.name ? `${person.name} <${person.email}>` : person.name;
    return element("tr", { testId: "import-person" }, [
      element("td", { text: shown }),
      element("td", { text: String(person.rows) }),
      element("td", {}, [select]),
    ]);
  });

  const sampleRows = preview.samples.map((sample) => {
    const responsible = sample.responsible.placeholder
      ? tr("placeholderPerson", { name: sample.responsible.name })
      : sample.responsible.name;
    return element("tr", { testId: "import-sample" }, [
      element("td", { text: sample.title }),
      element("td", { text: statusLabel(sample.status) }),
      element("td", { text: responsible }),
      element("td", { text: sample.due ?? "" }),
      element("td", { text: sample.tags.join(", ") }),
    ]);
  });

  const node = element("div", { className: "import-preview", testId: "import-preview" }, [
    element("p", { testId: "import-shape", text: tr("importShape", { shape: preview.source, rows: preview.rows }) }),
    element("h3", { text: tr("importColumns") }),
    table([tr("importColumn"), tr("importSamples"), tr("importField")], columnRows, "import-columns"),
    statusRows.length ? element("h3", { text: tr("importStatuses") }) : null,
    statusRows.length ? table([tr("importSourceStatus"), tr("importRows"), tr("importField")], statusRows, "import-statuses") : null,
    personRows.length ? element("h3", { text: tr("importPeople") }) : null,
    personRows.length ? table([tr("importPerson"), tr("importRows"), tr("importPersonTarget")], personRows, "import-people") : null,
    element("h3", { text: tr("importSampleTasks") }),
    table(["", "", tr("importResponsible"), "", ""], sampleRows, "import-samples"),
    preview.skipped.length ? element("h3", { text: tr("importSkipped", { count: preview.skipped.length }) }) : null,
    preview.skipped.length ? rowsTable(preview.skipped, "import-preview-skipped") : null,
  ]);

  function mapping(): ImportMapping {
    const result: ImportMapping = { columns: {}, statuses: {}, people: {} };
    columnSelects.forEach((select, name) => (result.columns[name] = select.value || null));
    statusSelects.forEach((select, name) => (result.statuses[name] = select.value));
    personSelects.forEach((select, key) => (result.people[key] = select.value));
    return result;
  }
  return { node, mapping };
}

function renderPlaceholders(
  placeholders: ImportPlaceholder[],
  users: User[],
  onMap: (placeholder: ImportPlaceholder, userId: string, button: HTMLButtonElement) => void,
): HTMLElement {
  if (!placeholders.length) return element("p", { className: "muted", testId: "placeholders-empty", text: tr("importPlaceholdersEmpty") });
  const byId = new Map(users.map((user) => [user.id, user]));
  const activeUsers = users.filter((user) => user.status === "active").sort((left, right) => left.name.localeCompare(right.name));
  const rows = placeholders.map((placeholder) => {
    const cells: HTMLElement[] = [
      element("td", { text: placeholder.email ? `${placeholder.name} <${placeholder.email}>` : placeholder.name }),
      element("td", { className: "muted", text: placeholder.source }),
      element("td", { text: tr("importPlaceholderTasks", { count: placeholder.task_count }) }),
    ];
    if (placeholder.mapped_to) {
      const name = byId.get(placeholder.mapped_to)?.name ?? placeholder.mapped_to;
      cells.push(element("td", { testId: "placeholder-mapped", text: tr("importPlaceholderMapped", { name }) }));
    } else {
      const select = element("select", { testId: "placeholder-user" }, activeUsers.map((user) => option(user.id, user.name)));
      const button = element("button", { className: "button", testId: "placeholder-map", text: tr("importMap"), attributes: { type: "button" } });
      button.addEventListener("click", () => onMap(placeholder, select.value, button));
      cells.push(element("td", {}, [select, button]));
    }
    return element("tr", { testId: "placeholder", dataset: { placeholderId: placeholder.id } }, cells);
  });
  return table(["", "", "", ""], rows, "placeholders");
}

export function createImportPage(container: HTMLElement): View {
  let destroyed = false;
  let pollTimer: number | undefined;
  let users: User[] = [];
  let currentMapping: (() => ImportMapping) | null = null;

  const format = element("select", { testId: "import-format" }, [option("trello", tr("importTrello")), option("csv", tr("importCsv"))]);
  const fileInput = element("input", { testId: "import-file", attributes: { type: "file", accept: ".json,.csv,.txt" } });
  const fileError = element("p", { className: "field-error", testId: "import-file-error", attributes: { hidden: true } });
  const previewButton = element("button", { className: "button-primary", testId: "import-preview-submit", text: tr("importPreview"), attributes: { type: "submit" } });
  const refreshButton = element("button", { className: "button", testId: "import-refresh", text: tr("importRefresh"), attributes: { type: "button", hidden: true } });
  const submit = element("button", { className: "button-primary", testId: "import-submit", text: tr("importSubmit"), attributes: { type: "button", hidden: true } });
  const previewSlot = element("div");
  const progress = element("p", { testId: "import-progress", attributes: { hidden: true } });
  const reportSlot = element("div");
  const placeholdersSlot = element("div", { testId: "placeholders-section" });
  const form = element("form", { className: "import-form", attributes: { novalidate: true } }, [
    element("p", { className: "muted", text: tr("importHint") }),
    field(tr("importFormat"), format),
    field(tr("importFile"), fileInput),
    fileError,
    previewButton,
  ]);

  function chosenFile(): File | null {
    const file = fileInput.files?.[0] ?? null;
    let problem: string | null = null;
    if (!file) problem = tr("importNoFile");
    else if (file.size > MAX_IMPORT_BYTES) problem = tr("importTooLarge");
    fileError.textContent = problem ?? "";
    fileError.hidden = problem === null;
    return problem ? null : file;
  }

  function chosenFormat(): ImportFormat {
    return format.value === "csv" ? "csv" : "trello";
  }

  function resetPreview(): void {
    currentMapping = null;
    previewSlot.replaceChildren();
    refreshButton.hidden = true;
    submit.hidden = true;
  }

  async function showPreview(button: HTMLButtonElement, mapping: ImportMapping | null): Promise<void> {
    const file = chosenFile();
    if (!file) return;
    const preview = await withBusyButton(button, () => previewTaskImport(file, chosenFormat(), mapping));
    if (!preview || destroyed) return;
    const rendered = renderPreview(preview, users);
    currentMapping = rendered.mapping;
    previewSlot.replaceChildren(rendered.node);
    refreshButton.hidden = false;
    submit.hidden = false;
    reportSlot.replaceChildren();
    progress.hidden = true;
  }

  function showJob(job: ImportJob): void {
    progress.hidden = false;
    if (job.status === "failed") {
      progress.textContent = tr("importFailed", { error: job.error ?? "" });
      return;
    }
    progress.textContent = tr("importProgress", { done: job.progress.done, total: job.progress.total });
    if (job.status === "done" && job.report) {
      reportSlot.replaceChildren(renderReport(job.report));
      void loadPlaceholders();
    }
  }

  function poll(jobId: string): void {
    pollTimer = window.setTimeout(async () => {
      const job = await runInBackground(() => fetchImportJob(jobId));
      if (destroyed) return;
      if (!job) return poll(jobId);
      showJob(job);
      if (job.status === "queued" || job.status === "running") poll(jobId);
    }, POLL_INTERVAL_MS);
  }

  async function loadPlaceholders(): Promise<void> {
    const listed = await runInBackground(() => listImportPlaceholders());
    if (!listed || destroyed) return;
    placeholdersSlot.replaceChildren(
      element("h2", { text: tr("importPlaceholders") }),
      element("p", { className: "muted", text: tr("importPlaceholdersHint") }),
      renderPlaceholders(listed.placeholders, users, async (placeholder, userId, button) => {
        const mapped = await withBusyButton(button, () => mapImportPlaceholder(placeholder.id, userId));
        if (!mapped || destroyed) return;
        showNotice(tr("importMapped", { count: mapped.changed_tasks }));
        await loadPlaceholders();
      }),
    );
  }

  fileInput.addEventListener("change", () => {
    const name = fileInput.files?.[0]?.name.toLowerCase() ?? "";
    if (name.endsWith(".csv")) format.value = "csv";
    else if (name.endsWith(".json")) format.value = "trello";
    resetPreview();
  });
  format.addEventListener("change", resetPreview);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void showPreview(previewButton, null);
  });
  refreshButton.addEventListener("click", () => void showPreview(refreshButton, currentMapping ? currentMapping() : null));
  submit.addEventListener("click", async () => {
    const file = chosenFile();
    if (!file || !currentMapping) return;
    const mapping = currentMapping();
    const job = await withBusyButton(submit, () => startTaskImport(file, chosenFormat(), mapping));
    if (!job || destroyed) return;
    showNotice(tr("importStarted"));
    showJob(job);
    poll(job.id);
  });

  container.appendChild(
    element("div", { className: "tasks-subpage" }, [
      tasksSubnav("import"),
      element("section", { className: "card" }, [
        element("h2", { text: tr("importTitle") }),
        form,
        previewSlot,
        element("div", { className: "form-actions" }, [refreshButton, submit]),
        progress,
        reportSlot,
      ]),
      element("section", { className: "card" }, [placeholdersSlot]),
    ]),
  );
  void (async () => {
    const listed = await runInBackground(() => listUsers());
    if (destroyed) return;
    users = listed?.users ?? [];
    await loadPlaceholders();
  })();
  return {
    destroy() {
      destroyed = true;
      window.clearTimeout(pollTimer);
    },
  };
}
