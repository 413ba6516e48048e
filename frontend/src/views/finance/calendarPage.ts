// The payment calendar: a month grid of what is left to pay each day, with
// day, week and month totals, and due and overdue payments marked.

import { fetchPaymentCalendar } from "../../api";
import { element } from "../../dom";
import { runAction } from "../../feedback";
import { getLanguage, t } from "../../i18n";
import { financeMonthHash, financeRequestHash } from "../../router";
import type { CalendarDay, CalendarPayment, PaymentCalendar } from "../../types";
import type { View } from "../view";
import { addTotals, currentMonth, formatMoney, formatTotals, isoDate, monthLabel, shiftMonth, totalsFromMap } from "./financeCommon";
import { createMonthSwitcher } from "./monthSwitcher";

const DAYS_PER_WEEK = 7;

/** The Monday on or before the 1st of `month` through the Sunday on or after its last day. */
function gridDates(month: string): Date[] {
  const [year, monthNumber] = month.split("-").map(Number);
  const first = new Date(year, monthNumber - 1, 1);
  const last = new Date(year, monthNumber, 0);
  // getDay() counts from Sunday; the grid's weeks start on Monday.
  const start = new Date(year, monthNumber - 1, 1 - ((first.getDay() + 6) % 7));
  const end = new Date(year, monthNumber - 1, last.getDate() + (6 - ((last.getDay() + 6) % 7)));
  const dates: Date[] = [];
  for (let day = new Date(start); day <= end; day = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1)) {
    dates.push(day);
  }
  return dates;
}

function weekdayNames(): string[] {
  const locale = getLanguage() === "ru" ? "ru-RU" : "en-GB";
  // 2024-01-01 was a Monday.
  return Array.from({ length: DAYS_PER_WEEK }, (_, index) =>
    new Date(2024, 0, 1 + index).toLocaleDateString(locale, { weekday: "short" }),
  );
}

export function createCalendarPage(container: HTMLElement, routeMonth: string | null): View {
  let destroyed = false;
  const month = routeMonth ?? currentMonth();
  const dates = gridDates(month);

  const grid = element("table", { className: "finance-calendar", testId: "finance-calendar" });
  const monthTotal = element("p", { className: "finance-calendar-total", testId: "finance-calendar-month-total" });
  const legend = element("p", { className: "finance-legend muted" }, [
    element("span", { className: "finance-legend-due", text: t("financeDueToday") }),
    " ",
    element("span", { className: "finance-legend-overdue", text: t("financeOverdue") }),
  ]);

  container.appendChild(
    element("section", { className: "card finance-calendar-section" }, [
      createMonthSwitcher({
        testIdPrefix: "finance-calendar",
        title: t("financeCalendarTitle", { month: monthLabel(month) }),
        previous: financeMonthHash("calendar", shiftMonth(month, -1)),
        next: financeMonthHash("calendar", shiftMonth(month, 1)),
        current: financeMonthHash("calendar", currentMonth()),
      }),
      legend,
      monthTotal,
      element("div", { className: "finance-table-scroll" }, [grid]),
    ]),
  );

  function renderPayment(payment: CalendarPayment): HTMLElement {
    const classes = ["finance-calendar-item"];
    if (payment.overdue) classes.push("overdue");
    else if (payment.due) classes.push("due");
    const label = payment.overdue ? t("financeOverdue") : payment.due ? t("financeDueToday") : null;
    return element(
      "li",
      {
        className: classes.join(" "),
        testId: "finance-calendar-item",
        dataset: { id: payment.id, overdue: String(payment.overdue), due: String(payment.due) },
      },
      [
        element("a", { text: payment.counterparty, attributes: { href: financeRequestHash(payment.id) } }),
        element("span", { className: "finance-calendar-amount", text: formatMoney(payment.remaining, payment.currency) }),
        label ? element("span", { className: "finance-calendar-flag", text: label }) : null,
      ],
    );
  }

  function renderDay(date: Date, day: CalendarDay | undefined, today: string): HTMLElement {
    const iso = isoDate(date);
    const classes = ["finance-calendar-day"];
    if (iso.slice(0, 7) !== month) classes.push("other-month");
    if (iso === today) classes.push("today");
    if (day?.overdue) classes.push("overdue");
    else if (day?.due) classes.push("due");
    return element("td", { className: classes.join(" "), testId: "finance-calendar-day", dataset: { date: iso } }, [
      element("div", { className: "finance-calendar-date", text: String(date.getDate()) }),
      day ? element("ul", { className: "finance-calendar-items" }, day.requests.map(renderPayment)) : null,
      day
        ? element("div", { className: "finance-calendar-day-total", testId: "finance-calendar-day-total", text: formatTotals(day.totals) })
        : null,
    ]);
  }

  function render(calendar: PaymentCalendar): void {
    const days = new Map(calendar.days.map((day) => [day.date, day]));
    const weeks = new Map(calendar.weeks.map((week) => [week.week, week.totals]));
    const head = element("thead", {}, [
      element("tr", {}, [
        ...weekdayNames().map((name) => element("th", { text: name })),
        element("th", { text: t("financeWeekTotal") }),
      ]),
    ]);
    const rows: HTMLElement[] = [];
    for (let index = 0; index < dates.length; index += DAYS_PER_WEEK) {
      const week = dates.slice(index, index + DAYS_PER_WEEK);
      const weekDays = week.map((date) => days.get(isoDate(date)));
      // The server names each day's ISO week; a week with no payments has no total.
      const weekKey = weekDays.find((day) => day !== undefined)?.week;
      const weekTotals = weekKey ? weeks.get(weekKey) ?? {} : {};
      rows.push(
        element("tr", {}, [
          ...week.map((date, position) => renderDay(date, weekDays[position], calendar.today)),
          element("td", {
            className: "finance-calendar-week-total",
            testId: "finance-calendar-week-total",
            dataset: { week: weekKey ?? "", start: isoDate(week[0]) },
            text: formatTotals(weekTotals),
          }),
        ]),
      );
    }
    grid.replaceChildren(head, element("tbody", {}, rows));

    // The grid shows a few days of the months around; the month total counts only this month.
    const sums = new Map<string, bigint>();
    for (const day of calendar.days) if (day.date.startsWith(month)) addTotals(sums, day.totals);
    monthTotal.textContent = t("financeMonthTotal", { total: formatTotals(totalsFromMap(sums)) });
  }

  async function load(): Promise<void> {
    const result = await runAction(() => fetchPaymentCalendar(isoDate(dates[0]), isoDate(dates[dates.length - 1])));
    if (result && !destroyed) render(result);
  }

  void load();

  return {
    destroy() {
      destroyed = true;
    },
  };
}
