// The org chart templates, each with an apply button for the owner and admins.

import { applyTemplate } from "../../api";
import { element } from "../../dom";
import { showNotice, withBusyButton } from "../../feedback";
import { getLanguage, t } from "../../i18n";
import { isAdmin } from "../../session";
import type { OrgTemplate } from "../../types";

export interface TemplatesSection {
  element: HTMLElement;
  render(templates: OrgTemplate[]): void;
}

export function createTemplatesSection(onApplied: () => Promise<void>): TemplatesSection {
  const list = element("div", { className: "template-list", testId: "template-list" });

  function renderTemplate(template: OrgTemplate): HTMLElement {
    const language = getLanguage();
    const name = template.name[language] || template.name.ru;
    const applyButton = isAdmin()
      ? element("button", {
          className: "button-primary",
          testId: `template-apply-${template.key}`,
          text: t("templateApply"),
          attributes: { type: "button" },
        })
      : null;
    applyButton?.addEventListener("click", async () => {
      const result = await withBusyButton(applyButton, () => applyTemplate(template.key));
      if (result === undefined) return;
      showNotice(t("templateAppliedNotice", { name }));
      await onApplied();
    });

    return element("article", { className: "template-card card", testId: "template", dataset: { key: template.key } }, [
      element("div", { className: "template-heading" }, [
        element("h3", { text: name }),
        template.applied
          ? element("span", { className: "badge", testId: `template-applied-${template.key}`, text: t("templateApplied") })
          : null,
      ]),
      element("p", { className: "muted", text: template.description[language] || template.description.ru }),
      element("p", {
        className: "template-counts",
        text: t("templateCounts", { departments: template.departments, positions: template.positions }),
      }),
      applyButton,
    ]);
  }

  return {
    element: element("section", { className: "templates-section" }, [
      element("h2", { text: t("templatesTitle") }),
      list,
    ]),
    render(templates) {
      list.replaceChildren(...templates.map(renderTemplate));
    },
  };
}
