// An article's revisions: who saved each and when, a diff between any two,
// and restoring an old one, which saves its text as a new revision.

import { element } from "../../dom";
import { runAction, runInBackground, showNotice, withBusyButton } from "../../feedback";
import { formatDateTime, localized } from "../../i18n";
import { navigate } from "../../router";
import type { View } from "../view";
import { fetchArticle, fetchDiff, fetchRevisions, restoreRevision, type Article, type Revision, type RevisionDiff } from "./kbApi";
import { pageTitle, statusLabel } from "./kbCommon";
import { kbHash } from "./kbRoutes";
import { kt } from "./kbTexts";

function diffLineClass(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---")) return "kb-diff-file";
  if (line.startsWith("@@")) return "kb-diff-hunk";
  if (line.startsWith("+")) return "kb-diff-added";
  if (line.startsWith("-")) return "kb-diff-removed";
  return "kb-diff-context";
}

function renderDiff(diff: RevisionDiff): HTMLElement {
  const box = element("section", { className: "kb-diff", testId: "kb-diff" }, [
    element("p", { testId: "kb-diff-summary", text: kt("diffSummary", { added: diff.added, removed: diff.removed }) }),
  ]);
  if (diff.title.from !== diff.title.to) {
    box.append(element("p", { text: kt("diffTitleChanged", { from: diff.title.from, to: diff.title.to }) }));
  }
  if (!diff.diff) {
    box.append(element("p", { className: "muted", text: kt("diffNoChanges") }));
    return box;
  }
  const pre = element("pre", { className: "kb-diff-text", testId: "kb-diff-text" });
  for (const line of diff.diff.split("\n")) {
    if (!line) continue;
    pre.append(element("span", { className: diffLineClass(line), text: `${line}\n` }));
  }
  box.append(pre);
  if (diff.truncated) box.append(element("p", { className: "muted", text: kt("diffTruncated") }));
  return box;
}

export function createRevisionsPage(container: HTMLElement, articleId: string): View {
  let destroyed = false;
  const diffSlot = element("div");

  function revisionRow(revision: Revision, article: Article, index: number): HTMLElement {
    const fromRadio = element("input", {
      testId: "kb-revision-from",
      attributes: { type: "radio", name: "kb-diff-from", value: revision.revision, "aria-label": kt("revisionsFrom") },
    });
    const toRadio = element("input", {
      testId: "kb-revision-to",
      attributes: { type: "radio", name: "kb-diff-to", value: revision.revision, "aria-label": kt("revisionsTo") },
    });
    // Newest first: by default compare the previous revision with the latest.
    fromRadio.checked = index === 1;
    toRadio.checked = index === 0;
    const notes = [statusLabel(revision.status)];
    if (revision.significant) notes.push(kt("revisionsSignificant"));
    if (revision.restored_from !== null) notes.push(kt("revisionsRestoredFrom", { revision: revision.restored_from }));
    const row = element("tr", { testId: "kb-revision-row", dataset: { revision: String(revision.revision) } }, [
      element("td", {}, [fromRadio]),
      element("td", {}, [toRadio]),
      element("td", { text: String(revision.revision) }),
      element("td", { text: revision.title }),
      element("td", { text: revision.saved_by.name }),
      element("td", { text: formatDateTime(revision.saved_at) }),
      element("td", { className: "muted", text: notes.join(", ") }),
    ]);
    const actionCell = element("td");
    if (article.rights.edit && revision.revision !== article.revision) {
      const button = element("button", {
        className: "button",
        testId: "kb-revision-restore",
        text: kt("revisionsRestore"),
        attributes: { type: "button" },
      });
      button.addEventListener("click", () => {
        void withBusyButton(button, async () => {
          await restoreRevision(articleId, revision.revision, article.revision);
          if (destroyed) return;
          showNotice(kt("revisionsRestored", { revision: revision.revision }));
          navigate(kbHash.article(articleId));
        });
      });
      actionCell.append(button);
    }
    row.append(actionCell);
    return row;
  }

  void runInBackground(async () => {
    const [{ article }, { revisions }] = await Promise.all([fetchArticle(articleId), fetchRevisions(articleId)]);
    if (destroyed) return;
    const table = element("table", { className: "kb-table", testId: "kb-revisions" }, [
      element("tbody", {}, revisions.map((revision, index) => revisionRow(revision, article, index))),
    ]);
    const compareButton = element("button", {
      className: "button",
      testId: "kb-revisions-compare",
      text: kt("revisionsCompare"),
      attributes: { type: "button" },
    });
    compareButton.addEventListener("click", () => {
      const from = table.querySelector<HTMLInputElement>("input[name=kb-diff-from]:checked");
      const to = table.querySelector<HTMLInputElement>("input[name=kb-diff-to]:checked");
      if (!from || !to) return;
      void runAction(async () => {
        const diff = await fetchDiff(articleId, Number(from.value), Number(to.value));
        if (!destroyed) diffSlot.replaceChildren(renderDiff(diff));
      });
    });
    container.replaceChildren(
      element("a", { className: "back-link", text: kt("revisionsBack"), attributes: { href: kbHash.article(articleId) } }),
      pageTitle(`${kt("revisionsTitle")}: ${localized(article.title, article.title_en)}`, "kb-revisions-title"),
      table,
      element("div", { className: "form-actions" }, [compareButton]),
      diffSlot,
    );
  });

  return {
    destroy() {
      destroyed = true;
    },
  };
}
