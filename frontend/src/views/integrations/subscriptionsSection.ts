// Outbound webhooks: subscriptions with their delivery logs, and the dead
// letters, both with replay.

import { listChannels } from "../../api";
import { element, field, option } from "../../dom";
import { runInBackground, showNotice, withBusyButton } from "../../feedback";
import type { Channel } from "../../types";
import {
  createSubscription,
  deleteSubscription,
  listDeadLetters,
  listSubscriptionDeliveries,
  listSubscriptions,
  replayDelivery,
  setSubscriptionActive,
  type DeadLetter,
  type NewSubscription,
  type OutboundDelivery,
  type Subscription,
} from "./integrationsApi";
import {
  FieldErrors,
  dateTime,
  emptyRow,
  secretBox,
  sectionCard,
  statusPill,
  submitWithErrors,
  table,
} from "./integrationsCommon";
import { ti, type IntegrationsKey } from "./integrationsText";

// EVENT_TYPES of chalicelib/integrations/subscriptions.py.
const EVENT_TYPES = [
  "task.created",
  "task.done",
  "task.commented",
  "finance_request.status_changed",
  "user.hired",
  "user.deactivated",
  "message.posted",
  "article.published",
];
// The event sent only for the subscription's own channel.
const CHANNEL_EVENT = "message.posted";
const DELIVERIES_SHOWN = 20;

const DELIVERY_STATUS_LABELS: Record<string, IntegrationsKey> = {
  pending: "deliveryStatusPending",
  delivered: "deliveryStatusDelivered",
  dead: "deliveryStatusDead",
  cancelled: "deliveryStatusCancelled",
};

function durationText(milliseconds: number | null | undefined): string {
  return milliseconds === null || milliseconds === undefined ? ti("never") : ti("durationMs", { value: milliseconds });
}

function replayButton(deliveryId: string, testId: string, afterReplay: () => Promise<void>, isDestroyed: () => boolean) {
  const button = element("button", {
    testId,
    text: ti("deliveryReplay"),
    dataset: { id: deliveryId },
    attributes: { type: "button" },
  });
  button.addEventListener("click", async () => {
    const result = await withBusyButton(button, () => replayDelivery(deliveryId));
    if (!result || isDestroyed()) return;
    showNotice(ti("deliveryReplayed"));
    await afterReplay();
  });
  return button;
}

interface DeadLetters {
  element: HTMLElement;
  reload: () => Promise<void>;
}

export function createDeadLettersSection(isDestroyed: () => boolean, onReplay: () => Promise<void>): DeadLetters {
  const { table: deadTable, body } = table("dead-letter-list", [
    ti("deliveryEvent"),
    ti("deliveryAttempts"),
    ti("deliveryStatusCode"),
    ti("deliveryError"),
    ti("deadLetterParkedAt"),
    "",
  ]);

  function renderDeadLetter(item: DeadLetter): HTMLElement {
    return element("tr", { testId: "dead-letter", dataset: { id: item.delivery_id } }, [
      element("td", { text: item.event_type }),
      element("td", { text: String(item.attempt_count) }),
      element("td", { text: item.last_status_code === null ? ti("never") : String(item.last_status_code) }),
      element("td", { className: "integrations-error-text", text: item.last_error ?? "" }),
      element("td", { text: dateTime(item.parked_at) }),
      element("td", {}, [
        replayButton(
          item.delivery_id,
          "dead-letter-replay",
          async () => {
            await reload();
            await onReplay();
          },
          isDestroyed,
        ),
      ]),
    ]);
  }

  async function reload(): Promise<void> {
    const result = await runInBackground(() => listDeadLetters());
    if (!result || isDestroyed()) return;
    body.replaceChildren(
      ...(result.dead_letters.length
        ? result.dead_letters.map(renderDeadLetter)
        : [emptyRow(6, ti("deadLettersEmpty"), "dead-letter-empty")]),
    );
  }

  const refreshButton = element("button", {
    testId: "dead-letter-refresh",
    text: ti("refresh"),
    attributes: { type: "button" },
    on: { click: () => void reload() },
  });
  void reload();
  return {
    element: sectionCard("integrations-dead-letters", ti("deadLettersTitle"), ti("deadLettersHint"), [
      element("div", { className: "form-actions" }, [refreshButton]),
      deadTable,
    ]),
    reload,
  };
}

