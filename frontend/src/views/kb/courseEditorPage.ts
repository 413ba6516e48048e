// Creating and editing a course: its title and description, the articles in
// order, the positions whose holders take it, and whether it is mandatory with
// a deadline in days. Articles are picked section by section, from the
// published articles of each. The server checks rights and the fields, and
// its message shows under the form.

import { listPositions } from "../../api";
import { element, field, option } from "../../dom";
import { runInBackground, showNotice } from "../../feedback";
import { localized } from "../../i18n";
import { navigate } from "../../router";
import type { View } from "../view";
import {
  createCourse,
  fetchCourse,
  fetchSection,
  fetchSections,
  updateCourse,
  type ArticleHeader,
  type CourseFields,
  type Section,
} from "./kbApi";
import { pageTitle } from "./kbCommon";
import { kbHash } from "./kbRoutes";
import { kt } from "./kbTexts";
import { createFormError, submitWith } from "./formError";

interface ChosenArticle {
  id: string;
  title: string;
}

/** Lists every section of the tree, each named by its path from the top. */
function flattenSections(sections: Section[], prefix = ""): { id: string; label: string }[] {
  return sections.flatMap((section) => {
    const label = prefix + localized(section.name, section.name_en);
    return [{ id: section.id, label }, ...flattenSections(section.children ?? [], `${label} / `)];
  });
}

