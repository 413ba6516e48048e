// The message input with a length counter, used under a channel and in a thread.
// Both take files and offer @mentions of the channel's members.

import { element } from "../../dom";
import { errorMessage, showError } from "../../feedback";
import { t } from "../../i18n";
import { createComposerFiles, type ComposerFiles } from "./composerFiles";
import { ft } from "./fileTexts";
import { attachMentionAutocomplete, type MentionAutocomplete, type MentionCandidate } from "./mentionAutocomplete";

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
  /**
   * Sends the text and the ids of the uploaded files. If it rejects, the error
   * shows under the input and the text and files stay.
   */
  onSend: (text: string, attachmentIds: string[]) => Promise<void>;
  /** Set to let the composer upload files to this channel. */
  filesChannelId?: string;
  /** Begins the test ids of the file parts; "composer" unless set. */
  filesTestIdPrefix?: string;
  /** Set to offer @mentions of these people. */
  mentionCandidates?: () => MentionCandidate[];
}

export interface Composer {
  element: HTMLElement;
  focus(): void;
  /** Lets files be dropped onto ``target`` too; does nothing without files. */
  acceptDrops(target: HTMLElement): void;
  /** Filters an open mention list again after the candidates changed. */
  refreshMentions(): void;
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
  let showingUploadsError = false;
  const files: ComposerFiles | null = options.filesChannelId ? createComposerFiles(options.filesChannelId, () => refresh(), options.filesTestIdPrefix) : null;
  const mentions: MentionAutocomplete | null = options.mentionCandidates
    ? attachMentionAutocomplete(input, options.mentionCandidates)
    : null;

  /** Tells whether there is something to send: text, or at least one uploaded file. */
  function hasContent(): boolean {
    return input.value.trim() !== "" || (files?.readyIds().length ?? 0) > 0;
  }

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
    sendButton.disabled = sending || overLimit || !hasContent() || (files?.uploading() ?? false);
    if (overLimit) {
      setInlineError(t("tooLong", { count: length, max: MAX_MESSAGE_LENGTH }));
      showingLengthError = true;
    } else if (showingLengthError) {
      setInlineError(null);
      showingLengthError = false;
    }
    if (showingUploadsError && !files?.uploading()) {
      setInlineError(null);
      showingUploadsError = false;
    }
  }

  async function send(): Promise<void> {
    const text = input.value;
    if (sending || !hasContent() || countCodePoints(text) > MAX_MESSAGE_LENGTH) return;
    if (files?.uploading()) {
      setInlineError(ft("uploadsPending"));
      showingUploadsError = true;
      return;
    }
    sending = true;
    input.readOnly = true;
    setInlineError(null);
    showingLengthError = false;
    refresh();
    try {
      await options.onSend(text, files?.readyIds() ?? []);
      input.value = "";
      files?.clear();
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
    if (mentions?.handleKeydown(event)) return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send();
    }
  });
  sendButton.addEventListener("click", () => void send());
  refresh();

  const composerElement = element("div", { className: "composer", testId: `${options.inputTestId}-area` }, [
    mentions?.element ?? null,
    files?.list ?? null,
    input,
    element("div", { className: "composer-bar" }, [files?.button ?? null, counter, sendButton]),
    errorLine,
  ]);
  // A paste of copied files (a screenshot) attaches them like a drop.
  input.addEventListener("paste", (event) => {
    const pasted = [...(event.clipboardData?.files ?? [])];
    if (!files || pasted.length === 0) return;
    event.preventDefault();
    files.addFiles(pasted);
  });
  return {
    element: composerElement,
    focus: () => input.focus(),
    acceptDrops: (target) => files?.acceptDrops(target),
    refreshMentions: () => mentions?.refresh(),
  };
}
