// Creating and editing an article: the template, title, Markdown with a
// preview, status, target positions and review date. A save names the
// revision it started from; when someone saved meanwhile the server returns
// 409, and the page shows both texts and lets the person keep theirs.

import { ApiError, listPositions } from "../../api";
import { element, field, option } from "../../dom";
import { runInBackground, showError, showNotice, withBusyButton } from "../../feedback";
import { localized } from "../../i18n";
import { navigate } from "../../router";
import type { View } from "../view";
import { renderConflict } from "./conflictPanel";
import {
  createArticle,
  deleteConflict,
  fetchArticle,
  fetchConflicts,
  fetchTemplates,
  saveArticle,
  type Article,
  type ArticleStatus,
} from "./kbApi";
import { pageTitle, statusLabel } from "./kbCommon";
import { kbHash } from "./kbRoutes";
import { kt } from "./kbTexts";
import { renderMarkdownPreview } from "./markdownPreview";

// The shipped «Шаблон инструкции» (chalicelib/kb/data/seeds.json), offered first.
const INSTRUCTION_TEMPLATE_ID = "instruction-template";
const PREVIEW_DELAY_MS = 250;

export interface EditorTarget {
  /** The section of a new article; null when editing. */
  sectionId: string | null;
  /** The article being edited; null when creating. */
  articleId: string | null;
}

