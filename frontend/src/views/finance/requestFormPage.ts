// The request form: a new request, or an edit of a draft or returned one.
// Saving keeps the request a draft; its page then shows who will approve it
// and the button that submits it.

import {
  ApiError,
  createFinanceRequest,
  fetchFinanceRequest,
  listFinanceCategories,
  listTasks,
  updateFinanceRequest,
  type FinanceRequestFields,
} from "../../api";
import { element, field, option } from "../../dom";
import { runAction, runInBackground, showNotice, withBusyButton } from "../../feedback";
import { localized, t } from "../../i18n";
import { financeRequestHash, navigate } from "../../router";
import type { FinanceCategory, FinanceRequestDetail, Task } from "../../types";
import type { View } from "../view";
import { categoryTree, CURRENCIES, currentMonth, indented, normalizeAmountInput } from "./financeCommon";

type FieldName = keyof FinanceRequestFields;

export function createRequestFormPage(container: HTMLElement, requestId: string | null): View {
  let destroyed = false;
  let original: FinanceRequestDetail | null = null;

  const amountInput = element("input", {
    testId: "finance-form-amount",
    attributes: { type: "text", inputmode: "decimal", autocomplete: "off", placeholder: "12500.50", required: true },
  });
  const currencySelect = element("select", { testId: "finance-form-currency" });
  currencySelect.append(...CURRENCIES.map((code) => option(code, code, code === "RUB")));
  const categorySelect = element("select", { testId: "finance-form-category", attributes: { required: true } });
  const counterpartyInput = element("input", {
    testId: "finance-form-counterparty",
    attributes: { type: "text", maxlength: 200, required: true },
  });
  const problemInput = element("textarea", {
    testId: "finance-form-problem",
    attributes: { rows: 3, maxlength: 4000, required: true, placeholder: t("financeProblemHint") },
  });
  const solutionInput = element("textarea", {
    testId: "finance-form-solution",
    attributes: { rows: 3, maxlength: 4000, required: true, placeholder: t("financeSolutionHint") },
  });
  const payByInput = element("input", { testId: "finance-form-pay-by", attributes: { type: "date", required: true } });
  const periodInput = element("input", {
    testId: "finance-form-period",
    attributes: { type: "month", required: true, value: currentMonth() },
  });
  const taskSelect = element("select", { testId: "finance-form-task" });
  taskSelect.append(option("", t("financeNoTask"), true));
  // Until the person picks a period, it follows the month of the payment date.
  let periodTouched = requestId !== null;
  periodInput.addEventListener("input", () => {
    periodTouched = true;
  });
  payByInput.addEventListener("change", () => {
    if (!periodTouched && payByInput.value) periodInput.value = payByInput.value.slice(0, 7);
  });

  const controls: Record<FieldName, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement> = {
    amount: amountInput,
    currency: currencySelect,
    category_id: categorySelect,
    counterparty: counterpartyInput,
    problem: problemInput,
    solution: solutionInput,
    pay_by: payByInput,
    period: periodInput,
    task_id: taskSelect,
  };

  const saveButton = element("button", {
    className: "button-primary",
    testId: "finance-form-save",
    text: t("financeSaveDraft"),
    attributes: { type: "submit" },
  });
  const cancelLink = element("a", {
    className: "button",
    testId: "finance-form-cancel",
    text: t("cancel"),
    attributes: { href: requestId ? financeRequestHash(requestId) : "#/finance" },
  });
  const form = element("form", { className: "finance-form", attributes: { novalidate: true, hidden: requestId !== null } }, [
    element("div", { className: "field-row" }, [
      field(t("financeAmount"), amountInput),
      field(t("financeCurrency"), currencySelect),
    ]),
    field(t("financeCategory"), categorySelect),
    field(t("financeCounterparty"), counterpartyInput),
    field(t("financeProblem"), problemInput),
    field(t("financeSolution"), solutionInput),
    element("div", { className: "field-row" }, [field(t("financePayBy"), payByInput), field(t("financePeriod"), periodInput)]),
    field(t("financeTask"), taskSelect),
    element("p", { className: "muted", text: t("financeDraftHint") }),
    element("div", { className: "form-actions" }, [saveButton, cancelLink]),
  ]);

  container.appendChild(
    element("section", { className: "card finance-form-section" }, [
      element("h1", { text: requestId ? t("financeEditTitle") : t("financeNewTitle") }),
      form,
    ]),
  );

  function formFields(): FinanceRequestFields {
    return {
      amount: normalizeAmountInput(amountInput.value),
      currency: currencySelect.value,
      category_id: categorySelect.value,
      counterparty: counterpartyInput.value.trim(),
      problem: problemInput.value.trim(),
      solution: solutionInput.value.trim(),
      pay_by: payByInput.value,
      period: periodInput.value,
      task_id: taskSelect.value || null,
    };
  }

  /** Collects the fields that differ from the saved request, because the history lists each by name. */
  function changedFields(fields: FinanceRequestFields, saved: FinanceRequestDetail): Partial<FinanceRequestFields> {
    const changes: Partial<FinanceRequestFields> = {};
    const current: Record<FieldName, string | null> = {
      amount: saved.amount,
      currency: saved.currency,
      category_id: saved.category_id,
      counterparty: saved.counterparty,
      problem: saved.problem,
      solution: saved.solution,
      pay_by: saved.pay_by,
      period: saved.period,
      task_id: saved.task_id,
    };
    for (const name of Object.keys(current) as FieldName[]) {
      const value = fields[name] ?? null;
      // "100" and "100.00" are one amount, so amounts compare as the server would store them.
      const same = name === "amount" ? sameAmount(String(value), saved.amount) : value === current[name];
      if (!same) (changes as Record<FieldName, string | null>)[name] = value;
    }
    return changes;
  }

  function markInvalid(fieldName: string | null): void {
    for (const [name, control] of Object.entries(controls)) {
      if (name === fieldName) {
        control.setAttribute("aria-invalid", "true");
        control.focus();
      } else {
        control.removeAttribute("aria-invalid");
      }
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = formFields();
    const result = await withBusyButton(saveButton, async () => {
      try {
        if (original) {
          const changes = changedFields(fields, original);
          if (Object.keys(changes).length === 0) return { request: original };
          return await updateFinanceRequest(original.id, changes);
        }
        const body = { ...fields };
        if (!body.task_id) delete body.task_id;
        return await createFinanceRequest(body);
      } catch (error) {
        markInvalid(error instanceof ApiError ? error.field : null);
        throw error;
      }
    });
    if (!result || destroyed) return;
    showNotice(t("financeDraftSaved"));
    navigate(financeRequestHash(result.request.id));
  });

  function fillCategories(categories: FinanceCategory[], selectedId: string | null): void {
    const options = categoryTree(categories).map(({ category, depth }) =>
      option(category.id, indented(localized(category.name, category.name_en), depth), category.id === selectedId),
    );
    if (selectedId === null) options.unshift(option("", t("financeChooseCategory"), true));
    categorySelect.replaceChildren(...options);
  }

  function fillTasks(tasks: Task[], selectedId: string | null): void {
    const unique = new Map(tasks.map((task) => [task.id, task]));
    const options = [...unique.values()].map((task) => option(task.id, task.title, task.id === selectedId));
    if (selectedId && !unique.has(selectedId)) options.unshift(option(selectedId, t("financeLinkedTask"), true));
    taskSelect.replaceChildren(option("", t("financeNoTask"), selectedId === null), ...options);
  }

  function fillForm(request: FinanceRequestDetail): void {
    amountInput.value = request.amount;
    currencySelect.value = request.currency;
    counterpartyInput.value = request.counterparty;
    problemInput.value = request.problem;
    solutionInput.value = request.solution;
    payByInput.value = request.pay_by;
    periodInput.value = request.period;
  }

  async function load(): Promise<void> {
    const result = await runAction(() =>
      Promise.all([listFinanceCategories(), requestId ? fetchFinanceRequest(requestId) : Promise.resolve(null)]),
    );
    if (!result || destroyed) return;
    const [categoriesResult, requestResult] = result;
    original = requestResult?.request ?? null;
    fillCategories(categoriesResult.categories, original?.category_id ?? null);
    fillTasks([], original?.task_id ?? null);
    if (original) fillForm(original);
    form.hidden = false;
    // The task link is optional, so the form works even when the tasks fail to load.
    const tasks = await runInBackground(() => Promise.all([listTasks("assignee"), listTasks("creator")]));
    if (!tasks || destroyed) return;
    fillTasks([...tasks[0].tasks, ...tasks[1].tasks], taskSelect.value || null);
  }

  void load();

  return {
    destroy() {
      destroyed = true;
    },
  };
}

function sameAmount(typed: string, saved: string): boolean {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(typed);
  if (!match) return false;
  const [, whole, fraction = ""] = match;
  return `${BigInt(whole)}.${fraction.padEnd(2, "0")}` === saved;
}
