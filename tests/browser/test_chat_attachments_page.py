"""Chat files and @mentions in the browser: the file picker, drag and drop
with its highlight, image previews, downloads and the mention list."""

import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.support.chat_files import png_bytes
from tests.support.live import ROOT, LiveStack

pytestmark = pytest.mark.browser

REPORT = b"%PDF-1.4\n% sales report, week 51\n%%EOF\n"


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
        tmp_path_factory.mktemp("browser-chat-files"),
        OWNER_EMAIL,
        OWNER_PASSWORD,
        environment={"SHTAB_FRONTEND_DIST": str(dist)},
    )
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def people(stack):
    owner_token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)

    def hire(name: str, email: str) -> Person:
        password = f"{email.split('@')[0]}-files-password"
        response = stack.api(
            "POST",
            "/api/users",
            owner_token,
            json={"email": email, "name": name, "locale": "ru", "password": password},
        )
        assert response.status_code == 201, response.text
        token = stack.login(email, password)
        return Person(name, email, password, token, response.json()["user"]["id"])

    return (
        hire("Анна Файлова", "anna.files@chat.example"),
        hire("Борис Складов", "boris.sklad@chat.example"),
    )


@pytest.fixture
def channel(stack, people):
    anna, boris = people
    body = {
        "name": f"файлы-{uuid.uuid4().hex[:6]}",
        "visibility": "public",
        "member_ids": [boris.user_id],
    }
    response = stack.api("POST", "/api/chat/channels", anna.token, json=body)
    assert response.status_code == 201, response.text
    return response.json()["channel"]


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
    expect(page.get_by_test_id("composer-input")).to_be_editable()


def download_bytes(page: Page, chip, tmp_path: Path) -> tuple[bytes, str]:
    with page.expect_download() as download_info:
        chip.click()
    download = download_info.value
    saved = tmp_path / uuid.uuid4().hex
    download.save_as(saved)
    return saved.read_bytes(), download.suggested_filename


def test_picked_file_sent_and_downloaded(stack, people, channel, open_page, tmp_path):
    anna, boris = people
    report = tmp_path / "Отчёт за неделю №51.pdf"
    report.write_bytes(REPORT)
    anna_page = open_page(stack)
    sign_in(anna_page, anna)
    open_channel(anna_page, channel["id"])
    boris_page = open_page(stack)
    sign_in(boris_page, boris)
    open_channel(boris_page, channel["id"])

    anna_page.get_by_test_id("composer-file-input").set_input_files(str(report))
    pending = anna_page.get_by_test_id("composer-file")
    expect(pending).to_have_attribute("data-state", "ready")
    # A message of files alone is allowed, so Enter sends with the input empty.
    anna_page.get_by_test_id("composer-input").press("Enter")
    expect(anna_page.get_by_test_id("composer-file")).to_have_count(0)

    # The other person gets the message live, with the file's name and size.
    chip = boris_page.get_by_test_id("message-file")
    expect(chip).to_have_count(1)
    expect(chip.get_by_test_id("message-file-name")).to_have_text(report.name)
    expect(chip).to_contain_text(f"{len(REPORT)} Б")
    content, name = download_bytes(boris_page, chip, tmp_path)
    assert content == REPORT
    assert name == report.name


def test_dropped_image_previewed(stack, people, channel, open_page, tmp_path):
    anna, _ = people
    image = png_bytes(120, 80)
    page = open_page(stack)
    sign_in(page, anna)
    open_channel(page, channel["id"])

    page.evaluate(
        """([bytes, name]) => {
          const data = new DataTransfer();
          const file = new File([new Uint8Array(bytes)], name, { type: "image/png" });
          data.items.add(file);
          window.droppedFiles = data;
          const target = document.querySelector("[data-testid=channel-main]");
          const init = { dataTransfer: data, bubbles: true, cancelable: true };
          target.dispatchEvent(new DragEvent("dragenter", init));
        }""",
        [list(image), "склад.png"],
    )
    main = page.get_by_test_id("channel-main")
    expect(main).to_have_class("channel-main drop-active")
    page.evaluate(
        """() => {
          const target = document.querySelector("[data-testid=message-list]");
          target.dispatchEvent(
            new DragEvent("drop", {
              dataTransfer: window.droppedFiles, bubbles: true, cancelable: true,
            }),
          );
        }"""
    )
    expect(main).to_have_class("channel-main")
    expect(page.get_by_test_id("composer-file")).to_have_attribute(
        "data-state", "ready"
    )
    page.get_by_test_id("composer-input").fill("Фото склада")
    page.get_by_test_id("composer-send").click()

    sent = page.get_by_test_id("message").filter(has_text="Фото склада")
    preview = sent.get_by_test_id("message-file-preview")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("width", "120")
    page.wait_for_function(
        "image => image.complete && image.naturalWidth === 120",
        arg=preview.element_handle(),
    )
    content, name = download_bytes(page, sent.get_by_test_id("message-file"), tmp_path)
    assert content == image
    assert name == "склад.png"


