// The task screens beyond the list and the task page:
// #/tasks/week[/<YYYY-Www>], #/tasks/review[/<YYYY-Www>], #/tasks/series,
// #/tasks/import, #/tasks/launches and #/tasks/launches/<launchId>.

import { isIsoWeek } from "./isoWeek";

export type TaskSubPage =
  | { kind: "week"; week: string | null }
  | { kind: "review"; week: string | null }
  | { kind: "series" }
  | { kind: "import" }
  | { kind: "newLaunch" }
  | { kind: "launch"; launchId: string };

/** Reads the segments after "tasks"; null when the first one is not a sub-page (it is then a task id). */
export function parseTaskSubPage(segments: string[]): TaskSubPage | null {
  const [first, second] = segments;
  switch (first) {
    case "week":
      return { kind: "week", week: isIsoWeek(second) ? second : null };
    case "review":
      return { kind: "review", week: isIsoWeek(second) ? second : null };
    case "series":
      return { kind: "series" };
    case "import":
      return { kind: "import" };
    case "launches":
      return second ? { kind: "launch", launchId: second } : { kind: "newLaunch" };
    default:
      return null;
  }
}
