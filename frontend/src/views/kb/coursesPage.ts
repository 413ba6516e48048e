// The person's courses with their progress, and the other courses, whose
// report their managers and editors open. Admins and managers get a button
// for a new course, and a course's editors a link to edit it.

import { element } from "../../dom";
import { runInBackground } from "../../feedback";
import { formatDateTime, localized } from "../../i18n";
import { getCurrentUser, isAdmin } from "../../session";
import type { View } from "../view";
import { fetchCourses, fetchMyCourse, type Course, type MyCourse } from "./kbApi";
import { pageTitle } from "./kbCommon";
import { kbHash } from "./kbRoutes";
import { kt } from "./kbTexts";

export function progressBar(percent: number, testId: string): HTMLElement {
  const bar = element("progress", {
    className: "kb-progress",
    testId,
    attributes: { max: 100, value: percent, "aria-valuenow": percent },
  });
  return bar;
}

/** Returns whether to offer the report link; the server still decides whom the report lists. */
function mayOpenReport(course: Course): boolean {
  const user = getCurrentUser();
  return course.can_edit || isAdmin(user) || user?.role === "manager";
}

function reportLink(course: Course): HTMLElement | null {
  if (!mayOpenReport(course)) return null;
  return element("a", {
    className: "kb-side-link",
    testId: "kb-course-report-link",
    text: kt("courseReport"),
    attributes: { href: kbHash.report(course.id) },
  });
}

function editLink(course: Course): HTMLElement | null {
  if (!course.can_edit) return null;
  return element("a", {
    className: "kb-side-link",
    testId: "kb-course-edit-link",
    text: kt("courseEdit"),
    attributes: { href: kbHash.editCourse(course.id) },
  });
}

/** Returns whether to offer a new course; the server checks the articles' sections. */
function mayCreateCourse(): boolean {
  const user = getCurrentUser();
  return isAdmin(user) || user?.role === "manager";
}

function enrolledCard(mine: MyCourse): HTMLElement {
  const { course, progress, enrolment } = mine;
  const facts: string[] = [];
  if (course.mandatory) facts.push(kt("courseMandatory"));
  if (enrolment.due_at) facts.push(kt("courseDue", { date: formatDateTime(enrolment.due_at) }));
  if (enrolment.overdue) facts.push(kt("courseOverdue"));
  return element("li", { className: "card kb-course-card", testId: "kb-course-card", dataset: { courseId: course.id } }, [
    element("a", {
      className: "kb-article-link",
      testId: "kb-course-link",
      text: localized(course.title, course.title_en),
      attributes: { href: kbHash.course(course.id) },
    }),
    facts.length ? element("p", { className: "muted", text: facts.join(" · ") }) : null,
    progressBar(progress.percent, "kb-course-card-bar"),
    element("p", {
      testId: "kb-course-card-progress",
      text: kt("courseProgress", { completed: progress.completed, total: progress.total, percent: progress.percent }),
    }),
    reportLink(course),
    editLink(course),
  ]);
}

function otherRow(course: Course): HTMLElement {
  return element("li", { className: "kb-course-other", testId: "kb-course-other", dataset: { courseId: course.id } }, [
    element("span", { text: localized(course.title, course.title_en) }),
    " ",
    reportLink(course),
    editLink(course),
  ]);
}

export function createCoursesPage(container: HTMLElement): View {
  let destroyed = false;
  container.append(pageTitle(kt("coursesTitle"), "kb-courses-title"));
  if (mayCreateCourse()) {
    container.append(
      element("div", { className: "form-actions" }, [
        element("a", {
          className: "button button-primary",
          testId: "kb-course-new",
          text: kt("courseNew"),
          attributes: { href: kbHash.newCourse() },
        }),
      ]),
    );
  }
  const mineSlot = element("div", { testId: "kb-my-courses" });
  const othersSlot = element("div");
  container.append(mineSlot, othersSlot);

  void runInBackground(async () => {
    const { courses } = await fetchCourses();
    const enrolled = courses.filter((course) => course.enrolled);
    const mine = await Promise.all(enrolled.map((course) => fetchMyCourse(course.id)));
    if (destroyed) return;
    mineSlot.replaceChildren(
      mine.length
        ? element("ul", { className: "kb-course-list" }, mine.map(enrolledCard))
        : element("p", { className: "muted", testId: "kb-courses-empty", text: kt("coursesEmpty") }),
    );
    const others = courses.filter((course) => !course.enrolled && (mayOpenReport(course) || course.can_edit));
    if (others.length) {
      othersSlot.replaceChildren(
        element("h2", { text: kt("coursesOthers") }),
        element("ul", { className: "kb-course-list" }, others.map(otherRow)),
      );
    }
  });

  return {
    destroy() {
      destroyed = true;
    },
  };
}
