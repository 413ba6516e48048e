// The @mention list of a composer: typing "@" lists the channel's members and
// @channel, filtered as one types; arrows move, Enter or Tab inserts, Esc closes.

import { element } from "../../dom";
import { ft } from "./fileTexts";

export interface MentionCandidate {
  /** The text after "@" that the backend resolves to this person (chalicelib/chat/mentions.py). */
  handle: string;
  name: string;
}

export interface MentionAutocomplete {
  readonly element: HTMLElement;
  /** Handles a key while the list is open; returns true when the key was used. */
  handleKeydown(event: KeyboardEvent): boolean;
  isOpen(): boolean;
  /** Filters the list again, e.g. once the members have loaded. */
  refresh(): void;
}

const MAX_SHOWN = 8;
// An "@" that starts a mention: at the start or after a character that cannot
// end an email address, as the backend's rule has it.
const MENTION_BEFORE_CARET = /(?:^|[^\p{L}\p{N}_@.])@([\p{L}\p{N}._%+-]*)$/u;
const CHANNEL_HANDLES = ["channel", "канал"];
// Numbers the lists, since the channel's and the thread's composers each have
// one and the options' element ids must differ.
let listCount = 0;

export function attachMentionAutocomplete(
  input: HTMLTextAreaElement,
  candidates: () => MentionCandidate[],
): MentionAutocomplete {
  const list = element("ul", {
    className: "mention-list",
    testId: "mention-list",
    attributes: { role: "listbox", "aria-label": ft("mentionList"), hidden: true },
  });
  listCount += 1;
  const optionIdPrefix = `mention-${listCount}-option`;
  let shown: MentionCandidate[] = [];
  let active = 0;
  let start = -1;

  function close(): void {
    list.hidden = true;
    list.replaceChildren();
    shown = [];
    start = -1;
    input.removeAttribute("aria-activedescendant");
  }

  function matches(query: string): MentionCandidate[] {
    const everyone = CHANNEL_HANDLES.map((handle) => ({ handle, name: ft("mentionChannel") }));
    const people = candidates().filter(
      (candidate) =>
        candidate.handle.toLowerCase().startsWith(query) ||
        candidate.name
          .toLowerCase()
          .split(/\s+/)
          .some((word) => word.startsWith(query)),
    );
    const channel = everyone.filter((candidate) => candidate.handle.startsWith(query));
    return [...people, ...channel].slice(0, MAX_SHOWN);
  }

  function render(): void {
    list.replaceChildren(
      ...shown.map((candidate, index) =>
        element(
          "li",
          {
            className: index === active ? "mention-option active" : "mention-option",
            testId: "mention-option",
            dataset: { handle: candidate.handle },
            attributes: { role: "option", id: `${optionIdPrefix}-${index}`, "aria-selected": String(index === active) },
            on: {
              // mousedown, not click, so the input keeps its focus and caret.
              mousedown: (event) => {
                event.preventDefault();
                choose(candidate);
              },
            },
          },
          [element("span", { className: "mention-name", text: candidate.name }), element("span", { className: "muted", text: `@${candidate.handle}` })],
        ),
      ),
    );
    list.hidden = shown.length === 0;
    if (shown.length > 0) input.setAttribute("aria-activedescendant", `${optionIdPrefix}-${active}`);
  }

  function update(): void {
    const caret = input.selectionStart ?? input.value.length;
    if (caret !== input.selectionEnd) return close();
    const match = MENTION_BEFORE_CARET.exec(input.value.slice(0, caret));
    if (!match) return close();
    const query = match[1].toLowerCase();
    start = caret - query.length;
    shown = matches(query);
    active = Math.min(active, Math.max(0, shown.length - 1));
    if (shown.length === 0) return close();
    render();
  }

  function choose(candidate: MentionCandidate): void {
    const caret = input.selectionStart ?? input.value.length;
    if (start < 0) return;
    const inserted = `${candidate.handle} `;
    input.value = input.value.slice(0, start) + inserted + input.value.slice(caret);
    const position = start + inserted.length;
    input.setSelectionRange(position, position);
    close();
    // The composer recounts the text on input events.
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  input.addEventListener("input", () => {
    if (start < 0) active = 0;
    update();
  });
  input.addEventListener("click", update);
  input.addEventListener("blur", close);

  return {
    element: list,
    isOpen: () => !list.hidden,
    refresh: () => {
      if (document.activeElement === input) update();
    },
    handleKeydown(event) {
      if (list.hidden || event.isComposing) return false;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        const step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + shown.length) % shown.length;
        render();
      } else if (event.key === "Enter" || event.key === "Tab") {
        choose(shown[active]);
      } else if (event.key === "Escape") {
        close();
      } else {
        return false;
      }
      event.preventDefault();
      event.stopPropagation();
      return true;
    },
  };
}
