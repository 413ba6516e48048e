"""Stored script payloads in the browser: the pages that show stored text
show a payload as text, and the page's Content-Security-Policy blocks inline
script.

The payloads go in through the API (messages, thread replies, a file name,
task fields, an article's Markdown, and Slack, Telegram and CSV imports).
The pages that show them open in a browser context that bypasses the CSP, so
that these checks test the escaping alone: were a payload parsed as HTML, its
handler would run and the DOM would contain its element. The policy is then
checked on its own in a context that enforces it.
"""

import csv
import io
import json
import os
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.support.live import ROOT, LiveStack

pytestmark = pytest.mark.browser

# The stack shares two cores with other test processes, and the imports run
# as background jobs, so a page may take several seconds to show them.
expect.set_options(timeout=30_000)
IMPORT_TIMEOUT_SECONDS = 60

# Each payload sets window.__xss and opens a dialog if any part of it runs.
IMAGE_PAYLOAD = '<img src=x onerror="window.__xss=1;alert(1)">'
SCRIPT_PAYLOAD = "<script>window.__xss=1;alert(1)</script>"
SVG_PAYLOAD = '<svg onload="window.__xss=1;alert(1)">'
IFRAME_PAYLOAD = '"><iframe srcdoc="<script>parent.__xss=1</script>"></iframe>'
LINK_PAYLOAD = '<a href="javascript:window.__xss=1">открыть</a>'
PAYLOADS = (IMAGE_PAYLOAD, SCRIPT_PAYLOAD, SVG_PAYLOAD, IFRAME_PAYLOAD, LINK_PAYLOAD)

# A person whose name is a payload, shown as a sender and in the people list.
PERSON_NAME_PAYLOAD = '<img src=x onerror="window.__xss=1;alert(1)"> Иван'
PERSON_EMAIL = "ivan.payload@browser.example"
PERSON_PASSWORD = "ivan-payload-password"

# A file name cannot contain a slash, so it carries the image payload alone.
FILE_NAME_PAYLOAD = '"><img src=x onerror="window.__xss=1;alert(1)">.pdf'
FILE_BYTES = b"%PDF-1.4\n% payload test\n%%EOF\n"

# Markdown that must not become a script, a handler or a javascript: or
# data: URL, with the text each one leaves on the page.
MARKDOWN_CASES = (
    ("[открыть-md](javascript:window.__xss=1)", "открыть-md"),
    ("[регистр](JaVaScRiPt:window.__xss=1)", "регистр"),
    ("<javascript:window.__xss=1>", "javascript:window.__xss=1"),
    ('[ссылка-в-кавычках](x" onclick="window.__xss=1)', "ссылка-в-кавычках"),
    ("![картинка](x onerror=window.__xss=1)", "картинка"),
    ("[данные](data:text/html,window.__xss=1)", "данные"),
    ("[энтити](&#106;avascript:window.__xss=1)", "энтити"),
)

# Lists what a rendered payload would have left in the document: an element
# from a payload, an inline script, an event handler attribute, or a link or
# source with a javascript: or data:text URL. The app adds listeners with
# addEventListener and never writes on* attributes, so any such attribute
# comes from stored text.
FIND_INJECTED = """() => {
  const found = [];
  for (const selector of ["img[src=x]", "iframe", "svg[onload]", "object", "embed"]) {
    if (document.querySelector(selector)) found.push(selector);
  }
  for (const script of document.querySelectorAll("script")) {
    if (!script.src) found.push("inline script: " + script.textContent.slice(0, 60));
  }
  for (const node of document.querySelectorAll("*")) {
    const tag = node.tagName.toLowerCase();
    for (const attribute of node.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.trim().toLowerCase();
      if (name.startsWith("on")) found.push(tag + "[" + name + "]");
      const isUrl = ["href", "src", "action", "formaction", "xlink:href"]
        .includes(name);
      const isScriptUrl =
        value.startsWith("javascript:") || value.startsWith("data:text");
      if (isUrl && isScriptUrl) {
        found.push(tag + "[" + name + "=" + value.slice(0, 40) + "]");
      }
    }
  }
  return found;
}"""

IMAGES_SETTLED = "() => Array.from(document.images).every((image) => image.complete)"