export function createEditorPage(container: HTMLElement, target: EditorTarget): View {
  let destroyed = false;
  let baseRevision = 0;
  let previewTimer: number | undefined;
  const creating = target.articleId === null;

  const templateSelect = element("select", { testId: "kb-editor-template" });
  const titleInput = element("input", {
    testId: "kb-editor-title",
    attributes: { type: "text", maxlength: 200, required: true, autocomplete: "off" },
  });
  const bodyInput = element("textarea", {
    className: "kb-editor-body",
    testId: "kb-editor-body",
    attributes: { rows: 24, spellcheck: true },
  });
  const statusSelect = element("select", { testId: "kb-editor-status" });
  const positionsSelect = element("select", {
    className: "kb-editor-positions",
    testId: "kb-editor-positions",
    attributes: { multiple: true, size: 8 },
  });
  const reviewInput = element("input", { testId: "kb-editor-review", attributes: { type: "date" } });
  const significantInput = element("input", { testId: "kb-editor-significant", attributes: { type: "checkbox" } });
  const previewSlot = element("div", { className: "kb-preview-slot" });
  const conflictSlot = element("div");
  const saveButton = element("button", {
    className: "button button-primary",
    testId: "kb-editor-save",
    text: kt("editorSave"),
    attributes: { type: "submit" },
  });

  const statuses: ArticleStatus[] = creating ? ["draft", "published"] : ["draft", "published", "needs_review"];
  for (const status of statuses) statusSelect.append(option(status, statusLabel(status)));

  function refreshPreview(): void {
    previewSlot.replaceChildren(renderMarkdownPreview(bodyInput.value));
  }
  bodyInput.addEventListener("input", () => {
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(refreshPreview, PREVIEW_DELAY_MS);
  });

  async function loadTemplateBody(templateId: string): Promise<void> {
    if (!templateId) return;
    const { article } = await fetchArticle(templateId);
    if (destroyed) return;
    bodyInput.value = article.body;
    refreshPreview();
  }
  templateSelect.addEventListener("change", () => {
    void runInBackground(() => loadTemplateBody(templateSelect.value));
  });

  function selectedPositions(): string[] {
    return Array.from(positionsSelect.selectedOptions, (item) => item.value);
  }

  function fill(article: Article): void {
    baseRevision = article.revision;
    titleInput.value = article.title;
    bodyInput.value = article.body;
    statusSelect.value = article.status;
    reviewInput.value = article.review_at ?? "";
    const chosen = new Set(article.positions.map((position) => position.id));
    for (const item of Array.from(positionsSelect.options)) item.selected = chosen.has(item.value);
    refreshPreview();
  }

  async function removeConflictCopies(articleId: string): Promise<void> {
    // The copies only serve this merge, so they go once the person has chosen.
    const { conflicts } = await fetchConflicts(articleId);
    for (const copy of conflicts) await deleteConflict(articleId, copy.id);
  }

  async function showConflict(articleId: string): Promise<void> {
    const { article: current } = await fetchArticle(articleId);
    if (destroyed) return;
    const mine = { title: titleInput.value, body: bodyInput.value };
    conflictSlot.replaceChildren(
      renderConflict(current, mine, {
        keepMine: () => {
          baseRevision = current.revision;
          conflictSlot.replaceChildren();
          void withBusyButton(saveButton, () => save(articleId));
        },
        takeTheirs: () => {
          fill(current);
          conflictSlot.replaceChildren();
          void runInBackground(() => removeConflictCopies(articleId));
        },
      }),
    );
    conflictSlot.scrollIntoView({ block: "start" });
  }

  async function save(articleId: string): Promise<void> {
    try {
      const { article } = await saveArticle(articleId, {
        base_revision: baseRevision,
        title: titleInput.value.trim(),
        body: bodyInput.value,
        status: statusSelect.value as ArticleStatus,
        position_ids: selectedPositions(),
        review_at: reviewInput.value || null,
        significant: significantInput.checked,
      });
      if (destroyed) return;
      await removeConflictCopies(articleId);
      showNotice(kt("editorSaved", { revision: article.revision }));
      navigate(kbHash.article(article.id));
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.field === "base_revision") {
        await showConflict(articleId);
        return;
      }
      throw error;
    }
  }

  async function create(sectionId: string): Promise<void> {
    const templateId = templateSelect.value;
    const { article } = await createArticle({
      section_id: sectionId,
      title: titleInput.value.trim(),
      body: bodyInput.value,
      status: statusSelect.value as ArticleStatus,
      position_ids: selectedPositions(),
      ...(reviewInput.value ? { review_at: reviewInput.value } : {}),
      ...(templateId ? { template_id: templateId } : {}),
    });
    if (destroyed) return;
    showNotice(kt("editorCreated"));
    navigate(kbHash.article(article.id));
  }

  const form = element(
    "form",
    {
      className: "kb-editor",
      testId: "kb-editor",
      on: {
        submit: (event) => {
          event.preventDefault();
          if (!titleInput.value.trim()) {
            showError(kt("titleRequired"));
            titleInput.focus();
            return;
          }
          void withBusyButton(saveButton, () =>
            target.articleId ? save(target.articleId) : create(target.sectionId ?? ""),
          );
        },
      },
    },
    [
      creating ? field(kt("editorTemplate"), templateSelect) : null,
      field(kt("editorTitle"), titleInput),
      element("div", { className: "kb-editor-columns" }, [
        field(kt("editorBody"), bodyInput),
        element("div", { className: "kb-preview-column" }, [
          element("span", { className: "field-caption", text: kt("editorPreview") }),
          element("p", { className: "muted", text: kt("editorPreviewNote") }),
          previewSlot,
        ]),
      ]),
      element("div", { className: "field-row" }, [
        field(kt("editorStatus"), statusSelect),
        field(kt("editorReview"), reviewInput),
      ]),
      field(kt("editorPositions"), positionsSelect),
      creating ? null : element("label", { className: "kb-checkbox" }, [significantInput, " ", kt("editorSignificant")]),
      element("div", { className: "form-actions" }, [
        saveButton,
        element("a", {
          className: "button",
          text: kt("editorCancel"),
          attributes: {
            href: target.articleId ? kbHash.article(target.articleId) : kbHash.section(target.sectionId ?? ""),
          },
        }),
      ]),
    ],
  );
  container.append(
    pageTitle(kt(creating ? "editorNewTitle" : "editorEditTitle"), "kb-editor-heading"),
    conflictSlot,
    form,
  );
  refreshPreview();

  void runInBackground(async () => {
    const { positions } = await listPositions();
    if (destroyed) return;
    for (const position of positions) {
      positionsSelect.append(option(position.id, localized(position.name, position.name_en)));
    }
    if (target.articleId) {
      const { article } = await fetchArticle(target.articleId);
      if (!destroyed) fill(article);
      return;
    }
    const { templates } = await fetchTemplates();
    if (destroyed) return;
    templateSelect.append(option("", kt("editorNoTemplate")));
    const ordered = [...templates].sort(
      (first, second) => Number(second.id === INSTRUCTION_TEMPLATE_ID) - Number(first.id === INSTRUCTION_TEMPLATE_ID),
    );
    for (const template of ordered) {
      templateSelect.append(option(template.id, localized(template.title, template.title_en)));
    }
    if (ordered.length) {
      templateSelect.value = ordered[0].id;
      await loadTemplateBody(ordered[0].id);
    }
  });

  return {
    destroy() {
      destroyed = true;
      window.clearTimeout(previewTimer);
    },
  };
}
