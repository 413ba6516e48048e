// Recurring tasks: the form that creates a series (daily, working days,
// chosen weekdays or monthly, every N, with an optional end) and the list of
// series with a stop button.

import { listPositions, listUsers } from "../../api";
import { element, field, option } from "../../dom";
import { runAction, showNotice, withBusyButton } from "../../feedback";
import { formatDate, localized } from "../../i18n";
import { navigate, taskHash } from "../../router";
import { getCurrentUser } from "../../session";
import { createSeries, listSeries, stopSeries, type SeriesFields, type SeriesRecord, type SeriesRule } from "./taskApi";
import { fillAssigneeSelect, priorityLabel, TASK_PRIORITIES, tasksSubnav } from "./taskCommon";
import { tr, type TaskMessageKey } from "./taskMessages";
import type { View } from "../view";

const WEEKDAY_KEYS: TaskMessageKey[] = ["weekday1", "weekday2", "weekday3", "weekday4", "weekday5", "weekday6", "weekday7"];
const FREQUENCY_KEYS: Record<SeriesRule["frequency"], TaskMessageKey> = {
  daily: "frequencyDaily",
  workdays: "frequencyWorkdays",
  weekly: "frequencyWeekly",
  monthly: "frequencyMonthly",
};

function todayIso(): string {
  const now = new Date();
  const month = String(now.getMonth() + 1).padStart(2, "0");
  const day = String(now.getDate()).padStart(2, "0");
  return `${now.getFullYear()}-${month}-${day}`;
}

/** Describes a rule in words, such as "Weekly, every 2: Mon, Thu; until 31.12.2026". */
export function describeRule(rule: SeriesRule): string {
  let text = tr(FREQUENCY_KEYS[rule.frequency]);
  if (rule.interval && rule.interval > 1) text += `, ${tr("ruleEvery", { interval: rule.interval })}`;
  if (rule.frequency === "weekly" && rule.weekdays?.length) {
    text += `: ${rule.weekdays.map((day) => tr(WEEKDAY_KEYS[day - 1])).join(", ")}`;
  }
  if (rule.frequency === "monthly" && rule.day_of_month) text += `: ${tr("ruleDayOfMonth", { day: rule.day_of_month })}`;
  text += `; ${tr("ruleFrom", { date: formatDate(rule.start) })}`;
  if (rule.until) text += `; ${tr("ruleUntil", { date: formatDate(rule.until) })}`;
  if (rule.count) text += `; ${tr("ruleCount", { count: rule.count })}`;
  return text;
}

function seriesStatusLabel(status: string): string {
  if (status === "active") return tr("seriesActive");
  if (status === "finished") return tr("seriesFinished");
  return tr("seriesStopped");
}