# Appends an inline script element, which a browser runs unless a policy
# blocks it, and returns whether it ran and every policy it violated.
INLINE_SCRIPT_PROBE = """async () => {
  const violations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    violations.push({
      directive: event.effectiveDirective,
      policy: event.originalPolicy,
    });
  });
  const script = document.createElement("script");
  script.textContent = "window.__inlineProbe = 1";
  document.body.append(script);
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {ran: window.__inlineProbe === 1, violations};
}"""


@dataclass
class Stored:
    """Ids of the records that carry payloads, for the pages that show them."""

    owner_id: str
    channel_id: str = ""
    thread_root_id: str = ""
    task_id: str = ""
    article_id: str = ""
    slack_channel_id: str = ""
    telegram_channel_id: str = ""
    imported_task_ids: list[str] = field(default_factory=list)


@dataclass
class Reader:
    """A signed-in page with the dialogs it opened."""

    page: Page
    dialogs: list[str]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Run the stack on the build SHTAB_FRONTEND_DIST names, if set."""
    dist = Path(os.environ.get("SHTAB_FRONTEND_DIST") or ROOT / "frontend" / "dist")
    if not (dist / "index.html").exists():
        pytest.fail(f"{dist} has no index.html: build the frontend first")
    live = LiveStack(
        tmp_path_factory.mktemp("browser-payloads"),
        OWNER_EMAIL,
        OWNER_PASSWORD,
        environment={"SHTAB_FRONTEND_DIST": str(dist)},
    )
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def token(stack) -> str:
    return stack.login(OWNER_EMAIL, OWNER_PASSWORD)


def call(stack: LiveStack, token: str, method: str, path: str, **kwargs) -> dict:
    response = stack.api(method, path, token, **kwargs)
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def post_file(
    stack: LiveStack, token: str, path: str, data: bytes, content_type: str
) -> requests.Response:
    # LiveStack.api sets its own headers, and a file needs its Content-Type.
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
    return requests.post(f"{stack.url}{path}", data=data, headers=headers, timeout=30)


def wait_for_job(stack: LiveStack, token: str, job_id: str) -> dict:
    deadline = time.monotonic() + IMPORT_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        job = call(stack, token, "GET", f"/api/imports/{job_id}")
        if job["status"] in ("done", "failed"):
            assert job["status"] == "done", job
            return job
        time.sleep(0.3)
    pytest.fail(f"import job {job_id} did not finish in {IMPORT_TIMEOUT_SECONDS}s")


def store_chat(stack: LiveStack, token: str, stored: Stored) -> None:
    hired = call(
        stack,
        token,
        "POST",
        "/api/users",
        json={
            "email": PERSON_EMAIL,
            "name": PERSON_NAME_PAYLOAD,
            "locale": "ru",
            "password": PERSON_PASSWORD,
        },
    )
    channel = call(
        stack,
        token,
        "POST",
        "/api/chat/channels",
        json={
            "name": "проверка-разметки",
            "visibility": "public",
            "member_ids": [hired["user"]["id"]],
        },
    )["channel"]
    stored.channel_id = channel["id"]
    messages = f"/api/chat/channels/{stored.channel_id}/messages"
    for payload in PAYLOADS:
        call(stack, token, "POST", messages, json={"text": payload})
    person_token = stack.login(PERSON_EMAIL, PERSON_PASSWORD)
    call(stack, person_token, "POST", messages, json={"text": "Сообщение от Ивана"})

    root = call(stack, token, "POST", messages, json={"text": "Корень треда"})
    stored.thread_root_id = root["message"]["id"]
    for payload in PAYLOADS:
        reply = {"text": f"ответ {payload}", "thread_id": stored.thread_root_id}
        call(stack, token, "POST", messages, json=reply)

    started = call(
        stack,
        token,
        "POST",
        f"/api/chat/channels/{stored.channel_id}/attachments",
        json={
            "file_name": FILE_NAME_PAYLOAD,
            "content_type": "application/pdf",
            "size": len(FILE_BYTES),
        },
    )
    form = started["upload"]
    uploaded = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("upload", FILE_BYTES, "application/pdf")},
        timeout=10,
    )
    assert uploaded.status_code in (200, 201, 204), uploaded.text
    attachment = {"text": "", "attachment_ids": [started["attachment"]["id"]]}
    call(stack, token, "POST", messages, json=attachment)


def store_task(stack: LiveStack, token: str, stored: Stored) -> None:
    task = call(
        stack,
        token,
        "POST",
        "/api/tasks",
        json={
            "title": IMAGE_PAYLOAD,
            "description": "\n".join(PAYLOADS),
            "assignee_id": stored.owner_id,
        },
    )["task"]
    stored.task_id = task["id"]
    for payload in (SCRIPT_PAYLOAD, SVG_PAYLOAD):
        path = f"/api/tasks/{stored.task_id}/checklist"
        call(stack, token, "POST", path, json={"text": payload})
    comment = {"text": f"комментарий {IFRAME_PAYLOAD}"}
    call(stack, token, "POST", f"/api/tasks/{stored.task_id}/comments", json=comment)


def markdown_body() -> str:
    blocks = ["# Заголовок статьи"]
    blocks += [f"Абзац: {payload}" for payload in PAYLOADS]
    blocks += [f"Случай: {markdown}" for markdown, _ in MARKDOWN_CASES]
    return "\n\n".join(blocks)


def store_article(stack: LiveStack, token: str, stored: Stored) -> None:
    section = call(
        stack, token, "POST", "/api/kb/sections", json={"name": "Проверка разметки"}
    )["section"]
    article = call(
        stack,
        token,
        "POST",
        "/api/kb/articles",
        json={
            "section_id": section["id"],
            "title": SVG_PAYLOAD,
            "body": markdown_body(),
            "status": "published",
        },
    )["article"]
    stored.article_id = article["id"]


def slack_export() -> bytes:
    """Build a Slack export whose texts carry payloads in Slack's own escaping."""
    slack_image = "slack " + IMAGE_PAYLOAD.replace("<", "&lt;").replace(">", "&gt;")
    messages = [
        {"type": "message", "user": "U1", "text": slack_image, "ts": "1704100000.1"},
        {
            "type": "message",
            "user": "U1",
            "text": "<javascript:window.__xss=1|открыть-slack>",
            "ts": "1704100001.1",
        },
        {
            "type": "message",
            "user": "U1",
            "text": "файл",
            "ts": "1704100002.1",
            "files": [{"name": FILE_NAME_PAYLOAD}],
        },
    ]
    users = [{"id": "U1", "name": "ivan", "deleted": True, "real_name": SCRIPT_PAYLOAD}]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("users.json", json.dumps(users))
        archive.writestr("channels.json", json.dumps([{"id": "C1", "name": "slack"}]))
        archive.writestr("slack/2024-01-01.json", json.dumps(messages))
    return buffer.getvalue()


