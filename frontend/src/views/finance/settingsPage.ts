// Approval settings for admins: the amount up to which only the direct
// manager approves, the final approvers with their thresholds, who counts as
// finance, and each category's monthly limit.

import {
  fetchFinanceSettings,
  listFinanceCategories,
  listPositions,
  saveFinanceSettings,
  updateFinanceCategory,
} from "../../api";
import { element, field, option } from "../../dom";
import { runAction, showNotice, withBusyButton } from "../../feedback";
import { localized, t } from "../../i18n";
import type { FinalApproverSetting, FinanceCategory, FinanceSettings, Position } from "../../types";
import type { View } from "../view";
import { categoryTree, indented, normalizeAmountInput } from "./financeCommon";

// The backend accepts at most this many final approvers.
const MAX_FINAL_APPROVERS = 10;

interface ApproverRow {
  element: HTMLElement;
  read(): FinalApproverSetting;
}

export function createSettingsPage(container: HTMLElement): View {
  let destroyed = false;
  let positions: Position[] = [];
  let approverRows: ApproverRow[] = [];

  const thresholdInput = element("input", {
    testId: "finance-settings-threshold",
    attributes: { type: "text", inputmode: "decimal", autocomplete: "off" },
  });
  const approverList = element("ol", { className: "finance-settings-approvers", testId: "finance-settings-approvers" });
  const addApproverButton = element("button", {
    testId: "finance-settings-add-approver",
    text: t("financeSettingsAddApprover"),
    attributes: { type: "button" },
  });
  const financePositions = element("div", { className: "finance-settings-positions", testId: "finance-settings-positions" });
  const saveButton = element("button", {
    className: "button-primary",
    testId: "finance-settings-save",
    text: t("financeSettingsSave"),
    attributes: { type: "submit" },
  });
  const form = element("form", { className: "finance-form", attributes: { novalidate: true, hidden: true } }, [
    field(t("financeSettingsThreshold"), thresholdInput),
    element("p", { className: "muted", text: t("financeSettingsThresholdHint") }),
    element("h2", { text: t("financeSettingsApprovers") }),
    element("p", { className: "muted", text: t("financeSettingsApproversHint") }),
    approverList,
    addApproverButton,
    element("h2", { text: t("financeSettingsFinance") }),
    element("p", { className: "muted", text: t("financeSettingsFinanceHint") }),
    financePositions,
    element("div", { className: "form-actions" }, [saveButton]),
  ]);
  const limitsBody = element("tbody", { testId: "finance-limits" });

  container.appendChild(
    element("div", { className: "finance-plan" }, [
      element("section", { className: "card finance-form-section" }, [element("h1", { text: t("financeSettingsTitle") }), form]),
      element("section", { className: "card" }, [
        element("h2", { text: t("financeLimitsTitle") }),
        element("p", { className: "muted", text: t("financeLimitsHint") }),
        element("table", { className: "finance-table" }, [
          element("thead", {}, [
            element("tr", {}, [
              element("th", { text: t("financeCategory") }),
              element("th", { text: t("financeMonthlyLimit") }),
              element("th"),
            ]),
          ]),
          limitsBody,
        ]),
      ]),
    ]),
  );

  function positionLabel(position: Position): string {
    return localized(position.name, position.name_en);
  }

  function createApproverRow(setting: FinalApproverSetting): ApproverRow {
    const kindSelect = element("select", { testId: "finance-settings-approver-kind", attributes: { "aria-label": t("financeSettingsKind") } });
    kindSelect.append(
      option("position", t("financeSettingsKindPosition"), setting.kind === "position"),
      option("owner", t("financeSettingsKindOwner"), setting.kind === "owner"),
    );
    const positionSelect = element("select", {
      testId: "finance-settings-approver-position",
      attributes: { "aria-label": t("financeSettingsPosition") },
    });
    positionSelect.append(
      ...positions.map((position) => option(position.id, positionLabel(position), position.id === setting.position_id)),
    );
    const aboveInput = element("input", {
      testId: "finance-settings-approver-above",
      attributes: { type: "text", inputmode: "decimal", autocomplete: "off", value: setting.above },
    });
    const removeButton = element("button", {
      className: "link-button",
      testId: "finance-settings-remove-approver",
      text: t("financeSettingsRemove"),
      attributes: { type: "button" },
    });
    const syncKind = () => {
      positionSelect.hidden = kindSelect.value !== "position";
    };
    kindSelect.addEventListener("change", syncKind);
    syncKind();
    const row: ApproverRow = {
      element: element("li", { className: "finance-settings-approver", testId: "finance-settings-approver" }, [
        kindSelect,
        positionSelect,
        field(t("financeSettingsAbove"), aboveInput),
        removeButton,
      ]),
      read: () => ({
        kind: kindSelect.value as FinalApproverSetting["kind"],
        position_id: kindSelect.value === "position" ? positionSelect.value : null,
        above: normalizeAmountInput(aboveInput.value),
      }),
    };
    removeButton.addEventListener("click", () => {
      approverRows = approverRows.filter((other) => other !== row);
      renderApprovers();
    });
    return row;
  }

  function renderApprovers(): void {
    approverList.replaceChildren(...approverRows.map((row) => row.element));
    addApproverButton.disabled = approverRows.length >= MAX_FINAL_APPROVERS;
  }

  addApproverButton.addEventListener("click", () => {
    approverRows.push(createApproverRow({ kind: "position", position_id: positions[0]?.id ?? null, above: "0.00" }));
    renderApprovers();
  });

  function renderSettings(settings: FinanceSettings): void {
    thresholdInput.value = settings.direct_manager_only_up_to;
    approverRows = settings.final_approvers.map(createApproverRow);
    renderApprovers();
    const selected = new Set(settings.finance_position_ids);
    financePositions.replaceChildren(
      ...positions.map((position) => {
        const checkbox = element("input", {
          testId: "finance-settings-finance-position",
          dataset: { id: position.id },
          attributes: { type: "checkbox", value: position.id, checked: selected.has(position.id) },
        });
        return element("label", { className: "checkbox-field" }, [checkbox, positionLabel(position)]);
      }),
    );
    form.hidden = false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const checked = [...financePositions.querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked")];
    const settings: FinanceSettings = {
      direct_manager_only_up_to: normalizeAmountInput(thresholdInput.value),
      final_approvers: approverRows.map((row) => row.read()),
      finance_position_ids: checked.map((checkbox) => checkbox.value),
    };
    const result = await withBusyButton(saveButton, () => saveFinanceSettings(settings));
    if (!result || destroyed) return;
    renderSettings(result.settings);
    showNotice(t("financeSettingsSaved"));
  });

  function renderLimitRow(category: FinanceCategory, depth: number): HTMLElement {
    const input = element("input", {
      testId: "finance-limit-input",
      dataset: { id: category.id },
      attributes: {
        type: "text",
        inputmode: "decimal",
        autocomplete: "off",
        value: category.monthly_limit ?? "",
        placeholder: t("financeNoLimit"),
        "aria-label": t("financeMonthlyLimit"),
      },
    });
    const saveLimitButton = element("button", {
      testId: "finance-limit-save",
      dataset: { id: category.id },
      text: t("financeSave"),
      attributes: { type: "button" },
    });
    saveLimitButton.addEventListener("click", async () => {
      const typed = input.value.trim();
      const limit = typed ? normalizeAmountInput(typed) : null;
      const result = await withBusyButton(saveLimitButton, () => updateFinanceCategory(category.id, { monthly_limit: limit }));
      if (!result || destroyed) return;
      input.value = result.category.monthly_limit ?? "";
      showNotice(t("financeLimitSaved", { category: localized(result.category.name, result.category.name_en) }));
    });
    return element("tr", { testId: "finance-limit-row", dataset: { id: category.id } }, [
      element("td", { text: indented(localized(category.name, category.name_en), depth) }),
      element("td", {}, [input]),
      element("td", {}, [saveLimitButton]),
    ]);
  }

  async function load(): Promise<void> {
    const result = await runAction(() => Promise.all([listPositions(), fetchFinanceSettings(), listFinanceCategories()]));
    if (!result || destroyed) return;
    const [positionsResult, settingsResult, categoriesResult] = result;
    positions = [...positionsResult.positions].sort((left, right) => positionLabel(left).localeCompare(positionLabel(right)));
    renderSettings(settingsResult.settings);
    limitsBody.replaceChildren(
      ...categoryTree(categoriesResult.categories).map(({ category, depth }) => renderLimitRow(category, depth)),
    );
  }

  void load();

  return {
    destroy() {
      destroyed = true;
    },
  };
}
