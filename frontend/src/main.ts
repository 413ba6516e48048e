// The app shell: header, banners and the current screen, switched by the URL hash.

import "./styles.css";
import { fetchMe, onUnauthorized } from "./api";
import { clear, element } from "./dom";
import { clearError, clearNotice, feedbackElements, showError } from "./feedback";
import { renderHeader } from "./header";
import { getLanguage, setLanguage } from "./i18n";
import { DEFAULT_ROUTE_HASH, navigate, parseRoute, type Route } from "./router";
import { clearSession, getCurrentUser, getToken, saveCurrentUser } from "./session";
import { liveSocket } from "./socket";
import { createChatView } from "./views/chat/chatView";
import { connectChannelStore, resetChannels } from "./views/chat/channelStore";
import { createFinanceView } from "./views/finance/financeView";
import { createIntegrationsView } from "./views/integrations/integrationsView";
import { createKbView } from "./views/kb/kbView";
import { createLoginView } from "./views/login";
import { createOrgView } from "./views/org/orgView";
import { createTaskDetailView } from "./views/tasks/taskDetailView";
import { createTaskListView } from "./views/tasks/taskListView";
import { createTaskPagesView } from "./views/tasks/taskPagesView";
import type { View, ViewFactory } from "./views/view";

// A rejected token shows up as a WebSocket that closes before opening. So the
// app then checks the token over HTTP, at most this often, and the 401
// handler signs out if the token was the cause.
const TOKEN_CHECK_INTERVAL_MS = 30_000;

const header = element("header", { className: "app-header" });
const viewContainer = element("main", { className: "view" });
document.getElementById("app")!.append(header, ...feedbackElements(), viewContainer);

let currentView: View | null = null;
let currentRoute: Route | null = null;
// Shown on the sign-in screen after a 401, because switching screens clears the banner.
let pendingLoginError: string | null = null;
let lastTokenCheck = 0;

const factories: Record<Exclude<Route["name"], "login">, ViewFactory> = {
  org: (container) => createOrgView(container),
  chat: createChatView,
  tasks: (container) => createTaskListView(container),
  task: createTaskDetailView,
  taskPage: createTaskPagesView,
  finance: createFinanceView,
  integrations: (container) => createIntegrationsView(container),
  kb: createKbView,
};

function mountView(route: Route): void {
  currentView?.destroy();
  clear(viewContainer);
  viewContainer.dataset.view = route.name;
  currentView =
    route.name === "login"
      ? createLoginView(viewContainer, () => startSession())
      : factories[route.name](viewContainer, route);
}

function handleRouteChange(): void {
  const route = parseRoute(location.hash);
  const signedIn = getToken() !== null;
  if (!signedIn && route?.name !== "login") {
    navigate("#/login", { replace: true });
    return;
  }
  if (signedIn && (route === null || route.name === "login")) {
    navigate(DEFAULT_ROUTE_HASH, { replace: true });
    return;
  }
  if (route === null) return;

  renderHeader(header, route, { onToggleLanguage: toggleLanguage, onLogout: logout });
  if (currentView?.update && currentRoute?.name === route.name) {
    currentRoute = route;
    currentView.update(route);
    return;
  }
  currentRoute = route;
  clearError();
  clearNotice();
  mountView(route);
  if (route.name === "login" && pendingLoginError) {
    showError(pendingLoginError);
    pendingLoginError = null;
  }
}

function toggleLanguage(): void {
  setLanguage(getLanguage() === "ru" ? "en" : "ru");
  if (!currentRoute) return;
  // Every string is set when a screen is built, so rebuild the header and the screen.
  renderHeader(header, currentRoute, { onToggleLanguage: toggleLanguage, onLogout: logout });
  mountView(currentRoute);
}

function startSession(): void {
  const token = getToken();
  if (!token) return;
  liveSocket.start(token);
  navigate(DEFAULT_ROUTE_HASH);
}

function endSession(): void {
  liveSocket.stop();
  clearSession();
  resetChannels();
}

function logout(): void {
  endSession();
  navigate("#/login");
}

onUnauthorized((message) => {
  if (!getToken()) return;
  endSession();
  pendingLoginError = message;
  navigate("#/login");
});

liveSocket.onHandshakeFailure(() => {
  const now = Date.now();
  if (now - lastTokenCheck < TOKEN_CHECK_INTERVAL_MS) return;
  lastTokenCheck = now;
  fetchMe().catch(() => {});
});

connectChannelStore();
window.addEventListener("hashchange", handleRouteChange);

async function boot(): Promise<void> {
  const token = getToken();
  if (token) {
    liveSocket.start(token);
    if (!getCurrentUser()) {
      // The screens need the role to decide what to show.
      await fetchMe()
        .then((result) => saveCurrentUser(result.user))
        .catch(() => {});
    } else {
      // Refresh the stored profile in the background: the role or name may have changed.
      fetchMe()
        .then((result) => {
          saveCurrentUser(result.user);
          if (currentRoute) renderHeader(header, currentRoute, { onToggleLanguage: toggleLanguage, onLogout: logout });
        })
        .catch(() => {});
    }
  }
  handleRouteChange();
}

void boot();
