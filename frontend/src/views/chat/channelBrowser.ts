// The window that lists the company's public channels and joins one.

import { element } from "../../dom";
import { runAction, runInBackground } from "../../feedback";
import { chatHash, navigate } from "../../router";
import { browseChannels, joinChannel } from "./chatApi";
import { openChatDialog } from "./chatDialog";
import { ct } from "./chatText";
import { loadChannels } from "./channelStore";

export async function openChannelBrowser(): Promise<void> {
  const dialog = openChatDialog(ct("browse"), "channel-browser");
  const list = element("ul", { className: "browse-list", testId: "browse-list" });
  const moreButton = element("button", {
    className: "link-button",
    text: ct("browse"),
    attributes: { type: "button", hidden: true },
  });
  dialog.body.append(list, moreButton);
  let cursor: string | null = null;

  async function loadPage(): Promise<void> {
    const page = await runInBackground(() => browseChannels(cursor));
    if (!page) return;
    for (const channel of page.channels) {
      const joinButton = element("button", {
        className: "button-primary",
        testId: "browse-join",
        text: channel.is_member ? ct("joined") : ct("join"),
        attributes: { type: "button", disabled: channel.is_member },
      });
      joinButton.addEventListener("click", async () => {
        const result = await runAction(() => joinChannel(channel.id));
        if (!result) return;
        await loadChannels().catch(() => {});
        dialog.close();
        navigate(chatHash(channel.id));
      });
      list.appendChild(
        element("li", { className: "browse-item", testId: "browse-item", dataset: { id: channel.id } }, [
          element("div", {}, [
            element("strong", { text: `# ${channel.name}` }),
            channel.description ? element("p", { className: "muted", text: channel.description }) : null,
          ]),
          joinButton,
        ]),
      );
    }
    cursor = page.next_cursor ?? null;
    moreButton.hidden = cursor === null;
    if (list.childElementCount === 0) {
      list.appendChild(element("li", { className: "muted", text: ct("browseEmpty") }));
    }
  }

  moreButton.addEventListener("click", () => void loadPage());
  await loadPage();
}
