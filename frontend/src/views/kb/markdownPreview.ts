// A rough preview of Markdown while it is edited, built from DOM nodes and
// text nodes only, so nothing typed is ever parsed as HTML. It covers the
// common blocks (headings, paragraphs, lists, quotes, code, rules) and inline
// bold, italics, code and links. The saved article is rendered by the server,
// which also resolves article links, mentions and images; this preview shows
// those as their text.

import { element } from "../../dom";

const INLINE = /(\*\*[^*]+\*\*|__[^_]+__|\*[^*\s][^*]*\*|_[^_\s][^_]*_|`[^`]+`|!?\[[^\]]*\]\([^)\s]*\))/;

function appendInline(parent: HTMLElement, text: string): void {
  for (const part of text.split(INLINE)) {
    if (!part) continue;
    if ((part.startsWith("**") && part.endsWith("**")) || (part.startsWith("__") && part.endsWith("__"))) {
      const strong = element("strong");
      appendInline(strong, part.slice(2, -2));
      parent.append(strong);
    } else if (part.length > 2 && part.startsWith("`") && part.endsWith("`")) {
      parent.append(element("code", { text: part.slice(1, -1) }));
    } else if (/^!?\[/.test(part) && part.endsWith(")")) {
      const match = /^!?\[([^\]]*)\]\(([^)\s]*)\)$/.exec(part);
      const label = match?.[1] ?? part;
      const target = match?.[2] ?? "";
      // Only web links become links; article:, user: and image: targets are the server's to resolve.
      if (/^https?:\/\//i.test(target)) {
        parent.append(element("a", { text: label || target, attributes: { href: target, rel: "noopener noreferrer", target: "_blank" } }));
      } else {
        parent.append(element("span", { className: "kb-preview-link", text: label || target }));
      }
    } else if (part.length > 2 && /^[*_]/.test(part) && part.endsWith(part[0])) {
      const emphasis = element("em");
      appendInline(emphasis, part.slice(1, -1));
      parent.append(emphasis);
    } else {
      parent.append(part);
    }
  }
}

type ListTag = "ul" | "ol";

/** Builds the preview of `markdown` into a new element. */
export function renderMarkdownPreview(markdown: string): HTMLElement {
  const root = element("div", { className: "kb-article-body kb-preview", testId: "kb-editor-preview" });
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  let paragraph: string[] = [];
  let list: HTMLElement | null = null;
  let listTag: ListTag | null = null;
  let quote: string[] = [];

  function flushParagraph(): void {
    if (paragraph.length) {
      const node = element("p");
      appendInline(node, paragraph.join(" "));
      root.append(node);
    }
    paragraph = [];
  }
  function flushList(): void {
    list = null;
    listTag = null;
  }
  function flushQuote(): void {
    if (quote.length) {
      const node = element("blockquote");
      const inner = element("p");
      appendInline(inner, quote.join(" "));
      node.append(inner);
      root.append(node);
    }
    quote = [];
  }
  function flushAll(): void {
    flushParagraph();
    flushList();
    flushQuote();
  }

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index];
    if (/^\s*```/.test(line)) {
      flushAll();
      const code: string[] = [];
      index += 1;
      while (index < lines.length && !/^\s*```/.test(lines[index])) {
        code.push(lines[index]);
        index += 1;
      }
      root.append(element("pre", {}, [element("code", { text: code.join("\n") })]));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    const quoted = /^\s*>\s?(.*)$/.exec(line);
    if (!line.trim()) {
      flushAll();
    } else if (heading) {
      flushAll();
      const node = element(`h${heading[1].length}` as "h1");
      appendInline(node, heading[2]);
      root.append(node);
    } else if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flushAll();
      root.append(element("hr"));
    } else if (bullet || numbered) {
      flushParagraph();
      flushQuote();
      const tag: ListTag = bullet ? "ul" : "ol";
      if (!list || listTag !== tag) {
        list = element(tag);
        listTag = tag;
        root.append(list);
      }
      const item = element("li");
      appendInline(item, (bullet ?? numbered)![1]);
      list.append(item);
    } else if (quoted) {
      flushParagraph();
      flushList();
      quote.push(quoted[1]);
    } else {
      flushList();
      flushQuote();
      paragraph.push(line.trim());
    }
  }
  flushAll();
  return root;
}
