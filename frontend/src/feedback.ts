// The page-wide error banner and success notice shown under the header.

import { ApiError } from "./api";
import { element } from "./dom";
import { t } from "./i18n";

// The test id sits on the text, not the whole banner, so the banner's text is
// exactly the server's message without the close button's "×".
const errorText = element("span", { className: "banner-text", testId: "error-banner" });
const errorCloseButton = element("button", {
  className: "banner-close",
  text: "×",
  attributes: { type: "button" },
  on: { click: () => clearError() },
});
const errorBanner = element(
  "div",
  { className: "banner banner-error", attributes: { role: "alert", hidden: true } },
  [errorText, errorCloseButton],
);

const noticeText = element("span", { className: "banner-text" });
const noticeBanner = element(
  "div",
  { className: "banner banner-notice", testId: "notice-banner", attributes: { role: "status", hidden: true } },
  [noticeText],
);

let noticeTimer: number | undefined;

/** Returns the banners, which the app shell places on the page once. */
export function feedbackElements(): HTMLElement[] {
  return [errorBanner, noticeBanner];
}

export function showError(message: string): void {
  errorText.textContent = message;
  errorCloseButton.setAttribute("aria-label", t("close"));
  errorBanner.hidden = false;
}

export function clearError(): void {
  errorText.textContent = "";
  errorBanner.hidden = true;
}

export function showNotice(message: string): void {
  noticeText.textContent = message;
  noticeBanner.hidden = false;
  window.clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => {
    noticeBanner.hidden = true;
  }, 6000);
}

export function clearNotice(): void {
  window.clearTimeout(noticeTimer);
  noticeBanner.hidden = true;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError || error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs a user action: clears the old error, shows the new one if it fails.
 * Returns the action's result, or undefined when it failed.
 */
export async function runAction<Result>(action: () => Promise<Result>): Promise<Result | undefined> {
  clearError();
  return runInBackground(action);
}

/**
 * Runs background work such as a catch-up after a reconnect: shows an error
 * if it fails but, unlike runAction, leaves an error the user is reading.
 */
export async function runInBackground<Result>(action: () => Promise<Result>): Promise<Result | undefined> {
  try {
    return await action();
  } catch (error) {
    showError(errorMessage(error));
    return undefined;
  }
}

/**
 * Disables `button` while `action` runs, so a double click sends one request.
 */
export async function withBusyButton<Result>(
  button: HTMLButtonElement,
  action: () => Promise<Result>,
): Promise<Result | undefined> {
  if (button.disabled) return undefined;
  button.disabled = true;
  try {
    return await runAction(action);
  } finally {
    button.disabled = false;
  }
}
