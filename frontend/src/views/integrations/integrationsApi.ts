// Calls of the integrations admin routes (docs/INTEGRATIONS.md), with the
// shapes the backend returns.

import { request } from "../../api";

function encode(segment: string): string {
  return encodeURIComponent(segment);
}

// --- API tokens ---

export interface ApiToken {
  id: string;
  name: string;
  scopes: string[];
  status: "active" | "revoked";
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export function listApiTokens() {
  return request<{ tokens: ApiToken[] }>("GET", "/api/integrations/tokens");
}

/** Creates a token; `secret` is the whole token, which the server returns only this once. */
export function createApiToken(name: string, scopes: string[]) {
  return request<{ token: ApiToken; secret: string }>("POST", "/api/integrations/tokens", {
    json: { name, scopes },
  });
}

export function revokeApiToken(tokenId: string) {
  return request<{ token: ApiToken }>("DELETE", `/api/integrations/tokens/${encode(tokenId)}`);
}

// --- Inbound webhooks ---

export type HookAction = "create_task" | "post_message" | "create_finance_request";

export interface Hook {
  id: string;
  name: string;
  action: HookAction;
  template: Record<string, string>;
  url: string;
  created_by: string;
  created_at: string;
  secret_rotated_at: string;
  /** Present only in the response that created the hook or rotated its secret. */
  secret?: string;
}

export type HookDeliveryStatus = "processing" | "succeeded" | "failed" | "error";

export interface HookDelivery {
  id: string;
  delivery_id: string;
  status: HookDeliveryStatus;
  test: boolean;
  attempts: number;
  body_bytes: number;
  received_at: string;
  finished_at: string | null;
  result: Record<string, unknown> | null;
  error: { code?: string; message?: string; field?: string | null } | null;
}

export function listHooks() {
  return request<{ hooks: Hook[] }>("GET", "/api/integrations/hooks");
}

export function createHook(name: string, action: HookAction, template: Record<string, string>) {
  return request<{ hook: Hook }>("POST", "/api/integrations/hooks", { json: { name, action, template } });
}

export function deleteHook(hookId: string) {
  return request<null>("DELETE", `/api/integrations/hooks/${encode(hookId)}`);
}

export function listHookDeliveries(hookId: string, limit = 10) {
  const query = new URLSearchParams({ limit: String(limit) });
  return request<{ deliveries: HookDelivery[]; next_cursor: string | null }>(
    "GET",
    `/api/integrations/hooks/${encode(hookId)}/deliveries?${query}`,
  );
}

/** Has the server sign `payload` with the hook's secret and receive it as a real delivery. */
export function testHook(hookId: string, payload: Record<string, unknown>) {
  return request<{ delivery: HookDelivery; duplicate: boolean }>(
    "POST",
    `/api/integrations/hooks/${encode(hookId)}/test`,
    { json: { payload } },
  );
}

// --- Outbound webhooks ---

export interface Subscription {
  id: string;
  url: string;
  events: string[];
  channel_id: string | null;
  active: boolean;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** Present only in the response that created the subscription. */
  secret?: string;
}

export interface DeliveryAttempt {
  number: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  url: string;
  next_attempt_at: string | null;
  replayed_by: string | null;
}

export type OutboundStatus = "pending" | "delivered" | "dead" | "cancelled";

export interface OutboundDelivery {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  status: OutboundStatus;
  attempt_count: number;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
  attempts: DeliveryAttempt[];
}

export interface DeadLetter {
  delivery_id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
  parked_at: string;
}

export interface NewSubscription {
  url: string;
  events: string[];
  channel_id?: string;
}

export function listSubscriptions() {
  return request<{ subscriptions: Subscription[] }>("GET", "/api/integrations/subscriptions");
}

export function createSubscription(subscription: NewSubscription) {
  return request<{ subscription: Subscription }>("POST", "/api/integrations/subscriptions", {
    json: subscription,
  });
}

export function setSubscriptionActive(subscriptionId: string, active: boolean) {
  return request<{ subscription: Subscription }>(
    "PATCH",
    `/api/integrations/subscriptions/${encode(subscriptionId)}`,
    { json: { active } },
  );
}

export function deleteSubscription(subscriptionId: string) {
  return request<null>("DELETE", `/api/integrations/subscriptions/${encode(subscriptionId)}`);
}

export function listSubscriptionDeliveries(subscriptionId: string, limit = 20) {
  const query = new URLSearchParams({ limit: String(limit) });
  return request<{ deliveries: OutboundDelivery[]; next_cursor: string | null }>(
    "GET",
    `/api/integrations/subscriptions/${encode(subscriptionId)}/deliveries?${query}`,
  );
}

export function listDeadLetters(limit = 50) {
  const query = new URLSearchParams({ limit: String(limit) });
  return request<{ dead_letters: DeadLetter[]; next_cursor: string | null }>(
    "GET",
    `/api/integrations/dead-letters?${query}`,
  );
}

export function replayDelivery(deliveryId: string) {
  return request<{ delivery: OutboundDelivery }>(
    "POST",
    `/api/integrations/deliveries/${encode(deliveryId)}/replay`,
  );
}

// --- Telegram bot ---

export interface TelegramBotState {
  configured: boolean;
  bot_username?: string;
  token_hint?: string;
  webhook?: { url: string; active: boolean; error: string | null };
  site_url?: string;
  configured_by?: string;
  configured_at?: string;
}

export function fetchTelegramBot() {
  return request<{ telegram: TelegramBotState }>("GET", "/api/integrations/telegram");
}

export function saveTelegramBot(botToken: string, webhookUrl: string | null) {
  const json: Record<string, string> = { bot_token: botToken };
  if (webhookUrl) json.webhook_url = webhookUrl;
  return request<{ telegram: TelegramBotState }>("PUT", "/api/integrations/telegram", { json });
}

export function removeTelegramBot() {
  return request<null>("DELETE", "/api/integrations/telegram");
}
