"""The messenger in the browser: sending, threads, edits, deletion, reactions,
unread counts across two people, catch-up after a dropped socket and search."""

import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.support.live import ROOT, LiveStack

pytestmark = pytest.mark.browser

# Search terms are indexed by a stream step a few seconds after the post.
INDEX_TIMEOUT_SECONDS = 30
SLACK_EXPORT = ROOT / "tests" / "fixtures" / "slack" / "export-2016.zip"


@dataclass
class Person:
    name: str
    email: str
    password: str
    token: str
    user_id: str


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Run the stack on the build SHTAB_FRONTEND_DIST names, if set."""
    dist = Path(os.environ.get("SHTAB_FRONTEND_DIST") or ROOT / "frontend" / "dist")
    if not (dist / "index.html").exists():
        pytest.fail(f"{dist} has no index.html: build the frontend first")
    live = LiveStack(
        tmp_path_factory.mktemp("browser-chat"),
        OWNER_EMAIL,
        OWNER_PASSWORD,
        environment={"SHTAB_FRONTEND_DIST": str(dist)},
    )
    live.start()
    yield live
    live.stop()


def call(stack: LiveStack, person: Person, method: str, path: str, body=None):
    response = stack.api(method, path, person.token, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture(scope="module")
def people(stack):
    owner_token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)

    def hire(name: str, email: str) -> Person:
        password = f"{email.split('@')[0]}-chat-password"
        response = stack.api(
            "POST",
            "/api/users",
            owner_token,
            json={"email": email, "name": name, "locale": "ru", "password": password},
        )
        assert response.status_code == 201, response.text
        token = stack.login(email, password)
        return Person(name, email, password, token, response.json()["user"]["id"])

    return hire("Анна", "anna@chat.example"), hire("Борис", "boris@chat.example")


@pytest.fixture
def channel(stack, people):
    """Create a public channel of Анна with Борис in it, one per test."""
    anna, boris = people
    name = f"склад-{uuid.uuid4().hex[:6]}"
    body = {"name": name, "visibility": "public", "member_ids": [boris.user_id]}
    return call(stack, anna, "POST", "/api/chat/channels", body)["channel"]


def sign_in(page: Page, person: Person) -> None:
    page.goto("/#/login")
    page.get_by_test_id("login-email").fill(person.email)
    page.get_by_test_id("login-password").fill(person.password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("connection-status")).to_have_attribute(
        "data-state", "online"
    )


def open_channel(page: Page, channel_id: str) -> None:
    page.goto(f"/#/chat/{channel_id}")
    expect(page.get_by_test_id("composer-input")).to_be_visible()
    expect(page.get_by_test_id("composer-input")).to_be_editable()


def post(stack, person: Person, channel_id: str, text: str, **extra) -> dict:
    body = {"text": text, **extra}
    path = f"/api/chat/channels/{channel_id}/messages"
    return call(stack, person, "POST", path, body)["message"]


def message(page: Page, text: str):
    return page.get_by_test_id("message").filter(
        has=page.get_by_test_id("message-text").get_by_text(text, exact=True)
    )


def sidebar_item(page: Page, channel_id: str):
    return page.locator(f"[data-testid=channel-item][data-id='{channel_id}']")


def test_enter_sends_shift_enter_newline(stack, people, channel, open_page):
    anna, _ = people
    page = open_page(stack)
    sign_in(page, anna)
    open_channel(page, channel["id"])

    composer = page.get_by_test_id("composer-input")
    composer.fill("первая строка")
    composer.press("Shift+Enter")
    composer.type("вторая строка")
    expect(page.get_by_test_id("message")).to_have_count(0)
    composer.press("Enter")

    expect(message(page, "первая строка\nвторая строка")).to_have_count(1)
    expect(composer).to_have_value("")


def test_thread_reply_and_escape(stack, people, channel, open_page):
    anna, boris = people
    root = post(stack, anna, channel["id"], "Кто примет поставку?")
    page = open_page(stack)
    sign_in(page, boris)
    open_channel(page, channel["id"])

    message(page, "Кто примет поставку?").get_by_test_id("open-thread").click()
    thread = page.get_by_test_id("thread-panel")
    expect(thread.get_by_test_id("thread-root")).to_contain_text("Кто примет поставку?")
    thread.get_by_test_id("thread-composer-input").fill("Я приму")
    thread.get_by_test_id("thread-also-channel").check()
    thread.get_by_test_id("thread-composer-input").press("Enter")

    expect(thread.get_by_test_id("thread-reply")).to_have_count(1)
    expect(thread.get_by_test_id("thread-reply")).to_contain_text("Я приму")
    # Replying makes the replier follow the thread.
    expect(thread.get_by_test_id("thread-follow")).to_have_text("Не следить")
    root_item = page.locator(f"[data-testid=message][data-id='{root['id']}']")
    expect(root_item.get_by_test_id("reply-count")).to_have_text("1 ответ")
    expect(root_item.get_by_test_id("thread-summary")).to_contain_text("Борис")
    # The reply was also sent to the channel, so the history shows it too.
    expect(message(page, "Я приму")).to_have_count(1)

    page.keyboard.press("Escape")
    expect(page.get_by_test_id("thread-panel")).to_have_count(0)


def test_edit_delete_reach_other_person(stack, people, channel, open_page):
    anna, boris = people
    anna_page = open_page(stack)
    sign_in(anna_page, anna)
    open_channel(anna_page, channel["id"])
    boris_page = open_page(stack)
    sign_in(boris_page, boris)
    open_channel(boris_page, channel["id"])

    composer = anna_page.get_by_test_id("composer-input")
    composer.fill("Отгрузка в пятницу")
    composer.press("Enter")
    sent = message(anna_page, "Отгрузка в пятницу")
    expect(sent).to_have_count(1)
    expect(message(boris_page, "Отгрузка в пятницу")).to_have_count(1)

    sent.hover()
    sent.get_by_test_id("message-edit").click()
    editor = anna_page.get_by_test_id("message-editor")
    editor.fill("Отгрузка в субботу")
    editor.press("Enter")
    edited = message(anna_page, "Отгрузка в субботу")
    expect(edited.get_by_test_id("message-edited")).to_have_text("(изменено)")
    boris_copy = message(boris_page, "Отгрузка в субботу")
    expect(boris_copy.get_by_test_id("message-edited")).to_have_text("(изменено)")
    # Only the author may edit.
    expect(boris_copy.get_by_test_id("message-edit")).to_have_count(0)

    message_id = edited.get_attribute("data-id")
    anna_page.once("dialog", lambda dialog: dialog.accept())
    edited.hover()
    edited.get_by_test_id("message-delete").click()
    for page in (anna_page, boris_page):
        shown = page.locator(f"[data-testid=message][data-id='{message_id}']")
        expect(shown.get_by_test_id("message-text")).to_have_text("Сообщение удалено")
        expect(shown).to_have_attribute("data-deleted", "true")
        expect(shown).not_to_contain_text("субботу")


def test_reaction_toggles_and_shows_live(stack, people, channel, open_page):
    anna, boris = people
    post(stack, anna, channel["id"], "Новые коробки пришли")
    anna_page = open_page(stack)
    sign_in(anna_page, anna)
    open_channel(anna_page, channel["id"])
    boris_page = open_page(stack)
    sign_in(boris_page, boris)
    open_channel(boris_page, channel["id"])

    shown = message(boris_page, "Новые коробки пришли")
    shown.hover()
    shown.get_by_test_id("message-react").click()
    shown.get_by_test_id("emoji-option").filter(has_text="👍").click()
    reaction = shown.get_by_test_id("reaction")
    expect(reaction).to_have_text("👍 1")
    expect(reaction).to_have_attribute("aria-pressed", "true")

    anna_reaction = message(anna_page, "Новые коробки пришли").get_by_test_id(
        "reaction"
    )
    expect(anna_reaction).to_have_text("👍 1")
    expect(anna_reaction).to_have_attribute("aria-pressed", "false")
    anna_reaction.click()
    expect(anna_reaction).to_have_text("👍 2")
    expect(reaction).to_have_text("👍 2")

    reaction.click()
    expect(reaction).to_have_text("👍 1")
    expect(reaction).to_have_attribute("aria-pressed", "false")
    expect(anna_reaction).to_have_text("👍 1")


def test_unread_badge_counts_and_clears(stack, people, channel, open_page):
    anna, boris = people
    page = open_page(stack)
    sign_in(page, boris)
    page.goto("/#/chat")
    item = sidebar_item(page, channel["id"])
    expect(item).to_be_visible()
    expect(item.get_by_test_id("channel-unread")).to_have_count(0)

    post(stack, anna, channel["id"], "Первое непрочитанное")
    expect(item.get_by_test_id("channel-unread")).to_have_text("1")
    post(stack, anna, channel["id"], "Второе непрочитанное")
    expect(item.get_by_test_id("channel-unread")).to_have_text("2")

    page.get_by_test_id("nav-unread").click()
    entry = page.get_by_test_id("unread-channel").filter(has_text=channel["name"])
    expect(entry).to_contain_text("2")

    item.click()
    expect(message(page, "Второе непрочитанное")).to_have_count(1)
    expect(item.get_by_test_id("channel-unread")).to_have_count(0)
    # The read marker moved on the server too, so a reload shows no badge.
    deadline = time.monotonic() + 10
    counts = {}
    while time.monotonic() < deadline:
        summary = call(stack, boris, "GET", "/api/chat/unread")
        counts = {entry["channel_id"]: entry["unread"] for entry in summary["channels"]}
        if counts.get(channel["id"]) == 0:
            break
        time.sleep(0.2)
    assert counts.get(channel["id"]) == 0


def test_mark_unread_shows_badge(stack, people, channel, open_page):
    anna, boris = people
    post(stack, anna, channel["id"], "Проверить остатки")
    post(stack, anna, channel["id"], "И заказать плёнку")
    page = open_page(stack)
    sign_in(page, boris)
    open_channel(page, channel["id"])
    item = sidebar_item(page, channel["id"])

    first = message(page, "Проверить остатки")
    first.hover()
    first.get_by_test_id("message-mark-unread").click()
    expect(item.get_by_test_id("channel-unread")).to_have_text("2")


def test_reconnect_catches_up_once(stack, people, channel, open_page):
    anna, boris = people
    post(stack, anna, channel["id"], "До обрыва")
    page = open_page(stack)
    sign_in(page, boris)
    open_channel(page, channel["id"])
    expect(message(page, "До обрыва")).to_have_count(1)
    status = page.get_by_test_id("connection-status")

    page.context.set_offline(True)
    expect(status).to_have_attribute("data-state", "offline")
    missed = [f"Пропущенное {index}" for index in range(3)]
    for text in missed:
        post(stack, anna, channel["id"], text)
    page.context.set_offline(False)
    expect(status).to_have_attribute("data-state", "online")

    for text in missed:
        expect(message(page, text)).to_have_count(1)
    # A live message after the reconnect still arrives, and nothing is doubled.
    post(stack, anna, channel["id"], "После обрыва")
    expect(message(page, "После обрыва")).to_have_count(1)
    expect(page.get_by_test_id("message")).to_have_count(5)
    texts = page.get_by_test_id("message-text").all_inner_texts()
    assert texts == ["До обрыва", *missed, "После обрыва"]


def test_search_highlights_matching_words(stack, people, channel, open_page):
    anna, _ = people
    post(stack, anna, channel["id"], "Новая инструкция по упаковке <b>не</b> разметка")
    post(stack, anna, channel["id"], "Совсем другое сообщение")
    page = open_page(stack)
    sign_in(page, anna)
    page.goto("/#/chat")
    page.get_by_test_id("nav-search").click()
    page.get_by_test_id("search-input").fill("инструкции")
    page.get_by_test_id("search-channel").select_option(channel["id"])

    hits = page.get_by_test_id("search-hit")
    deadline = time.monotonic() + INDEX_TIMEOUT_SECONDS
    while True:
        page.get_by_test_id("search-submit").click()
        page.wait_for_timeout(300)
        if hits.count() > 0 or time.monotonic() > deadline:
            break
    expect(hits).to_have_count(1)
    marks = hits.get_by_test_id("search-highlight")
    expect(marks).to_have_count(1)
    expect(marks).to_have_text("инструкция")
    # Server text stays text: the tags in the message are not parsed as markup.
    text = hits.get_by_test_id("search-hit-text")
    expect(text).to_have_text("Новая инструкция по упаковке <b>не</b> разметка")
    expect(text.locator("b")).to_have_count(0)

    hits.click()
    expect(page).to_have_url(re.compile(re.escape(f"#/chat/{channel['id']}") + "$"))


def test_browse_and_join_public_channel(stack, people, open_page):
    anna, boris = people
    name = f"идеи-{uuid.uuid4().hex[:6]}"
    body = {"name": name, "visibility": "public"}
    created = call(stack, anna, "POST", "/api/chat/channels", body)["channel"]
    page = open_page(stack)
    sign_in(page, boris)
    page.goto("/#/chat")
    expect(sidebar_item(page, created["id"])).to_have_count(0)

    page.get_by_test_id("browse-open").click()
    entry = page.locator(f"[data-testid=browse-item][data-id='{created['id']}']")
    expect(entry).to_contain_text(name)
    entry.get_by_test_id("browse-join").click()

    expect(page).to_have_url(re.compile(re.escape(f"#/chat/{created['id']}") + "$"))
    expect(sidebar_item(page, created["id"])).to_be_visible()
    expect(page.get_by_test_id("channel-title")).to_have_text(name)


def test_direct_conversation_reaches_other(stack, people, open_page):
    anna, boris = people
    anna_page = open_page(stack)
    sign_in(anna_page, anna)
    anna_page.goto("/#/chat")
    boris_page = open_page(stack)
    sign_in(boris_page, boris)
    boris_page.goto("/#/chat")

    anna_page.get_by_test_id("direct-new").click()
    person = anna_page.locator(
        f"[data-testid=direct-person][data-id='{boris.user_id}']"
    )
    person.locator("input").check()
    anna_page.get_by_test_id("direct-open").click()
    expect(anna_page.get_by_test_id("channel-title")).to_have_text("Борис")
    composer = anna_page.get_by_test_id("composer-input")
    composer.fill("Привет, это личное")
    composer.press("Enter")
    expect(message(anna_page, "Привет, это личное")).to_have_count(1)

    conversation = boris_page.get_by_test_id("conversation-list").get_by_test_id(
        "channel-item"
    )
    expect(conversation).to_contain_text("Анна")
    expect(conversation.get_by_test_id("channel-unread")).to_have_text("1")


def test_threads_view_lists_unread_replies(stack, people, channel, open_page):
    anna, boris = people
    root = post(stack, anna, channel["id"], "План на неделю")
    page = open_page(stack)
    sign_in(page, anna)
    page.goto("/#/chat")
    post(stack, boris, channel["id"], "Добавлю приёмку", thread_id=root["id"])

    # The root's author follows the thread once a stream step sees the reply.
    deadline = time.monotonic() + 15
    threads = {}
    while time.monotonic() < deadline:
        summary = call(stack, anna, "GET", "/api/chat/unread")
        threads = {entry["root_id"]: entry["unread"] for entry in summary["threads"]}
        if threads.get(root["id"]) == 1:
            break
        time.sleep(0.2)
    assert threads.get(root["id"]) == 1
    total = sum(threads.values())
    badge = page.get_by_test_id("threads-unread")
    expect(badge).to_have_text(f" {total}")

    page.get_by_test_id("nav-threads").click()
    entry = page.locator(f"[data-testid=thread-entry][data-root-id='{root['id']}']")
    expect(entry.get_by_test_id("thread-entry-unread")).to_have_text("1")
    entry.click()

    thread = page.get_by_test_id("thread-panel")
    expect(thread.get_by_test_id("thread-reply")).to_contain_text("Добавлю приёмку")
    # Viewing the thread reads it, so its reply leaves the count.
    expect(badge).to_have_text(f" {total - 1}" if total > 1 else "")
    thread.get_by_test_id("thread-follow").click()
    expect(thread.get_by_test_id("thread-follow")).to_have_text("Следить")


def test_pin_shows_in_pins_list(stack, people, channel, open_page):
    anna, _ = people
    post(stack, anna, channel["id"], "Адрес склада: ул. Ленина, 1")
    page = open_page(stack)
    sign_in(page, anna)
    open_channel(page, channel["id"])

    shown = message(page, "Адрес склада: ул. Ленина, 1")
    shown.hover()
    shown.get_by_test_id("message-pin").click()
    expect(shown.get_by_test_id("message-pinned")).to_be_visible()
    page.get_by_test_id("pins-button").click()
    expect(page.get_by_test_id("pinned-message")).to_contain_text("ул. Ленина")

    page.get_by_test_id("notification-level").select_option("mute")
    page.reload()
    expect(page.get_by_test_id("notification-level")).to_have_value("mute")


def test_admin_imports_slack_export(stack, open_page):
    token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)
    owner = Person("Owner", OWNER_EMAIL, OWNER_PASSWORD, token, "")
    page = open_page(stack)
    sign_in(page, owner)
    page.goto("/#/chat")
    page.get_by_test_id("import-open").click()
    dialog = page.get_by_test_id("import-dialog")
    dialog.get_by_test_id("import-kind").select_option("slack")
    dialog.get_by_test_id("import-file").set_input_files(str(SLACK_EXPORT))
    dialog.get_by_test_id("import-start").click()

    status = dialog.get_by_test_id("import-status")
    expect(status).to_contain_text("завершён", timeout=60_000)
    expect(dialog.get_by_test_id("import-report")).to_be_visible()
    dialog.get_by_test_id("import-dialog-close").click()
    expect(
        page.get_by_test_id("channel-item").filter(has_text="traveling-sailor")
    ).to_be_visible()
