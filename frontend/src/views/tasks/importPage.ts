// Task import: upload a Trello board export (JSON) or a CSV file and show the
// server's report of created tasks, skipped rows and warnings.

import { element, field, option } from "../../dom";
import { withBusyButton } from "../../feedback";
import { taskHash } from "../../router";
import type { View } from "../view";
import { importTaskFile, type ImportReport } from "./taskApi";
import { tasksSubnav } from "./taskCommon";
import { tr } from "./taskMessages";

// The server rejects larger files, so checking first saves a long upload.
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
// The report links this many created tasks; the count covers all of them.
const MAX_LINKED_TASKS = 50;

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

function renderReport(report: ImportReport): HTMLElement {
  return element("div", { className: "import-report", testId: "import-report" }, [
    element("p", { testId: "import-created", text: tr("importCreated", { count: report.created }) }),
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

export function createImportPage(container: HTMLElement): View {
  let destroyed = false;
  const format = element("select", { testId: "import-format" }, [option("trello", tr("importTrello")), option("csv", tr("importCsv"))]);
  const fileInput = element("input", { testId: "import-file", attributes: { type: "file", accept: ".json,.csv,.txt" } });
  const fileError = element("p", { className: "field-error", testId: "import-file-error", attributes: { hidden: true } });
  const submit = element("button", { className: "button-primary", testId: "import-submit", text: tr("importSubmit"), attributes: { type: "submit" } });
  const reportSlot = element("div");
  const form = element("form", { className: "import-form", attributes: { novalidate: true } }, [
    element("p", { className: "muted", text: tr("importHint") }),
    field(tr("importFormat"), format),
    field(tr("importFile"), fileInput),
    fileError,
    submit,
  ]);
  fileInput.addEventListener("change", () => {
    const name = fileInput.files?.[0]?.name.toLowerCase() ?? "";
    if (name.endsWith(".csv")) format.value = "csv";
    else if (name.endsWith(".json")) format.value = "trello";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = fileInput.files?.[0];
    let problem: string | null = null;
    if (!file) problem = tr("importNoFile");
    else if (file.size > MAX_IMPORT_BYTES) problem = tr("importTooLarge");
    fileError.textContent = problem ?? "";
    fileError.hidden = problem === null;
    if (!file || problem) return;
    const chosenFormat = format.value === "csv" ? "csv" : "trello";
    const report = await withBusyButton(submit, () => importTaskFile(file, chosenFormat));
    if (!report || destroyed) return;
    reportSlot.replaceChildren(renderReport(report));
  });

  container.appendChild(
    element("div", { className: "tasks-subpage" }, [
      tasksSubnav("import"),
      element("section", { className: "card" }, [element("h2", { text: tr("importTitle") }), form, reportSlot]),
    ]),
  );
  return {
    destroy() {
      destroyed = true;
    },
  };
}
