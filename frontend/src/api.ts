// The HTTP API client. Every call goes to a relative /api/... URL, so the page
// talks to whichever server delivered it.

import { t } from "./i18n";
import { getToken } from "./session";
import type {
  ApiErrorBody,
  Channel,
  ChannelMember,
  ChartDepartment,
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
}

async function request<Result>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Result> {
  const headers: Record<string, string> = { Accept: "application/json" };
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
