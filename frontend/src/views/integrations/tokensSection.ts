// API tokens: create one with a name and scopes, see the token once, list and revoke.

import { element, field } from "../../dom";
import { runInBackground, showNotice, withBusyButton } from "../../feedback";
import { createApiToken, listApiTokens, revokeApiToken, type ApiToken } from "./integrationsApi";
import { FieldErrors, dateTime, emptyRow, secretBox, sectionCard, statusPill, submitWithErrors, table } from "./integrationsCommon";
import { ti, type IntegrationsKey } from "./integrationsText";

// The areas of chalicelib/integrations/scopes.py; each has a read and a write scope.
const AREAS: { area: string; label: IntegrationsKey }[] = [
  { area: "org", label: "areaOrg" },
  { area: "users", label: "areaUsers" },
  { area: "chat", label: "areaChat" },
  { area: "tasks", label: "areaTasks" },
  { area: "processes", label: "areaProcesses" },
  { area: "weeks", label: "areaWeeks" },
  { area: "finance", label: "areaFinance" },
  { area: "kb", label: "areaKb" },
  { area: "integrations", label: "areaIntegrations" },
];
const ADMIN_SCOPE = "admin";

/** Shows what is left of a token after creation: its prefix and id, never the secret. */
function tokenHint(token: ApiToken): string {
  return `shtab_${token.id}_…`;
}

function scopeCheckbox(scope: string, text: string): HTMLElement {
  const checkbox = element("input", {
    testId: "token-scope",
    dataset: { scope },
    attributes: { type: "checkbox", value: scope },
  });
  return element("label", { className: "checkbox-field" }, [checkbox, text]);
}

export function createTokensSection(isDestroyed: () => boolean): HTMLElement {
  const errors = new FieldErrors("token-form");
  const nameInput = element("input", {
    testId: "token-name",
    attributes: { type: "text", maxlength: 80, autocomplete: "off", required: true },
  });
  const scopeGroup = element("fieldset", { className: "integrations-scopes", testId: "token-scopes" }, [
    element("legend", { text: ti("tokenScopes") }),
    ...AREAS.map(({ area, label }) =>
      element("div", { className: "integrations-scope-row" }, [
        element("span", { className: "integrations-scope-area", text: ti(label) }),
        scopeCheckbox(`${area}:read`, ti("scopeRead")),
        scopeCheckbox(`${area}:write`, ti("scopeWrite")),
      ]),
    ),
    scopeCheckbox(ADMIN_SCOPE, ti("scopeAdmin")),
  ]);
  const createButton = element("button", {
    className: "button-primary",
    testId: "token-create",
    text: ti("tokenCreate"),
    attributes: { type: "submit" },
  });
  const revealed = element("div", { testId: "token-revealed-slot" });
  const form = element("form", { className: "integrations-form", attributes: { novalidate: true } }, [
    errors.formMessage,
    field(ti("tokenName"), nameInput),
    errors.register("name", nameInput, "token-name"),
    scopeGroup,
    errors.register("scopes", scopeGroup, "token-scopes"),
    element("div", { className: "form-actions" }, [createButton]),
  ]);
  const { table: tokenTable, body } = table("token-list", [
    ti("tokenName"),
    ti("tokenScopes"),
    ti("status"),
    ti("createdAt"),
    "",
    "",
  ]);

  function renderToken(token: ApiToken): HTMLElement {
    const revokeButton = element("button", {
      className: "button-danger",
      testId: "token-revoke",
      text: ti("tokenRevoke"),
      attributes: { type: "button", hidden: token.status !== "active" },
    });
    revokeButton.addEventListener("click", async () => {
      if (!window.confirm(ti("tokenRevokeConfirm", { name: token.name }))) return;
      const result = await withBusyButton(revokeButton, () => revokeApiToken(token.id));
      if (!result || isDestroyed()) return;
      showNotice(ti("tokenRevoked", { name: token.name }));
      await load();
    });
    const active = token.status === "active";
    return element("tr", { testId: "token-row", dataset: { id: token.id, name: token.name } }, [
      element("td", { text: token.name }),
      element("td", { className: "integrations-scope-list", text: token.scopes.join(", ") }),
      element("td", {}, [
        statusPill(token.status, active ? ti("tokenStatusActive") : ti("tokenStatusRevoked"), "token-status"),
      ]),
      element("td", { text: dateTime(token.created_at) }),
      element("td", {}, [
        element("code", { testId: "token-hint", text: tokenHint(token), attributes: { title: ti("tokenHint") } }),
      ]),
      element("td", {}, [revokeButton]),
    ]);
  }

  async function load(): Promise<void> {
    const result = await runInBackground(() => listApiTokens());
    if (!result || isDestroyed()) return;
    // Active tokens first, newest first within each group.
    const tokens = [...result.tokens].sort(
      (left, right) =>
        Number(right.status === "active") - Number(left.status === "active") ||
        right.created_at.localeCompare(left.created_at),
    );
    body.replaceChildren(...(tokens.length ? tokens.map(renderToken) : [emptyRow(6, ti("tokensEmpty"), "token-empty")]));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const scopes = [...scopeGroup.querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked")].map(
      (checkbox) => checkbox.value,
    );
    const result = await submitWithErrors(createButton, errors, () => createApiToken(nameInput.value.trim(), scopes));
    if (!result || isDestroyed()) return;
    form.reset();
    revealed.replaceChildren(
      secretBox("token-revealed", ti("tokenShownOnce"), [
        { label: result.token.name, value: result.secret, testId: "token-secret" },
      ]),
    );
    await load();
  });

  void load();

  return sectionCard("integrations-tokens", ti("tokensTitle"), ti("tokensHint"), [revealed, form, tokenTable]);
}
