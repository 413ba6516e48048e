// The HTTP API client. Every call goes to a relative /api/... URL, so the page
// talks to whichever server delivered it.

import { t } from "./i18n";
import { getToken } from "./session";
import type {
  ApiErrorBody,
  Channel,
  ChannelMember,
  ChartDepartment,
  FinanceAttachment,
  FinanceCategory,
  FinanceListView,
  FinanceRequest,
  FinanceRequestDetail,
  FinanceSettings,
  FinanceStatus,
  MonthPlan,
  PaymentCalendar,
  Locale,
  Message,
  OrgTemplate,
  Position,
  Role,
  Task,
  TaskComment,
  TaskStatus,
  TelegramImportSummary,
  User,
} from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code;
    this.field = body.field ?? null;
  }
}

let unauthorizedHandler: (message: string) => void = () => {};

/** Registers the handler for a rejected token (HTTP 401), which receives the server's message. */
export function onUnauthorized(handler: (message: string) => void): void {
  unauthorizedHandler = handler;
}

interface RequestOptions {
  json?: unknown;
  /** A body sent unchanged, for uploads. `contentType` names its media type. */
  rawBody?: Blob;
  contentType?: string;
  /** Set for sign-in, where a 401 means a wrong password and must not end the session. */
  skipUnauthorizedHandler?: boolean;
  /** Resolves to the response body as a Blob, for file downloads. */
  binary?: boolean;
  /** The media types to accept; a binary download must name its own, or the server returns 400. */
  accept?: string;
}

export async function request<Result>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Result> {
  const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
  const token = getToken();
  const sessionChanged = () => getToken() !== token && !options.skipUnauthorizedHandler;
  if (token) headers.Authorization = `Bearer ${token}`;

  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.rawBody !== undefined) {
    headers["Content-Type"] = options.contentType ?? "application/octet-stream";
    body = options.rawBody;
  }

  let response: Response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, { code: "network_error", message: t("networkError") });
  }

  if (options.binary && response.ok) {
    const blob = await response.blob();
    if (sessionChanged()) return new Promise<Result>(() => {});
    return blob as Result;
  }

  const text = await response.text();
  if (sessionChanged()) {
    // The user signed out, or in as someone else, while this request ran. The
    // response belongs to the old session, so it never reaches the caller.
    return new Promise<Result>(() => {});
  }
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }

  if (!response.ok) {
    const errorBody = readErrorBody(data) ?? {
      code: "http_error",
      message: t("unexpectedError", { status: response.status }),
    };
    if (response.status === 401 && !options.skipUnauthorizedHandler) unauthorizedHandler(errorBody.message);
    throw new ApiError(response.status, errorBody);
  }
  return data as Result;
}

function readErrorBody(data: unknown): ApiErrorBody | null {
  if (typeof data !== "object" || data === null || !("error" in data)) return null;
  const error = (data as { error: unknown }).error;
  if (typeof error !== "object" || error === null) return null;
  const { code, message, field } = error as Record<string, unknown>;
  if (typeof message !== "string") return null;
  return {
    code: typeof code === "string" ? code : "error",
    message,
    field: typeof field === "string" ? field : null,
  };
}

function encode(segment: string): string {
  return encodeURIComponent(segment);
}

// --- Sign-in ---

export function login(email: string, password: string) {
  return request<{ token: string; user: User }>("POST", "/api/auth/login", {
    json: { email, password },
    skipUnauthorizedHandler: true,
  });
}

export function fetchMe() {
  return request<{ user: User }>("GET", "/api/auth/me");
}

// --- Org structure and people ---

export function listTemplates() {
  return request<{ templates: OrgTemplate[] }>("GET", "/api/org/templates");
}

export function applyTemplate(key: string) {
  return request<Record<string, unknown>>("POST", `/api/org/templates/${encode(key)}/apply`);
}

export function fetchChart() {
  return request<{ departments: ChartDepartment[] }>("GET", "/api/org/chart");
}

export function listPositions() {
  return request<{ positions: Position[] }>("GET", "/api/org/positions");
}

export function listUsers() {
  return request<{ users: User[] }>("GET", "/api/users");
}

export interface NewUser {
  email: string;
  name: string;
  position_id: string | null;
  role: Exclude<Role, "owner">;
  locale: Locale;
}

export function createUser(user: NewUser) {
  return request<{ user: User; password?: string }>("POST", "/api/users", { json: user });
}

export function deactivateUser(userId: string) {
  return request<{ user: User }>("DELETE", `/api/users/${encode(userId)}`);
}

