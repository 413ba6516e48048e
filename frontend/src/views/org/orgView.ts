// The org screen: templates, the org chart tree and the people column.

import { fetchChart, listPositions, listTemplates, listUsers } from "../../api";
import { element } from "../../dom";
import { runAction } from "../../feedback";
import { localized, t } from "../../i18n";
import type { ChartDepartment } from "../../types";
import type { View } from "../view";
import { createOrgChart } from "./orgChart";
import { createPeopleSection } from "./people";
import { createTemplatesSection } from "./templates";

export function createOrgView(container: HTMLElement): View {
  let destroyed = false;
  const templates = createTemplatesSection(() => reloadStructure());
  const chart = createOrgChart();
  const people = createPeopleSection(() => reloadPeople());

  container.appendChild(
    element("div", { className: "org-page" }, [
      templates.element,
      element("div", { className: "org-columns" }, [
        element("section", { className: "card chart-section" }, [
          element("h2", { text: t("chartTitle") }),
          chart.element,
        ]),
        people.element,
      ]),
    ]),
  );

  async function reloadTemplates(): Promise<void> {
    const result = await runAction(listTemplates);
    if (result && !destroyed) templates.render(result.templates);
  }

  /** Reloads the chart and positions together, so the position select matches the tree. */
  async function reloadChartAndPositions(): Promise<void> {
    const result = await runAction(() => Promise.all([fetchChart(), listPositions()]));
    if (!result || destroyed) return;
    const [chartResult, positionsResult] = result;
    chart.render(chartResult.departments);
    people.renderPositions(positionsResult.positions, departmentNames(chartResult.departments));
  }

  async function reloadUsers(): Promise<void> {
    const result = await runAction(listUsers);
    if (result && !destroyed) people.renderUsers(result.users);
  }

  function reloadStructure(): Promise<void> {
    return Promise.all([reloadTemplates(), reloadChartAndPositions()]).then(() => {});
  }

  function reloadPeople(): Promise<void> {
    // Holders in the chart change with the people, so both reload.
    return Promise.all([reloadUsers(), reloadChartAndPositions()]).then(() => {});
  }

  void Promise.all([reloadTemplates(), reloadChartAndPositions(), reloadUsers()]);

  return {
    destroy() {
      destroyed = true;
    },
  };
}

function departmentNames(departments: ChartDepartment[]): Map<string, string> {
  const names = new Map<string, string>();
  const visit = (list: ChartDepartment[], prefix: string) => {
    for (const department of list) {
      const name = prefix + localized(department.name, department.name_en);
      names.set(department.id, name);
      visit(department.children, `${name} / `);
    }
  };
  visit(departments, "");
  return names;
}