export function createSeriesPage(container: HTMLElement): View {
  let destroyed = false;

  // --- Form ---
  const titleInput = element("input", { testId: "series-title", attributes: { type: "text", maxlength: 200 } });
  const descriptionInput = element("textarea", { testId: "series-description", attributes: { rows: 3 } });
  const ownerKind = element("select", { testId: "series-owner-kind" }, [
    option("person", tr("seriesForPerson")),
    option("position", tr("seriesForPosition")),
  ]);
  const assigneeSelect = element("select", { testId: "series-assignee" });
  const positionSelect = element("select", { testId: "series-position" });
  const assigneeField = field(tr("taskAssignee"), assigneeSelect);
  const positionField = field(tr("seriesPosition"), positionSelect);
  const prioritySelect = element(
    "select",
    { testId: "series-priority" },
    TASK_PRIORITIES.map((priority) => option(priority, priorityLabel(priority), priority === "normal")),
  );
  const dueTime = element("input", { testId: "series-due-time", attributes: { type: "time" } });
  const checklistInput = element("textarea", { testId: "series-checklist", attributes: { rows: 3, placeholder: tr("seriesChecklistHint") } });

  const frequency = element(
    "select",
    { testId: "series-frequency" },
    (Object.keys(FREQUENCY_KEYS) as SeriesRule["frequency"][]).map((value) => option(value, tr(FREQUENCY_KEYS[value]))),
  );
  const start = element("input", { testId: "series-start", attributes: { type: "date", value: todayIso() } });
  const interval = element("input", { testId: "series-interval", attributes: { type: "number", min: 1, max: 99, value: 1 } });
  const intervalField = field(tr("seriesInterval"), interval);
  const weekdayBoxes = WEEKDAY_KEYS.map((key, index) =>
    element("input", { testId: `series-weekday-${index + 1}`, attributes: { type: "checkbox", value: index + 1, "aria-label": tr(key) } }),
  );
  const weekdaysField = element(
    "fieldset",
    { className: "weekday-picker" },
    [
      element("legend", { text: tr("seriesWeekdays") }),
      ...weekdayBoxes.map((box, index) => element("label", {}, [box, " ", tr(WEEKDAY_KEYS[index])])),
    ],
  );
  const dayOfMonth = element("input", { testId: "series-day-of-month", attributes: { type: "number", min: 1, max: 31 } });
  const dayOfMonthField = field(tr("seriesDayOfMonth"), dayOfMonth);
  const endKind = element("select", { testId: "series-end" }, [
    option("never", tr("seriesEndNever")),
    option("until", tr("seriesEndUntil")),
    option("count", tr("seriesEndCount")),
  ]);
  const until = element("input", { testId: "series-until", attributes: { type: "date" } });
  const count = element("input", { testId: "series-count", attributes: { type: "number", min: 1 } });
  const untilField = field(tr("seriesUntil"), until);
  const countField = field(tr("seriesCount"), count);

  function syncRuleFields(): void {
    const chosen = frequency.value;
    intervalField.hidden = chosen === "workdays";
    weekdaysField.hidden = chosen !== "weekly";
    dayOfMonthField.hidden = chosen !== "monthly";
    untilField.hidden = endKind.value !== "until";
    countField.hidden = endKind.value !== "count";
    assigneeField.hidden = ownerKind.value !== "person";
    positionField.hidden = ownerKind.value !== "position";
  }
  for (const control of [frequency, endKind, ownerKind]) control.addEventListener("change", syncRuleFields);

  function readRule(): SeriesRule {
    const rule: SeriesRule = { frequency: frequency.value as SeriesRule["frequency"], start: start.value };
    // Sent as typed, so the server names a wrong value instead of the page guessing.
    if (rule.frequency !== "workdays" && interval.value) rule.interval = Number(interval.value);
    if (rule.frequency === "weekly") rule.weekdays = weekdayBoxes.filter((box) => box.checked).map((box) => Number(box.value));
    if (rule.frequency === "monthly" && dayOfMonth.value) rule.day_of_month = Number(dayOfMonth.value);
    if (endKind.value === "until") rule.until = until.value;
    if (endKind.value === "count") rule.count = Number(count.value);
    return rule;
  }

  const submit = element("button", { className: "button-primary", testId: "series-submit", text: tr("seriesCreate"), attributes: { type: "submit" } });
  const form = element("form", { className: "series-form", attributes: { novalidate: true } }, [
    field(tr("taskTitle"), titleInput),
    field(tr("taskDescription"), descriptionInput),
    element("div", { className: "field-row" }, [field(tr("seriesOwner"), ownerKind), assigneeField, positionField]),
    element("div", { className: "field-row" }, [field(tr("taskPriority"), prioritySelect), field(tr("seriesDueTime"), dueTime)]),
    field(tr("checklistTitle"), checklistInput),
    element("h3", { text: tr("seriesRule") }),
    element("div", { className: "field-row" }, [field(tr("seriesFrequency"), frequency), field(tr("seriesStart"), start), intervalField]),
    weekdaysField,
    dayOfMonthField,
    element("div", { className: "field-row" }, [field(tr("seriesEnd"), endKind), untilField, countField]),
    submit,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields: SeriesFields = {
      title: titleInput.value.trim(),
      priority: prioritySelect.value as SeriesFields["priority"],
      rule: readRule(),
    };
    if (ownerKind.value === "position") fields.position_id = positionSelect.value;
    else fields.assignee_id = assigneeSelect.value;
    if (descriptionInput.value.trim()) fields.description = descriptionInput.value.trim();
    if (dueTime.value) fields.due_time = dueTime.value;
    const checklist = checklistInput.value.split("\n").map((line) => line.trim()).filter(Boolean);
    if (checklist.length) fields.checklist = checklist;
    const result = await withBusyButton(submit, () => createSeries(fields));
    if (!result || destroyed) return;
    showNotice(tr("seriesCreated", { title: result.series.title }));
    navigate(taskHash(result.task.id));
  });

  // --- List ---
  const list = element("ul", { className: "series-list", testId: "series-list" });
  const empty = element("p", { className: "muted", text: tr("seriesEmpty"), attributes: { hidden: true } });

  function renderSeries(series: SeriesRecord): HTMLElement {
    const stop = element("button", { testId: "series-stop", text: tr("seriesStop"), attributes: { type: "button" } });
    stop.hidden = series.status !== "active";
    stop.addEventListener("click", async () => {
      const result = await withBusyButton(stop, () => stopSeries(series.id));
      if (result && !destroyed) row.replaceWith(renderSeries(result.series));
    });
    const row = element("li", { className: "series-item", testId: "series-item", dataset: { id: series.id, status: series.status } }, [
      element("strong", { testId: "series-item-title", text: series.title }),
      " ",
      element("span", { className: "muted", testId: "series-item-rule", text: describeRule(series.rule) }),
      " ",
      element("span", { testId: "series-item-status", text: seriesStatusLabel(series.status) }),
      " ",
      series.current_task_id
        ? element("a", { text: tr("seriesCurrentTask"), attributes: { href: taskHash(series.current_task_id) } })
        : null,
      " ",
      stop,
    ]);
    return row;
  }

  async function load(): Promise<void> {
    const result = await runAction(() => Promise.all([listSeries(), listUsers(), listPositions()]));
    if (!result || destroyed) return;
    const [seriesResult, usersResult, positionsResult] = result;
    fillAssigneeSelect(assigneeSelect, usersResult.users, getCurrentUser()?.id ?? null, tr("taskChooseAssignee"));
    positionSelect.replaceChildren(
      option("", tr("seriesChoosePosition")),
      ...positionsResult.positions.map((position) => option(position.id, localized(position.name, position.name_en))),
    );
    list.replaceChildren(...seriesResult.series.map(renderSeries));
    empty.hidden = seriesResult.series.length > 0;
  }

  container.appendChild(
    element("div", { className: "tasks-subpage" }, [
      tasksSubnav("series"),
      element("section", { className: "card" }, [element("h2", { text: tr("seriesNew") }), form]),
      element("section", { className: "card" }, [element("h2", { text: tr("seriesListTitle") }), list, empty]),
    ]),
  );
  syncRuleFields();
  void load();

  return {
    destroy() {
      destroyed = true;
    },
  };
}
