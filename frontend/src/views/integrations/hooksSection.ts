// Inbound webhooks: create one with an action and its template fields, see
// the URL and secret once, send a test payload and read the latest deliveries.

import { listChannels, listPositions, listUsers } from "../../api";
import { element, field, option } from "../../dom";
import { runInBackground, showNotice, withBusyButton } from "../../feedback";
import { localized } from "../../i18n";
import { taskHash } from "../../router";
import {
  createHook,
  deleteHook,
  listHookDeliveries,
  listHooks,
  testHook,
  type Hook,
  type HookAction,
  type HookDelivery,
} from "./integrationsApi";
import { FieldErrors, dateTime, secretBox, sectionCard, statusPill, submitWithErrors, table } from "./integrationsCommon";
import { ti, type IntegrationsKey } from "./integrationsText";

type Suggestions = "users" | "positions" | "channels";

interface TemplateField {
  name: string;
  label: IntegrationsKey;
  required: boolean;
  multiline?: boolean;
  /** The ids offered as the admin types; the field still takes any template. */
  suggestions?: Suggestions;
  placeholder?: string;
}

// The template fields of each action (chalicelib/integrations/hook_actions.py).
const ACTION_FIELDS: Record<HookAction, TemplateField[]> = {
  create_task: [
    { name: "title", label: "fieldTitle", required: true, placeholder: "{{ payload.sku }}" },
    { name: "description", label: "fieldDescription", required: false, multiline: true },
    { name: "assignee_user_id", label: "fieldAssigneeUserId", required: false, suggestions: "users" },
    { name: "position_id", label: "fieldPositionId", required: false, suggestions: "positions" },
    { name: "position_key", label: "fieldPositionKey", required: false },
    { name: "priority", label: "fieldPriority", required: false, placeholder: "high" },
    { name: "due", label: "fieldDue", required: false, placeholder: "2026-12-31" },
  ],
  post_message: [
    { name: "channel_id", label: "fieldChannelId", required: true, suggestions: "channels" },
    { name: "text", label: "fieldText", required: true, multiline: true },
  ],
  create_finance_request: [
    { name: "author_user_id", label: "fieldAuthorUserId", required: true, suggestions: "users" },
    { name: "amount", label: "fieldAmount", required: true, placeholder: "{{ payload.amount }}" },
    { name: "currency", label: "fieldCurrency", required: false, placeholder: "RUB" },
    { name: "category_id", label: "fieldCategoryId", required: true },
    { name: "counterparty", label: "fieldCounterparty", required: true },
    { name: "problem", label: "fieldProblem", required: true, multiline: true },
    { name: "solution", label: "fieldSolution", required: true, multiline: true },
    { name: "pay_by", label: "fieldPayBy", required: true },
    { name: "period", label: "fieldPeriod", required: true },
  ],
};

const ACTION_LABELS: Record<HookAction, IntegrationsKey> = {
  create_task: "actionCreateTask",
  post_message: "actionPostMessage",
  create_finance_request: "actionCreateFinanceRequest",
};

const STATUS_LABELS: Record<string, IntegrationsKey> = {
  processing: "hookStatusProcessing",
  succeeded: "hookStatusSucceeded",
  failed: "hookStatusFailed",
  error: "hookStatusError",
};

const SAMPLE_PAYLOAD = '{\n  "sku": "WB-123456",\n  "stock": 4\n}';
const DELIVERIES_SHOWN = 10;

/** Builds the datalists of ids the template fields suggest, filled in the background. */
function createSuggestionLists(isDestroyed: () => boolean): Record<Suggestions, HTMLDataListElement> {
  const lists: Record<Suggestions, HTMLDataListElement> = {
    users: element("datalist", { attributes: { id: "hook-suggest-users" } }),
    positions: element("datalist", { attributes: { id: "hook-suggest-positions" } }),
    channels: element("datalist", { attributes: { id: "hook-suggest-channels" } }),
  };
  // Suggestions only help typing, so a failed load leaves the lists empty.
  void runInBackground(() => Promise.all([listUsers(), listPositions(), listChannels()])).then((result) => {
    if (!result || isDestroyed()) return;
    const [users, positions, channels] = result;
    lists.users.replaceChildren(
      ...users.users.filter((user) => user.status === "active").map((user) => option(user.id, user.name)),
    );
    lists.positions.replaceChildren(
      ...positions.positions.map((position) => option(position.id, localized(position.name, position.name_en))),
    );
    lists.channels.replaceChildren(
      ...channels.channels.filter((channel) => !channel.archived).map((channel) => option(channel.id, channel.name)),
    );
  });
  return lists;
}

