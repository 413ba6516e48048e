// Links that open a thread: #/chat/<channel id>/thread/<root message id>. The
// router reads only the channel from such a link; the chat screen reads the
// thread with threadIdFromHash.

import { chatHash } from "../../router";

const THREAD_SEGMENT = "thread";

export function chatThreadHash(channelId: string, rootId: string): string {
  return `${chatHash(channelId)}/${THREAD_SEGMENT}/${encodeURIComponent(rootId)}`;
}

/** Returns the root message id that a chat link names, or null when it names none. */
export function threadIdFromHash(hash: string): string | null {
  const segments = hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  if (segments[0] !== "chat" || segments[2] !== THREAD_SEGMENT || !segments[3]) return null;
  try {
    return decodeURIComponent(segments[3]);
  } catch {
    return null;
  }
}