def telegram_export() -> bytes:
    """Build a one-chat Telegram export with payloads in the chat, author and text."""
    chat = {
        "name": f"Телеграм {SVG_PAYLOAD}",
        "type": "personal_chat",
        "id": 4242,
        "messages": [
            {
                "id": 1,
                "type": "message",
                "date": "2024-01-01T10:00:00",
                "from": IMAGE_PAYLOAD,
                "from_id": "user4242",
                "text": IFRAME_PAYLOAD,
            },
            {
                "id": 2,
                "type": "message",
                "date": "2024-01-01T10:01:00",
                "from": "Иван",
                "from_id": "user4243",
                "text": [
                    "ссылка: ",
                    {
                        "type": "text_link",
                        "text": "открыть-телеграм",
                        "href": "javascript:window.__xss=1",
                    },
                ],
            },
        ],
    }
    return json.dumps(chat, ensure_ascii=False).encode()


def channel_named(stack: LiveStack, token: str, name: str) -> str:
    channels = call(stack, token, "GET", "/api/chat/channels")["channels"]
    return next(channel["id"] for channel in channels if channel["name"] == name)


def store_imports(stack: LiveStack, token: str, stored: Stored) -> None:
    slack = post_file(
        stack, token, "/api/chat/import/slack", slack_export(), "application/zip"
    )
    assert slack.status_code == 202, slack.text
    wait_for_job(stack, token, slack.json()["id"])
    stored.slack_channel_id = channel_named(stack, token, "slack")

    telegram = post_file(
        stack, token, "/api/chat/import/telegram", telegram_export(), "application/json"
    )
    assert telegram.status_code == 202, telegram.text
    job = wait_for_job(stack, token, telegram.json()["id"])
    stored.telegram_channel_id = job["report"]["channels"][0]["channel_id"]

    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["Title", "Description", "Status"])
    writer.writerow([LINK_PAYLOAD, SCRIPT_PAYLOAD, "Todo"])
    writer.writerow([SVG_PAYLOAD, IMAGE_PAYLOAD, "Todo"])
    imported = post_file(
        stack,
        token,
        "/api/tasks/import?format=csv",
        table.getvalue().encode(),
        "application/octet-stream",
    )
    assert imported.status_code == 201, imported.text
    stored.imported_task_ids = imported.json()["task_ids"]


