// Hash routes: #/login, #/org, #/chat, #/chat/<channelId>, #/tasks, #/tasks/<taskId>,
// the task pages listed in views/tasks/taskRoutes.ts,
// #/integrations,
// the finance pages listed at parseFinancePage and the knowledge base pages
// listed in views/kb/kbRoutes.ts.

import type { FinanceListView } from "./types";
import { parseKbPage, type KbPage } from "./views/kb/kbRoutes";
import { parseTaskSubPage, type TaskSubPage } from "./views/tasks/taskRoutes";

export type { TaskSubPage };

export type Route =
  | { name: "login" }
  | { name: "org" }
  | { name: "chat"; channelId: string | null }
  | { name: "tasks" }
  | { name: "task"; taskId: string }
  | { name: "taskPage"; page: TaskSubPage }
  | { name: "finance"; page: FinancePage }
  | { name: "integrations" }
  | { name: "kb"; page: KbPage };

export type FinanceListName = FinanceListView;

/** A page of the finance screen; `month` is "YYYY-MM", or null for the current month. */
export type FinancePage =
  | { kind: "list"; list: FinanceListName }
  | { kind: "new" }
  | { kind: "request"; requestId: string }
  | { kind: "edit"; requestId: string }
  | { kind: "calendar"; month: string | null }
  | { kind: "plan"; month: string | null }
  | { kind: "settings" };

export const DEFAULT_ROUTE_HASH = "#/chat";

export function parseRoute(hash: string): Route | null {
  const segments = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeSegment);
  const [first, second] = segments;
  switch (first) {
    case "login":
      return { name: "login" };
    case "org":
      return { name: "org" };
    case "chat":
      return { name: "chat", channelId: second ?? null };
    case "tasks": {
      const page = parseTaskSubPage(segments.slice(1));
      if (page) return { name: "taskPage", page };
      return second ? { name: "task", taskId: second } : { name: "tasks" };
    }
    case "integrations":
      return { name: "integrations" };
    case "finance": {
      const page = parseFinancePage(segments.slice(1));
      return page ? { name: "finance", page } : null;
    }
    case "kb": {
      const page = parseKbPage(segments.slice(1));
      return page ? { name: "kb", page } : null;
    }
    default:
      return null;
  }
}

const MONTH_SEGMENT = /^\d{4}-\d{2}$/;

/**
 * Reads the finance pages: #/finance (my requests), #/finance/to-approve,
 * #/finance/all, #/finance/new, #/finance/requests/<id>,
 * #/finance/requests/<id>/edit, #/finance/calendar[/<YYYY-MM>],
 * #/finance/plan[/<YYYY-MM>] and #/finance/settings.
 */
function parseFinancePage(segments: string[]): FinancePage | null {
  const [first, second, third] = segments;
  const month = second && MONTH_SEGMENT.test(second) ? second : null;
  switch (first) {
    case undefined:
    case "mine":
      return { kind: "list", list: "mine" };
    case "to-approve":
      return { kind: "list", list: "to_approve" };
    case "all":
      return { kind: "list", list: "all" };
    case "new":
      return { kind: "new" };
    case "requests":
      if (!second) return { kind: "list", list: "mine" };
      return third === "edit" ? { kind: "edit", requestId: second } : { kind: "request", requestId: second };
    case "calendar":
      return { kind: "calendar", month };
    case "plan":
      return { kind: "plan", month };
    case "settings":
      return { kind: "settings" };
    default:
      return null;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function navigate(hash: string, { replace = false } = {}): void {
  if (location.hash === hash) return;
  if (replace) {
    history.replaceState(null, "", hash);
    // replaceState does not fire hashchange, so announce the change ourselves.
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = hash;
  }
}

export function chatHash(channelId: string): string {
  return `#/chat/${encodeURIComponent(channelId)}`;
}

export function taskHash(taskId: string): string {
  return `#/tasks/${encodeURIComponent(taskId)}`;
}

const FINANCE_LIST_SEGMENTS: Record<FinanceListName, string> = {
  mine: "mine",
  to_approve: "to-approve",
  all: "all",
};

export function financeListHash(list: FinanceListName): string {
  return `#/finance/${FINANCE_LIST_SEGMENTS[list]}`;
}

export function financeRequestHash(requestId: string): string {
  return `#/finance/requests/${encodeURIComponent(requestId)}`;
}

export function financeEditHash(requestId: string): string {
  return `${financeRequestHash(requestId)}/edit`;
}

export function financeMonthHash(page: "calendar" | "plan", month: string): string {
  return `#/finance/${page}/${month}`;
}