// --- Chat ---

export function listChannels() {
  return request<{ channels: Channel[] }>("GET", "/api/chat/channels");
}

export function createChannel(name: string, description: string | null) {
  const json: Record<string, string> = { name };
  if (description) json.description = description;
  return request<{ channel: Channel }>("POST", "/api/chat/channels", { json });
}

export interface HistoryPage {
  messages: Message[];
  next_cursor: string | null;
}

/** Lists a page of 50 root messages, newest first. Pass `before` (a message id) for older pages. */
export function listMessages(channelId: string, before?: string | null) {
  const query = new URLSearchParams({ limit: "50" });
  if (before) query.set("before", before);
  return request<HistoryPage>("GET", `/api/chat/channels/${encode(channelId)}/messages?${query}`);
}

/** Lists up to 200 root messages newer than `after`, oldest first, to catch up after a reconnect. */
export function listMessagesAfter(channelId: string, after: string) {
  const query = new URLSearchParams({ after, limit: "200" });
  return request<HistoryPage>("GET", `/api/chat/channels/${encode(channelId)}/messages?${query}`);
}

export function postMessage(channelId: string, text: string, threadId: string | null) {
  const json: Record<string, string> = { text };
  if (threadId) json.thread_id = threadId;
  return request<{ message: Message }>("POST", `/api/chat/channels/${encode(channelId)}/messages`, {
    json,
  });
}

// A thread is read page by page; this many pages (200 replies each) at most.
const MAX_THREAD_PAGES = 25;

export async function fetchThread(messageId: string) {
  const path = `/api/chat/messages/${encode(messageId)}/thread?limit=200`;
  const first = await request<{ root: Message; replies: Message[]; next_cursor: string | null }>(
    "GET",
    path,
  );
  const replies = [...first.replies];
  let cursor = first.next_cursor;
  for (let page = 1; cursor && page < MAX_THREAD_PAGES; page += 1) {
    const next = await request<{ replies: Message[]; next_cursor: string | null }>(
      "GET",
      `${path}&after=${encode(cursor)}`,
    );
    replies.push(...next.replies);
    cursor = next.next_cursor;
  }
  return { root: first.root, replies };
}

export function listMembers(channelId: string) {
  return request<{ members: ChannelMember[] }>(
    "GET",
    `/api/chat/channels/${encode(channelId)}/members`,
  );
}

export function importTelegram(channelId: string, file: File) {
  return request<TelegramImportSummary>(
    "POST",
    `/api/chat/channels/${encode(channelId)}/import/telegram`,
    { rawBody: file, contentType: "application/json" },
  );
}

// --- Tasks ---

export function listTasks(role: "assignee" | "creator", cursor?: string | null) {
  const query = new URLSearchParams({ [role]: "me" });
  if (cursor) query.set("cursor", cursor);
  return request<{ tasks: Task[]; next_cursor: string | null }>("GET", `/api/tasks?${query}`);
}

export interface NewTask {
  title: string;
  description?: string;
  assignee_id: string;
  due_date?: string;
}

export function createTask(task: NewTask) {
  return request<{ task: Task }>("POST", "/api/tasks", { json: task });
}

export function fetchTask(taskId: string) {
  return request<{ task: Task; comments: TaskComment[] }>("GET", `/api/tasks/${encode(taskId)}`);
}

export function updateTask(taskId: string, changes: { status?: TaskStatus; assignee_id?: string }) {
  return request<{ task: Task }>("PATCH", `/api/tasks/${encode(taskId)}`, { json: changes });
}

export function addTaskComment(taskId: string, text: string) {
  return request<{ comment: TaskComment }>("POST", `/api/tasks/${encode(taskId)}/comments`, {
    json: { text },
  });
}

// --- Finance requests ---

export interface FinanceRequestFields {
  amount: string;
  currency: string;
  category_id: string;
  counterparty: string;
  problem: string;
  solution: string;
  pay_by: string;
  period: string;
  task_id?: string | null;
}

export function listFinanceCategories() {
  return request<{ categories: FinanceCategory[] }>("GET", "/api/finance/categories");
}

export function updateFinanceCategory(categoryId: string, changes: { monthly_limit: string | null }) {
  return request<{ category: FinanceCategory }>("PATCH", `/api/finance/categories/${encode(categoryId)}`, {
    json: changes,
  });
}

export function createFinanceRequest(fields: FinanceRequestFields) {
  return request<{ request: FinanceRequestDetail }>("POST", "/api/finance/requests", { json: fields });
}

