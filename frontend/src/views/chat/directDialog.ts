// The window that starts a direct (2 people) or group (3 to 8) conversation.

import { listUsers } from "../../api";
import { element } from "../../dom";
import { runAction, runInBackground, showError } from "../../feedback";
import { chatHash, navigate } from "../../router";
import { getCurrentUser } from "../../session";
import { openDirect } from "./chatApi";
import { openChatDialog } from "./chatDialog";
import { ct } from "./chatText";
import { upsertChannel } from "./channelStore";

// The backend allows 2 to 8 people in a conversation, the caller included.
const MAX_OTHERS = 7;

export async function openDirectDialog(): Promise<void> {
  const dialog = openChatDialog(ct("direct"), "direct-dialog");
  const list = element("div", { className: "direct-people", testId: "direct-people" });
  const submit = element("button", {
    className: "button-primary",
    testId: "direct-open",
    text: ct("directOpen"),
    attributes: { type: "button" },
  });
  dialog.body.append(element("p", { className: "muted", text: ct("directPickSomeone") }), list, submit);

  const result = await runInBackground(() => listUsers());
  if (!result) return;
  const me = getCurrentUser()?.id;
  for (const user of result.users) {
    if (user.id === me || user.status !== "active") continue;
    const checkbox = element("input", { attributes: { type: "checkbox", value: user.id } });
    list.appendChild(
      element("label", { className: "direct-person", testId: "direct-person", dataset: { id: user.id } }, [
        checkbox,
        element("span", { text: user.name }),
      ]),
    );
  }

  submit.addEventListener("click", async () => {
    const picked = [...list.querySelectorAll<HTMLInputElement>("input:checked")].map((input) => input.value);
    if (picked.length === 0 || picked.length > MAX_OTHERS) {
      showError(ct("directPickSomeone"));
      return;
    }
    const opened = await runAction(() => openDirect(picked));
    if (!opened) return;
    upsertChannel(opened.channel);
    dialog.close();
    navigate(chatHash(opened.channel.id));
  });
}
