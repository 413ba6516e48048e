// The signed-in user's channels and their unread counts. It lives for the
// whole session, not only while the chat screen is open, so a message that
// arrives while the user is on another screen still counts as unread.
//
// Counts come from GET /api/chat/unread. Between loads, each message.created
// from someone else in a channel the user is not viewing adds one, as
// docs/CHAT.md specifies for clients, and unread.updated replaces a count whenever
// a read marker moves or a message is deleted.

import { listChannels } from "../../api";
import { liveSocket } from "../../socket";
import { getCurrentUser } from "../../session";
import type { Channel, ChannelKind } from "../../types";
import { fetchUnread, type ThreadUnread } from "./chatApi";

const KIND_ORDER: Record<ChannelKind, number> = {
  notifications: 0,
  general: 1,
  department: 2,
  custom: 3,
  group: 4,
  direct: 4,
  // A payment request's or a task's own discussion, after the channels people chose.
  finance: 5,
  task: 5,
};

// Thread counts change with replies, which carry no per-person event, so the
// summary is fetched again this long after the last reply from someone else.
const THREAD_REFRESH_DELAY_MS = 400;

let channels = new Map<string, Channel>();
const unreadCounts = new Map<string, number>();
const threadUnreads = new Map<string, ThreadUnread>();
let threadRefreshTimer: number | undefined;
const listeners = new Set<() => void>();
let loaded = false;
let openChannelId: string | null = null;
// The open channel that the person marked unread: its count shows although it is open.
let autoReadPausedChannelId: string | null = null;
let loading: Promise<void> | null = null;
// Bumped on sign-out, so a list requested by the previous user is dropped.
let sessionGeneration = 0;

function notify(): void {
  for (const listener of listeners) listener();
}

export function onChannelsChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function isLoaded(): boolean {
  return loaded;
}

/** Channels in display order: notifications first, then general, department and custom ones. */
export function sortedChannels(): Channel[] {
  return [...channels.values()].sort(
    (left, right) =>
      KIND_ORDER[left.kind] - KIND_ORDER[right.kind] ||
      left.name.localeCompare(right.name, undefined, { sensitivity: "base" }),
  );
}

export function findChannel(channelId: string): Channel | undefined {
  return channels.get(channelId);
}

export function isUnread(channelId: string): boolean {
  return unreadCount(channelId) > 0;
}

export function unreadCount(channelId: string): number {
  return unreadCounts.get(channelId) ?? 0;
}

/** Followed threads with unread replies, as the last summary and events show them. */
export function unreadThreads(): ThreadUnread[] {
  return [...threadUnreads.values()].filter((thread) => thread.unread > 0);
}

export function setChannelUnread(channelId: string, count: number): void {
  if (unreadCount(channelId) === count) return;
  if (count > 0) unreadCounts.set(channelId, count);
  else unreadCounts.delete(channelId);
  notify();
}

export function setThreadUnread(thread: ThreadUnread): void {
  if (thread.following === false || thread.unread <= 0) threadUnreads.delete(thread.root_id);
  else threadUnreads.set(thread.root_id, thread);
  notify();
}

/** Fetches the unread counts of every channel and followed thread. */
export async function loadUnread(): Promise<void> {
  const generation = sessionGeneration;
  const summary = await fetchUnread();
  if (generation !== sessionGeneration) return;
  unreadCounts.clear();
  for (const entry of summary.channels) {
    // The open channel is being read, and its pane moves the marker itself.
    if (entry.unread > 0 && !isBeingRead(entry.channel_id)) unreadCounts.set(entry.channel_id, entry.unread);
  }
  threadUnreads.clear();
  for (const thread of summary.threads) {
    if (thread.unread > 0) threadUnreads.set(thread.root_id, thread);
  }
  notify();
}

function scheduleThreadRefresh(): void {
  window.clearTimeout(threadRefreshTimer);
  threadRefreshTimer = window.setTimeout(() => {
    loadUnread().catch(() => {});
  }, THREAD_REFRESH_DELAY_MS);
}

/** Fetches the channel list. Concurrent callers share one request. */
export function loadChannels(): Promise<void> {
  if (loading) return loading;
  const generation = sessionGeneration;
  const request: Promise<void> = listChannels()
    .then((result) => {
      if (generation !== sessionGeneration) return;
      channels = new Map(result.channels.map((channel) => [channel.id, channel]));
      for (const channelId of [...unreadCounts.keys()]) {
        if (!channels.has(channelId)) unreadCounts.delete(channelId);
      }
      loaded = true;
      notify();
    })
    .finally(() => {
      if (loading === request) loading = null;
    });
  loading = request;
  return request;
}

export function upsertChannel(channel: Channel): void {
  channels.set(channel.id, channel);
  notify();
}

export function removeChannel(channelId: string): void {
  channels.delete(channelId);
  unreadCounts.delete(channelId);
  for (const [rootId, thread] of threadUnreads) {
    if (thread.channel_id === channelId) threadUnreads.delete(rootId);
  }
  notify();
}

function isBeingRead(channelId: string): boolean {
  return channelId === openChannelId && channelId !== autoReadPausedChannelId;
}

/** Lets the open channel show an unread count until another channel is opened. */
export function pauseAutoRead(channelId: string): void {
  autoReadPausedChannelId = channelId;
}

/** Records the channel the chat screen shows, or null when it shows none. */
export function setOpenChannel(channelId: string | null): void {
  if (channelId !== openChannelId) autoReadPausedChannelId = null;
  openChannelId = channelId;
  if (channelId && unreadCounts.delete(channelId)) notify();
}

export function resetChannels(): void {
  sessionGeneration += 1;
  loading = null;
  channels = new Map();
  unreadCounts.clear();
  threadUnreads.clear();
  window.clearTimeout(threadRefreshTimer);
  loaded = false;
  openChannelId = null;
  notify();
}

/** Subscribes the store to the live socket. Call it once at startup. */
export function connectChannelStore(): void {
  liveSocket.onEvent((event) => {
    switch (event.type) {
      case "message.created": {
        const message = event.message;
        const fromMe = message.sender_id !== null && message.sender_id === getCurrentUser()?.id;
        if (fromMe) return;
        if (message.thread_id) {
          scheduleThreadRefresh();
          if (message.channel_seq === null || message.channel_seq === undefined) return;
        }
        if (isBeingRead(message.channel_id)) return;
        unreadCounts.set(message.channel_id, unreadCount(message.channel_id) + 1);
        notify();
        return;
      }
      case "unread.updated":
        if (event.channel) {
          const count = isBeingRead(event.channel.channel_id) ? 0 : event.channel.unread;
          setChannelUnread(event.channel.channel_id, count);
        }
        if (event.thread) setThreadUnread(event.thread);
        return;
      case "member.removed":
        if (event.user_id === getCurrentUser()?.id) removeChannel(event.channel_id);
        return;
      case "channel.joined":
      case "channel.updated":
        upsertChannel(event.channel);
        return;
      case "channel.left":
        removeChannel(event.channel_id);
        return;
    }
  });
  liveSocket.onOpen(() => {
    // A reconnect may have missed joins and leaves, so fetch the list again.
    if (loaded) loadChannels().catch(() => {});
    if (getCurrentUser()) loadUnread().catch(() => {});
  });
}
