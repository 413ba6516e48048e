// HTTP calls of the messenger's newer features: message operations, read
// markers, threads, conversations, search and imports (docs/CHAT.md).

import { request } from "../../api";
import type { Channel, Message } from "../../types";

const encode = encodeURIComponent;

export type NotificationLevel = "all" | "mentions" | "mute";

export interface ChannelUnread {
  channel_id: string;
  unread: number;
  read_seq: number;
  last_seq: number;
}

export interface ThreadUnread {
  root_id: string;
  channel_id: string;
  following?: boolean;
  unread: number;
  read_seq?: number;
  last_seq?: number;
}

export interface UnreadSummary {
  channels: ChannelUnread[];
  threads: ThreadUnread[];
  total: number;
  threads_total: number;
}

export interface ThreadSummary {
  root_id: string;
  channel_id: string;
  reply_count: number;
  reply_user_ids: string[];
  participants: string[];
  last_reply_at: string | null;
  last_reply_seq: number | null;
}

export interface CatchUpPage {
  root?: Message;
  messages?: Message[];
  replies?: Message[];
  last_seq: number;
  next_after_seq: number;
  complete: boolean;
}

export interface SearchHit extends Message {
  highlights: string[];
}

export interface SearchFilters {
  channelId?: string;
  authorId?: string;
  from?: string;
  to?: string;
}

export interface ImportJob {
  id: string;
  kind: "slack" | "telegram";
  status: string;
  progress: { done: number; total: number };
  report: Record<string, unknown> | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export function postChatMessage(
  channelId: string,
  text: string,
  threadId: string | null,
  alsoSendToChannel = false,
  attachmentIds: string[] = [],
) {
  const json: Record<string, string | boolean | string[]> = { text };
  if (threadId) json.thread_id = threadId;
  if (threadId && alsoSendToChannel) json.also_send_to_channel = true;
  if (attachmentIds.length > 0) json.attachment_ids = attachmentIds;
  return request<{ message: Message }>("POST", `/api/chat/channels/${encode(channelId)}/messages`, { json });
}

export function editMessage(messageId: string, text: string) {
  return request<{ message: Message }>("PATCH", `/api/chat/messages/${encode(messageId)}`, { json: { text } });
}

export function deleteMessage(messageId: string) {
  return request<{ message: Message }>("DELETE", `/api/chat/messages/${encode(messageId)}`);
}

export function addReaction(messageId: string, emoji: string) {
  return request<{ message: Message }>("POST", `/api/chat/messages/${encode(messageId)}/reactions`, {
    json: { emoji },
  });
}

export function removeReaction(messageId: string, emoji: string) {
  return request<{ message: Message }>(
    "DELETE",
    `/api/chat/messages/${encode(messageId)}/reactions/${encode(emoji)}`,
  );
}

export function pinMessage(messageId: string, pinned: boolean) {
  return request<{ message: Message }>(pinned ? "POST" : "DELETE", `/api/chat/messages/${encode(messageId)}/pin`);
}

export function listPins(channelId: string) {
  return request<{ pins: Message[] }>("GET", `/api/chat/channels/${encode(channelId)}/pins`);
}

export function getNotificationLevel(channelId: string) {
  return request<{ level: NotificationLevel }>("GET", `/api/chat/channels/${encode(channelId)}/notifications`);
}

export function setNotificationLevel(channelId: string, level: NotificationLevel) {
  return request<{ level: NotificationLevel }>("PUT", `/api/chat/channels/${encode(channelId)}/notifications`, {
    json: { level },
  });
}

export function fetchUnread() {
  return request<UnreadSummary>("GET", "/api/chat/unread");
}

export function markChannelRead(channelId: string, messageId: string) {
  return request<{ channel: ChannelUnread }>("POST", `/api/chat/channels/${encode(channelId)}/read`, {
    json: { message_id: messageId },
  });
}

export function markChannelUnread(channelId: string, messageId: string) {
  return request<{ channel: ChannelUnread }>("POST", `/api/chat/channels/${encode(channelId)}/unread`, {
    json: { message_id: messageId },
  });
}

export function markThreadRead(rootId: string, messageId: string) {
  return request<{ thread: ThreadUnread }>("POST", `/api/chat/messages/${encode(rootId)}/thread/read`, {
    json: { message_id: messageId },
  });
}

export function followThread(rootId: string, following: boolean) {
  return request<{ thread: ThreadUnread }>(following ? "POST" : "DELETE", `/api/chat/messages/${encode(rootId)}/follow`);
}

export function listThreads(cursor?: string | null) {
  const query = new URLSearchParams({ limit: "50" });
  if (cursor) query.set("cursor", cursor);
  return request<{ threads: (ThreadUnread & { root: Message })[]; next_cursor: string | null }>(
    "GET",
    `/api/chat/threads?${query}`,
  );
}

/** Lists what follows channel position `afterSeq`, oldest first. */
export function channelMessagesAfterSeq(channelId: string, afterSeq: number) {
  const query = new URLSearchParams({ after_seq: String(afterSeq), limit: "200" });
  return request<CatchUpPage>("GET", `/api/chat/channels/${encode(channelId)}/messages?${query}`);
}

/** Lists the thread's replies after position `afterSeq`, oldest first. */
export function threadRepliesAfterSeq(rootId: string, afterSeq: number) {
  const query = new URLSearchParams({ after_seq: String(afterSeq), limit: "200" });
  return request<CatchUpPage>("GET", `/api/chat/messages/${encode(rootId)}/thread?${query}`);
}

export function browseChannels(after?: string | null) {
  const query = new URLSearchParams({ scope: "browse", limit: "100" });
  if (after) query.set("after", after);
  return request<{ channels: (Channel & { is_member: boolean })[]; next_cursor?: string | null }>(
    "GET",
    `/api/chat/channels?${query}`,
  );
}

export function joinChannel(channelId: string) {
  return request<{ channel?: Channel }>("POST", `/api/chat/channels/${encode(channelId)}/join`);
}

export function leaveChannel(channelId: string) {
  return request<unknown>("POST", `/api/chat/channels/${encode(channelId)}/leave`);
}

export function createChatChannel(name: string, description: string | null, visibility: "public" | "private") {
  const json: Record<string, string> = { name, visibility };
  if (description) json.description = description;
  return request<{ channel: Channel }>("POST", "/api/chat/channels", { json });
}

export function openDirect(userIds: string[]) {
  return request<{ channel: Channel }>("POST", "/api/chat/direct", { json: { user_ids: userIds } });
}

export function searchMessages(query: string, filters: SearchFilters, cursor?: string | null) {
  const params = new URLSearchParams({ q: query, limit: "20" });
  if (filters.channelId) params.set("channel_id", filters.channelId);
  if (filters.authorId) params.set("author_id", filters.authorId);
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  if (cursor) params.set("cursor", cursor);
  return request<{ results: SearchHit[]; next_cursor: string | null; terms: string[] }>(
    "GET",
    `/api/chat/search?${params}`,
  );
}

export function startImport(kind: "slack" | "telegram", file: File) {
  const contentType = kind === "slack" ? "application/zip" : "application/json";
  return request<ImportJob>("POST", `/api/chat/import/${kind}`, { rawBody: file, contentType });
}

export function fetchImport(jobId: string) {
  return request<ImportJob>("GET", `/api/imports/${encode(jobId)}`);
}
