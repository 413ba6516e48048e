// The error line of a kb form: the server's validation message, shown next to
// the form it concerns instead of only in the page's error bar.

import { ApiError } from "../../api";
import { element } from "../../dom";
import { errorMessage } from "../../feedback";

export interface FormError {
  node: HTMLElement;
  clear(): void;
  /** Shows the message of `error`; returns the field the server named, if any. */
  show(error: unknown): string | null;
}

export function createFormError(testId: string): FormError {
  const node = element("p", { className: "kb-form-error", testId, attributes: { role: "alert", hidden: true } });
  return {
    node,
    clear() {
      node.textContent = "";
      node.hidden = true;
      delete node.dataset.field;
    },
    show(error: unknown) {
      node.textContent = errorMessage(error);
      node.hidden = false;
      const field = error instanceof ApiError ? error.field : null;
      if (field) node.dataset.field = field;
      return field;
    },
  };
}

/** Runs a form action with `button` disabled, showing a failure in `formError`. */
export async function submitWith(button: HTMLButtonElement, formError: FormError, action: () => Promise<void>): Promise<void> {
  if (button.disabled) return;
  button.disabled = true;
  formError.clear();
  try {
    await action();
  } catch (error) {
    formError.show(error);
  } finally {
    button.disabled = false;
  }
}
