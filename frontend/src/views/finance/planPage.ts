// The month plan: per category what was requested, approved and paid against
// its monthly limit, with charts by category and by month.

import { fetchMonthPlan } from "../../api";
import { element } from "../../dom";
import { runAction } from "../../feedback";
import { localized, t } from "../../i18n";
import { financeMonthHash } from "../../router";
import type { MonthPlan, PlanCategory } from "../../types";
import type { View } from "../view";
import { columnChart, horizontalBarChart, type ChartSeries } from "./charts";
import { categoryTree, currentMonth, formatMoney, indented, monthLabel, shiftMonth, shortMonthLabel, toMinor } from "./financeCommon";
import { createMonthSwitcher } from "./monthSwitcher";

// The chart by month shows the chosen month and this many before it.
const EARLIER_MONTHS = 5;

export function createPlanPage(container: HTMLElement, routeMonth: string | null): View {
  let destroyed = false;
  const month = routeMonth ?? currentMonth();

  const scopeNote = element("p", { className: "muted", testId: "finance-plan-scope", attributes: { hidden: true } });
  const tableBody = element("tbody", { testId: "finance-plan-rows" });
  const tableFoot = element("tfoot");
  const unconvertedSlot = element("div", { testId: "finance-plan-unconverted" });
  const categoryChartSlot = element("div", { className: "finance-chart-slot" });
  const monthChartSlot = element("div", { className: "finance-chart-slot" });

  container.appendChild(
    element("div", { className: "finance-plan" }, [
      element("section", { className: "card" }, [
        createMonthSwitcher({
          testIdPrefix: "finance-plan",
          title: t("financePlanTitle", { month: monthLabel(month) }),
          previous: financeMonthHash("plan", shiftMonth(month, -1)),
          next: financeMonthHash("plan", shiftMonth(month, 1)),
          current: financeMonthHash("plan", currentMonth()),
        }),
        scopeNote,
        element("div", { className: "finance-table-scroll" }, [
          element("table", { className: "finance-table finance-plan-table" }, [
            element("thead", {}, [
              element("tr", {}, [
                element("th", { text: t("financeCategory") }),
                element("th", { className: "numeric", text: t("financePlanRequests") }),
                element("th", { className: "numeric", text: t("financePlanRequested") }),
                element("th", { className: "numeric", text: t("financePlanApproved") }),
                element("th", { className: "numeric", text: t("financePlanPaid") }),
                element("th", { className: "numeric", text: t("financeMonthlyLimit") }),
                element("th", { text: "" }),
              ]),
            ]),
            tableBody,
            tableFoot,
          ]),
        ]),
        unconvertedSlot,
      ]),
      element("section", { className: "card" }, [element("h2", { text: t("financeChartByCategory") }), categoryChartSlot]),
      element("section", { className: "card" }, [element("h2", { text: t("financeChartByMonth") }), monthChartSlot]),
    ]),
  );

  function limitWarning(row: PlanCategory): HTMLElement | null {
    if (!row.limit) return null;
    if (row.over_limit) {
      return element("span", {
        className: "finance-warning",
        testId: "finance-plan-warning",
        dataset: { kind: "over_limit" },
        text: t("financeOverLimit"),
      });
    }
    if (row.requested_over_limit) {
      return element("span", {
        className: "finance-warning soft",
        testId: "finance-plan-warning",
        dataset: { kind: "requested_over_limit" },
        text: t("financeRequestedOverLimit"),
      });
    }
    return null;
  }

  function renderRows(plan: MonthPlan): void {
    const money = (amount: string) => formatMoney(amount, plan.currency);
    tableBody.replaceChildren(
      ...categoryTree(plan.categories).map(({ category: row, depth }) =>
        element(
          "tr",
          {
            className: row.over_limit ? "over-limit" : "",
            testId: "finance-plan-row",
            dataset: { id: row.id, depth: String(depth) },
          },
          [
            element("td", { testId: "finance-plan-category", text: indented(localized(row.name, row.name_en), depth) }),
            element("td", { className: "numeric", text: String(row.requests) }),
            element("td", { className: "numeric", testId: "finance-plan-requested", text: money(row.requested) }),
            element("td", { className: "numeric", testId: "finance-plan-approved", text: money(row.approved) }),
            element("td", { className: "numeric", testId: "finance-plan-paid", text: money(row.paid) }),
            element("td", { className: "numeric", testId: "finance-plan-limit", text: row.limit ? money(row.limit) : "—" }),
            element("td", {}, [limitWarning(row)]),
          ],
        ),
      ),
    );
    tableFoot.replaceChildren(
      element("tr", { testId: "finance-plan-totals" }, [
        element("th", { text: t("financeTotal") }),
        element("td"),
        element("td", { className: "numeric", text: money(plan.totals.requested) }),
        element("td", { className: "numeric", text: money(plan.totals.approved) }),
        element("td", { className: "numeric", text: money(plan.totals.paid) }),
        element("td"),
        element("td"),
      ]),
    );
    const unconverted = Object.entries(plan.unconverted);
    unconvertedSlot.replaceChildren(
      ...(unconverted.length
        ? [
            element("h3", { text: t("financeUnconverted") }),
            element(
              "ul",
              {},
              unconverted.map(([currency, sums]) =>
                element("li", {
                  text: t("financeUnconvertedRow", {
                    requested: formatMoney(sums.requested, currency),
                    approved: formatMoney(sums.approved, currency),
                    paid: formatMoney(sums.paid, currency),
                  }),
                }),
              ),
            ),
          ]
        : []),
    );
    scopeNote.hidden = plan.scope === "all";
    scopeNote.textContent = t("financePlanScopeVisible");
  }

  const series: ChartSeries[] = [
    { label: t("financePlanRequested"), className: "chart-requested" },
    { label: t("financePlanApproved"), className: "chart-approved" },
    { label: t("financePlanPaid"), className: "chart-paid" },
  ];

  function renderCategoryChart(plan: MonthPlan): void {
    // Top-level categories already include their subcategories' sums.
    const groups = plan.categories
      .filter((row) => row.parent_id === null)
      .filter((row) => toMinor(row.requested) > 0n || row.limit !== null)
      .map((row) => ({
        label: localized(row.name, row.name_en),
        values: [row.requested, row.approved, row.paid],
        limit: row.limit,
      }));
    categoryChartSlot.replaceChildren(
      groups.length
        ? horizontalBarChart(groups, series, plan.currency, "finance-chart-categories")
        : element("p", { className: "muted", text: t("financeChartEmpty") }),
    );
  }

  function renderMonthChart(plans: MonthPlan[]): void {
    const groups = plans.map((plan) => ({
      label: shortMonthLabel(plan.month),
      values: [plan.totals.requested, plan.totals.approved, plan.totals.paid],
    }));
    monthChartSlot.replaceChildren(columnChart(groups, series, "RUB", "finance-chart-months"));
  }

  async function load(): Promise<void> {
    const plan = await runAction(() => fetchMonthPlan(month));
    if (!plan || destroyed) return;
    renderRows(plan);
    renderCategoryChart(plan);
    const earlierMonths = Array.from({ length: EARLIER_MONTHS }, (_, index) => shiftMonth(month, index - EARLIER_MONTHS));
    const earlier = await runAction(() => Promise.all(earlierMonths.map(fetchMonthPlan)));
    if (!earlier || destroyed) return;
    renderMonthChart([...earlier, plan]);
  }

  void load();

  return {
    destroy() {
      destroyed = true;
    },
  };
}
