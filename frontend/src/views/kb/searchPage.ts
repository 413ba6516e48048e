// Search results: each article with its status and a snippet, with the words
// that matched the query highlighted.

import { ApiError } from "../../api";
import { element } from "../../dom";
import { runInBackground } from "../../feedback";
import { localized } from "../../i18n";
import type { View } from "../view";
import { searchArticles, type SearchResult } from "./kbApi";
import { pageTitle, statusPill } from "./kbCommon";
import { kbHash } from "./kbRoutes";
import { kt } from "./kbTexts";

const WORD = /[\p{L}\p{N}]+/gu;

function fold(word: string): string {
  return word.toLowerCase().replace(/ё/g, "е");
}

/**
 * Builds `text` with <mark> around each word that starts with one of the
 * query's `terms`. The server returns stems (Snowball), so a word matches
 * when its folded form begins with a stem, as «инструкции» does with «инструкц».
 */
export function highlight(text: string, terms: string[]): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const start = match.index ?? 0;
    const folded = fold(word);
    if (!terms.some((term) => term && folded.startsWith(term))) continue;
    if (start > last) fragment.append(text.slice(last, start));
    fragment.append(element("mark", { className: "kb-hit", testId: "kb-search-hit", text: word }));
    last = start + word.length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

function resultItem(result: SearchResult, terms: string[]): HTMLElement {
  const link = element("a", {
    className: "kb-article-link",
    testId: "kb-search-result-link",
    attributes: { href: kbHash.article(result.id) },
  });
  link.append(highlight(localized(result.title, result.title_en), terms));
  const snippet = element("p", { className: "kb-snippet", testId: "kb-search-snippet" });
  snippet.append(highlight(result.snippet, terms));
  return element("li", { className: "kb-search-result", testId: "kb-search-result", dataset: { articleId: result.id } }, [
    link,
    " ",
    statusPill(result.status, "kb-search-result-status"),
    snippet,
  ]);
}

export function createSearchPage(container: HTMLElement, query: string): View {
  let destroyed = false;
  container.append(pageTitle(kt("search"), "kb-search-title"));
  if (!query.trim()) {
    container.append(element("p", { className: "muted", text: kt("searchEmpty") }));
    return { destroy() {} };
  }
  const results = element("div", { testId: "kb-search-results" });
  container.append(results);

  void runInBackground(async () => {
    try {
      const page = await searchArticles(query);
      if (destroyed) return;
      if (!page.results.length) {
        results.replaceChildren(element("p", { className: "muted", testId: "kb-search-nothing", text: kt("searchNothing") }));
        return;
      }
      results.replaceChildren(
        element("p", { className: "muted", testId: "kb-search-total", text: kt("searchTotal", { count: page.total }) }),
        element(
          "ul",
          { className: "kb-search-list" },
          page.results.map((result) => resultItem(result, page.terms)),
        ),
      );
    } catch (error) {
      // A query of only common words has nothing to search for, and the server's message explains that.
      if (error instanceof ApiError && error.status === 400 && !destroyed) {
        results.replaceChildren(element("p", { className: "muted", testId: "kb-search-nothing", text: error.message }));
        return;
      }
      throw error;
    }
  });

  return {
    destroy() {
      destroyed = true;
    },
  };
}
