// ISO weeks as "YYYY-Www": Monday starts a week, and week 1 contains the
// year's first Thursday.

const ISO_WEEK = /^(\d{4})-W(\d{2})$/;
const DAY_MS = 86_400_000;

/** Returns the ISO week of a calendar day given as local year, month (1-12) and day. */
export function isoWeekOf(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  // The Thursday of this week decides the week's year.
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const weekYear = date.getUTCFullYear();
  const firstDay = Date.UTC(weekYear, 0, 1);
  const week = Math.ceil(((date.getTime() - firstDay) / DAY_MS + 1) / 7);
  return `${weekYear}-W${String(week).padStart(2, "0")}`;
}

/** Returns the ISO week of today in the browser's time zone. */
export function currentIsoWeek(): string {
  const now = new Date();
  return isoWeekOf(now.getFullYear(), now.getMonth() + 1, now.getDate());
}

export function isIsoWeek(text: string | null | undefined): text is string {
  return typeof text === "string" && ISO_WEEK.test(text);
}

/** Returns the Monday of an ISO week as a UTC date. */
export function mondayOf(isoWeek: string): Date {
  const match = ISO_WEEK.exec(isoWeek);
  if (!match) throw new Error(`not an ISO week: ${isoWeek}`);
  const year = Number(match[1]);
  const week = Number(match[2]);
  const fourthOfJanuary = new Date(Date.UTC(year, 0, 4));
  const weekday = fourthOfJanuary.getUTCDay() || 7;
  return new Date(fourthOfJanuary.getTime() + ((week - 1) * 7 - (weekday - 1)) * DAY_MS);
}

/** Moves an ISO week by `weeks` (negative for earlier weeks). */
export function shiftIsoWeek(isoWeek: string, weeks: number): string {
  const monday = new Date(mondayOf(isoWeek).getTime() + weeks * 7 * DAY_MS);
  return isoWeekOf(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate());
}

/** Returns the Monday and Sunday of a week as "YYYY-MM-DD". */
export function weekRange(isoWeek: string): [string, string] {
  const monday = mondayOf(isoWeek);
  const sunday = new Date(monday.getTime() + 6 * DAY_MS);
  return [monday.toISOString().slice(0, 10), sunday.toISOString().slice(0, 10)];
}