export function createCourseEditorPage(container: HTMLElement, courseId: string | null): View {
  let destroyed = false;
  let chosen: ChosenArticle[] = [];
  let sectionArticles: ArticleHeader[] = [];

  const titleInput = element("input", {
    testId: "kb-course-form-title",
    attributes: { type: "text", maxlength: 200, autocomplete: "off" },
  });
  const descriptionInput = element("textarea", {
    testId: "kb-course-form-description",
    attributes: { rows: 3, maxlength: 4000 },
  });
  const sectionSelect = element("select", { testId: "kb-course-form-section" });
  const articleSelect = element("select", { testId: "kb-course-form-article" });
  const addArticleButton = element("button", {
    className: "button",
    testId: "kb-course-form-add-article",
    text: kt("courseFormAddArticle"),
    attributes: { type: "button" },
  });
  const chosenList = element("ol", { className: "kb-course-form-articles", testId: "kb-course-form-articles" });
  const positionsSelect = element("select", {
    className: "kb-editor-positions",
    testId: "kb-course-form-positions",
    attributes: { multiple: true, size: 8 },
  });
  const mandatoryInput = element("input", { testId: "kb-course-form-mandatory", attributes: { type: "checkbox" } });
  const deadlineInput = element("input", {
    testId: "kb-course-form-deadline",
    attributes: { type: "number", min: 1, max: 365, step: 1, disabled: true },
  });
  const formError = createFormError("kb-course-form-error");
  const saveButton = element("button", {
    className: "button button-primary",
    testId: "kb-course-form-save",
    text: courseId ? kt("editorSave") : kt("courseFormCreate"),
    attributes: { type: "submit" },
  });

  mandatoryInput.addEventListener("change", () => {
    deadlineInput.disabled = !mandatoryInput.checked;
  });

  function renderChosen(): void {
    chosenList.replaceChildren(
      ...chosen.map((article, index) => {
        const move = (label: string, testId: string, offset: number) => {
          const button = element("button", {
            className: "button",
            testId,
            text: label,
            attributes: { type: "button", disabled: index + offset < 0 || index + offset >= chosen.length },
          });
          button.addEventListener("click", () => {
            const [moved] = chosen.splice(index, 1);
            chosen.splice(index + offset, 0, moved);
            renderChosen();
          });
          return button;
        };
        const remove = element("button", {
          className: "button",
          testId: "kb-course-form-remove",
          text: kt("courseFormRemove"),
          attributes: { type: "button" },
        });
        remove.addEventListener("click", () => {
          chosen.splice(index, 1);
          renderChosen();
        });
        return element("li", { className: "kb-course-form-article", testId: "kb-course-form-chosen", dataset: { articleId: article.id } }, [
          element("span", { text: article.title }),
          move("↑", "kb-course-form-up", -1),
          move("↓", "kb-course-form-down", 1),
          remove,
        ]);
      }),
    );
  }

  async function loadSectionArticles(sectionId: string): Promise<void> {
    articleSelect.replaceChildren();
    if (!sectionId) return;
    const { articles } = await fetchSection(sectionId);
    if (destroyed) return;
    // A course takes published articles only.
    sectionArticles = articles.filter((article) => article.status === "published");
    articleSelect.append(
      ...sectionArticles.map((article) => option(article.id, localized(article.title, article.title_en))),
    );
  }
  sectionSelect.addEventListener("change", () => {
    void runInBackground(() => loadSectionArticles(sectionSelect.value));
  });
  addArticleButton.addEventListener("click", () => {
    const article = sectionArticles.find((item) => item.id === articleSelect.value);
    if (!article || chosen.some((item) => item.id === article.id)) return;
    chosen.push({ id: article.id, title: localized(article.title, article.title_en) });
    renderChosen();
  });

  function fields(): CourseFields {
    const deadline = deadlineInput.value.trim();
    return {
      title: titleInput.value,
      description: descriptionInput.value.trim() || null,
      article_ids: chosen.map((article) => article.id),
      position_ids: Array.from(positionsSelect.selectedOptions, (item) => item.value),
      mandatory: mandatoryInput.checked,
      // A number input's value is "" or a valid number; the server checks the range.
      deadline_days: mandatoryInput.checked && deadline ? Number(deadline) : null,
    };
  }

  async function save(): Promise<void> {
    const { course } = courseId ? await updateCourse(courseId, fields()) : await createCourse(fields());
    if (destroyed) return;
    showNotice(kt(courseId ? "courseFormSaved" : "courseFormCreated", { title: course.title }));
    navigate(kbHash.courses());
  }

  const form = element(
    "form",
    {
      className: "kb-course-form",
      testId: "kb-course-form",
      on: {
        submit: (event) => {
          event.preventDefault();
          void submitWith(saveButton, formError, save);
        },
      },
    },
    [
      field(kt("courseFormTitle"), titleInput),
      field(kt("courseFormDescription"), descriptionInput),
      element("fieldset", { className: "kb-option-block" }, [
        element("legend", { text: kt("courseFormArticles") }),
        chosenList,
        element("div", { className: "field-row" }, [
          field(kt("courseFormSection"), sectionSelect),
          field(kt("courseFormArticle"), articleSelect),
        ]),
        addArticleButton,
      ]),
      field(kt("courseFormPositions"), positionsSelect),
      element("label", { className: "kb-checkbox" }, [mandatoryInput, " ", kt("courseFormMandatory")]),
      field(kt("courseFormDeadline"), deadlineInput),
      formError.node,
      element("div", { className: "form-actions" }, [
        saveButton,
        element("a", { className: "button", text: kt("editorCancel"), attributes: { href: kbHash.courses() } }),
      ]),
    ],
  );
  container.append(
    element("a", { className: "back-link", text: kt("courseBack"), attributes: { href: kbHash.courses() } }),
    pageTitle(kt(courseId ? "courseFormEditTitle" : "courseFormNewTitle"), "kb-course-form-heading"),
    form,
  );

  void runInBackground(async () => {
    const [{ positions }, { sections }] = await Promise.all([listPositions(), fetchSections()]);
    if (destroyed) return;
    for (const position of positions) {
      positionsSelect.append(option(position.id, localized(position.name, position.name_en)));
    }
    sectionSelect.append(option("", kt("courseFormPickSection")));
    for (const section of flattenSections(sections)) sectionSelect.append(option(section.id, section.label));
    if (!courseId) return;
    const { course } = await fetchCourse(courseId);
    if (destroyed) return;
    titleInput.value = course.title;
    descriptionInput.value = course.description ?? "";
    mandatoryInput.checked = course.mandatory;
    deadlineInput.disabled = !course.mandatory;
    deadlineInput.value = course.deadline_days ? String(course.deadline_days) : "";
    const positionIds = new Set(course.position_ids);
    for (const item of Array.from(positionsSelect.options)) item.selected = positionIds.has(item.value);
    chosen = course.items.map((item) => ({
      id: item.article_id,
      title: item.title ? localized(item.title, item.title_en) : item.article_id,
    }));
    renderChosen();
  });

  return {
    destroy() {
      destroyed = true;
    },
  };
}
