// The admin window that uploads a Slack workspace export (zip) or a Telegram
// export (result.json), then polls the import job until it finishes and shows
// its progress and report.

import { element, field, option } from "../../dom";
import { runInBackground, withBusyButton } from "../../feedback";
import { fetchImport, startImport, type ImportJob } from "./chatApi";
import { openChatDialog } from "./chatDialog";
import { ct } from "./chatText";
import { loadChannels } from "./channelStore";

const POLL_INTERVAL_MS = 1000;
const FINISHED_STATUSES = new Set(["done", "failed"]);

function statusText(status: string): string {
  switch (status) {
    case "queued":
      return ct("importQueued");
    case "running":
      return ct("importRunning");
    case "done":
      return ct("importDone");
    case "failed":
      return ct("importFailedStatus");
    default:
      return status;
  }
}

export function openImportDialog(): void {
  let pollTimer: number | undefined;
  const dialog = openChatDialog(ct("importTitle"), "import-dialog", () => window.clearTimeout(pollTimer));
  const kindSelect = element("select", { testId: "import-kind" }, [
    option("slack", ct("importSlack"), true),
    option("telegram", ct("importTelegram")),
  ]);
  const fileInput = element("input", {
    testId: "import-file",
    attributes: { type: "file", accept: ".zip,.json,application/zip,application/json" },
  });
  const startButton = element("button", {
    className: "button-primary",
    testId: "import-start",
    text: ct("importStart"),
    attributes: { type: "button" },
  });
  const status = element("p", { testId: "import-status" });
  const progress = element("progress", { testId: "import-progress", attributes: { hidden: true } });
  const report = element("pre", { className: "import-report", testId: "import-report", attributes: { hidden: true } });
  dialog.body.append(
    field(ct("importKind"), kindSelect),
    field(ct("importFile"), fileInput),
    startButton,
    status,
    progress,
    report,
  );

  function showJob(job: ImportJob): void {
    status.textContent = job.error
      ? ct("importFailed", { error: job.error })
      : `${ct("importStatus", { status: statusText(job.status) })}. ${ct("importProgress", job.progress)}`;
    progress.hidden = false;
    progress.max = Math.max(job.progress.total, 1);
    progress.value = job.progress.done;
    if (job.report) {
      report.hidden = false;
      // The report is server data: it goes in as text, never as markup.
      report.textContent = JSON.stringify(job.report, null, 2);
    }
  }

  async function poll(jobId: string): Promise<void> {
    const job = await runInBackground(() => fetchImport(jobId));
    if (!job || !dialog.element.isConnected) return;
    showJob(job);
    if (FINISHED_STATUSES.has(job.status)) {
      startButton.disabled = false;
      await loadChannels().catch(() => {});
      return;
    }
    pollTimer = window.setTimeout(() => void poll(jobId), POLL_INTERVAL_MS);
  }

  startButton.addEventListener("click", async () => {
    const file = fileInput.files?.[0];
    if (!file) {
      fileInput.focus();
      return;
    }
    const kind = kindSelect.value === "telegram" ? "telegram" : "slack";
    const job = await withBusyButton(startButton, () => startImport(kind, file));
    if (!job) return;
    startButton.disabled = true;
    report.hidden = true;
    showJob(job);
    void poll(job.id);
  });
}