def test_rejected_file_named(stack, people, channel, open_page, tmp_path):
    anna, _ = people
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ not really a program")
    page = open_page(stack)
    sign_in(page, anna)
    open_channel(page, channel["id"])

    page.get_by_test_id("composer-file-input").set_input_files(str(program))
    expect(page.get_by_test_id("composer-file")).to_have_attribute(
        "data-state", "failed"
    )
    expect(page.get_by_test_id("error-banner")).to_contain_text("file_name")


def test_mention_chosen_from_list(stack, people, channel, open_page):
    anna, boris = people
    page = open_page(stack)
    sign_in(page, anna)
    open_channel(page, channel["id"])
    composer = page.get_by_test_id("composer-input")

    composer.type("Проверь, @бор")
    options = page.get_by_test_id("mention-option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Борис Складов")
    # Enter chooses from the open list instead of sending.
    composer.press("Enter")
    expect(page.get_by_test_id("mention-list")).to_be_hidden()
    expect(composer).to_have_value("Проверь, @boris.sklad ")
    expect(page.get_by_test_id("message")).to_have_count(0)

    # Esc closes a list without changing the text.
    composer.type("и @")
    expect(page.get_by_test_id("mention-list")).to_be_visible()
    composer.press("Escape")
    expect(page.get_by_test_id("mention-list")).to_be_hidden()
    composer.press("Backspace")
    composer.type("@кан")
    expect(options).to_have_count(1)
    composer.press("Tab")
    expect(composer).to_have_value("Проверь, @boris.sklad и @канал ")

    composer.press("Enter")
    sent = page.get_by_test_id("message")
    expect(sent).to_have_count(1)
    expect(sent.get_by_test_id("message-text")).to_have_text(
        "Проверь, @boris.sklad и @канал"
    )
    history = stack.api(
        "GET", f"/api/chat/channels/{channel['id']}/messages", anna.token
    ).json()["messages"]
    assert history[0]["mentioned_user_ids"] == [boris.user_id]
    assert history[0]["mentions_channel"] is True


def test_arrow_keys_move_selection(stack, people, channel, open_page):
    anna, boris = people
    page = open_page(stack)
    sign_in(page, anna)
    open_channel(page, channel["id"])
    composer = page.get_by_test_id("composer-input")

    # "@" alone lists Борис, then @channel and @канал; Анна does not list herself.
    composer.type("@")
    options = page.get_by_test_id("mention-option")
    expect(options).to_have_count(3)
    expect(options.nth(0)).to_have_attribute("data-handle", "boris.sklad")
    composer.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    composer.press("ArrowUp")
    composer.press("Enter")
    expect(composer).to_have_value("@boris.sklad ")


def task_channel(stack, people, title: str) -> dict:
    """Create a task from Анна for Борис and wait for its chat thread."""
    anna, boris = people
    response = stack.api(
        "POST",
        "/api/tasks",
        anna.token,
        json={"title": title, "assignee_id": boris.user_id},
    )
    assert response.status_code == 201, response.text
    task_id = response.json()["task"]["id"]
    for _ in range(100):
        thread = stack.api("GET", f"/api/tasks/{task_id}", anna.token).json()["thread"]
        if thread is not None:
            return thread
        time.sleep(0.2)
    pytest.fail(f"the chat thread of task {task_id} was not made")


def drop_image(page: Page, target_test_id: str, image: bytes, name: str) -> None:
    """Drag an image over the element and drop it there."""
    page.evaluate(
        """([bytes, name, testId]) => {
          const data = new DataTransfer();
          const file = new File([new Uint8Array(bytes)], name, { type: "image/png" });
          data.items.add(file);
          const target = document.querySelector(`[data-testid=${testId}]`);
          const init = { dataTransfer: data, bubbles: true, cancelable: true };
          target.dispatchEvent(new DragEvent("dragenter", init));
          window.droppedFiles = data;
        }""",
        [list(image), name, target_test_id],
    )