function renderDeliveryRow(delivery: OutboundDelivery, afterReplay: () => Promise<void>, isDestroyed: () => boolean) {
  const last = delivery.attempts.length ? delivery.attempts[delivery.attempts.length - 1] : null;
  const canReplay = delivery.status !== "cancelled";
  return element("tr", { testId: "subscription-delivery", dataset: { id: delivery.id, status: delivery.status } }, [
    element("td", { text: dateTime(delivery.created_at) }),
    element("td", { testId: "subscription-delivery-event", text: delivery.event_type }),
    element("td", {}, [
      statusPill(
        delivery.status,
        ti(DELIVERY_STATUS_LABELS[delivery.status] ?? "deliveryStatusPending"),
        "subscription-delivery-status",
      ),
    ]),
    element("td", { text: String(delivery.attempt_count) }),
    element("td", {
      testId: "subscription-delivery-code",
      text: last?.status_code === null || last?.status_code === undefined ? ti("never") : String(last.status_code),
    }),
    element("td", { testId: "subscription-delivery-duration", text: durationText(last?.duration_ms) }),
    element("td", { className: "integrations-error-text", testId: "subscription-delivery-error", text: last?.error ?? "" }),
    element("td", { testId: "subscription-delivery-next", text: dateTime(delivery.next_attempt_at) }),
    element("td", {}, [
      canReplay ? replayButton(delivery.id, "subscription-delivery-replay", afterReplay, isDestroyed) : null,
    ]),
  ]);
}

function channelName(channels: Channel[], channelId: string | null): string {
  if (!channelId) return "";
  return channels.find((channel) => channel.id === channelId)?.name ?? channelId;
}

