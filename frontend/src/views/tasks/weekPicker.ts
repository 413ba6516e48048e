// An ISO week picker: previous and next buttons around a week input, and a
// button back to the current week.

import { element } from "../../dom";
import { currentIsoWeek, isIsoWeek, shiftIsoWeek } from "./isoWeek";
import { tr } from "./taskMessages";

export interface WeekPicker {
  element: HTMLElement;
  set(isoWeek: string): void;
}

export function createWeekPicker(initial: string, onChange: (isoWeek: string) => void): WeekPicker {
  let week = initial;
  const input = element("input", {
    testId: "week-picker",
    attributes: { type: "week", value: initial, "aria-label": tr("weekPick") },
  });
  input.addEventListener("change", () => {
    if (isIsoWeek(input.value)) onChange(input.value);
  });
  const previous = element("button", {
    testId: "week-previous",
    text: "←",
    attributes: { type: "button", title: tr("weekPrevious"), "aria-label": tr("weekPrevious") },
    on: { click: () => onChange(shiftIsoWeek(week, -1)) },
  });
  const next = element("button", {
    testId: "week-next",
    text: "→",
    attributes: { type: "button", title: tr("weekNext"), "aria-label": tr("weekNext") },
    on: { click: () => onChange(shiftIsoWeek(week, 1)) },
  });
  const current = element("button", {
    className: "link-button",
    testId: "week-current",
    text: tr("weekCurrent"),
    attributes: { type: "button" },
    on: { click: () => onChange(currentIsoWeek()) },
  });
  return {
    element: element("div", { className: "week-picker" }, [previous, input, next, current]),
    set(isoWeek) {
      week = isoWeek;
      input.value = isoWeek;
    },
  };
}