function resultText(delivery: HookDelivery): Node {
  if (delivery.error) {
    const parts = [delivery.error.message ?? delivery.error.code ?? ""];
    if (delivery.error.field) parts.push(`(${delivery.error.field})`);
    return element("span", { className: "integrations-error-text", text: parts.join(" ") });
  }
  const result = delivery.result ?? {};
  const taskId = typeof result.task_id === "string" ? result.task_id : null;
  if (taskId) return element("a", { testId: "hook-delivery-task", text: taskId, attributes: { href: taskHash(taskId) } });
  return document.createTextNode(Object.keys(result).length ? JSON.stringify(result) : "");
}

function renderDelivery(delivery: HookDelivery): HTMLElement {
  return element("tr", { testId: "hook-delivery", dataset: { status: delivery.status } }, [
    element("td", { text: dateTime(delivery.received_at) }),
    element("td", {}, [
      statusPill(delivery.status, ti(STATUS_LABELS[delivery.status] ?? "hookStatusError"), "hook-delivery-status"),
      delivery.test ? element("span", { className: "integrations-tag", text: ti("hookDeliveryTest") }) : null,
    ]),
    element("td", { className: "integrations-id", text: delivery.delivery_id }),
    element("td", { testId: "hook-delivery-result" }, [resultText(delivery)]),
  ]);
}

function renderHook(hook: Hook, isDestroyed: () => boolean, reloadHooks: () => Promise<void>): HTMLElement {
  const { table: deliveryTable, body: deliveryBody } = table("hook-deliveries", [
    ti("hookDeliveryReceived"),
    ti("status"),
    ti("hookDeliveryId"),
    ti("hookDeliveryResult"),
  ]);

  async function loadDeliveries(): Promise<void> {
    const result = await runInBackground(() => listHookDeliveries(hook.id, DELIVERIES_SHOWN));
    if (!result || isDestroyed()) return;
    deliveryBody.replaceChildren(
      ...(result.deliveries.length
        ? result.deliveries.map(renderDelivery)
        : [
            element("tr", { testId: "hook-deliveries-empty" }, [
              element("td", { className: "muted", text: ti("hookDeliveriesEmpty"), attributes: { colspan: 4 } }),
            ]),
          ]),
    );
  }

  const testErrors = new FieldErrors("hook-test");
  const payloadInput = element("textarea", {
    testId: "hook-test-payload",
    attributes: { rows: 5, spellcheck: "false", "aria-label": ti("hookTestPayload") },
  });
  payloadInput.value = SAMPLE_PAYLOAD;
  const sendButton = element("button", {
    testId: "hook-test-send",
    text: ti("hookTestSend"),
    attributes: { type: "submit" },
  });
  const testForm = element("form", { className: "integrations-form", testId: "hook-test-form", attributes: { novalidate: true } }, [
    element("h4", { text: ti("hookTestTitle") }),
    testErrors.formMessage,
    field(ti("hookTestPayload"), payloadInput),
    testErrors.register("payload", payloadInput, "hook-test-payload"),
    element("div", { className: "form-actions" }, [sendButton]),
  ]);
  testForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    let payload: unknown;
    try {
      payload = JSON.parse(payloadInput.value);
    } catch (error) {
      testErrors.showText("payload", ti("hookTestInvalidJson", { error: (error as Error).message }));
      return;
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      testErrors.showText("payload", ti("hookTestNotObject"));
      return;
    }
    const result = await submitWithErrors(sendButton, testErrors, () =>
      testHook(hook.id, payload as Record<string, unknown>),
    );
    if (isDestroyed()) return;
    if (result) showNotice(ti("hookTestSucceeded"));
    // A failed delivery is logged too, so the log reloads either way.
    await loadDeliveries();
  });

  const deleteButton = element("button", {
    className: "button-danger",
    testId: "hook-delete",
    text: ti("hookDelete"),
    attributes: { type: "button" },
  });
  deleteButton.addEventListener("click", async () => {
    if (!window.confirm(ti("hookDeleteConfirm", { name: hook.name }))) return;
    const result = await withBusyButton(deleteButton, async () => {
      await deleteHook(hook.id);
      return true;
    });
    if (!result || isDestroyed()) return;
    showNotice(ti("hookDeleted", { name: hook.name }));
    await reloadHooks();
  });

  void loadDeliveries();

  return element("article", { className: "integrations-item", testId: "hook-item", dataset: { id: hook.id, name: hook.name } }, [
    element("header", { className: "integrations-item-header" }, [
      element("h3", { text: hook.name }),
      element("span", { className: "muted", text: ti(ACTION_LABELS[hook.action] ?? "actionCreateTask") }),
      deleteButton,
    ]),
    element("p", {}, [
      element("span", { className: "field-caption", text: `${ti("hookUrl")}: ` }),
      element("code", { testId: "hook-url", text: hook.url }),
    ]),
    testForm,
    element("h4", { text: ti("hookDeliveriesTitle") }),
    deliveryTable,
  ]);
}

