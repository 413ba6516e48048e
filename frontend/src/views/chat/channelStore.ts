// The signed-in user's channels and which of them have unread messages. It
// lives for the whole session, not only while the chat screen is open, so a
// message that arrives while the user is on another screen still marks its
// channel unread.

import { listChannels } from "../../api";
import { liveSocket } from "../../socket";
import { getCurrentUser } from "../../session";
import type { Channel, ChannelKind } from "../../types";

const KIND_ORDER: Record<ChannelKind, number> = {
  notifications: 0,
  general: 1,
  department: 2,
  custom: 3,
};

let channels = new Map<string, Channel>();
const unreadChannelIds = new Set<string>();
const listeners = new Set<() => void>();
let loaded = false;
let openChannelId: string | null = null;
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
  return unreadChannelIds.has(channelId);
}

/** Fetches the channel list. Concurrent callers share one request. */
export function loadChannels(): Promise<void> {
  if (loading) return loading;
  const generation = sessionGeneration;
  const request: Promise<void> = listChannels()
    .then((result) => {
      if (generation !== sessionGeneration) return;
      channels = new Map(result.channels.map((channel) => [channel.id, channel]));
      for (const channelId of unreadChannelIds) {
        if (!channels.has(channelId)) unreadChannelIds.delete(channelId);
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
  unreadChannelIds.delete(channelId);
  notify();
}

/** Records the channel the chat screen shows, or null when it shows none. */
export function setOpenChannel(channelId: string | null): void {
  openChannelId = channelId;
  if (channelId && unreadChannelIds.delete(channelId)) notify();
}

export function resetChannels(): void {
  sessionGeneration += 1;
  loading = null;
  channels = new Map();
  unreadChannelIds.clear();
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
        if (message.thread_id || fromMe || message.channel_id === openChannelId) return;
        if (!unreadChannelIds.has(message.channel_id)) {
          unreadChannelIds.add(message.channel_id);
          notify();
        }
        return;
      }
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
  });
}
