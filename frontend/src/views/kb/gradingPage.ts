// Open answers waiting for a grade, for trainers: the server lists only the
// answers the viewer may grade (to questions on articles they may edit, and
// never their own). A trainer passes or fails each one, with a comment.

import { listUsers } from "../../api";
import { element, field } from "../../dom";
import { runInBackground, showNotice } from "../../feedback";
import { formatDateTime, localized } from "../../i18n";
import type { View } from "../view";
import { fetchCourses, fetchPendingAnswers, gradeAnswer, type PendingAnswer } from "./kbApi";
import { pageTitle } from "./kbCommon";
import { kt } from "./kbTexts";
import { createFormError, submitWith } from "./formError";

export function createGradingPage(container: HTMLElement): View {
  let destroyed = false;
  const listSlot = element("div", { testId: "kb-answers" });
  container.append(
    pageTitle(kt("gradingTitle"), "kb-grading-title"),
    element("p", { className: "muted", text: kt("gradingHint") }),
    listSlot,
  );

  function renderAnswer(answer: PendingAnswer, names: Map<string, string>, courses: Map<string, string>): HTMLElement {
    const comment = element("textarea", {
      testId: "kb-answer-comment",
      attributes: { rows: 2, maxlength: 2000 },
    });
    const formError = createFormError("kb-answer-error");
    const grade = (passed: boolean, testId: string, label: string) => {
      const button = element("button", {
        className: passed ? "button button-primary" : "button",
        testId,
        text: label,
        attributes: { type: "button" },
      });
      button.addEventListener("click", () => {
        void submitWith(button, formError, async () => {
          await gradeAnswer(answer.id, passed, comment.value.trim() || null);
          showNotice(kt(passed ? "gradingPassedNotice" : "gradingFailedNotice"));
          await load();
        });
      });
      return button;
    };
    return element("li", { className: "card kb-answer", testId: "kb-answer", dataset: { answerId: answer.id } }, [
      element("p", { className: "muted" }, [
        element("span", { testId: "kb-answer-learner", text: names.get(answer.learner_id) ?? answer.learner_id }),
        " · ",
        element("span", { testId: "kb-answer-course", text: courses.get(answer.course_id) ?? answer.course_id }),
        " · ",
        formatDateTime(answer.created_at),
      ]),
      element("p", { testId: "kb-answer-question" }, [
        element("strong", { text: kt("gradingQuestion") }),
        " ",
        answer.question_text ? localized(answer.question_text, answer.question_text_en) : "—",
      ]),
      element("blockquote", { className: "kb-answer-text", testId: "kb-answer-text", text: answer.text ?? "" }),
      field(kt("gradingComment"), comment),
      formError.node,
      element("div", { className: "form-actions" }, [
        grade(true, "kb-answer-pass", kt("gradingPass")),
        grade(false, "kb-answer-fail", kt("gradingFail")),
      ]),
    ]);
  }

  async function load(): Promise<void> {
    const [{ answers }, { users }, { courses }] = await Promise.all([fetchPendingAnswers(), listUsers(), fetchCourses()]);
    if (destroyed) return;
    const names = new Map(users.map((user) => [user.id, user.name]));
    const titles = new Map(courses.map((course) => [course.id, localized(course.title, course.title_en)]));
    listSlot.replaceChildren(
      answers.length
        ? element("ul", { className: "kb-course-list" }, answers.map((answer) => renderAnswer(answer, names, titles)))
        : element("p", { className: "muted", testId: "kb-answers-empty", text: kt("gradingEmpty") }),
    );
  }

  void runInBackground(load);

  return {
    destroy() {
      destroyed = true;
    },
  };
}
