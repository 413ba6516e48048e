// Pieces shared by the sections of the integrations page: errors shown next
// to the field the API names, the box that shows a secret once, and status
// labels.

import { ApiError } from "../../api";
import { element } from "../../dom";
import { errorMessage } from "../../feedback";
import { formatDateTime } from "../../i18n";
import { ti } from "./integrationsText";

/**
 * Shows a failed request's message next to the control of the field it names
 * (`{"error": {"field": "template.title"}}`), or at the top of the form when
 * it names no field the form has.
 */
export class FieldErrors {
  private readonly fields = new Map<string, { control: HTMLElement; message: HTMLElement }>();
  readonly formMessage: HTMLElement;

  constructor(testIdPrefix: string) {
    this.formMessage = element("p", {
      className: "integrations-error",
      testId: `${testIdPrefix}-error`,
      attributes: { role: "alert", hidden: true },
    });
  }

  /** Returns the element that shows the errors of `name`; place it right after the control. */
  register(name: string, control: HTMLElement, testIdPrefix: string): HTMLElement {
    const message = element("p", {
      className: "integrations-error",
      testId: `${testIdPrefix}-error`,
      dataset: { field: name },
      attributes: { role: "alert", hidden: true },
    });
    this.fields.set(name, { control, message });
    return message;
  }

  /** Drops the fields whose names start with `prefix`, for controls that were replaced. */
  forget(prefix: string): void {
    for (const name of [...this.fields.keys()]) {
      if (name.startsWith(prefix)) this.fields.delete(name);
    }
  }

  clear(): void {
    this.formMessage.hidden = true;
    this.formMessage.textContent = "";
    for (const { control, message } of this.fields.values()) {
      control.removeAttribute("aria-invalid");
      message.hidden = true;
      message.textContent = "";
    }
  }

  /** Shows `text` next to `name`, or at the top of the form when `name` is not registered. */
  showText(name: string | null, text: string): void {
    this.clear();
    const target = name ? this.findField(name) : undefined;
    if (!target) {
      this.formMessage.textContent = text;
      this.formMessage.hidden = false;
      return;
    }
    target.message.textContent = text;
    target.message.hidden = false;
    target.control.setAttribute("aria-invalid", "true");
    target.control.focus();
  }

  show(error: unknown): void {
    this.showText(error instanceof ApiError ? error.field : null, errorMessage(error));
  }

  /**
   * Finds the registered field for an error's field path. Pydantic names a
   * list item with its index ("events.1"), so trailing segments are dropped
   * until a registered name matches.
   */
  private findField(path: string) {
    const parts = path.split(".");
    while (parts.length > 0) {
      const found = this.fields.get(parts.join("."));
      if (found) return found;
      parts.pop();
    }
    return undefined;
  }
}

/**
 * Runs `action` with `button` disabled and returns its result; on failure
 * shows the error next to its field and returns undefined.
 */
export async function submitWithErrors<Result>(
  button: HTMLButtonElement,
  errors: FieldErrors,
  action: () => Promise<Result>,
): Promise<Result | undefined> {
  if (button.disabled) return undefined;
  button.disabled = true;
  errors.clear();
  try {
    return await action();
  } catch (error) {
    errors.show(error);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/**
 * Builds the box that shows a secret once: the warning, the value in a
 * read-only field and a copy button.
 */
export function secretBox(testId: string, warning: string, rows: { label: string; value: string; testId: string }[]): HTMLElement {
  return element("div", { className: "integrations-secret", testId, attributes: { role: "status" } }, [
    element("p", { className: "integrations-secret-warning", text: warning }),
    ...rows.map((row) => copyableValue(row.label, row.value, row.testId)),
  ]);
}

function copyableValue(label: string, value: string, testId: string): HTMLElement {
  const input = element("input", {
    className: "integrations-secret-value",
    testId,
    attributes: { type: "text", readonly: true, value, "aria-label": label, spellcheck: "false" },
  });
  input.addEventListener("focus", () => input.select());
  const status = element("span", { className: "muted", attributes: { "aria-live": "polite" } });
  const copyButton = element("button", {
    testId: `${testId}-copy`,
    text: ti("copy"),
    attributes: { type: "button" },
  });
  copyButton.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value);
      status.textContent = ti("copied");
    } catch {
      // The clipboard API needs a secure context (https or localhost) and
      // the browser's permission; the value stays selected for copying by hand.
      input.select();
      status.textContent = ti("copyFailed");
    }
  });
  return element("div", { className: "integrations-secret-row" }, [
    element("span", { className: "field-caption", text: label }),
    input,
    copyButton,
    status,
  ]);
}

export function sectionCard(testId: string, title: string, hint: string, children: HTMLElement[]): HTMLElement {
  return element("section", { className: "card integrations-section", testId }, [
    element("h2", { text: title }),
    element("p", { className: "muted", text: hint }),
    ...children,
  ]);
}

export function statusPill(status: string, text: string, testId: string): HTMLElement {
  return element("span", {
    className: `status-pill integrations-status integrations-status-${status}`,
    testId,
    text,
    dataset: { status },
  });
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? formatDateTime(iso) : ti("never");
}

/** Builds a table with a header row; the caller fills the returned body. */
export function table(testId: string, headings: string[]): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const body = element("tbody", { testId });
  const node = element("table", { className: "integrations-table" }, [
    element("thead", {}, [element("tr", {}, headings.map((heading) => element("th", { text: heading })))]),
    body,
  ]);
  return { table: node, body };
}

export function emptyRow(columns: number, text: string, testId: string): HTMLTableRowElement {
  return element("tr", { testId }, [element("td", { className: "muted", text, attributes: { colspan: columns } })]);
}