@pytest.fixture(scope="module")
def stored(stack, token) -> Stored:
    owner_id = call(stack, token, "GET", "/api/auth/me")["user"]["id"]
    result = Stored(owner_id=owner_id)
    store_chat(stack, token, result)
    store_task(stack, token, result)
    store_article(stack, token, result)
    store_imports(stack, token, result)
    return result


@pytest.fixture
def reader(browser: Browser, stack):
    """Open a signed-in page that ignores the CSP, so only escaping is tested."""
    context = browser.new_context(base_url=stack.url, locale="ru-RU", bypass_csp=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto("/#/login")
    page.get_by_test_id("login-email").fill(OWNER_EMAIL)
    page.get_by_test_id("login-password").fill(OWNER_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("connection-status")).to_have_attribute(
        "data-state", "online"
    )
    yield Reader(page, dialogs)
    context.close()


def assert_inert(reader: Reader) -> None:
    """Check that nothing from a payload ran or entered the document."""
    # Handlers of elements that did get in run when the element loads or
    # fails to, so the checks wait for every image and then a moment longer.
    reader.page.wait_for_function(IMAGES_SETTLED)
    reader.page.wait_for_timeout(300)
    assert reader.page.evaluate("() => window.__xss") is None
    assert reader.dialogs == []
    assert reader.page.evaluate(FIND_INJECTED) == []


def test_probe_finds_parsed_payload(reader):
    # The control: payloads parsed as HTML trip every check, so a pass below
    # means the payloads stayed text and not that the checks are blind.
    page = reader.page
    page.evaluate(
        "(payloads) => { const box = document.createElement('div');"
        " box.innerHTML = payloads.join(''); document.body.append(box); }",
        list(PAYLOADS),
    )
    page.wait_for_function("() => window.__xss === 1")

    found = page.evaluate(FIND_INJECTED)

    assert reader.dialogs
    assert "img[src=x]" in found
    assert "iframe" in found
    assert "svg[onload]" in found
    assert "a[href=javascript:window.__xss=1]" in found
    assert "img[onerror]" in found


def test_chat_messages_shown_as_text(reader, stored):
    page = reader.page
    page.goto(f"/#/chat/{stored.channel_id}")

    texts = page.get_by_test_id("message-text")
    for payload in PAYLOADS:
        expect(texts.filter(has_text=payload)).to_have_count(1)
    expect(page.get_by_test_id("message-file-name")).to_have_text(FILE_NAME_PAYLOAD)
    senders = page.get_by_test_id("message-sender")
    expect(senders.filter(has_text=PERSON_NAME_PAYLOAD)).to_have_count(1)
    assert_inert(reader)

    page.goto("/#/org")
    expect(page.get_by_test_id("people-list")).to_contain_text(PERSON_NAME_PAYLOAD)
    assert_inert(reader)


def test_thread_replies_shown_as_text(reader, stored):
    page = reader.page
    page.goto(f"/#/chat/{stored.channel_id}")
    root = page.get_by_test_id("message").filter(has_text="Корень треда")

    root.get_by_test_id("open-thread").click()

    replies = page.get_by_test_id("thread-reply")
    for payload in PAYLOADS:
        expect(replies.filter(has_text=f"ответ {payload}")).to_have_count(1)
    assert_inert(reader)


def test_task_fields_shown_as_text(reader, stored):
    page = reader.page
    page.goto(f"/#/tasks/{stored.task_id}")

    expect(page.get_by_test_id("task-title")).to_have_text(IMAGE_PAYLOAD)
    description = page.get_by_test_id("task-description")
    for payload in PAYLOADS:
        expect(description).to_contain_text(payload)
    expect(page.locator("body")).to_contain_text(SCRIPT_PAYLOAD)
    expect(page.locator("body")).to_contain_text(SVG_PAYLOAD)
    expect(page.get_by_test_id("task-comment-text")).to_have_text(
        f"комментарий {IFRAME_PAYLOAD}"
    )
    assert_inert(reader)

    page.goto("/#/tasks")
    expect(page.get_by_text(IMAGE_PAYLOAD, exact=True).first).to_be_visible()
    assert_inert(reader)


def test_article_markdown_rendered_safely(reader, stored):
    page = reader.page
    page.goto(f"/#/kb/articles/{stored.article_id}")

    body = page.get_by_test_id("kb-article-body")
    expect(body.locator("h1")).to_have_text("Заголовок статьи")
    for payload in PAYLOADS:
        expect(body).to_contain_text(payload)
    for _, visible_text in MARKDOWN_CASES:
        expect(body).to_contain_text(visible_text)
    expect(page.locator("body")).to_contain_text(SVG_PAYLOAD)
    assert_inert(reader)


def test_article_search_shown_as_text(reader, stack, token, stored):
    # Articles are indexed by a stream reaction, so the search waits for it.
    deadline = time.monotonic() + IMPORT_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        found = call(stack, token, "GET", "/api/kb/search?q=Абзац")["results"]
        if any(result["id"] == stored.article_id for result in found):
            break
        time.sleep(0.3)
    page = reader.page

    page.goto("/#/kb/search/Абзац")

    link = page.get_by_test_id("kb-search-result-link")
    expect(link).to_contain_text(SVG_PAYLOAD)
    expect(page.get_by_test_id("kb-search-hit").first).to_have_text("Абзац")
    assert_inert(reader)


def test_slack_import_shown_as_text(reader, stored):
    page = reader.page
    page.goto(f"/#/chat/{stored.slack_channel_id}")

    texts = page.get_by_test_id("message-text")
    expect(texts.filter(has_text=f"slack {IMAGE_PAYLOAD}")).to_have_count(1)
    expect(texts.filter(has_text="открыть-slack")).to_have_count(1)
    expect(page.locator("body")).to_contain_text(FILE_NAME_PAYLOAD)
    expect(page.get_by_test_id("message-sender").first).to_have_text(SCRIPT_PAYLOAD)
    assert_inert(reader)


def test_telegram_import_shown_as_text(reader, stored):
    page = reader.page
    page.goto(f"/#/chat/{stored.telegram_channel_id}")

    texts = page.get_by_test_id("message-text")
    expect(texts.filter(has_text=IFRAME_PAYLOAD)).to_have_count(1)
    expect(texts.filter(has_text="открыть-телеграм")).to_have_count(1)
    senders = page.get_by_test_id("message-sender")
    expect(senders.filter(has_text=IMAGE_PAYLOAD)).to_have_count(1)
    expect(page.locator("body")).to_contain_text(f"Телеграм {SVG_PAYLOAD}")
    assert_inert(reader)


def test_imported_tasks_shown_as_text(reader, stored):
    page = reader.page
    first, second = stored.imported_task_ids

    page.goto(f"/#/tasks/{first}")
    expect(page.get_by_test_id("task-title")).to_have_text(LINK_PAYLOAD)
    expect(page.get_by_test_id("task-description")).to_contain_text(SCRIPT_PAYLOAD)
    assert_inert(reader)

    page.goto(f"/#/tasks/{second}")
    expect(page.get_by_test_id("task-title")).to_have_text(SVG_PAYLOAD)
    expect(page.get_by_test_id("task-description")).to_contain_text(IMAGE_PAYLOAD)
    assert_inert(reader)


def test_frontend_sent_with_security_headers(stack):
    page = requests.get(f"{stack.url}/", timeout=10)
    script_path = page.text.split('src="', 1)[1].split('"', 1)[0]
    script = requests.get(f"{stack.url}{script_path}", timeout=10)

    for response in (page, script):
        assert response.status_code == 200
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "object-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_policy_blocks_inline_script(browser: Browser, stack):
    enforced = browser.new_context(base_url=stack.url)
    bypassed = browser.new_context(base_url=stack.url, bypass_csp=True)
    try:
        page = enforced.new_page()
        response = page.goto("/#/login")
        header = response.headers["content-security-policy"]
        expect(page.get_by_test_id("login-email")).to_be_visible()

        blocked = page.evaluate(INLINE_SCRIPT_PROBE)

        # The control: the same probe runs where the policy is bypassed.
        control = bypassed.new_page()
        control.goto("/#/login")
        expect(control.get_by_test_id("login-email")).to_be_visible()
        allowed = control.evaluate(INLINE_SCRIPT_PROBE)
    finally:
        enforced.close()
        bypassed.close()

    assert blocked["ran"] is False
    violated = {(item["directive"], item["policy"]) for item in blocked["violations"]}
    assert ("script-src-elem", header) in violated
    assert allowed["ran"] is True
