"""The integrations page in the browser: tokens, inbound hooks, subscriptions."""

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.browser.finance_company import Person, sign_in
from tests.integrations.webhook_receiver import Receiver
from tests.support.fake_telegram import BOT_USERNAME, TOKEN, FakeTelegram
from tests.support.live import ROOT, LiveStack

pytestmark = pytest.mark.browser

EMPLOYEE_EMAIL = "ivan@integrations.example"
EMPLOYEE_PASSWORD = "ivan-browser-password"
# Deliveries are sent by the stream pump's reaction, a few seconds after the change.
DELIVERY_TIMEOUT_SECONDS = 30


@pytest.fixture(scope="module")
def receiver():
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def telegram():
    fake = FakeTelegram()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, receiver, telegram):
    """Run the stack with the receiver allow-listed and the fake Bot API."""
    dist = Path(os.environ.get("SHTAB_FRONTEND_DIST") or ROOT / "frontend" / "dist")
    if not (dist / "index.html").exists():
        pytest.fail(f"{dist} has no index.html: build the frontend first")
    environment = {
        "SHTAB_WEBHOOK_ALLOWED_HOSTS": receiver.host,
        "SHTAB_TELEGRAM_API_URL": telegram.url,
        "SHTAB_FRONTEND_DIST": str(dist),
    }
    live = LiveStack(
        tmp_path_factory.mktemp("integrations"),
        OWNER_EMAIL,
        OWNER_PASSWORD,
        environment=environment,
    )
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def owner(stack) -> Person:
    token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)
    return Person("Owner", OWNER_EMAIL, OWNER_PASSWORD, token)


@pytest.fixture(scope="module")
def owner_id(stack, owner) -> str:
    return stack.api("GET", "/api/auth/me", owner.token).json()["user"]["id"]


@pytest.fixture(scope="module")
def employee(stack, owner) -> Person:
    response = stack.api(
        "POST",
        "/api/users",
        owner.token,
        json={
            "email": EMPLOYEE_EMAIL,
            "name": "Иван",
            "role": "employee",
            "locale": "ru",
            "password": EMPLOYEE_PASSWORD,
        },
    )
    assert response.status_code == 201, response.text
    token = stack.login(EMPLOYEE_EMAIL, EMPLOYEE_PASSWORD)
    return Person("Иван", EMPLOYEE_EMAIL, EMPLOYEE_PASSWORD, token)


def open_integrations(page: Page, person: Person) -> None:
    sign_in(page, person)
    page.get_by_test_id("nav-integrations").click()
    expect(page).to_have_url(re.compile(r"#/integrations$"))
    expect(page.get_by_test_id("integrations-title")).to_have_text("Интеграции")


def accept_next_dialog(page: Page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())


def test_token_shown_once_then_revoked(stack, owner, open_page):
    page = open_page(stack)
    open_integrations(page, owner)
    docs = page.get_by_test_id("integrations-api-docs")
    expect(docs).to_have_attribute("href", "/api/docs")

    # A token needs at least one scope; the error sits next to the scopes.
    page.get_by_test_id("token-name").fill("Склад")
    page.get_by_test_id("token-create").click()
    scopes_error = page.locator("[data-testid=token-scopes-error][data-field=scopes]")
    expect(scopes_error).to_be_visible()
    expect(scopes_error).to_contain_text("scopes")
    expect(page.get_by_test_id("token-revealed")).to_have_count(0)

    page.locator("[data-testid=token-scope][data-scope='tasks:read']").check()
    page.locator("[data-testid=token-scope][data-scope='tasks:write']").check()
    page.get_by_test_id("token-create").click()
    expect(scopes_error).to_be_hidden()
    secret_field = page.get_by_test_id("token-secret")
    expect(secret_field).to_have_value(re.compile(r"^shtab_[0-9A-Z]{26}_.+"))
    expect(page.get_by_test_id("token-revealed")).to_contain_text("один раз")
    secret = secret_field.input_value()
    token_id = secret.split("_")[1]

    row = page.locator(f"[data-testid=token-row][data-id='{token_id}']")
    expect(row).to_contain_text("Склад")
    expect(row).to_contain_text("tasks:read, tasks:write")
    expect(row.get_by_test_id("token-status")).to_have_text("действует")
    works = stack.api("GET", "/api/tasks?assignee=me", secret)
    assert works.status_code == 200, works.text

    # After a reload the page holds only the hint, never the secret.
    page.reload()
    expect(row.get_by_test_id("token-hint")).to_have_text(f"shtab_{token_id}_…")
    expect(page.get_by_test_id("token-secret")).to_have_count(0)
    assert secret.split("_", 2)[2] not in page.content()

    accept_next_dialog(page)
    row.get_by_test_id("token-revoke").click()
    expect(row.get_by_test_id("token-status")).to_have_text("отозван")
    expect(row.get_by_test_id("token-revoke")).to_be_hidden()
    expect(page.get_by_test_id("notice-banner")).to_contain_text("Склад")
    revoked = stack.api("GET", "/api/tasks?assignee=me", secret)
    assert revoked.status_code == 401


