// The manager's report on a course: each enrolled person the viewer may see
// (admins everyone, others the people below them), overdue people first, with
// charts of the whole group and the questions each person answered wrongly.

import { element } from "../../dom";
import { runInBackground } from "../../feedback";
import { formatDateTime, localized } from "../../i18n";
import type { View } from "../view";
import { progressBar } from "./coursesPage";
import { fetchCourseReport, fetchCourses, type CourseReport, type ReportRow } from "./kbApi";
import { peopleProgressChart, scoreDistributionChart, statusSummaryChart } from "./kbCharts";
import { pageTitle } from "./kbCommon";
import { kbHash } from "./kbRoutes";
import { kt } from "./kbTexts";

function wrongQuestions(row: ReportRow): HTMLElement {
  if (!row.wrong_questions.length) return element("td", { testId: "kb-report-wrong", text: "—" });
  return element("td", { testId: "kb-report-wrong" }, [
    element(
      "ul",
      { className: "kb-report-wrong-list" },
      row.wrong_questions.map((question) =>
        element("li", { testId: "kb-report-wrong-question", dataset: { questionId: question.question_id } }, [
          question.text === null ? kt("courseHidden") : localized(question.text, question.text_en),
          element("span", {
            className: "muted",
            text: ` (${kt("reportWrongAttempts", { count: question.wrong_attempts })})`,
          }),
        ]),
      ),
    ),
  ]);
}

function charts(report: CourseReport): HTMLElement {
  return element("section", { className: "kb-report-charts", testId: "kb-report-charts" }, [
    element("h2", { text: kt("chartSummaryTitle") }),
    statusSummaryChart(report.people),
    element("h2", { text: kt("chartPeopleTitle") }),
    peopleProgressChart(report.people),
    element("h2", { text: kt("chartScoresTitle") }),
    element("p", { className: "muted", text: kt("chartScoresHint") }),
    scoreDistributionChart(report.people),
  ]);
}

function reportTable(report: CourseReport): HTMLElement {
  const rows = report.people.map((row) =>
    element(
      "tr",
      {
        className: row.overdue ? "kb-overdue" : "",
        testId: "kb-report-row",
        dataset: { userId: row.user.id, overdue: String(row.overdue) },
      },
      [
        element("td", { text: row.user.active ? row.user.name : `${row.user.name} (${kt("reportInactive")})` }),
        element("td", {}, [
          progressBar(row.progress.percent, "kb-report-bar"),
          element("span", { testId: "kb-report-percent", text: ` ${row.progress.percent}%` }),
        ]),
        element("td", { text: formatDateTime(row.enrolled_at) }),
        element("td", { text: row.due_at ? formatDateTime(row.due_at) : "—" }),
        element("td", { testId: "kb-report-overdue", text: row.overdue ? kt("yes") : kt("no") }),
        element("td", {
          testId: "kb-report-questions",
          text: kt("reportQuestionsPassed", { passed: row.questions.passed, total: row.questions.total }),
        }),
        wrongQuestions(row),
      ],
    ),
  );
  return element("table", { className: "kb-table", testId: "kb-report" }, [
    element("thead", {}, [
      element("tr", {}, [
        element("th", { text: kt("reportPerson") }),
        element("th", { text: kt("reportProgress") }),
        element("th", { text: kt("reportEnrolled") }),
        element("th", { text: kt("reportDue") }),
        element("th", { text: kt("reportOverdue") }),
        element("th", { text: kt("reportQuestions") }),
        element("th", { text: kt("reportWrong") }),
      ]),
    ]),
    element("tbody", {}, rows),
  ]);
}

export function createCourseReportPage(container: HTMLElement, courseId: string): View {
  let destroyed = false;
  void runInBackground(async () => {
    const [{ report }, { courses }] = await Promise.all([fetchCourseReport(courseId), fetchCourses()]);
    if (destroyed) return;
    const course = courses.find((item) => item.id === courseId);
    const title = course ? localized(course.title, course.title_en) : courseId;
    container.replaceChildren(
      element("a", { className: "back-link", text: kt("courseBack"), attributes: { href: kbHash.courses() } }),
      pageTitle(kt("reportTitle", { title }), "kb-report-title"),
      ...(report.people.length
        ? [charts(report), element("h2", { text: kt("reportPeopleTitle") }), reportTable(report)]
        : [element("p", { className: "muted", testId: "kb-report-empty", text: kt("reportEmpty") })]),
    );
  });
  return {
    destroy() {
      destroyed = true;
    },
  };
}
