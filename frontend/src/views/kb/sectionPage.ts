// One section: its path, its articles (newest first) and a button for a new one.

import { element } from "../../dom";
import { runInBackground } from "../../feedback";
import { formatDateTime, localized } from "../../i18n";
import { isAdmin } from "../../session";
import type { View } from "../view";
import { fetchSection, type ArticleHeader } from "./kbApi";
import { kindLabel, pageTitle, sectionBreadcrumb, statusPill } from "./kbCommon";
import { kbHash } from "./kbRoutes";
import { renderSectionForm } from "./sectionForm";
import { kt } from "./kbTexts";

function articleRow(article: ArticleHeader): HTMLElement {
  return element("li", { className: "kb-article-row", testId: "kb-article-row", dataset: { articleId: article.id } }, [
    element("a", {
      className: "kb-article-link",
      testId: "kb-article-link",
      text: localized(article.title, article.title_en),
      attributes: { href: kbHash.article(article.id) },
    }),
    " ",
    statusPill(article.status, "kb-article-row-status"),
    element("span", {
      className: "muted kb-article-meta",
      text: `${kindLabel(article.kind)} · ${formatDateTime(article.updated_at)}`,
    }),
  ]);
}

export function createSectionPage(container: HTMLElement, sectionId: string): View {
  let destroyed = false;
  container.append(element("p", { className: "muted", text: "…" }));

  void runInBackground(async () => {
    const { section, path, articles } = await fetchSection(sectionId);
    if (destroyed) return;
    const actions = element("div", { className: "form-actions" });
    if (section.rights.edit) {
      actions.append(
        element("a", {
          className: "button button-primary",
          testId: "kb-new-article",
          text: kt("newArticle"),
          attributes: { href: kbHash.newArticle(section.id) },
        }),
      );
    }
    const list = element("ul", { className: "kb-article-list", testId: "kb-article-list" }, articles.map(articleRow));
    container.replaceChildren(
      sectionBreadcrumb(path),
      pageTitle(localized(section.name, section.name_en), "kb-section-title"),
      actions,
      articles.length ? list : element("p", { className: "muted", testId: "kb-section-empty", text: kt("sectionEmpty") }),
      isAdmin() ? renderSectionForm(section.id) : "",
    );
  });

  return {
    destroy() {
      destroyed = true;
    },
  };
}
