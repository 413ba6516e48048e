// People: the form that adds an employee (owner and admins) and the list of
// active employees with a deactivate button.

import { createUser, deactivateUser, type NewUser } from "../../api";
import { element, field, option } from "../../dom";
import { showNotice, withBusyButton } from "../../feedback";
import { localized, t, type MessageKey } from "../../i18n";
import { getCurrentUser, isAdmin } from "../../session";
import type { Position, Role, User } from "../../types";

const ROLE_LABELS: Record<Role, MessageKey> = {
  owner: "roleOwner",
  admin: "roleAdmin",
  manager: "roleManager",
  employee: "roleEmployee",
};

export interface PeopleSection {
  element: HTMLElement;
  renderPositions(positions: Position[], departmentNames: Map<string, string>): void;
  renderUsers(users: User[]): void;
}

export function createPeopleSection(onPeopleChanged: () => Promise<void>): PeopleSection {
  let positionNames = new Map<string, string>();
  let users: User[] = [];

  // --- Add an employee ---
  const nameInput = element("input", {
    testId: "add-user-name",
    attributes: { type: "text", maxlength: 120, required: true, autocomplete: "off" },
  });
  const emailInput = element("input", {
    testId: "add-user-email",
    attributes: { type: "email", required: true, autocomplete: "off" },
  });
  const positionSelect = element("select", { testId: "add-user-position" });
  const roleSelect = element("select", { testId: "add-user-role" }, [
    option("employee", t("roleEmployee"), true),
    option("manager", t("roleManager")),
    option("admin", t("roleAdmin")),
  ]);
  const localeSelect = element("select", { testId: "add-user-locale" }, [
    option("ru", t("localeRu"), true),
    option("en", t("localeEn")),
  ]);
  const submitButton = element("button", {
    className: "button-primary",
    testId: "add-user-submit",
    text: t("addUserSubmit"),
    attributes: { type: "submit" },
  });
  const passwordBox = element("div", { className: "password-box", attributes: { hidden: true } });

  const form = element("form", { className: "add-user-form", attributes: { novalidate: true } }, [
    field(t("addUserName"), nameInput),
    field(t("addUserEmail"), emailInput),
    field(t("addUserPosition"), positionSelect),
    element("div", { className: "field-row" }, [
      field(t("addUserRole"), roleSelect),
      field(t("addUserLocale"), localeSelect),
    ]),
    submitButton,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const newUser: NewUser = {
      name: nameInput.value.trim(),
      email: emailInput.value.trim(),
      position_id: positionSelect.value || null,
      role: roleSelect.value as NewUser["role"],
      locale: localeSelect.value === "en" ? "en" : "ru",
    };
    passwordBox.hidden = true;
    const result = await withBusyButton(submitButton, () => createUser(newUser));
    if (!result) return;
    form.reset();
    showNotice(t("addUserCreated", { name: result.user.name }));
    if (result.password) {
      // The server keeps only a hash, so this is the one chance to copy it.
      passwordBox.replaceChildren(
        element("span", { text: t("generatedPassword") }),
        element("code", { className: "generated-password", testId: "generated-password", text: result.password }),
      );
      passwordBox.hidden = false;
    }
    await onPeopleChanged();
  });

  // --- People list ---
  const peopleList = element("tbody");
  const peopleEmpty = element("p", { className: "muted", text: t("peopleEmpty"), attributes: { hidden: true } });
  const peopleTable = element("table", { className: "people-table", testId: "people-list" }, [
    element("thead", {}, [
      element("tr", {}, [
        element("th", { text: t("peopleName") }),
        element("th", { text: t("peopleEmail") }),
        element("th", { text: t("peopleRole") }),
        element("th", { text: t("peoplePosition") }),
        element("th"),
      ]),
    ]),
    peopleList,
  ]);

  function renderPersonRow(user: User): HTMLElement {
    const me = getCurrentUser();
    const canDeactivate = isAdmin() && user.id !== me?.id && user.role !== "owner" && user.status === "active";
    const deactivateButton = canDeactivate
      ? element("button", {
          className: "button-danger",
          testId: "deactivate-user",
          text: t("deactivate"),
          dataset: { id: user.id },
          attributes: { type: "button" },
        })
      : null;
    deactivateButton?.addEventListener("click", async () => {
      const result = await withBusyButton(deactivateButton, () => deactivateUser(user.id));
      if (!result) return;
      showNotice(t("deactivated", { name: user.name }));
      await onPeopleChanged();
    });

    const nameCell = element("td", { className: "person-name" }, [
      element("span", { testId: "person-name", text: user.name }),
      user.id === me?.id ? element("span", { className: "muted", text: ` (${t("you")})` }) : null,
    ]);
    return element("tr", { testId: "person", dataset: { id: user.id, status: user.status } }, [
      nameCell,
      element("td", { text: user.email }),
      element("td", { text: t(ROLE_LABELS[user.role] ?? "roleEmployee") }),
      element("td", { text: (user.position_id && positionNames.get(user.position_id)) || "—" }),
      element("td", {}, [deactivateButton]),
    ]);
  }

  function renderUsers(): void {
    peopleList.replaceChildren(...users.map(renderPersonRow));
    peopleEmpty.hidden = users.length > 0;
  }

  const children: HTMLElement[] = [];
  if (isAdmin()) {
    children.push(
      element("section", { className: "card add-user-section" }, [
        element("h2", { text: t("addUserTitle") }),
        form,
        passwordBox,
      ]),
    );
  }
  children.push(
    element("section", { className: "card people-section" }, [
      element("h2", { text: t("peopleTitle") }),
      peopleTable,
      peopleEmpty,
    ]),
  );

  return {
    element: element("div", { className: "people-column" }, children),
    renderPositions(positions, departmentNames) {
      positionNames = new Map(positions.map((position) => [position.id, localized(position.name, position.name_en)]));
      const selected = positionSelect.value;
      const groups = new Map<string, Position[]>();
      for (const position of positions) {
        const group = groups.get(position.department_id) ?? [];
        group.push(position);
        groups.set(position.department_id, group);
      }
      positionSelect.replaceChildren(
        option("", t("addUserNoPosition")),
        ...[...groups.entries()].map(([departmentId, group]) =>
          element(
            "optgroup",
            { attributes: { label: departmentNames.get(departmentId) ?? "—" } },
            group.map((position) =>
              option(position.id, positionNames.get(position.id) ?? position.name, position.id === selected),
            ),
          ),
        ),
      );
      renderUsers();
    },
    renderUsers(nextUsers) {
      users = [...nextUsers].sort((left, right) => left.name.localeCompare(right.name));
      renderUsers();
    },
  };
}
