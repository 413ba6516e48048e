// One article: its header, the body as the server rendered it, the
// «Ознакомлен(а)» button for the people it targets and, for its editors, the
// report of who has read and confirmed it and the editor of its questions.

import { element } from "../../dom";
import { runInBackground, showNotice, withBusyButton } from "../../feedback";
import { formatDate, formatDateTime, localized } from "../../i18n";
import type { View } from "../view";
import { acknowledgeArticle, fetchArticle, fetchReaders, type Article, type ReadersReport } from "./kbApi";
import { kindLabel, pageTitle, sectionBreadcrumb, statusPill } from "./kbCommon";
import { kbHash } from "./kbRoutes";
import { kt, type KbTextKey } from "./kbTexts";
import { createQuestionEditor, type QuestionEditor } from "./questionEditor";

function fact(label: KbTextKey, testId: string, value: Node | string): HTMLElement[] {
  return [element("dt", { text: kt(label) }), element("dd", { testId }, [value])];
}

function renderFacts(article: Article): HTMLElement {
  const positions = article.positions.length
    ? article.positions.map((position) => position.name ?? position.id).join(", ")
    : kt("articleNoPositions");
  const changed = article.updated_by
    ? kt("articleChangedBy", { date: formatDateTime(article.updated_at), name: article.updated_by.name })
    : formatDateTime(article.updated_at);
  return element("dl", { className: "kb-facts", testId: "kb-article-facts" }, [
    ...fact("articleStatus", "kb-article-status-cell", statusPill(article.status)),
    ...fact("articleAuthor", "kb-article-author", article.author?.name ?? ""),
    ...fact("articleCreated", "kb-article-created", formatDateTime(article.created_at)),
    ...fact("articleChanged", "kb-article-changed", changed),
    ...fact("articlePositions", "kb-article-positions", positions),
    ...fact("articleReview", "kb-article-review", article.review_at ? formatDate(article.review_at) : "—"),
    ...fact("articleRevision", "kb-article-revision", String(article.revision)),
  ]);
}

/**
 * Builds the article body from `article.html`, which the server rendered from
 * Markdown and sanitised with nh3 and an allow-list of tags, attributes and
 * URL schemes. Only that field goes in as HTML; the raw Markdown in
 * `article.body` never does.
 */
function renderBody(article: Article): HTMLElement {
  const body = element("div", { className: "kb-article-body", testId: "kb-article-body" });
  body.innerHTML = article.html;
  return body;
}

function renderReaders(report: ReadersReport): HTMLElement {
  const section = element("section", { className: "kb-readers", testId: "kb-readers" }, [
    element("h2", { text: kt("readersTitle") }),
    element("p", {
      testId: "kb-readers-summary",
      text: kt("readersSummary", { read: report.read, total: report.total, confirmed: report.confirmed }),
    }),
  ]);
  if (!report.readers.length) {
    section.append(element("p", { className: "muted", text: kt("readersNone") }));
    return section;
  }
  const rows = report.readers.map((person) =>
    element("tr", { testId: "kb-reader-row", dataset: { userId: person.user.id } }, [
      element("td", { text: person.user.name }),
      element("td", { text: person.position.name ?? "" }),
      element("td", { testId: "kb-reader-read", text: person.read ? formatDateTime(person.read_at) || kt("yes") : kt("no") }),
      element("td", {
        testId: "kb-reader-confirmed",
        text: person.confirmed ? formatDateTime(person.confirmed_at) || kt("yes") : kt("no"),
      }),
    ]),
  );
  section.append(
    element("table", { className: "kb-table" }, [
      element("thead", {}, [
        element("tr", {}, [
          element("th", { text: kt("readersName") }),
          element("th", { text: kt("readersPosition") }),
          element("th", { text: kt("readersRead") }),
          element("th", { text: kt("readersConfirmed") }),
        ]),
      ]),
      element("tbody", {}, rows),
    ]),
  );
  return section;
}

export function createArticlePage(container: HTMLElement, articleId: string): View {
  let destroyed = false;
  let questionEditor: QuestionEditor | null = null;
  const ackSlot = element("div", { className: "kb-ack", testId: "kb-ack" });
  const readersSlot = element("div");

  function renderAcknowledgement(article: Article): void {
    const state = article.acknowledgement;
    ackSlot.replaceChildren();
    if (state.confirmed) {
      ackSlot.append(
        element("p", {
          className: "kb-ack-done",
          testId: "kb-ack-done",
          text: kt("acknowledged", { date: formatDateTime(state.confirmed_at) }),
        }),
      );
      return;
    }
    if (!state.required) return;
    const button = element("button", {
      className: "button button-primary",
      testId: "kb-acknowledge",
      text: kt("acknowledge"),
      attributes: { type: "button" },
    });
    button.addEventListener("click", () => {
      void withBusyButton(button, async () => {
        const result = await acknowledgeArticle(articleId);
        if (destroyed) return;
        article.acknowledgement = { ...article.acknowledgement, ...result.acknowledgement };
        renderAcknowledgement(article);
        showNotice(kt("acknowledgedNotice"));
        if (article.rights.edit) await loadReaders();
      });
    });
    ackSlot.append(element("p", { text: kt("acknowledgeNeeded") }), button);
  }

  async function loadReaders(): Promise<void> {
    const report = await fetchReaders(articleId);
    if (!destroyed) readersSlot.replaceChildren(renderReaders(report));
  }

  void runInBackground(async () => {
    const { article } = await fetchArticle(articleId);
    if (destroyed) return;
    const actions = element("div", { className: "form-actions" });
    if (article.rights.edit) {
      actions.append(
        element("a", {
          className: "button",
          testId: "kb-edit-article",
          text: kt("edit"),
          attributes: { href: kbHash.edit(article.id) },
        }),
      );
    }
    actions.append(
      element("a", {
        className: "button",
        testId: "kb-article-history",
        text: kt("history"),
        attributes: { href: kbHash.history(article.id) },
      }),
    );
    const linked = article.linked_from.length
      ? element("section", { className: "kb-linked", testId: "kb-linked-from" }, [
          element("h2", { text: kt("linkedFrom") }),
          element(
            "ul",
            {},
            article.linked_from.map((item) =>
              element("li", {}, [element("a", { text: item.title, attributes: { href: kbHash.article(item.id) } })]),
            ),
          ),
        ])
      : null;
    container.replaceChildren(
      sectionBreadcrumb(article.section.path),
      pageTitle(localized(article.title, article.title_en), "kb-article-title"),
      element("p", { className: "muted", text: kindLabel(article.kind) }),
      renderFacts(article),
      actions,
      ackSlot,
      renderBody(article),
      ...(linked ? [linked] : []),
      readersSlot,
    );
    renderAcknowledgement(article);
    if (article.rights.edit) {
      questionEditor = createQuestionEditor(article.id);
      container.append(questionEditor.node);
      await loadReaders();
    }
  });

  return {
    destroy() {
      destroyed = true;
      questionEditor?.destroy();
    },
  };
}
