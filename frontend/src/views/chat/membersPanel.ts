// The "Members" button of a channel and the member list it opens.

import { listMembers } from "../../api";
import { element } from "../../dom";
import { runAction } from "../../feedback";
import { t } from "../../i18n";

export interface MembersPanel {
  button: HTMLButtonElement;
  panel: HTMLElement;
}

export function createMembersPanel(channelId: string, isDestroyed: () => boolean): MembersPanel {
  const panel = element("div", { className: "members-panel card", testId: "members-panel", attributes: { hidden: true } });
  const button = element("button", {
    testId: "members-button",
    text: t("members"),
    attributes: { type: "button", "aria-expanded": "false" },
  });

  button.addEventListener("click", async () => {
    if (!panel.hidden) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      return;
    }
    const result = await runAction(() => listMembers(channelId));
    if (!result || isDestroyed()) return;
    panel.replaceChildren(
      element("h3", { text: t("membersTitle") }),
      element(
        "ul",
        { className: "member-list", testId: "member-list" },
        result.members.map((member) =>
          element("li", { testId: "member", dataset: { id: member.id, status: member.status } }, [
            element("span", { className: `status-dot status-${member.status}`, attributes: { "aria-hidden": "true" } }),
            element("span", { text: member.name }),
          ]),
        ),
      ),
    );
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
  });

  return { button, panel };
}