def test_hook_test_send_creates_task(stack, owner, owner_id, open_page):
    page = open_page(stack)
    open_integrations(page, owner)

    def template_field(name: str):
        return page.locator(f"[data-testid=hook-template-field][data-field={name}]")

    page.get_by_test_id("hook-name").fill("Остатки WB")
    page.get_by_test_id("hook-action").select_option("create_task")
    template_field("assignee_user_id").fill(owner_id)
    # Without a title the API names template.title, shown under that field.
    page.get_by_test_id("hook-create").click()
    title_error = page.locator(
        "[data-testid=hook-template-field-error][data-field='template.title']"
    )
    expect(title_error).to_be_visible()
    expect(title_error).to_contain_text("template.title")
    expect(template_field("title")).to_have_attribute("aria-invalid", "true")

    template_field("title").fill("Пополнить {{ payload.sku }}")
    page.get_by_test_id("hook-create").click()
    expect(title_error).to_be_hidden()
    url_field = page.get_by_test_id("hook-revealed-url")
    expect(url_field).to_have_value(re.compile(r"/api/hooks/[0-9A-Z]{26}$"))
    expect(page.get_by_test_id("hook-secret")).to_have_value(
        re.compile(r"^[0-9a-f]{64}$")
    )
    hook_id = url_field.input_value().rsplit("/", 1)[1]

    hook = page.locator(f"[data-testid=hook-item][data-id='{hook_id}']")
    expect(hook.get_by_test_id("hook-url")).to_have_text(url_field.input_value())
    expect(hook.get_by_test_id("hook-deliveries-empty")).to_be_visible()

    # Invalid JSON is caught before sending, next to the payload.
    hook.get_by_test_id("hook-test-payload").fill("{sku:")
    hook.get_by_test_id("hook-test-send").click()
    expect(hook.get_by_test_id("hook-test-payload-error")).to_contain_text("JSON")

    hook.get_by_test_id("hook-test-payload").fill('{"sku": "WB-777", "stock": 3}')
    hook.get_by_test_id("hook-test-send").click()
    expect(hook.get_by_test_id("hook-test-payload-error")).to_be_hidden()
    delivery = hook.get_by_test_id("hook-delivery").first
    expect(delivery.get_by_test_id("hook-delivery-status")).to_have_text("выполнена")
    expect(delivery).to_contain_text("тест")
    task_link = delivery.get_by_test_id("hook-delivery-task")
    expect(task_link).to_have_attribute("href", re.compile(r"^#/tasks/[0-9A-Z]{26}$"))
    task_id = task_link.inner_text()
    task = stack.api("GET", f"/api/tasks/{task_id}", owner.token)
    assert task.status_code == 200, task.text
    assert task.json()["task"]["title"] == "Пополнить WB-777"

    # A payload that lacks a field the template uses fails, and the log shows it.
    hook.get_by_test_id("hook-test-payload").fill('{"stock": 3}')
    hook.get_by_test_id("hook-test-send").click()
    expect(hook.get_by_test_id("hook-test-error")).to_contain_text("title")
    expect(hook.get_by_test_id("hook-delivery")).to_have_count(2)
    failed = hook.get_by_test_id("hook-delivery").first
    expect(failed.get_by_test_id("hook-delivery-status")).to_have_text("ошибка")
    expect(failed.get_by_test_id("hook-delivery-result")).to_contain_text(
        "template.title"
    )


def refresh_until(page: Page, refresh, locator, timeout=DELIVERY_TIMEOUT_SECONDS):
    """Click ``refresh`` until ``locator`` matches something, or fail."""
    deadline = time.monotonic() + timeout
    while locator.count() == 0:
        assert time.monotonic() < deadline, f"nothing matched {locator}"
        page.wait_for_timeout(500)
        refresh.click()


