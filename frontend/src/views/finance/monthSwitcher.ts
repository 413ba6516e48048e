// The title and previous / this / next month links of the calendar and the plan.

import { element } from "../../dom";
import { t } from "../../i18n";

export interface MonthSwitcherOptions {
  testIdPrefix: string;
  title: string;
  previous: string;
  next: string;
  current: string;
}

export function createMonthSwitcher(options: MonthSwitcherOptions): HTMLElement {
  const link = (suffix: string, text: string, hash: string) =>
    element("a", { className: "button", testId: `${options.testIdPrefix}-${suffix}`, text, attributes: { href: hash } });
  return element("div", { className: "finance-toolbar" }, [
    element("h1", { testId: `${options.testIdPrefix}-title`, text: options.title }),
    element("div", { className: "header-spacer" }),
    link("previous", t("financePreviousMonth"), options.previous),
    link("current", t("financeThisMonth"), options.current),
    link("next", t("financeNextMonth"), options.next),
  ]);
}
