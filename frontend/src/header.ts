// The page header: navigation, connection status, language toggle and sign-out.

import { appendChildren, element } from "./dom";
import { t } from "./i18n";
import type { Route } from "./router";
import { getCurrentUser, isAdmin } from "./session";
import { liveSocket, type ConnectionState } from "./socket";
import { createApprovalBadge, refreshApprovalBadge } from "./views/finance/approvalBadge";

export interface HeaderActions {
  onToggleLanguage: () => void;
  onLogout: () => void;
}

const connectionStatus = element("span", { className: "connection-status", testId: "connection-status" });

function renderConnectionStatus(state: ConnectionState): void {
  connectionStatus.textContent = state === "online" ? t("online") : t("offline");
  connectionStatus.dataset.state = state;
}
liveSocket.onStateChange(renderConnectionStatus);

function navLink(hash: string, testId: string, text: string, active: boolean): HTMLElement {
  return element("a", {
    className: active ? "nav-link active" : "nav-link",
    testId,
    text,
    attributes: { href: hash, "aria-current": active ? "page" : null },
  });
}

/** Links to the finance screen, with the count of requests waiting for the person's approval. */
function financeNavLink(active: boolean): HTMLElement {
  const link = navLink("#/finance", "nav-finance", t("navFinance"), active);
  link.append(" ", createApprovalBadge("nav-finance-badge"));
  // Every screen change may follow an approval elsewhere, so the count reloads.
  void refreshApprovalBadge();
  return link;
}

/** Fills `header` for `route`. The sign-in screen gets only the brand and the language toggle. */
export function renderHeader(header: HTMLElement, route: Route, actions: HeaderActions): void {
  const languageToggle = element("button", {
    className: "lang-toggle",
    testId: "lang-toggle",
    text: t("languageToggle"),
    attributes: { type: "button", title: t("languageToggleTitle") },
    on: { click: actions.onToggleLanguage },
  });
  const brand = element("a", { className: "brand", text: t("appName"), attributes: { href: "#/chat" } });

  if (route.name === "login") {
    header.replaceChildren(brand, element("div", { className: "header-spacer" }), languageToggle);
    return;
  }

  renderConnectionStatus(liveSocket.state);
  const user = getCurrentUser();
  header.replaceChildren();
  appendChildren(header, [
    brand,
    element("nav", { className: "main-nav" }, [
      navLink("#/org", "nav-org", t("navOrg"), route.name === "org"),
      navLink("#/chat", "nav-chat", t("navChat"), route.name === "chat"),
      navLink("#/tasks", "nav-tasks", t("navTasks"), route.name === "tasks" || route.name === "task" || route.name === "taskPage"),
      financeNavLink(route.name === "finance"),
      // Only the owner and admins may use the integrations routes.
      isAdmin(user) ? navLink("#/integrations", "nav-integrations", t("navIntegrations"), route.name === "integrations") : null,
      navLink("#/kb", "nav-kb", t("navKb"), route.name === "kb"),
    ]),
    element("div", { className: "header-spacer" }),
    connectionStatus,
    user ? element("span", { className: "current-user", testId: "current-user", text: user.name }) : null,
    languageToggle,
    element("button", {
      className: "logout",
      testId: "logout",
      text: t("logout"),
      attributes: { type: "button" },
      on: { click: actions.onLogout },
    }),
  ]);
}
