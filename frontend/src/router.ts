// Hash routes: #/login, #/org, #/chat, #/chat/<channelId>, #/tasks, #/tasks/<taskId>.

export type Route =
  | { name: "login" }
  | { name: "org" }
  | { name: "chat"; channelId: string | null }
  | { name: "tasks" }
  | { name: "task"; taskId: string };

export const DEFAULT_ROUTE_HASH = "#/chat";

export function parseRoute(hash: string): Route | null {
  const segments = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeSegment);
  const [first, second] = segments;
  switch (first) {
    case "login":
      return { name: "login" };
    case "org":
      return { name: "org" };
    case "chat":
      return { name: "chat", channelId: second ?? null };
    case "tasks":
      return second ? { name: "task", taskId: second } : { name: "tasks" };
    default:
      return null;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function navigate(hash: string, { replace = false } = {}): void {
  if (location.hash === hash) return;
  if (replace) {
    history.replaceState(null, "", hash);
    // replaceState does not fire hashchange, so announce the change ourselves.
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = hash;
  }
}

export function chatHash(channelId: string): string {
  return `#/chat/${encodeURIComponent(channelId)}`;
}

export function taskHash(taskId: string): string {
  return `#/tasks/${encodeURIComponent(taskId)}`;
}
