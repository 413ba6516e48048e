// The sign-in screen.

import { login } from "../api";
import { element, field } from "../dom";
import { withBusyButton } from "../feedback";
import { t } from "../i18n";
import { saveSession } from "../session";
import type { User } from "../types";
import type { View } from "./view";

export function createLoginView(
  container: HTMLElement,
  onSignedIn: (token: string, user: User) => void,
): View {
  const emailInput = element("input", {
    testId: "login-email",
    attributes: { type: "email", name: "email", autocomplete: "username", required: true },
  });
  const passwordInput = element("input", {
    testId: "login-password",
    attributes: { type: "password", name: "password", autocomplete: "current-password", required: true },
  });
  const submitButton = element("button", {
    testId: "login-submit",
    className: "button-primary",
    text: t("loginSubmit"),
    attributes: { type: "submit" },
  });

  const form = element("form", { className: "login-form card", attributes: { novalidate: true } }, [
    element("h1", { text: t("loginTitle") }),
    field(t("loginEmail"), emailInput),
    field(t("loginPassword"), passwordInput),
    submitButton,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await withBusyButton(submitButton, () =>
      login(emailInput.value.trim(), passwordInput.value),
    );
    if (!result) return;
    saveSession(result.token, result.user);
    onSignedIn(result.token, result.user);
  });

  container.appendChild(element("div", { className: "login-page" }, [form]));
  emailInput.focus();
  return { destroy: () => form.remove() };
}
