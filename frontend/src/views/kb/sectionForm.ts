// The admins' form for a section of their own, at the top of the tree or
// inside the section they are looking at. Departments' sections are made by
// the server from the org structure, so the form is only for extra ones.

import { element, field } from "../../dom";
import { showError, showNotice, withBusyButton } from "../../feedback";
import { navigate } from "../../router";
import { createSection } from "./kbApi";
import { kbHash } from "./kbRoutes";
import { kt } from "./kbTexts";

/** The window event after which the screen reloads the tree of sections. */
export const SECTIONS_CHANGED_EVENT = "kb-sections-changed";

export function renderSectionForm(parentId: string | null): HTMLElement {
  const nameInput = element("input", {
    testId: "kb-section-form-name",
    attributes: { type: "text", maxlength: 120, autocomplete: "off" },
  });
  const englishInput = element("input", {
    testId: "kb-section-form-name-en",
    attributes: { type: "text", maxlength: 120, autocomplete: "off" },
  });
  const submit = element("button", {
    className: "button button-primary",
    testId: "kb-section-form-save",
    text: kt("sectionCreate"),
    attributes: { type: "submit" },
  });
  const form = element(
    "form",
    {
      className: "kb-section-form",
      on: {
        submit: (event) => {
          event.preventDefault();
          const name = nameInput.value.trim();
          if (!name) {
            showError(kt("sectionNameRequired"));
            nameInput.focus();
            return;
          }
          const english = englishInput.value.trim();
          void withBusyButton(submit, async () => {
            const { section } = await createSection({
              name,
              ...(english ? { name_en: english } : {}),
              ...(parentId ? { parent_id: parentId } : {}),
            });
            window.dispatchEvent(new Event(SECTIONS_CHANGED_EVENT));
            showNotice(kt("sectionCreated", { name: section.name }));
            navigate(kbHash.section(section.id));
          });
        },
      },
    },
    [
      field(kt("sectionName"), nameInput),
      field(kt("sectionNameEn"), englishInput),
      element("div", { className: "form-actions" }, [submit]),
    ],
  );
  return element("details", { className: "kb-section-details", testId: "kb-section-form" }, [
    element("summary", { text: kt(parentId ? "sectionNewChild" : "sectionNew") }),
    form,
  ]);
}
