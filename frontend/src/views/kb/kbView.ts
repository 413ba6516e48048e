// The knowledge base screen: a sidebar with search, courses and the tree of
// sections, and the page that the route names.

import "./kb.css";
import { element } from "../../dom";
import { runInBackground } from "../../feedback";
import { navigate, type Route } from "../../router";
import { isAdmin } from "../../session";
import type { View } from "../view";
import { createArticlePage } from "./articlePage";
import { createCoursePage } from "./coursePage";
import { createCourseEditorPage } from "./courseEditorPage";
import { createCourseReportPage } from "./courseReportPage";
import { createCoursesPage } from "./coursesPage";
import { createEditorPage } from "./editorPage";
import { createGradingPage } from "./gradingPage";
import { fetchSections, type Section } from "./kbApi";
import { pageTitle } from "./kbCommon";
import { kbHash, type KbPage } from "./kbRoutes";
import { kt } from "./kbTexts";
import { createRevisionsPage } from "./revisionsPage";
import { createSearchPage } from "./searchPage";
import { SECTIONS_CHANGED_EVENT, renderSectionForm } from "./sectionForm";
import { createSectionPage } from "./sectionPage";
import { ancestorIds, renderSectionTree } from "./sectionTree";

function createHomePage(container: HTMLElement): View {
  container.append(
    pageTitle(kt("homeTitle"), "kb-home-title"),
    element("p", { className: "muted", text: kt("homeHint") }),
    isAdmin() ? renderSectionForm(null) : "",
  );
  return { destroy() {} };
}

function createPage(container: HTMLElement, page: KbPage): View {
  switch (page.kind) {
    case "home":
      return createHomePage(container);
    case "section":
      return createSectionPage(container, page.sectionId);
    case "new":
      return createEditorPage(container, { sectionId: page.sectionId, articleId: null });
    case "article":
      return createArticlePage(container, page.articleId);
    case "edit":
      return createEditorPage(container, { sectionId: null, articleId: page.articleId });
    case "history":
      return createRevisionsPage(container, page.articleId);
    case "search":
      return createSearchPage(container, page.query);
    case "courses":
      return createCoursesPage(container);
    case "course":
      return createCoursePage(container, page.courseId);
    case "report":
      return createCourseReportPage(container, page.courseId);
    case "newCourse":
      return createCourseEditorPage(container, null);
    case "editCourse":
      return createCourseEditorPage(container, page.courseId);
    case "answers":
      return createGradingPage(container);
  }
}

export function createKbView(container: HTMLElement, route: Route): View {
  let destroyed = false;
  let sections: Section[] = [];
  // Folded by default; opening a section unfolds the path to it and the section itself.
  const expanded = new Set<string>();
  let currentPage: KbPage | null = null;
  let pageView: View | null = null;

  const searchInput = element("input", {
    testId: "kb-search-input",
    attributes: { type: "search", placeholder: kt("searchPlaceholder"), "aria-label": kt("search"), maxlength: 200 },
  });
  const searchForm = element(
    "form",
    {
      className: "kb-search-form",
      on: {
        submit: (event) => {
          event.preventDefault();
          navigate(kbHash.search(searchInput.value.trim()));
        },
      },
    },
    [
      searchInput,
      element("button", { className: "button", testId: "kb-search-submit", text: kt("searchSubmit"), attributes: { type: "submit" } }),
    ],
  );
  const coursesLink = element("a", {
    className: "kb-side-link",
    testId: "kb-nav-courses",
    text: kt("courses"),
    attributes: { href: kbHash.courses() },
  });
  const answersLink = element("a", {
    className: "kb-side-link",
    testId: "kb-nav-answers",
    text: kt("gradingTitle"),
    attributes: { href: kbHash.answers() },
  });
  const treeSlot = element("div", { className: "kb-tree-slot" });
  const pageContainer = element("div", { className: "kb-page" });
  container.append(
    element("div", { className: "kb-screen" }, [
      element("aside", { className: "kb-sidebar", attributes: { "aria-label": kt("sections") } }, [
        searchForm,
        coursesLink,
        answersLink,
        element("h2", { className: "kb-sidebar-heading", text: kt("sections") }),
        treeSlot,
      ]),
      pageContainer,
    ]),
  );

  function currentSectionId(page: KbPage | null): string | null {
    return page && (page.kind === "section" || page.kind === "new") ? page.sectionId : null;
  }

  function expandToCurrent(): void {
    const current = currentSectionId(currentPage);
    if (!current) return;
    for (const id of ancestorIds(sections, current)) expanded.add(id);
    expanded.add(current);
  }

  function renderTree(): void {
    treeSlot.replaceChildren(
      renderSectionTree(sections, {
        currentSectionId: currentSectionId(currentPage),
        expanded,
        onToggle: (sectionId) => {
          if (!expanded.delete(sectionId)) expanded.add(sectionId);
          renderTree();
        },
      }),
    );
  }

  async function loadTree(): Promise<void> {
    const result = await fetchSections();
    if (destroyed) return;
    sections = result.sections;
    expandToCurrent();
    renderTree();
  }
  const reloadTree = () => void runInBackground(loadTree);
  window.addEventListener(SECTIONS_CHANGED_EVENT, reloadTree);
  reloadTree();

  function showPage(page: KbPage): void {
    if (currentPage && JSON.stringify(currentPage) === JSON.stringify(page)) return;
    currentPage = page;
    if (page.kind === "search") searchInput.value = page.query;
    const coursePages = ["courses", "course", "report", "newCourse", "editCourse"];
    coursesLink.classList.toggle("active", coursePages.includes(page.kind));
    answersLink.classList.toggle("active", page.kind === "answers");
    expandToCurrent();
    renderTree();
    pageView?.destroy();
    pageContainer.replaceChildren();
    pageView = createPage(pageContainer, page);
  }

  if (route.name === "kb") showPage(route.page);

  return {
    update(nextRoute) {
      if (nextRoute.name === "kb") showPage(nextRoute.page);
    },
    destroy() {
      destroyed = true;
      window.removeEventListener(SECTIONS_CHANGED_EVENT, reloadTree);
      pageView?.destroy();
    },
  };
}
