// Pieces shared by the finance pages: money, statuses, categories and months.
//
// Amounts stay decimal strings ("12500.50") from the server to the screen.
// Sums made here add BigInt minor units, so no float ever rounds a kopeck.

import { element } from "../../dom";
import { getLanguage, localized, t, type MessageKey } from "../../i18n";
import type { CurrencyTotals, FinanceStatus } from "../../types";

export const FINANCE_STATUSES: FinanceStatus[] = [
  "draft",
  "on_approval",
  "approved",
  "scheduled",
  "partially_paid",
  "paid",
  "rejected",
  "returned",
];

// The backend's currencies (chalicelib/finance/money.py), all with two decimal places.
export const CURRENCIES = [
  "RUB",
  "USD",
  "EUR",
  "CNY",
  "KZT",
  "BYN",
  "UZS",
  "KGS",
  "AMD",
  "GEL",
  "TRY",
  "AED",
  "GBP",
  "CHF",
  "HKD",
];

const STATUS_LABELS: Record<FinanceStatus, MessageKey> = {
  draft: "financeStatusDraft",
  on_approval: "financeStatusOnApproval",
  approved: "financeStatusApproved",
  scheduled: "financeStatusScheduled",
  partially_paid: "financeStatusPartiallyPaid",
  paid: "financeStatusPaid",
  rejected: "financeStatusRejected",
  returned: "financeStatusReturned",
};

export function financeStatusLabel(status: FinanceStatus): string {
  return STATUS_LABELS[status] ? t(STATUS_LABELS[status]) : status;
}

export function financeStatusPill(status: FinanceStatus, testId?: string): HTMLElement {
  return element("span", {
    className: `status-pill finance-status-${status}`,
    testId,
    text: financeStatusLabel(status),
    dataset: { status },
  });
}

// --- Money ---

const DECIMAL_AMOUNT = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/** Parses an API amount such as "12500.50" into minor units (1250050n). */
export function toMinor(amount: string): bigint {
  const match = DECIMAL_AMOUNT.exec(amount);
  if (!match) throw new Error(`Not a decimal amount: "${amount}"`);
  const [, sign, whole, fraction = ""] = match;
  const minor = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  return sign ? -minor : minor;
}

/** Formats minor units as an API amount: 1250050n becomes "12500.50". */
export function fromMinor(minor: bigint): string {
  const sign = minor < 0n ? "-" : "";
  const absolute = minor < 0n ? -minor : minor;
  const fraction = (absolute % 100n).toString().padStart(2, "0");
  return `${sign}${absolute / 100n}.${fraction}`;
}

/**
 * Formats an amount for people as the server's chat messages do:
 * "12 500,50 RUB" in Russian, "12,500.50 RUB" in English.
 */
export function formatMoney(amount: string, currency: string): string {
  const match = DECIMAL_AMOUNT.exec(amount);
  if (!match) return `${amount} ${currency}`;
  const [, sign, whole, fraction = ""] = match;
  const russian = getLanguage() === "ru";
  // U+00A0 keeps the groups of a Russian amount on one line.
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, russian ? "\u00a0" : ",");
  const cents = fraction.padEnd(2, "0");
  return `${sign}${grouped}${russian ? "," : "."}${cents}\u00a0${currency}`;
}

/** Formats sums in several currencies, "—" when there are none. */
export function formatTotals(totals: CurrencyTotals): string {
  const entries = Object.entries(totals);
  if (entries.length === 0) return "—";
  return entries.map(([currency, amount]) => formatMoney(amount, currency)).join(" + ");
}

/** Adds `more` into `into`, per currency. */
export function addTotals(into: Map<string, bigint>, more: CurrencyTotals): void {
  for (const [currency, amount] of Object.entries(more)) {
    into.set(currency, (into.get(currency) ?? 0n) + toMinor(amount));
  }
}

export function totalsFromMap(sums: Map<string, bigint>): CurrencyTotals {
  const totals: CurrencyTotals = {};
  for (const currency of [...sums.keys()].sort()) totals[currency] = fromMinor(sums.get(currency)!);
  return totals;
}

/**
 * Turns what a person typed ("12 500,50") into the API's decimal string
 * ("12500.50"). Anything else is sent as typed, so the server's message
 * names the problem.
 */
export function normalizeAmountInput(text: string): string {
  const compact = text.replace(/[\s\u00a0\u202f]/g, "");
  return /^\d+,\d{1,2}$/.test(compact) ? compact.replace(",", ".") : compact;
}

// --- Categories ---

/** Orders categories as a tree, each parent followed by its children, keeping the server's order. */
export function categoryTree<Category extends { id: string; parent_id: string | null }>(
  categories: Category[],
): { category: Category; depth: number }[] {
  const known = new Set(categories.map((category) => category.id));
  const children = new Map<string | null, Category[]>();
  for (const category of categories) {
    // A category whose parent is gone is shown at the top rather than lost.
    const parent = category.parent_id && known.has(category.parent_id) ? category.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), category]);
  }
  const rows: { category: Category; depth: number }[] = [];
  const visited = new Set<string>();
  const visit = (parent: string | null, depth: number) => {
    for (const category of children.get(parent) ?? []) {
      if (visited.has(category.id)) continue;
      visited.add(category.id);
      rows.push({ category, depth });
      visit(category.id, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}

export function categoryName(category: { name: string; name_en: string | null } | undefined, fallback: string): string {
  return category ? localized(category.name, category.name_en) : fallback;
}

/** Prefixes a name with no-break spaces, which a <select> keeps, to show its depth. */
export function indented(text: string, depth: number): string {
  return "\u00a0\u00a0\u00a0\u00a0".repeat(depth) + text;
}

// --- Dates and months ---

function twoDigits(value: number): string {
  return String(value).padStart(2, "0");
}

/** The local date as "YYYY-MM-DD". */
export function isoDate(date: Date): string {
  return `${date.getFullYear()}-${twoDigits(date.getMonth() + 1)}-${twoDigits(date.getDate())}`;
}

export function currentMonth(): string {
  return isoDate(new Date()).slice(0, 7);
}

/** Moves a "YYYY-MM" month by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [year, monthNumber] = month.split("-").map(Number);
  const shifted = new Date(year, monthNumber - 1 + delta, 1);
  return isoDate(shifted).slice(0, 7);
}

export function monthLabel(month: string): string {
  const [year, monthNumber] = month.split("-").map(Number);
  const locale = getLanguage() === "ru" ? "ru-RU" : "en-GB";
  return new Date(year, monthNumber - 1, 1).toLocaleDateString(locale, { month: "long", year: "numeric" });
}

/** Shortens a month to a chart label: "дек. 26" or "Dec 26". */
export function shortMonthLabel(month: string): string {
  const [year, monthNumber] = month.split("-").map(Number);
  const locale = getLanguage() === "ru" ? "ru-RU" : "en-GB";
  const name = new Date(year, monthNumber - 1, 1).toLocaleDateString(locale, { month: "short" });
  return `${name} ${String(year).slice(2)}`;
}
