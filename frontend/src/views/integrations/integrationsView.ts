// The integrations page for the owner and admins: API tokens, inbound and
// outbound webhooks, dead letters and the Telegram bot. The header shows its
// link to admins only, and every route behind it returns 403 to anyone else.

import "./integrations.css";
import { element } from "../../dom";
import { isAdmin } from "../../session";
import type { View } from "../view";
import { createHooksSection } from "./hooksSection";
import { createDeadLettersSection, createSubscriptionsSection } from "./subscriptionsSection";
import { createTelegramSection } from "./telegramSection";
import { ti } from "./integrationsText";
import { createTokensSection } from "./tokensSection";

export function createIntegrationsView(container: HTMLElement): View {
  let destroyed = false;
  const isDestroyed = () => destroyed;

  const title = element("h1", { testId: "integrations-title", text: ti("title") });
  if (!isAdmin()) {
    container.appendChild(
      element("section", { className: "card integrations-page" }, [
        title,
        element("p", { className: "muted", testId: "integrations-forbidden", text: ti("forbidden") }),
      ]),
    );
    return { destroy() {} };
  }

  const deadLetters = createDeadLettersSection(isDestroyed, async () => {});
  container.appendChild(
    element("div", { className: "integrations-page", testId: "integrations-page" }, [
      element("section", { className: "card integrations-intro" }, [
        title,
        element("p", { className: "muted" }, [
          `${ti("intro")} `,
          element("a", {
            testId: "integrations-api-docs",
            text: ti("apiDocsLink"),
            attributes: { href: "/api/docs", target: "_blank", rel: "noopener" },
          }),
          ".",
        ]),
      ]),
      createTokensSection(isDestroyed),
      createHooksSection(isDestroyed),
      createSubscriptionsSection(isDestroyed, deadLetters.reload),
      deadLetters.element,
      createTelegramSection(isDestroyed),
    ]),
  );

  return {
    destroy() {
      destroyed = true;
    },
  };
}
