// The finance screen: its own navigation and the page that the route names
// (a request list, the form, one request, the calendar, the plan or settings).

import "./finance.css";
import { fetchMonthPlan } from "../../api";
import { element } from "../../dom";
import { t, type MessageKey } from "../../i18n";
import { financeListHash, type FinancePage, type Route } from "../../router";
import { getCurrentUser, isAdmin } from "../../session";
import type { View } from "../view";
import { createApprovalBadge } from "./approvalBadge";
import { createCalendarPage } from "./calendarPage";
import { currentMonth } from "./financeCommon";
import { createPlanPage } from "./planPage";
import { createRequestDetailPage } from "./requestDetailPage";
import { createRequestFormPage } from "./requestFormPage";
import { createRequestListPage } from "./requestListPage";
import { createSettingsPage } from "./settingsPage";

interface NavItem {
  hash: string;
  testId: string;
  label: MessageKey;
  matches: (page: FinancePage) => boolean;
}

const NAV_ITEMS: NavItem[] = [
  {
    hash: financeListHash("mine"),
    testId: "finance-nav-mine",
    label: "financeNavMine",
    matches: (page) => page.kind === "list" && page.list === "mine",
  },
  {
    hash: financeListHash("to_approve"),
    testId: "finance-nav-to-approve",
    label: "financeNavToApprove",
    matches: (page) => page.kind === "list" && page.list === "to_approve",
  },
  {
    hash: financeListHash("all"),
    testId: "finance-nav-all",
    label: "financeNavAll",
    matches: (page) => page.kind === "list" && page.list === "all",
  },
  { hash: "#/finance/new", testId: "finance-nav-new", label: "financeNavNew", matches: (page) => page.kind === "new" },
  {
    hash: "#/finance/calendar",
    testId: "finance-nav-calendar",
    label: "financeNavCalendar",
    matches: (page) => page.kind === "calendar",
  },
  { hash: "#/finance/plan", testId: "finance-nav-plan", label: "financeNavPlan", matches: (page) => page.kind === "plan" },
  {
    hash: "#/finance/settings",
    testId: "finance-nav-settings",
    label: "financeNavSettings",
    matches: (page) => page.kind === "settings",
  },
];

// Whether the signed-in person sees every request, per user id. The backend
// says so only through the plan's "scope", so one plan is read to learn it.
const seesAllByUser = new Map<string, Promise<boolean>>();

function seesAllRequests(): Promise<boolean> {
  const user = getCurrentUser();
  if (!user) return Promise.resolve(false);
  if (isAdmin(user)) return Promise.resolve(true);
  let known = seesAllByUser.get(user.id);
  if (!known) {
    known = fetchMonthPlan(currentMonth())
      .then((plan) => plan.scope === "all")
      .catch(() => false);
    seesAllByUser.set(user.id, known);
  }
  return known;
}

function createPage(container: HTMLElement, page: FinancePage): View {
  switch (page.kind) {
    case "list":
      return createRequestListPage(container, page.list);
    case "new":
      return createRequestFormPage(container, null);
    case "edit":
      return createRequestFormPage(container, page.requestId);
    case "request":
      return createRequestDetailPage(container, page.requestId);
    case "calendar":
      return createCalendarPage(container, page.month);
    case "plan":
      return createPlanPage(container, page.month);
    case "settings":
      return createSettingsPage(container);
  }
}

export function createFinanceView(container: HTMLElement, route: Route): View {
  let destroyed = false;
  let currentPage: FinancePage | null = null;
  let pageView: View | null = null;

  const links = NAV_ITEMS.map((item) => {
    const link = element("a", {
      className: "finance-nav-link",
      testId: item.testId,
      text: t(item.label),
      attributes: { href: item.hash },
    });
    if (item.testId === "finance-nav-to-approve") link.append(" ", createApprovalBadge("finance-nav-to-approve-badge"));
    return link;
  });
  const allLink = links[NAV_ITEMS.findIndex((item) => item.testId === "finance-nav-all")];
  const settingsLink = links[NAV_ITEMS.findIndex((item) => item.testId === "finance-nav-settings")];
  // Managers see their reports' requests under "All"; finance and the owner see every one.
  allLink.hidden = true;
  settingsLink.hidden = !isAdmin();
  const user = getCurrentUser();
  if (user?.role === "manager") allLink.hidden = false;
  void seesAllRequests().then((seesAll) => {
    if (seesAll && !destroyed) allLink.hidden = false;
  });

  const pageContainer = element("div", { className: "finance-page" });
  container.appendChild(
    element("div", { className: "finance-screen" }, [
      element("nav", { className: "finance-nav", testId: "finance-nav", attributes: { "aria-label": t("navFinance") } }, links),
      pageContainer,
    ]),
  );

  function showPage(page: FinancePage): void {
    if (currentPage && JSON.stringify(currentPage) === JSON.stringify(page)) return;
    currentPage = page;
    NAV_ITEMS.forEach((item, index) => {
      const active = item.matches(page);
      links[index].classList.toggle("active", active);
      if (active) links[index].setAttribute("aria-current", "page");
      else links[index].removeAttribute("aria-current");
    });
    pageView?.destroy();
    pageContainer.replaceChildren();
    pageView = createPage(pageContainer, page);
  }

  if (route.name === "finance") showPage(route.page);

  return {
    update(nextRoute) {
      if (nextRoute.name === "finance") showPage(nextRoute.page);
    },
    destroy() {
      destroyed = true;
      pageView?.destroy();
    },
  };
}
