// Taking a course: each article in order with its state, reading it and
// marking it read, then answering its questions. A wrong answer sends the
// learner back to the article and locks answering for a while; the page shows
// when the lock-out ends.

import { ApiError } from "../../api";
import { element } from "../../dom";
import { runAction, runInBackground, showNotice, withBusyButton } from "../../feedback";
import { formatDateTime, localized } from "../../i18n";
import type { View } from "../view";
import { progressBar } from "./coursesPage";
import {
  answerQuestion,
  fetchArticle,
  fetchMyCourse,
  markCourseArticleRead,
  type ItemState,
  type LearnerItem,
  type LearnerQuestion,
  type MyCourse,
} from "./kbApi";
import { pageTitle } from "./kbCommon";
import { kbHash } from "./kbRoutes";
import { kt, type KbTextKey } from "./kbTexts";

const STATE_LABELS: Record<ItemState, KbTextKey> = {
  to_read: "stateToRead",
  locked: "stateLocked",
  to_answer: "stateToAnswer",
  waiting_for_grading: "stateWaiting",
  done: "stateDone",
};

const QUESTION_STATUS_LABELS: Record<string, KbTextKey> = {
  passed: "questionPassed",
  pending: "questionPending",
  failed: "questionFailed",
};

export function createCoursePage(container: HTMLElement, courseId: string): View {
  let destroyed = false;
  const openArticles = new Set<string>();

  const heading = element("div");
  const progressSlot = element("div", { className: "kb-course-progress" });
  const itemsSlot = element("ol", { className: "kb-course-items", testId: "kb-course-items" });
  container.append(
    element("a", { className: "back-link", text: kt("courseBack"), attributes: { href: kbHash.courses() } }),
    heading,
    progressSlot,
    itemsSlot,
  );

  function render(mine: MyCourse): void {
    const { course, progress } = mine;
    heading.replaceChildren(
      pageTitle(localized(course.title, course.title_en), "kb-course-title"),
      course.description ? element("p", { text: course.description }) : "",
    );
    progressSlot.replaceChildren(
      progressBar(progress.percent, "kb-course-bar"),
      element("p", {
        testId: "kb-course-progress",
        text: kt("courseProgress", { completed: progress.completed, total: progress.total, percent: progress.percent }),
      }),
      progress.complete ? element("p", { className: "kb-ack-done", testId: "kb-course-complete", text: kt("courseComplete") }) : "",
    );
    itemsSlot.replaceChildren(...mine.items.map((item) => renderItem(item)));
  }

  function renderItem(item: LearnerItem): HTMLElement {
    const node = element("li", {
      className: `card kb-course-item kb-state-${item.state}`,
      testId: "kb-course-item",
      dataset: { articleId: item.article_id, state: item.state },
    });
    node.append(
      element("h3", { testId: "kb-course-item-title", text: item.title ? localized(item.title, item.title_en) : "—" }),
      element("span", { className: "status-pill", testId: "kb-course-item-state", text: kt(STATE_LABELS[item.state]) }),
    );
    if (!item.readable) {
      node.append(element("p", { className: "muted", text: kt("courseHidden") }));
      return node;
    }
    if (item.state === "locked") {
      const text = item.locked_until
        ? kt("courseLocked", { time: formatDateTime(item.locked_until) })
        : kt("courseWrongAnswer");
      node.append(element("p", { className: "kb-lockout", testId: "kb-course-lockout", attributes: { role: "alert" }, text }));
    }
    const bodySlot = element("div", { className: "kb-course-article" });
    const readToggle = element("button", {
      className: "button",
      testId: "kb-course-read-article",
      text: kt("courseRead"),
      attributes: { type: "button", "aria-expanded": "false" },
    });
    readToggle.addEventListener("click", () => {
      void runAction(() => toggleArticle(item.article_id, bodySlot, readToggle));
    });
    const actions = element("div", { className: "form-actions" }, [readToggle]);
    if (item.state === "to_read" || item.state === "locked") {
      const markButton = element("button", {
        className: "button button-primary",
        testId: "kb-course-mark-read",
        text: kt("courseMarkRead"),
        attributes: { type: "button" },
      });
      markButton.addEventListener("click", () => {
        void withBusyButton(markButton, async () => {
          const mine = await markCourseArticleRead(courseId, item.article_id);
          if (!destroyed) render(mine);
        });
      });
      actions.append(markButton);
    }
    node.append(actions, bodySlot);
    if (openArticles.has(item.article_id)) void runInBackground(() => showArticle(item.article_id, bodySlot, readToggle));
    for (const question of item.questions) node.append(renderQuestion(item, question));
    return node;
  }

  async function showArticle(articleId: string, slot: HTMLElement, toggle: HTMLElement): Promise<void> {
    const { article } = await fetchArticle(articleId);
    if (destroyed) return;
    const body = element("div", { className: "kb-article-body", testId: "kb-course-article-body" });
    // `html` is the server's rendering of the Markdown, sanitised with nh3 and
    // an allow-list; the raw Markdown body is never inserted as HTML.
    body.innerHTML = article.html;
    slot.replaceChildren(body);
    toggle.setAttribute("aria-expanded", "true");
  }

  async function toggleArticle(articleId: string, slot: HTMLElement, toggle: HTMLElement): Promise<void> {
    if (openArticles.has(articleId)) {
      openArticles.delete(articleId);
      slot.replaceChildren();
      toggle.setAttribute("aria-expanded", "false");
      return;
    }
    openArticles.add(articleId);
    await showArticle(articleId, slot, toggle);
  }

  function renderQuestion(item: LearnerItem, question: LearnerQuestion): HTMLElement {
    const box = element("fieldset", { className: "kb-question", testId: "kb-question", dataset: { questionId: question.id } }, [
      element("legend", { testId: "kb-question-text", text: localized(question.text, question.text_en) }),
    ]);
    const statusKey = QUESTION_STATUS_LABELS[question.status];
    if (statusKey) box.append(element("span", { className: "status-pill", testId: "kb-question-status", text: kt(statusKey) }));
    const answerable = item.state === "to_answer" && (question.status === "unanswered" || question.status === "failed");
    if (!answerable) return box;

    const inputs: HTMLInputElement[] = [];
    let openInput: HTMLTextAreaElement | null = null;
    if (question.kind === "open") {
      openInput = element("textarea", { testId: "kb-question-open", attributes: { rows: 3, maxlength: 4000, "aria-label": kt("courseOpenAnswer") } });
      box.append(openInput);
    } else {
      for (const choice of question.options) {
        const input = element("input", {
          testId: "kb-question-option",
          attributes: { type: question.kind === "single" ? "radio" : "checkbox", name: `q-${question.id}`, value: choice.id },
        });
        inputs.push(input);
        box.append(element("label", { className: "kb-option" }, [input, " ", localized(choice.text, choice.text_en)]));
      }
    }
    const answerButton = element("button", {
      className: "button button-primary",
      testId: "kb-question-answer",
      text: kt("courseAnswer"),
      attributes: { type: "button" },
    });
    answerButton.addEventListener("click", () => {
      void withBusyButton(answerButton, () => submitAnswer(question, inputs, openInput));
    });
    box.append(element("div", { className: "form-actions" }, [answerButton]));
    return box;
  }

  async function submitAnswer(
    question: LearnerQuestion,
    inputs: HTMLInputElement[],
    openInput: HTMLTextAreaElement | null,
  ): Promise<void> {
    const optionIds = inputs.filter((input) => input.checked).map((input) => input.value);
    if (!openInput && !optionIds.length) throw new Error(kt("courseChooseOption"));
    const answer = openInput
      ? { version: question.version, text: openInput.value }
      : { version: question.version, option_ids: optionIds };
    try {
      const result = await answerQuestion(courseId, question.id, answer);
      // A wrong answer locks the article; the reloaded item then shows the lock-out until its end.
      if (result.answer.result === "correct") showNotice(kt("courseCorrect"));
      if (result.answer.result === "pending") showNotice(kt("courseSentForGrading"));
    } catch (error) {
      // A lock-out still running (429) shows on the reloaded item, as a fresh one does.
      if (!(error instanceof ApiError && error.status === 429)) throw error;
    }
    await reload();
  }

  async function reload(): Promise<void> {
    const mine = await fetchMyCourse(courseId);
    if (!destroyed) render(mine);
  }

  void runInBackground(reload);

  return {
    destroy() {
      destroyed = true;
    },
  };
}