def test_subscription_delivery_logged_and_replayed(
    stack, owner, owner_id, receiver, open_page
):
    page = open_page(stack)
    open_integrations(page, owner)

    # A URL that is not http(s) is rejected next to the URL field.
    page.get_by_test_id("subscription-url").fill("ftp://127.0.0.1/hook")
    page.locator("[data-testid=subscription-event][data-event='task.created']").check()
    page.get_by_test_id("subscription-create").click()
    expect(page.get_by_test_id("subscription-url-error")).to_contain_text("url")

    # The channel picker appears only for message.posted.
    expect(page.get_by_test_id("subscription-channel")).to_be_hidden()
    message_event = page.locator(
        "[data-testid=subscription-event][data-event='message.posted']"
    )
    message_event.check()
    expect(page.get_by_test_id("subscription-channel")).to_be_visible()
    message_event.uncheck()

    url = receiver.url("/shtab")
    page.get_by_test_id("subscription-url").fill(url)
    page.get_by_test_id("subscription-create").click()
    expect(page.get_by_test_id("subscription-url-error")).to_be_hidden()
    secret = page.get_by_test_id("subscription-secret")
    expect(secret).to_have_value(re.compile(r"^\S{43}$"))
    signing_secret = secret.input_value()
    item = page.locator(f"[data-testid=subscription-item][data-url='{url}']")
    expect(item.get_by_test_id("subscription-status")).to_have_text("активна")
    expect(item.get_by_test_id("subscription-deliveries-empty")).to_be_visible()

    # The receiver fails the first attempt, so the log shows the error and the
    # next attempt; the replay then delivers it.
    receiver.answers.append((500, {}))
    created = stack.api(
        "POST",
        "/api/tasks",
        owner.token,
        json={"title": "Проверить вебхук", "assignee_id": owner_id},
    )
    assert created.status_code == 201, created.text
    refresh = item.get_by_test_id("subscription-log-refresh")
    refresh_until(page, refresh, item.get_by_test_id("subscription-delivery"))
    row = item.get_by_test_id("subscription-delivery").first
    expect(row.get_by_test_id("subscription-delivery-event")).to_have_text(
        "task.created"
    )
    expect(row.get_by_test_id("subscription-delivery-status")).to_have_text("ожидает")
    expect(row.get_by_test_id("subscription-delivery-code")).to_have_text("500")
    expect(row.get_by_test_id("subscription-delivery-duration")).to_have_text(
        re.compile(r"^\d+ мс$")
    )
    expect(row.get_by_test_id("subscription-delivery-error")).not_to_be_empty()
    expect(row.get_by_test_id("subscription-delivery-next")).not_to_have_text("—")

    row.get_by_test_id("subscription-delivery-replay").click()
    expect(row.get_by_test_id("subscription-delivery-status")).to_have_text(
        "доставлено"
    )
    expect(row.get_by_test_id("subscription-delivery-code")).to_have_text("200")
    expect(row.get_by_test_id("subscription-delivery-next")).to_have_text("—")
    # The scheduled retry may also have sent it by now, so there are 2 or 3.
    assert len(receiver.received) >= 2
    first, last = receiver.received[0], receiver.received[-1]
    assert first.json["type"] == "task.created"
    assert first.json["data"]["task"]["id"] == created.json()["task"]["id"]
    assert last.headers["X-Shtab-Event-Id"] == first.headers["X-Shtab-Event-Id"]
    last.verify(signing_secret)

    # Pausing and resuming switch the status and the button.
    item.get_by_test_id("subscription-toggle").click()
    expect(item.get_by_test_id("subscription-status")).to_have_text("на паузе")
    expect(item.get_by_test_id("subscription-toggle")).to_have_text("Возобновить")
    item.get_by_test_id("subscription-toggle").click()
    expect(item.get_by_test_id("subscription-status")).to_have_text("активна")

    accept_next_dialog(page)
    item.get_by_test_id("subscription-delete").click()
    expect(item).to_have_count(0)
    listed = stack.api("GET", "/api/integrations/subscriptions", owner.token).json()
    assert [entry["url"] for entry in listed["subscriptions"]] == []


def test_telegram_bot_saved_and_removed(stack, owner, telegram, open_page):
    page = open_page(stack)
    open_integrations(page, owner)
    section = page.get_by_test_id("integrations-telegram")
    expect(section.get_by_test_id("telegram-not-configured")).to_be_visible()

    # A token of the wrong shape is rejected next to the token field.
    section.get_by_test_id("telegram-token").fill("not-a-token")
    section.get_by_test_id("telegram-save").click()
    token_error = section.locator(
        "[data-testid=telegram-token-error][data-field=bot_token]"
    )
    expect(token_error).to_contain_text("bot_token")
    assert telegram.calls_of("getMe") == []

    section.get_by_test_id("telegram-token").fill(TOKEN)
    section.get_by_test_id("telegram-save").click()
    expect(token_error).to_be_hidden()
    expect(section.get_by_test_id("telegram-bot-name")).to_have_text(f"@{BOT_USERNAME}")
    expect(section.get_by_test_id("telegram-token-hint")).to_have_text(f"…{TOKEN[-4:]}")
    expect(section.get_by_test_id("telegram-webhook-status")).to_be_visible()
    expect(section.get_by_test_id("telegram-token")).to_have_value("")
    assert TOKEN not in page.content()

    accept_next_dialog(page)
    section.get_by_test_id("telegram-remove").click()
    expect(section.get_by_test_id("telegram-not-configured")).to_be_visible()
    state = stack.api("GET", "/api/integrations/telegram", owner.token).json()
    assert state["telegram"]["configured"] is False


def test_employee_has_no_integrations_page(stack, employee, open_page):
    page = open_page(stack)
    sign_in(page, employee)
    expect(page.get_by_test_id("nav-tasks")).to_be_visible()
    expect(page.get_by_test_id("nav-integrations")).to_have_count(0)

    page.goto("/#/integrations")
    expect(page.get_by_test_id("integrations-forbidden")).to_be_visible()
    expect(page.get_by_test_id("integrations-tokens")).to_have_count(0)
    listed = stack.api("GET", "/api/integrations/tokens", employee.token)
    assert listed.status_code == 403
