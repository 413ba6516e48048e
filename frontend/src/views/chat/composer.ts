// The message input with a length counter, used under a channel and in a thread.

import { element } from "../../dom";
import { errorMessage, showError } from "../../feedback";
import { t } from "../../i18n";

/**
 * The backend's limit in Unicode code points (Python's len). The backend trims
 * surrounding whitespace before counting, so this count is never below its own.
 */
export const MAX_MESSAGE_LENGTH = 4000;

export function countCodePoints(text: string): number {
  return [...text].length;
}

export interface ComposerOptions {
  inputTestId: string;
  sendTestId: string;
  counterTestId: string;
  errorTestId: string;
  placeholder: string;
  /** Sends the text. If it rejects, the error shows under the input and the text stays. */
  onSend: (text: string) => Promise<void>;
}

export interface Composer {
  element: HTMLElement;
  focus(): void;
}

export function createComposer(options: ComposerOptions): Composer {
  const input = element("textarea", {
    className: "composer-input",
    testId: options.inputTestId,
    attributes: { rows: 2, placeholder: options.placeholder, "aria-label": options.placeholder },
  });
  const counter = element("span", { className: "char-counter", testId: options.counterTestId });
  const sendButton = element("button", {
    className: "button-primary composer-send",
    testId: options.sendTestId,
    text: t("send"),
    attributes: { type: "button" },
  });
  const errorLine = element("div", {
    className: "composer-error",
    testId: options.errorTestId,
    attributes: { role: "alert", hidden: true },
  });
  let sending = false;
  let showingLengthError = false;

  function setInlineError(message: string | null): void {
    errorLine.textContent = message ?? "";
    errorLine.hidden = message === null;
  }

  function refresh(): void {
    const length = countCodePoints(input.value);
    const overLimit = length > MAX_MESSAGE_LENGTH;
    counter.textContent = `${length} / ${MAX_MESSAGE_LENGTH}`;
    counter.classList.toggle("over-limit", overLimit);
    input.setAttribute("aria-invalid", String(overLimit));
    sendButton.disabled = sending || overLimit || input.value.trim() === "";
    if (overLimit) {
      setInlineError(t("tooLong", { count: length, max: MAX_MESSAGE_LENGTH }));
      showingLengthError = true;
    } else if (showingLengthError) {
      setInlineError(null);
      showingLengthError = false;
    }
  }

  async function send(): Promise<void> {
    const text = input.value;
    if (sending || text.trim() === "" || countCodePoints(text) > MAX_MESSAGE_LENGTH) return;
    sending = true;
    input.readOnly = true;
    setInlineError(null);
    showingLengthError = false;
    refresh();
    try {
      await options.onSend(text);
      input.value = "";
    } catch (error) {
      const message = errorMessage(error);
      setInlineError(message);
      showError(message);
    } finally {
      sending = false;
      input.readOnly = false;
      refresh();
      input.focus();
    }
  }

  input.addEventListener("input", refresh);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send();
    }
  });
  sendButton.addEventListener("click", () => void send());
  refresh();

  const composerElement = element("div", { className: "composer" }, [
    input,
    element("div", { className: "composer-bar" }, [counter, sendButton]),
    errorLine,
  ]);
  return { element: composerElement, focus: () => input.focus() };
}
