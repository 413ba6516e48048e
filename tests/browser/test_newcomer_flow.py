"""What a newcomer does on day one, in a real browser against the local stack."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/#/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("connection-status")).to_have_attribute(
        "data-state", "online"
    )


def hire_through_ui(page: Page, name: str, email: str, position: str) -> str:
    page.get_by_test_id("nav-org").click()
    page.get_by_test_id("add-user-name").fill(name)
    page.get_by_test_id("add-user-email").fill(email)
    page.get_by_test_id("add-user-position").select_option(label=position)
    page.get_by_test_id("add-user-submit").click()
    password = page.get_by_test_id("generated-password")
    expect(password).to_be_visible()
    return password.inner_text().strip()


def open_channel(page: Page, kind: str) -> None:
    page.get_by_test_id("nav-chat").click()
    item = page.locator(f"[data-testid=channel-item][data-kind={kind}]").first
    item.click()
    channel_id = item.get_attribute("data-id")
    expect(page).to_have_url(re.compile(f"#/chat/{channel_id}$"))
    expect(page.get_by_test_id("message-list")).to_be_visible()


def send(page: Page, text: str) -> None:
    page.get_by_test_id("composer-input").fill(text)
    page.get_by_test_id("composer-send").click()


@pytest.fixture(scope="module")
def company(stack, browser):
    """The owner deploys the template through the UI and hires Анна."""
    context = browser.new_context(base_url=stack.url)
    page = context.new_page()
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    page.get_by_test_id("nav-org").click()
    page.get_by_test_id("template-apply-marketplace-business").click()
    expect(page.get_by_test_id("template-applied-marketplace-business")).to_be_visible()
    password = hire_through_ui(
        page, "Анна Петрова", "anna@browser.example", "Менеджер Wildberries"
    )
    context.close()
    return {"anna": ("anna@browser.example", password)}


def test_org_chart_is_a_tree(stack, company, open_page):
    page = open_page(stack)
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    page.get_by_test_id("nav-org").click()

    tree = page.get_by_test_id("org-tree")
    expect(tree).to_be_visible()
    departments = tree.get_by_test_id("org-department")
    expect(departments).to_have_count(11)
    nested = tree.locator("[data-testid=org-department] [data-testid=org-department]")
    expect(nested).to_have_count(10)
    expect(tree.get_by_text("Анна Петрова")).to_be_visible()


def test_hired_person_sees_company_and_department_channels(stack, company, open_page):
    page = open_page(stack)
    sign_in(page, *company["anna"])
    page.get_by_test_id("nav-chat").click()

    items = page.get_by_test_id("channel-item")
    expect(items.locator("xpath=self::*[@data-kind='general']")).to_have_count(1)
    department = page.locator("[data-testid=channel-item][data-kind=department]")
    expect(department).to_have_count(1)
    expect(department).to_contain_text("Отдел маркетплейсов")


def test_two_people_chat_and_thread_live(stack, company, open_page):
    owner = open_page(stack)
    anna = open_page(stack)
    sign_in(owner, OWNER_EMAIL, OWNER_PASSWORD)
    sign_in(anna, *company["anna"])
    open_channel(owner, "general")
    open_channel(anna, "general")

    send(owner, "Анна, проверь остатки на складе Коледино")
    message = anna.get_by_test_id("message").filter(
        has_text="остатки на складе Коледино"
    )
    expect(message).to_have_count(1)

    message.get_by_test_id("open-thread").click()
    anna.get_by_test_id("thread-composer-input").fill("Проверю до обеда")
    anna.get_by_test_id("thread-composer-send").click()
    expect(anna.get_by_test_id("thread-reply")).to_have_count(1)

    owner_message = owner.get_by_test_id("message").filter(
        has_text="остатки на складе Коледино"
    )
    expect(owner_message.get_by_test_id("reply-count")).to_contain_text("1")
    owner_message.get_by_test_id("open-thread").click()
    expect(owner.get_by_test_id("thread-panel")).to_contain_text("Проверю до обеда")

    anna.get_by_test_id("thread-composer-input").fill("Остатков хватит на неделю")
    anna.get_by_test_id("thread-composer-send").click()
    expect(owner.get_by_test_id("thread-reply")).to_have_count(2)


def test_task_notifications_both_ways(stack, company, open_page):
    owner = open_page(stack)
    anna = open_page(stack)
    sign_in(owner, OWNER_EMAIL, OWNER_PASSWORD)
    sign_in(anna, *company["anna"])
    open_channel(anna, "notifications")
    open_channel(owner, "notifications")

    owner.get_by_test_id("nav-tasks").click()
    owner.get_by_test_id("task-create-title").fill("Обновить фото в карточке")
    owner.get_by_test_id("task-create-assignee").select_option(label="Анна Петрова")
    owner.get_by_test_id("task-create-submit").click()
    expect(
        owner.get_by_test_id("task-item").filter(has_text="Обновить фото")
    ).to_be_visible()

    notification = anna.get_by_test_id("message").filter(
        has_text="Обновить фото в карточке"
    )
    expect(notification).to_have_count(1)
    notification.get_by_test_id("message-link").click()
    expect(anna.get_by_test_id("task-status")).to_have_attribute("data-status", "new")

    anna.get_by_test_id("task-status-done").click()
    expect(anna.get_by_test_id("task-status")).to_have_attribute("data-status", "done")
    anna.get_by_test_id("task-comment-input").fill("Фото загружены")
    anna.get_by_test_id("task-comment-submit").click()
    expect(anna.get_by_test_id("task-comment")).to_have_count(1)

    open_channel(owner, "notifications")
    owner_messages = owner.get_by_test_id("message")
    expect(owner_messages.filter(has_text="выполнил")).to_have_count(1)
    expect(owner_messages.filter(has_text="Фото загружены")).to_have_count(1)


def test_telegram_import_shows_threads(stack, company, open_page, tmp_path):
    export = {
        "name": "Старый чат поставок",
        "type": "private_group",
        "id": 777,
        "messages": [
            {
                "id": 1,
                "type": "message",
                "date": "2024-03-01T09:00:00",
                "from": "Вера",
                "from_id": "user1",
                "text": "Когда поставка на Казань?",
            },
            {
                "id": 2,
                "type": "message",
                "date": "2024-03-01T09:05:00",
                "from": "Олег",
                "from_id": "user2",
                "text": "В пятницу",
                "reply_to_message_id": 1,
            },
            {
                "id": 3,
                "type": "message",
                "date": "2024-03-01T09:06:00",
                "from": "Вера",
                "from_id": "user1",
                "text": ["Спасибо, ", {"type": "bold", "text": "жду"}],
                "reply_to_message_id": 2,
            },
        ],
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")

    token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)
    created = stack.api(
        "POST", "/api/chat/channels", token, json={"name": "архив поставок"}
    )
    assert created.status_code == 201

    page = open_page(stack)
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    open_channel(page, "custom")
    page.get_by_test_id("import-file").set_input_files(str(path))
    expect(page.get_by_test_id("import-result")).to_contain_text("3")

    root = page.get_by_test_id("message").filter(has_text="Когда поставка на Казань?")
    expect(root.get_by_test_id("reply-count")).to_contain_text("2")
    root.get_by_test_id("open-thread").click()
    replies = page.get_by_test_id("thread-reply")
    expect(replies).to_have_count(2)
    expect(replies.nth(1)).to_contain_text("Спасибо, жду")


def test_stored_script_is_shown_as_text(stack, company, open_page):
    owner = open_page(stack)
    anna = open_page(stack)
    sign_in(owner, OWNER_EMAIL, OWNER_PASSWORD)
    sign_in(anna, *company["anna"])
    open_channel(owner, "general")
    open_channel(anna, "general")
    payloads = [
        '<img src=x onerror="window.__pwned=1">',
        "<script>window.__pwned=2</script>",
    ]
    for payload in payloads:
        send(owner, payload)

    for payload in payloads:
        expect(
            anna.get_by_test_id("message-text").filter(has_text=payload)
        ).to_have_count(1)
    assert anna.evaluate("window.__pwned") is None
    assert anna.locator("img[src=x]").count() == 0


def test_english_switch(stack, company, open_page):
    page = open_page(stack)
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    expect(page.get_by_test_id("nav-org")).to_have_text(re.compile("Оргструктура"))
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("nav-org")).to_have_text(re.compile("Org"))
    expect(page.get_by_test_id("connection-status")).to_have_text("online")


def test_reconnect_catches_up_missed_messages(stack, company, open_page):
    owner_token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)
    page = open_page(stack)
    sockets = []
    blocked = {"on": False}

    def route_socket(socket):
        if blocked["on"]:
            socket.close(code=1011, reason="test keeps the client offline")
            return
        socket.connect_to_server()
        sockets.append(socket)

    page.route_web_socket(re.compile(r".*/ws.*"), route_socket)
    sign_in(page, *company["anna"])
    open_channel(page, "general")
    channel_id = page.locator(
        "[data-testid=channel-item][data-kind=general]"
    ).get_attribute("data-id")

    blocked["on"] = True
    sockets[-1].close(code=1006, reason="network dropped")
    expect(page.get_by_test_id("connection-status")).to_have_attribute(
        "data-state", "offline"
    )

    missed = [f"пропущенное сообщение {number}" for number in range(3)]
    for text in missed:
        response = stack.api(
            "POST",
            f"/api/chat/channels/{channel_id}/messages",
            owner_token,
            json={"text": text},
        )
        assert response.status_code == 201

    blocked["on"] = False
    expect(page.get_by_test_id("connection-status")).to_have_attribute(
        "data-state", "online", timeout=20_000
    )
    for text in missed:
        expect(page.get_by_test_id("message-text").filter(has_text=text)).to_have_count(
            1
        )
