// The approval path of a request, step by step, and its history of changes.

import { element } from "../../dom";
import { formatDate, formatDateTime, t, type MessageKey } from "../../i18n";
import type { FinanceHistoryEntry, FinancePathStep } from "../../types";
import { financeStatusLabel, formatMoney } from "./financeCommon";

const STEP_STATUS_LABELS: Record<FinancePathStep["status"], MessageKey> = {
  pending: "financeStepPending",
  current: "financeStepCurrent",
  approved: "financeStepApproved",
  skipped: "financeStepSkipped",
};

const ACTION_LABELS: Record<string, MessageKey> = {
  created: "financeActionCreated",
  edited: "financeActionEdited",
  submitted: "financeActionSubmitted",
  approved: "financeActionApproved",
  rejected: "financeActionRejected",
  returned: "financeActionReturned",
  withdrawn: "financeActionWithdrawn",
  scheduled: "financeActionScheduled",
  paid: "financeActionPaid",
  attached: "financeActionAttached",
  detached: "financeActionDetached",
};

const FIELD_LABELS: Record<string, MessageKey> = {
  amount: "financeAmount",
  currency: "financeCurrency",
  category_id: "financeCategory",
  counterparty: "financeCounterparty",
  problem: "financeProblem",
  solution: "financeSolution",
  pay_by: "financePayBy",
  period: "financePeriod",
  task_id: "financeTask",
};

export function stepTitle(step: FinancePathStep): string {
  if (step.kind === "owner") return t("financeStepOwner");
  return step.position_name ?? t("unknownUser");
}

function stepPeople(step: FinancePathStep): string {
  if (step.status === "approved") return step.acted_by_name ?? t("unknownUser");
  if (step.note === "vacant") return t("financeStepVacant");
  if (step.note === "author") return t("financeStepAuthor");
  if (step.approvers.length === 0) return t("financeStepVacant");
  return step.approvers.map((person) => person.name).join(", ");
}

/** Renders the path as an ordered list; the step the request waits on has aria-current="step". */
export function renderApprovalPath(path: FinancePathStep[], currency: string): HTMLElement {
  if (path.length === 0) {
    return element("p", { className: "muted", testId: "finance-path-empty", text: t("financePathEmpty") });
  }
  return element(
    "ol",
    { className: "finance-path", testId: "finance-path" },
    path.map((step) => {
      const details: (HTMLElement | null)[] = [
        element("span", { className: "finance-step-people", testId: "finance-step-people", text: stepPeople(step) }),
      ];
      if (step.acted_at) {
        details.push(element("time", { className: "muted", text: formatDateTime(step.acted_at), attributes: { datetime: step.acted_at } }));
      }
      if (step.rate) {
        details.push(element("span", { className: "muted", text: t("financeRateValue", { rate: step.rate, currency }) }));
      }
      const item = element(
        "li",
        {
          className: `finance-step finance-step-${step.status}`,
          testId: "finance-path-step",
          dataset: { status: step.status, index: String(step.index) },
          attributes: { "aria-current": step.status === "current" ? "step" : null },
        },
        [
          element("div", { className: "finance-step-heading" }, [
            element("span", { className: "finance-step-title", testId: "finance-step-title", text: stepTitle(step) }),
            element("span", {
              className: `finance-step-status finance-step-status-${step.status}`,
              testId: "finance-step-status",
              text: t(STEP_STATUS_LABELS[step.status]),
            }),
          ]),
          element("div", { className: "finance-step-details" }, details),
          step.comment ? element("p", { className: "finance-step-comment", testId: "finance-step-comment", text: step.comment }) : null,
        ],
      );
      return item;
    }),
  );
}

function historyDetails(entry: FinanceHistoryEntry, currency: string): string[] {
  const details: string[] = [];
  if (entry.from_status && entry.from_status !== entry.to_status) {
    details.push(`${financeStatusLabel(entry.from_status)} → ${financeStatusLabel(entry.to_status)}`);
  }
  if (entry.amount) details.push(t("financeHistoryPaidAmount", { amount: formatMoney(entry.amount, currency) }));
  if (entry.pay_on) details.push(t("financeHistoryPayOn", { date: formatDate(entry.pay_on) }));
  if (entry.rate) details.push(t("financeRateValue", { rate: entry.rate, currency }));
  if (entry.changed_fields) {
    const names = entry.changed_fields.map((name) => (FIELD_LABELS[name] ? t(FIELD_LABELS[name]) : name));
    details.push(t("financeHistoryChanged", { fields: names.join(", ") }));
  }
  return details;
}

/** Renders the history oldest first: who, when, what they did, and their comment or reason. */
export function renderHistory(history: FinanceHistoryEntry[], currency: string): HTMLElement {
  return element(
    "ol",
    { className: "finance-history", testId: "finance-history" },
    history.map((entry) => {
      const note = entry.reason ?? entry.comment;
      return element("li", { className: "finance-history-entry", testId: "finance-history-entry", dataset: { action: entry.action } }, [
        element("div", { className: "finance-history-heading" }, [
          element("time", {
            className: "muted",
            testId: "finance-history-time",
            text: formatDateTime(entry.created_at),
            attributes: { datetime: entry.created_at },
          }),
          element("span", { className: "finance-history-actor", testId: "finance-history-actor", text: entry.actor.name }),
          element("span", {
            className: "finance-history-action",
            testId: "finance-history-action",
            text: ACTION_LABELS[entry.action] ? t(ACTION_LABELS[entry.action]) : entry.action,
          }),
        ]),
        ...historyDetails(entry, currency).map((text) => element("div", { className: "muted", text })),
        note
          ? element("p", {
              className: "finance-history-note",
              testId: "finance-history-note",
              text: entry.reason ? t("financeReasonValue", { reason: entry.reason }) : note,
            })
          : null,
      ]);
    }),
  );
}
