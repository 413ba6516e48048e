// The task screens other than the list and the task page: week plan, weekly
// review, recurring series, launches and import, switched by the route.

import type { Route, TaskSubPage } from "../../router";
import type { View } from "../view";
import { createImportPage } from "./importPage";
import { createLaunchFormPage, createLaunchPage } from "./launchPages";
import { createSeriesPage } from "./seriesPage";
import { createWeekPlanPage } from "./weekPlanPage";
import { createWeekReviewPage } from "./weekReviewPage";

function mountPage(container: HTMLElement, page: TaskSubPage): View {
  switch (page.kind) {
    case "week":
      return createWeekPlanPage(container, page.week);
    case "review":
      return createWeekReviewPage(container, page.week);
    case "series":
      return createSeriesPage(container);
    case "import":
      return createImportPage(container);
    case "newLaunch":
      return createLaunchFormPage(container);
    case "launch":
      return createLaunchPage(container, page.launchId);
  }
}

export function createTaskPagesView(container: HTMLElement, route: Route): View {
  if (route.name !== "taskPage") throw new Error(`unexpected route ${route.name}`);
  let page = route.page;
  let current = mountPage(container, page);
  return {
    update(nextRoute) {
      if (nextRoute.name !== "taskPage") return;
      const next = nextRoute.page;
      // The week pages switch weeks in place; any other change mounts the new page.
      if (next.kind === page.kind && (next.kind === "week" || next.kind === "review") && current.update) {
        page = next;
        current.update(nextRoute);
        return;
      }
      current.destroy();
      container.replaceChildren();
      page = next;
      current = mountPage(container, page);
    },
    destroy() {
      current.destroy();
    },
  };
}
