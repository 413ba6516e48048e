// The 409 of a save: the current revision's text next to the person's own, and
// the two ways on. The server keeps the rejected text as a conflict copy too.

import { element } from "../../dom";
import { formatDateTime } from "../../i18n";
import type { Article } from "./kbApi";
import { kt } from "./kbTexts";

export interface ConflictChoice {
  keepMine: () => void;
  takeTheirs: () => void;
}

function textColumn(heading: string, testId: string, title: string, body: string): HTMLElement {
  return element("div", { className: "kb-conflict-column", testId }, [
    element("h3", { text: heading }),
    element("p", { className: "kb-conflict-heading", testId: `${testId}-title`, text: title }),
    element("pre", { className: "kb-conflict-text", testId: `${testId}-body`, text: body }),
  ]);
}

export function renderConflict(
  current: Article,
  mine: { title: string; body: string },
  choice: ConflictChoice,
): HTMLElement {
  const who = current.updated_by
    ? `${current.updated_by.name}, ${formatDateTime(current.updated_at)}`
    : formatDateTime(current.updated_at);
  return element("section", { className: "kb-conflict", testId: "kb-conflict", attributes: { role: "alert" } }, [
    element("h2", { text: kt("conflictTitle") }),
    element("p", { text: kt("conflictText", { revision: current.revision, name: who }) }),
    element("div", { className: "kb-conflict-columns" }, [
      textColumn(kt("conflictTheirs", { revision: current.revision }), "kb-conflict-theirs", current.title, current.body),
      textColumn(kt("conflictMine"), "kb-conflict-mine", mine.title, mine.body),
    ]),
    element("div", { className: "form-actions" }, [
      element("button", {
        className: "button button-primary",
        testId: "kb-conflict-keep-mine",
        text: kt("conflictKeepMine"),
        attributes: { type: "button" },
        on: { click: choice.keepMine },
      }),
      element("button", {
        className: "button",
        testId: "kb-conflict-take-theirs",
        text: kt("conflictTakeTheirs"),
        attributes: { type: "button" },
        on: { click: choice.takeTheirs },
      }),
    ]),
  ]);
}
