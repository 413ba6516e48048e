// The count of requests waiting for the signed-in person's approval, shown in
// the header and on the finance tabs.

import { listFinanceRequests } from "../../api";
import { element } from "../../dom";
import { t } from "../../i18n";
import { liveSocket } from "../../socket";

// One page of this size is read; a longer queue shows as "99+".
const COUNTED_MAX = 99;
// A burst of chat events (one per notification) causes one reload, after this pause.
const EVENT_RELOAD_DELAY_MS = 500;

let waitingCount = 0;
let moreWaiting = false;
let reloadTimer: number | undefined;
let loading: Promise<void> | null = null;
const badges = new Set<HTMLElement>();

function badgeText(): string {
  return moreWaiting ? `${COUNTED_MAX}+` : String(waitingCount);
}

function renderBadge(badge: HTMLElement): void {
  badge.textContent = badgeText();
  badge.hidden = waitingCount === 0;
  badge.dataset.count = String(waitingCount);
  badge.title = t("financeBadgeTitle", { count: badgeText() });
}

/**
 * Returns a badge that shows the count and follows its changes. Each caller
 * gets its own element; one that leaves the page is dropped on the next render.
 */
export function createApprovalBadge(testId: string): HTMLElement {
  const badge = element("span", { className: "count-badge", testId });
  badges.add(badge);
  renderBadge(badge);
  return badge;
}

function renderAll(): void {
  for (const badge of badges) {
    if (!badge.isConnected) {
      badges.delete(badge);
      continue;
    }
    renderBadge(badge);
  }
}

/** Reloads the count; concurrent calls share one request. */
export function refreshApprovalBadge(): Promise<void> {
  if (loading) return loading;
  loading = listFinanceRequests("to_approve", null, null, COUNTED_MAX)
    .then((page) => {
      waitingCount = page.requests.length;
      moreWaiting = page.next_cursor !== null;
      renderAll();
    })
    // The badge is a hint: a failed count keeps the last one rather than
    // covering the page with an error banner.
    .catch(() => {})
    .finally(() => {
      loading = null;
    });
  return loading;
}

// A request's events arrive as chat messages that link to it, so each one may
// change what waits for this person.
liveSocket.onEvent((event) => {
  if (event.type !== "message.created" || !event.message.link?.startsWith("#/finance/")) return;
  window.clearTimeout(reloadTimer);
  reloadTimer = window.setTimeout(() => void refreshApprovalBadge(), EVENT_RELOAD_DELAY_MS);
});