export function createSubscriptionsSection(isDestroyed: () => boolean, reloadDeadLetters: () => Promise<void>): HTMLElement {
  let channels: Channel[] = [];
  const errors = new FieldErrors("subscription-form");
  const urlInput = element("input", {
    testId: "subscription-url",
    attributes: { type: "url", maxlength: 2048, autocomplete: "off", placeholder: "https://example.com/shtab", required: true },
  });
  const eventGroup = element("fieldset", { className: "integrations-events", testId: "subscription-events" }, [
    element("legend", { text: ti("subscriptionEvents") }),
    ...EVENT_TYPES.map((type) =>
      element("label", { className: "checkbox-field" }, [
        element("input", { testId: "subscription-event", dataset: { event: type }, attributes: { type: "checkbox", value: type } }),
        element("code", { text: type }),
      ]),
    ),
  ]);
  const channelSelect = element("select", { testId: "subscription-channel" });
  const channelField = field(ti("subscriptionChannel"), channelSelect);
  const syncChannelField = () => {
    const checked = eventGroup.querySelector<HTMLInputElement>(`input[value="${CHANNEL_EVENT}"]`)?.checked ?? false;
    channelField.hidden = !checked;
  };
  eventGroup.addEventListener("change", syncChannelField);

  function fillChannels(): void {
    channelSelect.replaceChildren(
      option("", ti("subscriptionChooseChannel"), true),
      ...channels.filter((channel) => !channel.archived).map((channel) => option(channel.id, channel.name)),
    );
  }
  fillChannels();
  syncChannelField();

  const createButton = element("button", {
    className: "button-primary",
    testId: "subscription-create",
    text: ti("subscriptionCreate"),
    attributes: { type: "submit" },
  });
  const revealed = element("div", { testId: "subscription-revealed-slot" });
  const form = element("form", { className: "integrations-form", attributes: { novalidate: true } }, [
    errors.formMessage,
    field(ti("subscriptionUrl"), urlInput),
    errors.register("url", urlInput, "subscription-url"),
    eventGroup,
    errors.register("events", eventGroup, "subscription-events"),
    channelField,
    errors.register("channel_id", channelSelect, "subscription-channel"),
    element("div", { className: "form-actions" }, [createButton]),
  ]);
  const list = element("div", { className: "integrations-list", testId: "subscription-list" });

  function renderSubscription(subscription: Subscription): HTMLElement {
    const { table: logTable, body: logBody } = table("subscription-deliveries", [
      ti("createdAt"),
      ti("deliveryEvent"),
      ti("deliveryStatus"),
      ti("deliveryAttempts"),
      ti("deliveryStatusCode"),
      ti("deliveryDuration"),
      ti("deliveryError"),
      ti("deliveryNextAttempt"),
      "",
    ]);

    async function loadLog(): Promise<void> {
      const result = await runInBackground(() => listSubscriptionDeliveries(subscription.id, DELIVERIES_SHOWN));
      if (!result || isDestroyed()) return;
      const afterReplay = async () => {
        await loadLog();
        await reloadDeadLetters();
      };
      logBody.replaceChildren(
        ...(result.deliveries.length
          ? result.deliveries.map((delivery) => renderDeliveryRow(delivery, afterReplay, isDestroyed))
          : [emptyRow(9, ti("deliveriesEmpty"), "subscription-deliveries-empty")]),
      );
    }

    const toggleButton = element("button", {
      testId: "subscription-toggle",
      text: subscription.active ? ti("subscriptionPause") : ti("subscriptionResume"),
      attributes: { type: "button" },
    });
    toggleButton.addEventListener("click", async () => {
      const result = await withBusyButton(toggleButton, () => setSubscriptionActive(subscription.id, !subscription.active));
      if (!result || isDestroyed()) return;
      showNotice(result.subscription.active ? ti("subscriptionResumedNotice") : ti("subscriptionPausedNotice"));
      await load();
    });
    const deleteButton = element("button", {
      className: "button-danger",
      testId: "subscription-delete",
      text: ti("subscriptionDelete"),
      attributes: { type: "button" },
    });
    deleteButton.addEventListener("click", async () => {
      if (!window.confirm(ti("subscriptionDeleteConfirm", { url: subscription.url }))) return;
      const result = await withBusyButton(deleteButton, async () => {
        await deleteSubscription(subscription.id);
        return true;
      });
      if (!result || isDestroyed()) return;
      showNotice(ti("subscriptionDeleted"));
      await load();
    });
    const refreshButton = element("button", {
      testId: "subscription-log-refresh",
      text: ti("refresh"),
      attributes: { type: "button" },
      on: { click: () => void loadLog() },
    });

    void loadLog();

    const channel = channelName(channels, subscription.channel_id);
    return element(
      "article",
      { className: "integrations-item", testId: "subscription-item", dataset: { id: subscription.id, url: subscription.url } },
      [
        element("header", { className: "integrations-item-header" }, [
          element("h3", {}, [element("code", { testId: "subscription-url-text", text: subscription.url })]),
          statusPill(
            subscription.active ? "active" : "paused",
            subscription.active ? ti("subscriptionActive") : ti("subscriptionPaused"),
            "subscription-status",
          ),
          toggleButton,
          deleteButton,
        ]),
        element("p", { testId: "subscription-events-text", text: subscription.events.join(", ") + (channel ? ` · #${channel}` : "") }),
        element("div", { className: "integrations-item-header" }, [element("h4", { text: ti("subscriptionLog") }), refreshButton]),
        logTable,
      ],
    );
  }

  async function load(): Promise<void> {
    const result = await runInBackground(() => listSubscriptions());
    if (!result || isDestroyed()) return;
    const subscriptions = [...result.subscriptions].sort((left, right) => right.created_at.localeCompare(left.created_at));
    list.replaceChildren(
      ...(subscriptions.length
        ? subscriptions.map(renderSubscription)
        : [element("p", { className: "muted", testId: "subscription-empty", text: ti("subscriptionsEmpty") })]),
    );
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const events = [...eventGroup.querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked")].map(
      (checkbox) => checkbox.value,
    );
    const body: NewSubscription = { url: urlInput.value.trim(), events };
    if (events.includes(CHANNEL_EVENT) && channelSelect.value) body.channel_id = channelSelect.value;
    const result = await submitWithErrors(createButton, errors, () => createSubscription(body));
    if (!result || isDestroyed()) return;
    form.reset();
    syncChannelField();
    showNotice(ti("subscriptionCreated", { url: result.subscription.url }));
    revealed.replaceChildren(
      secretBox("subscription-revealed", ti("subscriptionSecretShownOnce"), [
        { label: result.subscription.url, value: result.subscription.secret ?? "", testId: "subscription-secret" },
      ]),
    );
    await load();
  });

  async function loadAll(): Promise<void> {
    // The channel picker is needed only for message.posted, so the list loads without it.
    const loaded = await runInBackground(() => listChannels());
    if (isDestroyed()) return;
    if (loaded) {
      channels = loaded.channels;
      fillChannels();
    }
    await load();
  }
  void loadAll();

  return sectionCard("integrations-subscriptions", ti("subscriptionsTitle"), ti("subscriptionsHint"), [revealed, form, list]);
}
