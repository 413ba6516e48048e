// The tree of sections in the sidebar: departments with their «Регламенты» and
// «Инструкции», the shipped sections and admins' own ones, as the API nests them.
// A section with subsections folds; the path to the open section is unfolded.

import { element } from "../../dom";
import { localized } from "../../i18n";
import type { Section } from "./kbApi";
import { kbHash } from "./kbRoutes";
import { kt } from "./kbTexts";

export interface TreeState {
  currentSectionId: string | null;
  /** Ids of the sections whose subsections are shown. */
  expanded: Set<string>;
  onToggle: (sectionId: string) => void;
}

/** Returns the ids of the sections above `sectionId`, or an empty list when it is not in the tree. */
export function ancestorIds(sections: Section[], sectionId: string): string[] {
  for (const section of sections) {
    if (section.id === sectionId) return [];
    const below = ancestorIds(section.children ?? [], sectionId);
    if (below.length || (section.children ?? []).some((child) => child.id === sectionId)) {
      return [section.id, ...below];
    }
  }
  return [];
}

export function renderSectionTree(sections: Section[], state: TreeState): HTMLElement {
  const list = element("ul", { className: "kb-tree", testId: "kb-section-tree" });
  for (const section of sections) list.append(sectionNode(section, state));
  return list;
}

function sectionNode(section: Section, state: TreeState): HTMLElement {
  const name = localized(section.name, section.name_en);
  const active = section.id === state.currentSectionId;
  // An ancestor listed only to complete the path to a readable section cannot be opened.
  const label = section.rights.read
    ? element("a", {
        className: active ? "kb-tree-link active" : "kb-tree-link",
        testId: "kb-section-link",
        text: name,
        dataset: { sectionId: section.id, role: section.role },
        attributes: { href: kbHash.section(section.id), "aria-current": active ? "page" : null },
      })
    : element("span", { className: "kb-tree-label muted", text: name });
  const children = section.children ?? [];
  if (!children.length) return element("li", { className: "kb-tree-node" }, [element("span", { className: "kb-tree-spacer" }), label]);

  const open = state.expanded.has(section.id);
  const toggle = element("button", {
    className: "kb-tree-toggle",
    testId: "kb-section-toggle",
    text: open ? "▾" : "▸",
    dataset: { sectionId: section.id },
    attributes: { type: "button", "aria-expanded": String(open), "aria-label": kt(open ? "treeCollapse" : "treeExpand") },
    on: { click: () => state.onToggle(section.id) },
  });
  const node = element("li", { className: "kb-tree-node" }, [toggle, label]);
  if (open) node.append(renderSectionTree(children, state));
  return node;
}
