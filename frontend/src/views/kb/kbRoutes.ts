// Hash routes of the knowledge base screen:
// #/kb (the tree), #/kb/sections/<id>, #/kb/sections/<id>/new,
// #/kb/articles/<id>, #/kb/articles/<id>/edit, #/kb/articles/<id>/history,
// #/kb/search/<query>, #/kb/courses, #/kb/courses/new, #/kb/courses/<id>,
// #/kb/courses/<id>/edit, #/kb/courses/<id>/report and #/kb/answers.
// This module imports nothing from the app, so the router can import it.

export type KbPage =
  | { kind: "home" }
  | { kind: "section"; sectionId: string }
  | { kind: "new"; sectionId: string }
  | { kind: "article"; articleId: string }
  | { kind: "edit"; articleId: string }
  | { kind: "history"; articleId: string }
  | { kind: "search"; query: string }
  | { kind: "courses" }
  | { kind: "course"; courseId: string }
  | { kind: "report"; courseId: string }
  | { kind: "newCourse" }
  | { kind: "editCourse"; courseId: string }
  | { kind: "answers" };

/** Reads the segments after "#/kb", already URI-decoded; returns null for an unknown page. */
export function parseKbPage(segments: string[]): KbPage | null {
  const [first, second, third] = segments;
  switch (first) {
    case undefined:
      return { kind: "home" };
    case "sections":
      if (!second) return { kind: "home" };
      return third === "new" ? { kind: "new", sectionId: second } : { kind: "section", sectionId: second };
    case "articles":
      if (!second) return { kind: "home" };
      if (third === "edit") return { kind: "edit", articleId: second };
      if (third === "history") return { kind: "history", articleId: second };
      return { kind: "article", articleId: second };
    case "search":
      return { kind: "search", query: second ?? "" };
    case "courses":
      if (!second) return { kind: "courses" };
      // Course ids are ULIDs, so "new" never names a course.
      if (second === "new" && third === undefined) return { kind: "newCourse" };
      if (third === "report") return { kind: "report", courseId: second };
      if (third === "edit") return { kind: "editCourse", courseId: second };
      return { kind: "course", courseId: second };
    case "answers":
      return { kind: "answers" };
    default:
      return null;
  }
}

const encode = encodeURIComponent;

export const kbHash = {
  home: () => "#/kb",
  section: (sectionId: string) => `#/kb/sections/${encode(sectionId)}`,
  newArticle: (sectionId: string) => `#/kb/sections/${encode(sectionId)}/new`,
  article: (articleId: string) => `#/kb/articles/${encode(articleId)}`,
  edit: (articleId: string) => `#/kb/articles/${encode(articleId)}/edit`,
  history: (articleId: string) => `#/kb/articles/${encode(articleId)}/history`,
  search: (query: string) => `#/kb/search/${encode(query)}`,
  courses: () => "#/kb/courses",
  course: (courseId: string) => `#/kb/courses/${encode(courseId)}`,
  report: (courseId: string) => `#/kb/courses/${encode(courseId)}/report`,
  newCourse: () => "#/kb/courses/new",
  editCourse: (courseId: string) => `#/kb/courses/${encode(courseId)}/edit`,
  answers: () => "#/kb/answers",
};