/** Sends only the fields that changed: the history records each one by name. */
export function updateFinanceRequest(requestId: string, changes: Partial<FinanceRequestFields>) {
  return request<{ request: FinanceRequestDetail }>("PATCH", `/api/finance/requests/${encode(requestId)}`, {
    json: changes,
  });
}

export function fetchFinanceRequest(requestId: string) {
  return request<{ request: FinanceRequestDetail }>("GET", `/api/finance/requests/${encode(requestId)}`);
}

export type FinanceTransition = "submit" | "approve" | "reject" | "return" | "withdraw" | "schedule" | "pay";

/** Moves a request on: approve takes {comment?, rate?}, reject and return {reason}, schedule {pay_on}, pay {amount}. */
export function actOnFinanceRequest(requestId: string, action: FinanceTransition, body: Record<string, string> = {}) {
  return request<{ request: FinanceRequestDetail }>(
    "POST",
    `/api/finance/requests/${encode(requestId)}/${action}`,
    { json: body },
  );
}

export function listFinanceRequests(
  view: FinanceListView,
  status: FinanceStatus | null,
  cursor?: string | null,
  limit = 50,
) {
  const query = new URLSearchParams({ view, limit: String(limit) });
  if (status) query.set("status", status);
  if (cursor) query.set("cursor", cursor);
  return request<{ requests: FinanceRequest[]; next_cursor: string | null }>(
    "GET",
    `/api/finance/requests?${query}`,
  );
}

export function fetchPaymentCalendar(from: string, to: string) {
  const query = new URLSearchParams({ from, to });
  return request<PaymentCalendar>("GET", `/api/finance/calendar?${query}`);
}

export function fetchMonthPlan(month: string) {
  return request<MonthPlan>("GET", `/api/finance/plan?${new URLSearchParams({ month })}`);
}

export function fetchFinanceSettings() {
  return request<{ settings: FinanceSettings }>("GET", "/api/finance/settings");
}

export function saveFinanceSettings(settings: FinanceSettings) {
  return request<{ settings: FinanceSettings }>("PUT", "/api/finance/settings", { json: settings });
}

const EXPORT_MEDIA_TYPES = {
  csv: "text/csv",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/**
 * Fetches the export of a request list with the bearer token, which a plain
 * link cannot send, and returns the file with the name the server gave it.
 */
export async function downloadFinanceExport(
  format: "csv" | "xlsx",
  view: FinanceListView,
  status: FinanceStatus | null,
): Promise<{ blob: Blob; fileName: string }> {
  const query = new URLSearchParams({ format, view });
  if (status) query.set("status", status);
  const blob = await request<Blob>("GET", `/api/finance/requests/export?${query}`, {
    binary: true,
    accept: `${EXPORT_MEDIA_TYPES[format]}, application/json`,
  });
  return { blob, fileName: `payment-requests.${format}` };
}

export interface AttachmentUpload {
  attachment: FinanceAttachment;
  /** A form POST target: every field goes into the form, then the file as "file". */
  upload: { url: string; fields: Record<string, string> };
}

export function startFinanceAttachment(
  requestId: string,
  file: { file_name: string; content_type: string; size: number },
) {
  return request<AttachmentUpload>("POST", `/api/finance/requests/${encode(requestId)}/attachments`, {
    json: file,
  });
}

export function completeFinanceAttachment(requestId: string, attachmentId: string) {
  return request<{ attachment: FinanceAttachment }>(
    "POST",
    `/api/finance/requests/${encode(requestId)}/attachments/${encode(attachmentId)}/complete`,
  );
}

export function fetchFinanceAttachmentUrl(requestId: string, attachmentId: string) {
  return request<{ url: string }>(
    "GET",
    `/api/finance/requests/${encode(requestId)}/attachments/${encode(attachmentId)}`,
  );
}

export function deleteFinanceAttachment(requestId: string, attachmentId: string) {
  return request<null>(
    "DELETE",
    `/api/finance/requests/${encode(requestId)}/attachments/${encode(attachmentId)}`,
  );
}

/**
 * Uploads a file to the storage URL that startFinanceAttachment returned, as a
 * multipart form. It carries no bearer token: the signed fields authorize it.
 */
export async function uploadToStorage(url: string, fields: Record<string, string>, file: File): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", file);
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", body: form });
  } catch {
    throw new ApiError(0, { code: "network_error", message: t("networkError") });
  }
  if (!response.ok) {
    throw new ApiError(response.status, { code: "upload_failed", message: t("unexpectedError", { status: response.status }) });
  }
}
