// Pieces shared by the knowledge base pages: labels, status pills and links.

import { element } from "../../dom";
import { localized } from "../../i18n";
import type { ArticleKind, ArticleStatus, PathItem } from "./kbApi";
import { kbHash } from "./kbRoutes";
import { kt, type KbTextKey } from "./kbTexts";

const STATUS_LABELS: Record<ArticleStatus, KbTextKey> = {
  draft: "statusDraft",
  published: "statusPublished",
  needs_review: "statusNeedsReview",
};

const KIND_LABELS: Record<ArticleKind, KbTextKey> = {
  regulation: "kindRegulation",
  instruction: "kindInstruction",
};

export function statusLabel(status: ArticleStatus): string {
  return STATUS_LABELS[status] ? kt(STATUS_LABELS[status]) : status;
}

export function kindLabel(kind: ArticleKind): string {
  return KIND_LABELS[kind] ? kt(KIND_LABELS[kind]) : kind;
}

export function statusPill(status: ArticleStatus, testId = "kb-article-status"): HTMLElement {
  return element("span", {
    className: `status-pill kb-status-${status}`,
    testId,
    text: statusLabel(status),
    dataset: { status },
  });
}

/** Builds the breadcrumb of sections from the top of the tree down. */
export function sectionBreadcrumb(path: PathItem[]): HTMLElement {
  const crumbs = element("nav", { className: "kb-breadcrumb", testId: "kb-breadcrumb" });
  path.forEach((item, index) => {
    if (index > 0) crumbs.append(" / ");
    crumbs.append(
      element("a", { text: localized(item.name, item.name_en), attributes: { href: kbHash.section(item.id) } }),
    );
  });
  return crumbs;
}

export function pageTitle(text: string, testId: string): HTMLElement {
  return element("h1", { className: "kb-title", testId, text });
}
