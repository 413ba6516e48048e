// Messages shown in a list, kept in id order. Ids are ULIDs, which sort by
// creation time, so the order does not depend on how a message arrived: a
// history page, an ack, a live event or a catch-up. A repeated id updates the
// shown message instead of adding a second one.

import type { Message } from "../../types";

export class MessageCollection {
  private readonly messages = new Map<string, Message>();
  private readonly elements = new Map<string, HTMLElement>();
  private orderedIds: string[] = [];

  constructor(
    private readonly container: HTMLElement,
    private readonly render: (message: Message) => HTMLElement,
  ) {}

  get size(): number {
    return this.orderedIds.length;
  }

  get(messageId: string): Message | undefined {
    return this.messages.get(messageId);
  }

  /** Adds the message, or replaces the shown one with the same id. Returns true when it was new. */
  upsert(message: Message): boolean {
    const existing = this.elements.get(message.id);
    const node = this.render(message);
    this.messages.set(message.id, message);
    this.elements.set(message.id, node);
    if (existing) {
      existing.replaceWith(node);
      return false;
    }
    const position = this.insertionIndex(message.id);
    const nextId = this.orderedIds[position];
    this.orderedIds.splice(position, 0, message.id);
    const nextElement = nextId ? this.elements.get(nextId) : undefined;
    this.container.insertBefore(node, nextElement ?? null);
    return true;
  }

  /** Returns the id of the newest shown message, or null when none is shown. */
  lastId(): string | null {
    return this.orderedIds.at(-1) ?? null;
  }

  clear(): void {
    this.messages.clear();
    this.elements.clear();
    this.orderedIds = [];
    this.container.replaceChildren();
  }

  private insertionIndex(messageId: string): number {
    let low = 0;
    let high = this.orderedIds.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.orderedIds[middle] < messageId) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
