"""Tasks in the browser: the form, the board, the checklist and the review step."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.finance_company import build_company, sign_in
from tests.browser.tasks_company import (
    start_stack,
    task_status,
    user_id,
    wait_for_list,
)

pytestmark = pytest.mark.browser

# The stack shares two cores with other test processes, so a page may take
# several seconds to load its lists.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    live = start_stack(tmp_path_factory)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def company(stack):
    return build_company(stack)


def board_card(page: Page, title: str):
    return page.get_by_test_id("board-card").filter(has_text=title)


def column(page: Page, status: str):
    return page.locator(f"[data-testid=board-column][data-status={status}]")


def test_task_created_and_dragged_across_board(stack, company, open_page):
    page = open_page(stack)
    sign_in(page, company.anna)
    page.get_by_test_id("nav-tasks").click()
    expect(page.get_by_test_id("task-create-submit")).to_be_enabled()
    page.get_by_test_id("task-create-title").fill("Обновить фото карточки")
    page.get_by_test_id("task-create-priority").select_option("high")
    page.get_by_test_id("task-create-tags").fill("фото, wb")
    page.get_by_test_id("task-create-submit").click()

    item = page.get_by_test_id("task-item").filter(has_text="Обновить фото карточки")
    expect(item).to_have_attribute("data-status", "new")
    expect(item).to_contain_text("Высокий")
    task_id = item.get_attribute("data-id")

    page.get_by_test_id("tasks-layout-toggle").click()
    card = board_card(page, "Обновить фото карточки")
    expect(column(page, "new").get_by_test_id("board-card")).to_have_count(1)
    card.drag_to(column(page, "in_progress"))
    expect(
        column(page, "in_progress")
        .get_by_test_id("board-card")
        .filter(has_text="Обновить фото карточки")
    ).to_have_attribute("data-status", "in_progress")
    assert task_status(company, company.anna, task_id) == "in_progress"

    # Without the review step the server rejects "review": the card stays put.
    board_card(page, "Обновить фото карточки").drag_to(column(page, "review"))
    expect(page.get_by_test_id("error-banner")).to_contain_text("review")
    expect(column(page, "review").get_by_test_id("board-card")).to_have_count(0)
    expect(board_card(page, "Обновить фото карточки")).to_have_attribute(
        "data-status", "in_progress"
    )
    assert task_status(company, company.anna, task_id) == "in_progress"


def test_filters_hide_other_priorities_and_tags(stack, company, open_page):
    anna_id = user_id(company, company.anna)
    for title, priority, tags in [
        ("Срочная выгрузка", "urgent", ["склад"]),
        ("Обычный отчёт", "normal", ["отчёт"]),
    ]:
        task = company.call(
            company.anna,
            "POST",
            "/api/tasks",
            {
                "title": title,
                "assignee_id": anna_id,
                "priority": priority,
                "tags": tags,
            },
        )["task"]
        wait_for_list(company, company.anna, "mine", task["id"])
    page = open_page(stack)
    sign_in(page, company.anna)
    page.goto("/#/tasks")
    items = page.get_by_test_id("task-item")
    expect(items.filter(has_text="Срочная выгрузка")).to_have_count(1)
    expect(items.filter(has_text="Обычный отчёт")).to_have_count(1)

    page.get_by_test_id("tasks-filter-priority").select_option("urgent")
    expect(items.filter(has_text="Обычный отчёт")).to_have_count(0)
    expect(items.filter(has_text="Срочная выгрузка")).to_have_count(1)

    page.get_by_test_id("tasks-filter-priority").select_option("")
    page.get_by_test_id("tasks-filter-tag").fill("отч")
    expect(items.filter(has_text="Срочная выгрузка")).to_have_count(0)
    expect(items.filter(has_text="Обычный отчёт")).to_have_count(1)


def test_checklist_item_ticked(stack, company, open_page):
    anna_id = user_id(company, company.anna)
    task = company.call(
        company.anna,
        "POST",
        "/api/tasks",
        {"title": "Подготовить поставку", "assignee_id": anna_id},
    )["task"]
    page = open_page(stack)
    sign_in(page, company.anna)
    page.goto(f"/#/tasks/{task['id']}")
    expect(page.get_by_test_id("task-title")).to_have_text("Подготовить поставку")

    page.get_by_test_id("checklist-new-text").fill("Наклеить этикетки")
    page.get_by_test_id("checklist-add").click()
    item = page.get_by_test_id("checklist-item").filter(has_text="Наклеить этикетки")
    expect(item).to_have_attribute("data-done", "false")
    expect(page.get_by_test_id("checklist-progress")).to_have_text("0/1")

    item.get_by_test_id("checklist-done").check()
    expect(item).to_have_attribute("data-done", "true")
    expect(page.get_by_test_id("checklist-progress")).to_have_text("1/1")
    stored = company.call(company.anna, "GET", f"/api/tasks/{task['id']}")["task"]
    assert [entry["done"] for entry in stored["checklist"]] == [True]
    ticked = page.locator(
        "[data-testid=task-history-entry][data-field$='.done']"
    ).get_by_test_id("task-history-change")
    expect(ticked).to_have_text("Чек-лист · выполнен: ✗ → ✓")


def test_review_returned_then_approved(stack, company, open_page):
    anna_id = user_id(company, company.anna)
    task = company.call(
        company.boris,
        "POST",
        "/api/tasks",
        {
            "title": "Согласовать макет упаковки",
            "assignee_id": anna_id,
            "requires_review": True,
        },
    )["task"]
    anna = open_page(stack)
    boris = open_page(stack)
    sign_in(anna, company.anna)
    sign_in(boris, company.boris)

    anna.goto(f"/#/tasks/{task['id']}")
    expect(anna.get_by_test_id("task-status")).to_have_attribute("data-status", "new")
    # The review step hides "done" until the reviewer approves.
    expect(anna.get_by_test_id("task-status-done")).to_have_count(0)
    anna.get_by_test_id("task-status-review").click()
    expect(anna.get_by_test_id("task-status")).to_have_attribute(
        "data-status", "review"
    )
    expect(anna.get_by_test_id("task-status-in_progress")).to_have_count(0)

    boris.goto(f"/#/tasks/{task['id']}")
    expect(boris.get_by_test_id("task-status")).to_have_attribute(
        "data-status", "review"
    )
    boris.get_by_test_id("task-status-in_progress").click()
    boris.get_by_test_id("task-return-comment").fill("Добавьте штрихкод на макет")
    boris.get_by_test_id("task-return-submit").click()
    expect(boris.get_by_test_id("task-status")).to_have_attribute(
        "data-status", "in_progress"
    )
    expect(
        boris.get_by_test_id("task-history-entry").filter(
            has_text="Добавьте штрихкод на макет"
        )
    ).to_have_count(1)

    anna.reload()
    anna.get_by_test_id("task-status-review").click()
    expect(anna.get_by_test_id("task-status")).to_have_attribute(
        "data-status", "review"
    )

    boris.reload()
    boris.get_by_test_id("task-status-done").click()
    expect(boris.get_by_test_id("task-status")).to_have_attribute("data-status", "done")
    assert task_status(company, company.boris, task["id"]) == "done"
    expect(boris).to_have_url(re.compile(rf"#/tasks/{task['id']}$"))


def test_subtask_blocker_and_mention(stack, company, open_page):
    anna_id = user_id(company, company.anna)
    blocker = company.call(
        company.anna,
        "POST",
        "/api/tasks",
        {"title": "Получить сертификат", "assignee_id": anna_id},
    )["task"]
    task = company.call(
        company.anna,
        "POST",
        "/api/tasks",
        {
            "title": "Отгрузить на склад WB",
            "assignee_id": anna_id,
            "description": "# План\n<script>alert(1)</script>",
        },
    )["task"]
    page = open_page(stack)
    sign_in(page, company.anna)
    page.goto(f"/#/tasks/{task['id']}")
    # Markdown and markup in the description are shown as typed text.
    expect(page.get_by_test_id("task-description")).to_have_text(
        "# План\n<script>alert(1)</script>"
    )

    page.get_by_test_id("subtask-new-title").fill("Распечатать этикетки")
    page.get_by_test_id("subtask-add").click()
    expect(page.get_by_test_id("task-subtask")).to_have_text(
        re.compile("Распечатать этикетки")
    )

    page.get_by_test_id("blocker-new-id").fill(f"/#/tasks/{blocker['id']}")
    page.get_by_test_id("blocker-add").click()
    expect(page.get_by_test_id("task-blocker")).to_contain_text("Получить сертификат")
    stored = company.call(company.anna, "GET", f"/api/tasks/{task['id']}")["task"]
    assert stored["blocked_by_ids"] == [blocker["id"]]

    page.get_by_test_id("task-comment-mention").select_option(label="Борис")
    page.get_by_test_id("task-comment-input").press_sequentially("проверь, пожалуйста")
    expect(page.get_by_test_id("task-comment-input")).to_have_value(
        "@Борис проверь, пожалуйста"
    )
    page.get_by_test_id("task-comment-submit").click()
    expect(page.get_by_test_id("task-comment-text")).to_have_text(
        "@Борис проверь, пожалуйста"
    )
    comments = company.call(company.anna, "GET", f"/api/tasks/{task['id']}")["comments"]
    boris_id = user_id(company, company.boris)
    assert [comment["mentions"] for comment in comments] == [[boris_id]]

    # The page links to the task's chat thread once the stream has made it.
    thread = None
    for _ in range(50):
        thread = company.call(company.anna, "GET", f"/api/tasks/{task['id']}")["thread"]
        if thread is not None:
            break
        time.sleep(0.2)
    assert thread is not None, "the task's chat thread was not made"
    page.reload()
    thread_link = page.get_by_test_id("task-thread-link")
    expect(thread_link).to_be_visible()
    expect(thread_link).to_have_text("Обсуждение в чате")
    thread_link.click()
    expect(page).to_have_url(
        re.compile(f"#/chat/{thread['channel_id']}/thread/{thread['thread_id']}$")
    )
    expect(page.get_by_test_id("thread-panel")).to_have_attribute(
        "data-root-id", thread["thread_id"]
    )
