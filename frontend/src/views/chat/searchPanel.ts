// The messenger search: a query with channel, author and date filters, and
// hits with the matching words highlighted. Highlights are built as <mark>
// nodes around text nodes from the API's `highlights`, never as markup.

import { listUsers } from "../../api";
import { element, field, option } from "../../dom";
import { runAction, runInBackground } from "../../feedback";
import { formatDateTime } from "../../i18n";
import { searchMessages, type SearchFilters, type SearchHit } from "./chatApi";
import { ct } from "./chatText";
import { findChannel, onChannelsChange, sortedChannels } from "./channelStore";
import { senderName } from "./messageItem";

export interface ChatPanel {
  readonly element: HTMLElement;
  destroy(): void;
}

/** Escapes the word for a RegExp. The server folds ё to е, so е matches either letter. */
function escapeForPattern(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/е/g, "[её]");
}

/** Splits `text` into text nodes and <mark> nodes around each highlighted word. */
export function highlightedText(text: string, words: string[]): Node[] {
  const wanted = words.filter((word) => word.length > 0);
  if (wanted.length === 0) return [document.createTextNode(text)];
  const longestFirst = [...wanted].sort((left, right) => right.length - left.length).map(escapeForPattern);
  // Words are matched whole, letters and digits of any script counting as word characters.
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${longestFirst.join("|")})(?![\\p{L}\\p{N}])`, "giu");
  const nodes: Node[] = [];
  let position = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    if (start > position) nodes.push(document.createTextNode(text.slice(position, start)));
    nodes.push(element("mark", { className: "search-highlight", testId: "search-highlight", text: match[0] }));
    position = start + match[0].length;
  }
  if (position < text.length) nodes.push(document.createTextNode(text.slice(position)));
  return nodes;
}

export function createSearchPanel(openMessage: (channelId: string, rootId: string | null) => void): ChatPanel {
  const queryInput = element("input", {
    testId: "search-input",
    attributes: { type: "search", placeholder: ct("searchPlaceholder"), "aria-label": ct("searchPlaceholder"), maxlength: 200 },
  });
  const channelSelect = element("select", { testId: "search-channel" });
  // The panel may open before the channel list has loaded, so the options
  // follow the store, keeping the chosen channel.
  let listed = "";
  function fillChannels(): void {
    const channels = sortedChannels();
    // The store also notifies on unread counts, which change no option.
    const signature = channels.map((channel) => `${channel.id}:${channel.name}`).join("|");
    if (signature === listed) return;
    listed = signature;
    const chosen = channelSelect.value;
    channelSelect.replaceChildren(
      option("", ct("searchAnyChannel"), true),
      ...channels.map((channel) => option(channel.id, channel.name)),
    );
    if (chosen && findChannel(chosen)) channelSelect.value = chosen;
  }
  fillChannels();
  const unsubscribe = onChannelsChange(fillChannels);
  const authorSelect = element("select", { testId: "search-author" }, [option("", ct("searchAnyAuthor"), true)]);
  const fromInput = element("input", { testId: "search-from", attributes: { type: "date" } });
  const toInput = element("input", { testId: "search-to", attributes: { type: "date" } });
  const submit = element("button", {
    className: "button-primary",
    testId: "search-submit",
    text: ct("searchSubmit"),
    attributes: { type: "submit" },
  });
  const results = element("ol", { className: "search-results", testId: "search-results" });
  const emptyNote = element("p", { className: "muted", testId: "search-empty", text: ct("searchEmpty"), attributes: { hidden: true } });
  const moreButton = element("button", {
    className: "link-button",
    testId: "search-more",
    text: ct("searchSubmit"),
    attributes: { type: "button", hidden: true },
  });
  const form = element("form", { className: "search-form", attributes: { role: "search", novalidate: true } }, [
    queryInput,
    field(ct("searchChannel"), channelSelect),
    field(ct("searchAuthor"), authorSelect),
    field(ct("searchFrom"), fromInput),
    field(ct("searchTo"), toInput),
    submit,
  ]);

  void runInBackground(() => listUsers()).then((result) => {
    for (const user of result?.users ?? []) authorSelect.appendChild(option(user.id, user.name));
  });

  let lastQuery = "";
  let lastFilters: SearchFilters = {};
  let cursor: string | null = null;

  function renderHit(hit: SearchHit): HTMLElement {
    const channelName = findChannel(hit.channel_id)?.name ?? "";
    const text = element("div", { className: "message-text", testId: "search-hit-text" }, highlightedText(hit.text, hit.highlights));
    const item = element("li", { className: "search-hit message", testId: "search-hit", dataset: { id: hit.id } }, [
      element("div", { className: "message-header" }, [
        element("span", { className: "message-sender", text: senderName(hit) }),
        element("span", { className: "muted", text: ct("inChannel", { name: channelName }) }),
        element("time", { className: "message-time", text: formatDateTime(hit.created_at) }),
      ]),
      text,
    ]);
    item.addEventListener("click", () => openMessage(hit.channel_id, hit.thread_id));
    return item;
  }

  async function runSearch(append: boolean): Promise<void> {
    const page = await runAction(() => searchMessages(lastQuery, lastFilters, append ? cursor : null));
    if (!page) return;
    if (!append) results.replaceChildren();
    for (const hit of page.results) results.appendChild(renderHit(hit));
    cursor = page.next_cursor;
    moreButton.hidden = cursor === null;
    emptyNote.hidden = results.childElementCount > 0;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    lastQuery = queryInput.value.trim();
    if (!lastQuery) {
      queryInput.focus();
      return;
    }
    lastFilters = {
      channelId: channelSelect.value || undefined,
      authorId: authorSelect.value || undefined,
      from: fromInput.value || undefined,
      to: toInput.value || undefined,
    };
    void runSearch(false);
  });
  moreButton.addEventListener("click", () => void runSearch(true));

  const panel = element("section", { className: "chat-panel", testId: "search-panel" }, [
    element("header", { className: "pane-header" }, [element("h2", { text: ct("searchView") })]),
    form,
    results,
    emptyNote,
    moreButton,
  ]);
  queueMicrotask(() => queryInput.focus());
  return { element: panel, destroy: unsubscribe };
}