def test_thread_reply_with_file_and_mention(stack, people, open_page):
    anna, boris = people
    thread = task_channel(stack, people, "Пересчитать склад")
    page = open_page(stack)
    sign_in(page, anna)

    # The link opens the channel with the thread beside it.
    page.goto(f"/#/chat/{thread['channel_id']}/thread/{thread['thread_id']}")
    panel = page.get_by_test_id("thread-panel")
    expect(panel).to_have_attribute("data-root-id", thread["thread_id"])
    expect(panel.get_by_test_id("thread-root")).to_contain_text("Пересчитать склад")

    drop_image(page, "thread-panel", png_bytes(40, 30), "полка.png")
    expect(panel).to_have_class(re.compile(r"\bdrop-active\b"))
    page.evaluate(
        """() => document.querySelector("[data-testid=thread-panel]").dispatchEvent(
          new DragEvent("drop", {
            dataTransfer: window.droppedFiles, bubbles: true, cancelable: true,
          }),
        )"""
    )
    expect(panel).not_to_have_class(re.compile(r"\bdrop-active\b"))
    expect(panel.get_by_test_id("thread-composer-file")).to_have_attribute(
        "data-state", "ready"
    )
    # The channel's composer under the history took nothing.
    expect(page.get_by_test_id("composer-file")).to_have_count(0)

    composer = panel.get_by_test_id("thread-composer-input")
    composer.type("Глянь, @бор")
    options = panel.get_by_test_id("mention-option")
    expect(options).to_have_count(1)
    composer.press("Enter")
    expect(composer).to_have_value("Глянь, @boris.sklad ")
    composer.type("@")
    expect(panel.get_by_test_id("mention-list")).to_be_visible()
    # The first Esc closes only the list; the thread stays open.
    composer.press("Escape")
    expect(panel.get_by_test_id("mention-list")).to_be_hidden()
    expect(panel).to_be_visible()
    composer.press("Backspace")
    composer.press("Shift+Enter")
    composer.type("полку")
    composer.press("Enter")

    # The task's thread already holds the system's replies about the task.
    reply = panel.get_by_test_id("thread-reply").filter(has_text="полку")
    expect(reply).to_have_count(1)
    expect(reply.get_by_test_id("message-text")).to_have_text(
        "Глянь, @boris.sklad \nполку"
    )
    expect(reply.get_by_test_id("message-file-preview")).to_be_visible()
    replies = stack.api(
        "GET", f"/api/chat/messages/{thread['thread_id']}/thread", anna.token
    ).json()["replies"]
    sent = [reply for reply in replies if reply["sender_id"] == anna.user_id]
    assert len(sent) == 1
    assert sent[0]["mentioned_user_ids"] == [boris.user_id]
    assert [file["file_name"] for file in sent[0]["files"]] == ["полка.png"]

    # With the list closed Esc closes the thread and the link drops it.
    composer.press("Escape")
    expect(page.get_by_test_id("thread-panel")).to_have_count(0)
    expect(page).to_have_url(re.compile(f"#/chat/{thread['channel_id']}$"))


def test_task_channels_grouped(stack, people, open_page):
    anna, boris = people
    read = task_channel(stack, people, "Сверить накладные")
    unread = task_channel(stack, people, "Заказать коробки")
    response = stack.api(
        "POST",
        f"/api/chat/channels/{read['channel_id']}/read",
        anna.token,
        json={"message_id": read["thread_id"]},
    )
    assert response.status_code == 200, response.text
    response = stack.api(
        "POST",
        f"/api/chat/channels/{unread['channel_id']}/messages",
        boris.token,
        json={"text": "Коробок нет на складе"},
    )
    assert response.status_code == 201, response.text
    # Positions, and so unread counts, are given by the stream a moment later.
    for _ in range(100):
        counts = stack.api("GET", "/api/chat/unread", anna.token).json()["channels"]
        unread_by_channel = {entry["channel_id"]: entry["unread"] for entry in counts}
        if unread_by_channel.get(unread["channel_id"]) == 1:
            break
        time.sleep(0.2)
    assert unread_by_channel.get(read["channel_id"], 0) == 0
    page = open_page(stack)
    sign_in(page, anna)
    page.goto("/#/chat")
    expect(page.get_by_test_id("composer-input")).to_be_editable()

    # Folded, the group shows the channels with unread messages only.
    group = page.get_by_test_id("work-channel-list")
    toggle = page.get_by_test_id("work-channels-toggle")

    def item(channel_id: str):
        return group.locator(f"[data-testid=channel-item][data-id='{channel_id}']")

    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(item(unread["channel_id"]).get_by_test_id("channel-unread")).to_have_text(
        "1"
    )
    expect(item(read["channel_id"])).to_have_count(0)
    expect(page.get_by_test_id("channel-list")).not_to_contain_text("Заказать коробки")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(item(read["channel_id"])).to_be_visible()
    expect(item(unread["channel_id"])).to_be_visible()
