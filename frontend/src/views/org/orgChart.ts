// The org chart as a collapsible tree of departments with their positions.
// A click on a position shows its purpose, functions and holders.

import { element } from "../../dom";
import { getLanguage, localized, t } from "../../i18n";
import type { ChartDepartment, ChartPosition } from "../../types";

export interface OrgChart {
  element: HTMLElement;
  render(departments: ChartDepartment[]): void;
}

export function createOrgChart(): OrgChart {
  // Kept across reloads so applying a template or hiring keeps the user's view.
  const collapsedDepartmentIds = new Set<string>();
  const openPositionIds = new Set<string>();
  let departments: ChartDepartment[] = [];
  let positionNames = new Map<string, string>();

  const treeContainer = element("div", { className: "org-tree-container" });
  const toolbar = element("div", { className: "toolbar" }, [
    element("button", {
      className: "link-button",
      testId: "org-expand-all",
      text: t("expandAll"),
      attributes: { type: "button" },
      on: {
        click: () => {
          collapsedDepartmentIds.clear();
          renderTree();
        },
      },
    }),
    element("button", {
      className: "link-button",
      testId: "org-collapse-all",
      text: t("collapseAll"),
      attributes: { type: "button" },
      on: {
        click: () => {
          forEachDepartment(departments, (department) => collapsedDepartmentIds.add(department.id));
          renderTree();
        },
      },
    }),
  ]);

  function renderTree(): void {
    toolbar.hidden = departments.length === 0;
    if (departments.length === 0) {
      treeContainer.replaceChildren(
        element("ul", { className: "org-tree", testId: "org-tree", attributes: { role: "tree" } }),
        element("p", { className: "muted", text: t("chartEmpty") }),
      );
      return;
    }
    treeContainer.replaceChildren(
      element(
        "ul",
        { className: "org-tree", testId: "org-tree", attributes: { role: "tree" } },
        departments.map(renderDepartment),
      ),
    );
  }

  function renderDepartment(department: ChartDepartment): HTMLElement {
    const expanded = !collapsedDepartmentIds.has(department.id);
    const hasContent = department.positions.length > 0 || department.children.length > 0;
    const name = localized(department.name, department.name_en);

    let toggleSymbol = "•";
    if (hasContent) toggleSymbol = expanded ? "▾" : "▸";
    const toggle = element("button", {
      className: "tree-toggle",
      testId: "org-toggle",
      text: toggleSymbol,
      attributes: {
        type: "button",
        "aria-label": `${expanded ? t("collapse") : t("expand")}: ${name}`,
        "aria-expanded": String(expanded),
        disabled: !hasContent,
      },
      on: {
        click: () => {
          if (collapsedDepartmentIds.has(department.id)) collapsedDepartmentIds.delete(department.id);
          else collapsedDepartmentIds.add(department.id);
          renderTree();
        },
      },
    });

    const body = element("div", { className: "department-body", attributes: { hidden: !expanded } }, [
      department.positions.length > 0
        ? element("ul", { className: "position-list", attributes: { role: "group" } }, department.positions.map(renderPosition))
        : null,
      department.children.length > 0
        ? element("ul", { className: "org-subtree", attributes: { role: "group" } }, department.children.map(renderDepartment))
        : null,
    ]);

    return element(
      "li",
      {
        className: "org-department",
        testId: "org-department",
        dataset: { id: department.id },
        attributes: { role: "treeitem", "aria-expanded": hasContent ? String(expanded) : null },
      },
      [
        element("div", { className: "department-row" }, [
          toggle,
          element("span", { className: "department-name", testId: "org-department-name", text: name }),
          department.purpose
            ? element("span", { className: "department-purpose muted", text: department.purpose })
            : null,
        ]),
        body,
      ],
    );
  }

  function renderPosition(position: ChartPosition): HTMLElement {
    const open = openPositionIds.has(position.id);
    const holderNames = position.holders.map((holder) => holder.name).join(", ");
    const details = element("div", {
      className: "position-details",
      testId: "org-position-details",
      attributes: { hidden: !open },
    });
    if (open) fillPositionDetails(details, position);

    const button = element(
      "button",
      {
        className: "position-button",
        attributes: { type: "button", "aria-expanded": String(open) },
        on: {
          click: () => {
            if (openPositionIds.has(position.id)) openPositionIds.delete(position.id);
            else openPositionIds.add(position.id);
            renderTree();
          },
        },
      },
      [
        element("span", { className: "position-name", text: localized(position.name, position.name_en) }),
        element("span", {
          className: holderNames ? "position-holders" : "position-holders vacant",
          text: holderNames || t("vacant"),
        }),
      ],
    );

    return element(
      "li",
      { className: "org-position", testId: "org-position", dataset: { id: position.id } },
      [button, details],
    );
  }

  function fillPositionDetails(details: HTMLElement, position: ChartPosition): void {
    const functions =
      getLanguage() === "en" && position.functions_en.length > 0 ? position.functions_en : position.functions;
    const purpose = position.purpose ? localized(position.purpose, position.purpose_en) : "";
    const rows: HTMLElement[] = [];
    if (purpose) {
      rows.push(detailRow(t("positionPurpose"), element("p", { text: purpose })));
    }
    rows.push(
      detailRow(
        t("positionFunctions"),
        functions.length > 0
          ? element("ul", { className: "function-list" }, functions.map((item) => element("li", { text: item })))
          : element("p", { className: "muted", text: t("positionNoFunctions") }),
      ),
    );
    if (position.reports_to && positionNames.has(position.reports_to)) {
      rows.push(detailRow(t("positionReportsTo"), element("p", { text: positionNames.get(position.reports_to)! })));
    }
    rows.push(
      detailRow(
        t("positionHolders"),
        position.holders.length > 0
          ? element(
              "ul",
              { className: "holder-list" },
              position.holders.map((holder) =>
                element("li", { testId: "org-holder", dataset: { id: holder.id }, text: holder.name }),
              ),
            )
          : element("p", { className: "muted", text: t("vacant") }),
      ),
    );
    details.replaceChildren(...rows);
  }

  return {
    element: element("div", { className: "org-chart" }, [toolbar, treeContainer]),
    render(nextDepartments) {
      departments = nextDepartments;
      positionNames = new Map();
      forEachDepartment(departments, (department) => {
        for (const position of department.positions) {
          positionNames.set(position.id, localized(position.name, position.name_en));
        }
      });
      renderTree();
    },
  };
}

function detailRow(caption: string, content: HTMLElement): HTMLElement {
  return element("div", { className: "detail-row" }, [
    element("div", { className: "detail-caption", text: caption }),
    content,
  ]);
}

function forEachDepartment(departments: ChartDepartment[], visit: (department: ChartDepartment) => void): void {
  for (const department of departments) {
    visit(department);
    forEachDepartment(department.children, visit);
  }
}
