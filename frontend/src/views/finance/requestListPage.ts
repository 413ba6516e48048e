// A list of payment requests: mine, waiting for my approval, or all I may see,
// with a status filter, paging and CSV/XLSX export of the same list.

import { downloadFinanceExport, listFinanceCategories, listFinanceRequests } from "../../api";
import { element, option } from "../../dom";
import { runAction, withBusyButton } from "../../feedback";
import { formatDate, t, type MessageKey } from "../../i18n";
import { financeRequestHash, type FinanceListName } from "../../router";
import type { FinanceCategory, FinanceRequest, FinanceStatus } from "../../types";
import type { View } from "../view";
import { categoryName, FINANCE_STATUSES, financeStatusLabel, financeStatusPill, formatMoney } from "./financeCommon";

const PAGE_SIZE = 50;

const TITLES: Record<FinanceListName, MessageKey> = {
  mine: "financeNavMine",
  to_approve: "financeNavToApprove",
  all: "financeNavAll",
};

/** Saves a downloaded file through a temporary object URL and a download link. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = element("a", { attributes: { href: url, download: fileName, hidden: true } });
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The browser reads the URL when the click starts the download, so it can go after this task.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function createRequestListPage(container: HTMLElement, list: FinanceListName): View {
  let destroyed = false;
  let status: FinanceStatus | null = null;
  let nextCursor: string | null = null;
  let requests: FinanceRequest[] = [];
  let categories = new Map<string, FinanceCategory>();
  // Counts loads, so an answer to an older filter never replaces a newer one.
  let loadGeneration = 0;

  const statusSelect = element("select", {
    testId: "finance-status-filter",
    attributes: { "aria-label": t("financeStatusFilter") },
  });
  statusSelect.append(
    option("", t("financeAllStatuses"), true),
    ...FINANCE_STATUSES.map((value) => option(value, financeStatusLabel(value))),
  );
  statusSelect.addEventListener("change", () => {
    status = (statusSelect.value || null) as FinanceStatus | null;
    void load(false);
  });

  const exportButtons = (["csv", "xlsx"] as const).map((format) => {
    const button = element("button", {
      testId: `finance-export-${format}`,
      text: t(format === "csv" ? "financeExportCsv" : "financeExportXlsx"),
      attributes: { type: "button" },
    });
    button.addEventListener("click", async () => {
      const result = await withBusyButton(button, () => downloadFinanceExport(format, list, status));
      if (result && !destroyed) saveFile(result.blob, result.fileName);
    });
    return button;
  });

  const tableBody = element("tbody", { testId: "finance-request-list" });
  const table = element("table", { className: "finance-table" }, [
    element("thead", {}, [
      element("tr", {}, [
        element("th", { text: t("financeCounterparty") }),
        element("th", { className: "numeric", text: t("financeAmount") }),
        element("th", { text: t("financeCategory") }),
        element("th", { text: t("financePaymentDate") }),
        element("th", { text: t("financeAuthor") }),
        element("th", { text: t("financeStatus") }),
      ]),
    ]),
    tableBody,
  ]);
  const emptyNote = element("p", {
    className: "muted",
    testId: "finance-list-empty",
    text: t("financeListEmpty"),
    attributes: { hidden: true },
  });
  const loadMoreButton = element("button", {
    className: "link-button",
    testId: "finance-load-more",
    text: t("loadMore"),
    attributes: { type: "button", hidden: true },
  });
  loadMoreButton.addEventListener("click", () => void withBusyButton(loadMoreButton, () => load(true)));

  container.appendChild(
    element("section", { className: "card finance-list-section" }, [
      element("div", { className: "finance-toolbar" }, [
        element("h1", { text: t(TITLES[list]) }),
        element("div", { className: "header-spacer" }),
        statusSelect,
        ...exportButtons,
      ]),
      table,
      emptyNote,
      loadMoreButton,
    ]),
  );

  function renderRow(request: FinanceRequest): HTMLElement {
    const link = element("a", {
      className: "finance-row-link",
      testId: "finance-request-link",
      text: request.counterparty,
      attributes: { href: financeRequestHash(request.id) },
    });
    return element("tr", { testId: "finance-request-row", dataset: { id: request.id, status: request.status } }, [
      element("td", {}, [link]),
      element("td", { className: "numeric", testId: "finance-row-amount", text: formatMoney(request.amount, request.currency) }),
      element("td", { text: categoryName(categories.get(request.category_id), request.category_id) }),
      element("td", { text: formatDate(request.pay_on ?? request.pay_by) }),
      element("td", { text: request.author.name }),
      element("td", {}, [financeStatusPill(request.status, "finance-row-status")]),
    ]);
  }

  function render(): void {
    tableBody.replaceChildren(...requests.map(renderRow));
    table.hidden = requests.length === 0;
    emptyNote.hidden = requests.length > 0;
    loadMoreButton.hidden = nextCursor === null;
  }

  async function load(more: boolean): Promise<void> {
    const generation = ++loadGeneration;
    const result = await runAction(() => listFinanceRequests(list, status, more ? nextCursor : null, PAGE_SIZE));
    if (!result || destroyed || generation !== loadGeneration) return;
    requests = more ? [...requests, ...result.requests] : result.requests;
    nextCursor = result.next_cursor;
    render();
  }

  async function loadCategories(): Promise<void> {
    const result = await runAction(listFinanceCategories);
    if (!result || destroyed) return;
    categories = new Map(result.categories.map((category) => [category.id, category]));
    render();
  }

  table.hidden = true;
  void loadCategories();
  void load(false);

  return {
    destroy() {
      destroyed = true;
    },
  };
}
