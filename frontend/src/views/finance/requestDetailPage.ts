// One payment request: its fields and amounts, the approval path with the
// current step, the history, and the actions the viewer may take now.

import { actOnFinanceRequest, fetchFinanceRequest, listFinanceCategories, type FinanceTransition } from "../../api";
import { element, field } from "../../dom";
import { runAction, runInBackground, showError, showNotice, withBusyButton } from "../../feedback";
import { formatDate, formatDateTime, t, type MessageKey } from "../../i18n";
import { financeEditHash, taskHash } from "../../router";
import { chatThreadHash } from "../chat/threadLink";
import { liveSocket } from "../../socket";
import type { FinanceCategory, FinanceRequestDetail } from "../../types";
import type { View } from "../view";
import { refreshApprovalBadge } from "./approvalBadge";
import { renderApprovalPath, renderHistory } from "./approvalPath";
import { createAttachmentsSection } from "./attachments";
import { categoryName, financeStatusPill, formatMoney, monthLabel, normalizeAmountInput } from "./financeCommon";

const DONE_NOTICES: Record<FinanceTransition, MessageKey> = {
  submit: "financeSubmitted",
  approve: "financeApproved",
  reject: "financeRejected",
  return: "financeReturned",
  withdraw: "financeWithdrawn",
  schedule: "financeScheduled",
  pay: "financePaymentRecorded",
};

// Several chat events of one change (a reply per member) cause one reload.
const LIVE_RELOAD_DELAY_MS = 300;

