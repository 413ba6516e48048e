// The company's Telegram bot: save its token, see the webhook's state, disconnect it.

import { element, field } from "../../dom";
import { runInBackground, showNotice, withBusyButton } from "../../feedback";
import { fetchTelegramBot, removeTelegramBot, saveTelegramBot, type TelegramBotState } from "./integrationsApi";
import { FieldErrors, dateTime, sectionCard, statusPill, submitWithErrors } from "./integrationsCommon";
import { ti } from "./integrationsText";

export function createTelegramSection(isDestroyed: () => boolean): HTMLElement {
  const errors = new FieldErrors("telegram-form");
  const state = element("div", { className: "integrations-telegram-state", testId: "telegram-state" });
  const tokenInput = element("input", {
    testId: "telegram-token",
    attributes: { type: "password", autocomplete: "off", maxlength: 200, placeholder: "123456789:AAE…" },
  });
  const webhookInput = element("input", {
    testId: "telegram-webhook-url",
    attributes: { type: "url", autocomplete: "off", maxlength: 2000, placeholder: "https://…" },
  });
  const saveButton = element("button", {
    className: "button-primary",
    testId: "telegram-save",
    text: ti("telegramSave"),
    attributes: { type: "submit" },
  });
  const form = element("form", { className: "integrations-form", attributes: { novalidate: true } }, [
    errors.formMessage,
    field(ti("telegramToken"), tokenInput),
    errors.register("bot_token", tokenInput, "telegram-token"),
    field(ti("telegramWebhookUrl"), webhookInput),
    errors.register("webhook_url", webhookInput, "telegram-webhook-url"),
    element("div", { className: "form-actions" }, [saveButton]),
  ]);

  function renderState(bot: TelegramBotState): void {
    if (!bot.configured) {
      state.replaceChildren(element("p", { className: "muted", testId: "telegram-not-configured", text: ti("telegramNotConfigured") }));
      return;
    }
    const removeButton = element("button", {
      className: "button-danger",
      testId: "telegram-remove",
      text: ti("telegramRemove"),
      attributes: { type: "button" },
    });
    removeButton.addEventListener("click", async () => {
      if (!window.confirm(ti("telegramRemoveConfirm"))) return;
      const result = await withBusyButton(removeButton, async () => {
        await removeTelegramBot();
        return true;
      });
      if (!result || isDestroyed()) return;
      showNotice(ti("telegramRemoved"));
      renderState({ configured: false });
    });
    const webhook = bot.webhook;
    state.replaceChildren(
      element("p", {}, [
        element("span", { className: "field-caption", text: `${ti("telegramBot")}: ` }),
        element("strong", { testId: "telegram-bot-name", text: `@${bot.bot_username ?? ""}` }),
        " ",
        element("code", { testId: "telegram-token-hint", text: bot.token_hint ?? "" }),
        " ",
        element("span", { className: "muted", text: dateTime(bot.configured_at) }),
      ]),
      element("p", {}, [
        element("span", { className: "field-caption", text: `${ti("telegramWebhook")}: ` }),
        webhook
          ? statusPill(
              webhook.active ? "active" : "failed",
              webhook.active ? ti("telegramWebhookActive") : ti("telegramWebhookInactive", { error: webhook.error ?? "" }),
              "telegram-webhook-status",
            )
          : null,
        " ",
        element("code", { text: webhook?.url ?? "" }),
      ]),
      element("div", { className: "form-actions" }, [removeButton]),
    );
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const webhookUrl = webhookInput.value.trim() || null;
    const result = await submitWithErrors(saveButton, errors, () => saveTelegramBot(tokenInput.value.trim(), webhookUrl));
    if (!result || isDestroyed()) return;
    form.reset();
    showNotice(ti("telegramSaved", { name: result.telegram.bot_username ?? "" }));
    renderState(result.telegram);
  });

  async function load(): Promise<void> {
    const result = await runInBackground(() => fetchTelegramBot());
    if (!result || isDestroyed()) return;
    renderState(result.telegram);
  }
  void load();

  return sectionCard("integrations-telegram", ti("telegramTitle"), ti("telegramHint"), [state, form]);
}
