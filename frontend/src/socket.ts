// The live connection: one WebSocket at /ws?token=... on the page's own host.
// It reconnects with a growing delay and calls listeners on every open, so
// views can load what they missed while it was down.

import { ApiError } from "./api";
import { t } from "./i18n";
import type { Channel, Message } from "./types";
import type { ChannelUnread, ThreadSummary, ThreadUnread } from "./views/chat/chatApi";

export type ConnectionState = "online" | "offline";

export type ServerEvent =
  | { type: "message.created"; message: Message }
  | { type: "message.updated"; message: Message }
  | { type: "channel.joined"; channel: Channel }
  | { type: "channel.left"; channel_id: string }
  | { type: "channel.updated"; channel: Channel }
  | { type: "message.edited"; message: Message }
  | { type: "message.deleted"; message: Message }
  | { type: "message.pinned"; message: Message }
  | { type: "reaction.updated"; message: Message }
  | { type: "member.removed"; channel_id: string; user_id: string }
  | { type: "thread.updated"; thread: ThreadSummary }
  | { type: "unread.updated"; channel?: ChannelUnread; thread?: ThreadUnread };

interface SendMessageFrame {
  channel_id: string;
  text: string;
  thread_id?: string | null;
  also_send_to_channel?: boolean;
  attachment_ids?: string[];
}

interface PendingRequest {
  resolve: (message: Message) => void;
  reject: (error: Error) => void;
  timer: number;
}

const RECONNECT_DELAYS_MS = [1000, 2000, 4000, 8000];
const MAX_RECONNECT_DELAY_MS = 10_000;
const ACK_TIMEOUT_MS = 15_000;
// API Gateway closes a WebSocket after 10 minutes without traffic.
const KEEPALIVE_INTERVAL_MS = 5 * 60_000;

let requestCounter = 0;

function newRequestId(): string {
  // crypto.randomUUID exists only on https and localhost pages, so build the id by hand.
  requestCounter += 1;
  return `${Date.now().toString(36)}-${requestCounter}-${Math.random().toString(36).slice(2, 10)}`;
}

export class LiveSocket {
  private socket: WebSocket | null = null;
  private token: string | null = null;
  private failedAttempts = 0;
  private reconnectTimer: number | undefined;
  private keepaliveTimer: number | undefined;
  private currentState: ConnectionState = "offline";
  private readonly pending = new Map<string, PendingRequest>();
  private readonly eventListeners = new Set<(event: ServerEvent) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly openListeners = new Set<() => void>();
  private readonly handshakeFailureListeners = new Set<() => void>();

  constructor() {
    window.addEventListener("online", () => this.reconnectNow());
    // A socket may not report a lost network until TCP times out, so it is
    // closed at once and reopened, with a catch-up, when the network returns.
    window.addEventListener("offline", () => this.dropConnection());
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  start(token: string): void {
    if (this.token === token && this.socket) return;
    this.stop();
    this.token = token;
    this.failedAttempts = 0;
    this.connect();
  }

  stop(): void {
    this.token = null;
    window.clearTimeout(this.reconnectTimer);
    window.clearInterval(this.keepaliveTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
    // Sends still waiting belong to the session that is ending, so they are
    // dropped without an error that would show on the sign-in screen.
    for (const request of this.pending.values()) window.clearTimeout(request.timer);
    this.pending.clear();
    this.setState("offline");
  }

  onEvent(listener: (event: ServerEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Called on every successful open, the first included, so views can catch up. */
  onOpen(listener: () => void): () => void {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  /** Called when a connection closes before opening, which is how a rejected token shows. */
  onHandshakeFailure(listener: () => void): () => void {
    this.handshakeFailureListeners.add(listener);
    return () => this.handshakeFailureListeners.delete(listener);
  }

  /**
   * Sends a chat message and resolves with the stored message from the ack.
   * Returns null when the socket is not open, so the caller can use HTTP.
   */
  sendMessage(frame: SendMessageFrame): Promise<Message> | null {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return null;
    const requestId = newRequestId();
    const payload: Record<string, string | boolean | string[]> = {
      action: "send_message",
      channel_id: frame.channel_id,
      text: frame.text,
      request_id: requestId,
    };
    if (frame.thread_id) payload.thread_id = frame.thread_id;
    if (frame.thread_id && frame.also_send_to_channel) payload.also_send_to_channel = true;
    if (frame.attachment_ids?.length) payload.attachment_ids = frame.attachment_ids;
    return new Promise<Message>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(t("socketTimeout")));
      }, ACK_TIMEOUT_MS);
      this.pending.set(requestId, { resolve, reject, timer });
      socket.send(JSON.stringify(payload));
    });
  }

  private connect(): void {
    if (!this.token) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${location.host}/ws?token=${encodeURIComponent(this.token)}`;
    let opened = false;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;

    socket.onopen = () => {
      opened = true;
      this.failedAttempts = 0;
      this.setState("online");
      window.clearInterval(this.keepaliveTimer);
      this.keepaliveTimer = window.setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ action: "ping" }));
      }, KEEPALIVE_INTERVAL_MS);
      for (const listener of this.openListeners) listener();
    };
    socket.onmessage = (event) => this.handleFrame(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      window.clearInterval(this.keepaliveTimer);
      this.setState("offline");
      this.rejectPending(new Error(t("socketTimeout")));
      if (!opened) for (const listener of this.handshakeFailureListeners) listener();
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (!this.token) return;
    const delay = RECONNECT_DELAYS_MS[this.failedAttempts] ?? MAX_RECONNECT_DELAY_MS;
    this.failedAttempts += 1;
    window.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = window.setTimeout(() => this.connect(), delay);
  }

  private dropConnection(): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    socket.onclose = null;
    socket.close();
    window.clearInterval(this.keepaliveTimer);
    this.setState("offline");
    this.rejectPending(new Error(t("socketTimeout")));
    window.clearTimeout(this.reconnectTimer);
  }

  private reconnectNow(): void {
    if (!this.token || this.socket) return;
    window.clearTimeout(this.reconnectTimer);
    this.connect();
  }

  private handleFrame(data: unknown): void {
    if (typeof data !== "string") return;
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    const requestId = typeof frame.request_id === "string" ? frame.request_id : null;
    if (frame.type === "ack" || frame.type === "error") {
      const request = requestId ? this.pending.get(requestId) : undefined;
      if (!request) return;
      this.pending.delete(requestId!);
      window.clearTimeout(request.timer);
      if (frame.type === "ack" && frame.message) {
        request.resolve(frame.message as Message);
      } else {
        const error = (frame.error ?? {}) as { code?: string; message?: string; field?: string };
        request.reject(
          new ApiError(400, {
            code: error.code ?? "error",
            message: error.message ?? t("socketTimeout"),
            field: error.field ?? null,
          }),
        );
      }
      return;
    }
    for (const listener of this.eventListeners) listener(frame as unknown as ServerEvent);
  }

  private rejectPending(error: Error): void {
    for (const request of this.pending.values()) {
      window.clearTimeout(request.timer);
      request.reject(error);
    }
    this.pending.clear();
  }

  private setState(state: ConnectionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

export const liveSocket = new LiveSocket();