export function createRequestDetailPage(container: HTMLElement, requestId: string): View {
  let destroyed = false;
  let request: FinanceRequestDetail | null = null;
  let categories = new Map<string, FinanceCategory>();
  let liveReloadTimer: number | undefined;

  const title = element("h1", { className: "finance-request-title", testId: "finance-request-title" });
  const statusSlot = element("span");
  const reasonBox = element("p", { className: "finance-reason", testId: "finance-request-reason", attributes: { hidden: true } });
  const facts = element("dl", { className: "finance-facts", testId: "finance-request-facts" });
  const problemText = element("p", { className: "finance-text", testId: "finance-request-problem" });
  const solutionText = element("p", { className: "finance-text", testId: "finance-request-solution" });
  const pathHeading = element("h2");
  const pathNote = element("p", { className: "muted", testId: "finance-path-preview-note", attributes: { hidden: true } });
  const pathSlot = element("div");
  const historySlot = element("div");
  const attachments = createAttachmentsSection(requestId, () => reload());

  // --- Actions: built once, shown as the request allows, so typed text survives a reload ---
  const editLink = element("a", {
    className: "button",
    testId: "finance-action-edit",
    text: t("financeEdit"),
    attributes: { href: financeEditHash(requestId) },
  });
  const submitButton = actionButton("finance-action-submit", "financeSubmit", "button-primary");
  const withdrawButton = actionButton("finance-action-withdraw", "financeWithdraw");
  const authorActions = element("div", { className: "form-actions" }, [editLink, submitButton, withdrawButton]);

  const decisionInput = element("textarea", {
    testId: "finance-decision-comment",
    attributes: { rows: 3, maxlength: 2000, placeholder: t("financeDecisionHint") },
  });
  const rateInput = element("input", {
    testId: "finance-decision-rate",
    attributes: { type: "text", inputmode: "decimal", autocomplete: "off", placeholder: "92.45" },
  });
  const rateField = field("", rateInput);
  const approveButton = actionButton("finance-action-approve", "financeApprove", "button-primary");
  const returnButton = actionButton("finance-action-return", "financeReturn");
  const rejectButton = actionButton("finance-action-reject", "financeReject", "button-danger");
  const decisionActions = element("div", { className: "finance-decision" }, [
    field(t("financeDecisionComment"), decisionInput),
    rateField,
    element("div", { className: "form-actions" }, [approveButton, returnButton, rejectButton]),
  ]);

  const scheduleInput = element("input", { testId: "finance-schedule-date", attributes: { type: "date" } });
  const scheduleButton = actionButton("finance-action-schedule", "financeSchedule");
  const payInput = element("input", {
    testId: "finance-pay-amount",
    attributes: { type: "text", inputmode: "decimal", autocomplete: "off" },
  });
  const payButton = actionButton("finance-action-pay", "financePay", "button-primary");
  const scheduleRow = element("div", { className: "finance-inline-form" }, [field(t("financePayOn"), scheduleInput), scheduleButton]);
  const payRow = element("div", { className: "finance-inline-form" }, [field(t("financePayAmount"), payInput), payButton]);
  const financeActions = element("div", { className: "finance-payment-actions" }, [scheduleRow, payRow]);

  const actionsSection = element("section", { className: "finance-actions", testId: "finance-actions", attributes: { hidden: true } }, [
    element("h2", { text: t("financeActions") }),
    authorActions,
    decisionActions,
    financeActions,
  ]);

  const content = element("div", { className: "finance-detail", attributes: { hidden: true } }, [
    element("div", { className: "card" }, [
      element("div", { className: "task-heading" }, [title, statusSlot]),
      reasonBox,
      facts,
      element("h2", { text: t("financeProblem") }),
      problemText,
      element("h2", { text: t("financeSolution") }),
      solutionText,
      actionsSection,
    ]),
    element("div", { className: "finance-detail-side" }, [
      element("section", { className: "card", testId: "finance-path-section" }, [pathHeading, pathNote, pathSlot]),
      attachments.element,
      element("section", { className: "card" }, [element("h2", { text: t("financeHistory") }), historySlot]),
    ]),
  ]);
  container.appendChild(
    element("div", {}, [
      element("a", { className: "back-link", testId: "finance-back", text: t("financeBack"), attributes: { href: "#/finance" } }),
      content,
    ]),
  );

  function actionButton(testId: string, label: MessageKey, className = ""): HTMLButtonElement {
    return element("button", { className, testId, text: t(label), attributes: { type: "button" } });
  }

  function fact(caption: string, value: Node | string, testId?: string): HTMLElement[] {
    return [element("dt", { text: caption }), element("dd", { testId }, [value])];
  }

  function renderFacts(shown: FinanceRequestDetail): void {
    const items = [...fact(t("financeAmount"), formatMoney(shown.amount, shown.currency), "finance-request-amount")];
    if (shown.currency !== "RUB") {
      items.push(...fact(t("financeRate"), shown.rate ?? t("financeRateMissing"), "finance-request-rate"));
      if (shown.amount_rub) items.push(...fact(t("financeAmountRub"), formatMoney(shown.amount_rub, "RUB"), "finance-request-amount-rub"));
    }
    if (["approved", "scheduled", "partially_paid", "paid"].includes(shown.status)) {
      items.push(...fact(t("financePaid"), formatMoney(shown.paid, shown.currency), "finance-request-paid"));
      items.push(...fact(t("financeRemaining"), formatMoney(shown.remaining, shown.currency), "finance-request-remaining"));
    }
    items.push(
      ...fact(t("financeCategory"), categoryName(categories.get(shown.category_id), shown.category_id), "finance-request-category"),
      ...fact(t("financePeriod"), monthLabel(shown.period), "finance-request-period"),
      ...fact(t("financePayBy"), formatDate(shown.pay_by), "finance-request-pay-by"),
    );
    if (shown.pay_on) items.push(...fact(t("financePayOn"), formatDate(shown.pay_on), "finance-request-pay-on"));
    items.push(...fact(t("financeAuthor"), shown.author.name, "finance-request-author"));
    if (shown.task_id) {
      const taskLink = element("a", { testId: "finance-request-task", text: t("openTask"), attributes: { href: taskHash(shown.task_id) } });
      items.push(...fact(t("financeTask"), taskLink));
    }
    items.push(...fact(t("financeCreatedAt"), formatDateTime(shown.created_at)));
    if (shown.submitted_at) items.push(...fact(t("financeSubmittedAt"), formatDateTime(shown.submitted_at)));
    if (shown.approved_at) items.push(...fact(t("financeApprovedAt"), formatDateTime(shown.approved_at)));
    if (shown.paid_at) items.push(...fact(t("financePaidAt"), formatDateTime(shown.paid_at)));
    if (shown.thread) {
      const threadLink = element("a", {
        testId: "finance-request-thread",
        text: t("financeOpenThread"),
        attributes: { href: chatThreadHash(shown.thread.channel_id, shown.thread.thread_id) },
      });
      items.push(...fact(t("financeThread"), threadLink));
    }
    facts.replaceChildren(...items);
  }

  function renderActions(shown: FinanceRequestDetail, versionChanged: boolean): void {
    const allowed = new Set(shown.allowed_actions);
    editLink.hidden = !allowed.has("edit");
    submitButton.hidden = !allowed.has("submit");
    withdrawButton.hidden = !allowed.has("withdraw");
    authorActions.hidden = editLink.hidden && submitButton.hidden && withdrawButton.hidden;

    decisionActions.hidden = !allowed.has("approve");
    const needsRate = shown.currency !== "RUB";
    rateField.hidden = !needsRate;
    rateField.querySelector(".field-caption")!.textContent = t("financeRateCaption", { currency: shown.currency });

    scheduleRow.hidden = !allowed.has("schedule");
    payRow.hidden = !allowed.has("pay");
    financeActions.hidden = scheduleRow.hidden && payRow.hidden;
    if (versionChanged) {
      decisionInput.value = "";
      rateInput.value = "";
      scheduleInput.value = shown.pay_on ?? shown.pay_by;
      payInput.value = shown.remaining;
    }
    actionsSection.hidden = allowed.size === 0;
  }

  function showRequest(shown: FinanceRequestDetail): void {
    const versionChanged = request?.version !== shown.version;
    request = shown;
    title.textContent = shown.counterparty;
    statusSlot.replaceChildren(financeStatusPill(shown.status, "finance-request-status"));
    const showReason = Boolean(shown.reason) && (shown.status === "returned" || shown.status === "rejected");
    reasonBox.hidden = !showReason;
    reasonBox.textContent = showReason ? t("financeReasonValue", { reason: shown.reason ?? "" }) : "";
    renderFacts(shown);
    problemText.textContent = shown.problem;
    solutionText.textContent = shown.solution;
    pathHeading.textContent = shown.path_preview ? t("financePathPreview") : t("financePath");
    pathNote.hidden = !shown.path_preview;
    pathNote.textContent = t("financePathPreviewNote");
    pathSlot.replaceChildren(renderApprovalPath(shown.path, shown.currency));
    historySlot.replaceChildren(renderHistory(shown.history, shown.currency));
    renderActions(shown, versionChanged);
    attachments.render(shown);
    content.hidden = false;
  }

  /** Reads the request again after someone else changed it; keeps an error the viewer is reading. */
  async function reload(): Promise<void> {
    const result = await runInBackground(() => fetchFinanceRequest(requestId));
    if (result && !destroyed) showRequest(result.request);
  }

  async function act(button: HTMLButtonElement, action: FinanceTransition, body: Record<string, string> = {}): Promise<void> {
    const result = await withBusyButton(button, async () => {
      await actOnFinanceRequest(requestId, action, body);
      // The chat thread is only in a GET, so read the request again.
      return fetchFinanceRequest(requestId);
    });
    if (!result || destroyed) return;
    showRequest(result.request);
    showNotice(t(DONE_NOTICES[action]));
    void refreshApprovalBadge();
  }

  function requireReason(): string | null {
    const reason = decisionInput.value.trim();
    if (reason) return reason;
    showError(t("financeReasonRequired"));
    decisionInput.setAttribute("aria-invalid", "true");
    decisionInput.focus();
    return null;
  }

  submitButton.addEventListener("click", () => void act(submitButton, "submit"));
  withdrawButton.addEventListener("click", () => void act(withdrawButton, "withdraw"));
  approveButton.addEventListener("click", () => {
    const body: Record<string, string> = {};
    const comment = decisionInput.value.trim();
    if (comment) body.comment = comment;
    if (request && request.currency !== "RUB") body.rate = normalizeAmountInput(rateInput.value);
    void act(approveButton, "approve", body);
  });
  for (const [button, action] of [
    [returnButton, "return"],
    [rejectButton, "reject"],
  ] as const) {
    button.addEventListener("click", () => {
      const reason = requireReason();
      if (reason) void act(button, action, { reason });
    });
  }
  decisionInput.addEventListener("input", () => decisionInput.removeAttribute("aria-invalid"));
  scheduleButton.addEventListener("click", () => void act(scheduleButton, "schedule", { pay_on: scheduleInput.value }));
  payButton.addEventListener("click", () => void act(payButton, "pay", { amount: normalizeAmountInput(payInput.value) }));

  // Another person's action on this request arrives as a chat message linking here.
  const unsubscribe = liveSocket.onEvent((event) => {
    if (event.type !== "message.created" || event.message.link !== `#/finance/requests/${requestId}`) return;
    window.clearTimeout(liveReloadTimer);
    liveReloadTimer = window.setTimeout(() => void reload(), LIVE_RELOAD_DELAY_MS);
  });

  async function load(): Promise<void> {
    const result = await runAction(() => Promise.all([listFinanceCategories(), fetchFinanceRequest(requestId)]));
    if (!result || destroyed) return;
    categories = new Map(result[0].categories.map((category) => [category.id, category]));
    showRequest(result[1].request);
  }

  void load();

  return {
    destroy() {
      destroyed = true;
      unsubscribe();
      window.clearTimeout(liveReloadTimer);
    },
  };
}