export function createHooksSection(isDestroyed: () => boolean): HTMLElement {
  const errors = new FieldErrors("hook-form");
  const suggestions = createSuggestionLists(isDestroyed);
  const nameInput = element("input", {
    testId: "hook-name",
    attributes: { type: "text", maxlength: 120, autocomplete: "off", required: true },
  });
  const actionSelect = element("select", { testId: "hook-action" });
  actionSelect.append(
    ...(Object.keys(ACTION_FIELDS) as HookAction[]).map((action) => option(action, ti(ACTION_LABELS[action]))),
  );
  const templateFields = element("fieldset", { className: "integrations-template", testId: "hook-template" });
  let templateControls = new Map<string, HTMLInputElement | HTMLTextAreaElement>();

  function renderTemplateFields(): void {
    const action = actionSelect.value as HookAction;
    errors.forget("template.");
    templateControls = new Map();
    const children: HTMLElement[] = [element("legend", { text: ti("hookTemplate") })];
    if (action === "create_task") children.push(element("p", { className: "muted", text: ti("templateAssigneeHint") }));
    for (const spec of ACTION_FIELDS[action]) {
      const attributes = {
        spellcheck: "false",
        placeholder: spec.placeholder ?? null,
        list: spec.suggestions ? `hook-suggest-${spec.suggestions}` : null,
      };
      const control = spec.multiline
        ? element("textarea", { testId: "hook-template-field", dataset: { field: spec.name }, attributes: { ...attributes, rows: 3 } })
        : element("input", {
            testId: "hook-template-field",
            dataset: { field: spec.name },
            attributes: { ...attributes, type: "text", autocomplete: "off" },
          });
      templateControls.set(spec.name, control);
      const caption = spec.required ? ti(spec.label) : `${ti(spec.label)} ${ti("templateOptional")}`;
      children.push(field(caption, control), errors.register(`template.${spec.name}`, control, "hook-template-field"));
    }
    templateFields.replaceChildren(...children);
  }
  actionSelect.addEventListener("change", renderTemplateFields);
  renderTemplateFields();

  const createButton = element("button", {
    className: "button-primary",
    testId: "hook-create",
    text: ti("hookCreate"),
    attributes: { type: "submit" },
  });
  const revealed = element("div", { testId: "hook-revealed-slot" });
  const form = element("form", { className: "integrations-form", attributes: { novalidate: true } }, [
    errors.formMessage,
    field(ti("hookName"), nameInput),
    errors.register("name", nameInput, "hook-name"),
    field(ti("hookAction"), actionSelect),
    errors.register("action", actionSelect, "hook-action"),
    templateFields,
    errors.register("template", templateFields, "hook-template"),
    element("div", { className: "form-actions" }, [createButton]),
    ...Object.values(suggestions),
  ]);
  const list = element("div", { className: "integrations-list", testId: "hook-list" });

  async function load(): Promise<void> {
    const result = await runInBackground(() => listHooks());
    if (!result || isDestroyed()) return;
    const hooks = [...result.hooks].sort((left, right) => right.created_at.localeCompare(left.created_at));
    list.replaceChildren(
      ...(hooks.length
        ? hooks.map((hook) => renderHook(hook, isDestroyed, load))
        : [element("p", { className: "muted", testId: "hook-empty", text: ti("hooksEmpty") })]),
    );
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const template: Record<string, string> = {};
    for (const [name, control] of templateControls) {
      // Empty optional fields are left out: the server rejects an empty template.
      if (control.value.trim()) template[name] = control.value;
    }
    const action = actionSelect.value as HookAction;
    const result = await submitWithErrors(createButton, errors, () => createHook(nameInput.value.trim(), action, template));
    if (!result || isDestroyed()) return;
    const hook = result.hook;
    form.reset();
    renderTemplateFields();
    showNotice(ti("hookCreated", { name: hook.name }));
    revealed.replaceChildren(
      secretBox("hook-revealed", ti("hookSecretShownOnce"), [
        { label: ti("hookUrl"), value: hook.url, testId: "hook-revealed-url" },
        { label: ti("hookSecret"), value: hook.secret ?? "", testId: "hook-secret" },
      ]),
    );
    await load();
  });

  void load();

  return sectionCard("integrations-hooks", ti("hooksTitle"), ti("hooksHint"), [revealed, form, list]);
}
