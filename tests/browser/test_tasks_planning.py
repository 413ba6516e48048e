"""Recurring series, process launches and week plans in the browser."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.finance_company import build_company, sign_in
from tests.browser.tasks_company import (
    create_task,
    start_stack,
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


def test_recurring_series_created_and_stopped(stack, company, open_page):
    page = open_page(stack)
    sign_in(page, company.anna)
    page.goto("/#/tasks/series")
    expect(page.get_by_test_id("series-assignee")).to_contain_text("Анна")
    page.get_by_test_id("series-title").fill("Выгрузить остатки")
    page.get_by_test_id("series-frequency").select_option("weekly")
    page.get_by_test_id("series-weekday-1").check()
    page.get_by_test_id("series-weekday-4").check()
    page.get_by_test_id("series-due-time").fill("18:00")
    page.get_by_test_id("series-checklist").fill("Выгрузить\nСверить")
    page.get_by_test_id("series-end").select_option("count")
    page.get_by_test_id("series-count").fill("5")
    page.get_by_test_id("series-submit").click()

    expect(page).to_have_url(re.compile(r"#/tasks/[0-9A-Z]{26}$"))
    expect(page.get_by_test_id("task-title")).to_have_text("Выгрузить остатки")
    expect(page.get_by_test_id("task-series")).to_be_visible()
    expect(page.get_by_test_id("checklist-item")).to_have_count(2)

    stored = company.call(company.anna, "GET", "/api/tasks/series")["series"]
    assert len(stored) == 1
    assert stored[0]["rule"]["frequency"] == "weekly"
    assert stored[0]["rule"]["weekdays"] == [1, 4]
    assert stored[0]["rule"]["count"] == 5
    assert stored[0]["due_time"] == "18:00"

    page.goto("/#/tasks/series")
    item = page.get_by_test_id("series-item").filter(has_text="Выгрузить остатки")
    expect(item).to_have_attribute("data-status", "active")
    expect(item.get_by_test_id("series-item-rule")).to_contain_text("Пн, Чт")
    item.get_by_test_id("series-stop").click()
    expect(item).to_have_attribute("data-status", "stopped")
    stored = company.call(company.anna, "GET", "/api/tasks/series")["series"]
    assert stored[0]["status"] == "stopped"


def test_weekly_rule_without_weekdays_rejected(stack, company, open_page):
    page = open_page(stack)
    sign_in(page, company.anna)
    page.goto("/#/tasks/series")
    expect(page.get_by_test_id("series-assignee")).to_contain_text("Анна")
    page.get_by_test_id("series-title").fill("Без дней недели")
    page.get_by_test_id("series-frequency").select_option("weekly")
    page.get_by_test_id("series-submit").click()
    expect(page.get_by_test_id("error-banner")).to_contain_text("weekdays")
    expect(page).to_have_url(re.compile(r"#/tasks/series$"))


def test_product_launched_and_launch_view_opened(stack, company, open_page):
    template = company.call(
        company.owner, "GET", "/api/process-templates/product-launch"
    )["template"]
    vacant = template["vacant_steps"]
    assert vacant, "the test company leaves most positions vacant"

    page = open_page(stack)
    sign_in(page, company.owner)
    page.goto("/#/tasks/launches")
    expect(page.get_by_test_id("launch-vacant-step")).to_have_count(len(vacant))
    page.get_by_test_id("launch-product").fill("Термокружка 450 мл")
    expect(page.get_by_test_id("launch-name")).to_have_value("Термокружка 450 мл")
    target = (date.today() + timedelta(days=60)).isoformat()
    page.get_by_test_id("launch-target-date").fill(target)

    # Without a person for the vacant steps the server rejects the launch.
    page.get_by_test_id("launch-submit").click()
    expect(page.get_by_test_id("error-banner")).to_contain_text("allow_vacant")

    page.get_by_test_id("launch-allow-vacant").check()
    page.get_by_test_id("launch-vacant-assignee").select_option(label="Борис")
    page.get_by_test_id("launch-submit").click()

    expect(page).to_have_url(re.compile(r"#/tasks/launches/[0-9A-Z]{26}$"))
    expect(page.get_by_test_id("launch-title")).to_have_text("Термокружка 450 мл")
    launch_id = page.get_by_test_id("launch-view").get_attribute("data-id")
    launch = company.call(company.owner, "GET", f"/api/launches/{launch_id}")["launch"]

    expect(page.get_by_test_id("launch-task")).to_have_count(len(launch["tasks"]))
    critical = launch["critical_path"]["steps"]
    assert critical
    expect(page.locator("[data-testid=launch-task][data-critical=true]")).to_have_count(
        sum(1 for row in launch["tasks"] if row["critical"])
    )
    expect(page.get_by_test_id("launch-critical-step")).to_have_count(len(critical))
    expect(page.get_by_test_id("launch-department")).to_have_count(
        len(launch["departments"])
    )
    total = launch["progress"]["total"]
    expect(
        page.get_by_test_id("launch-progress").locator("td[data-column=done]")
    ).to_have_text(f"0/{total}")


def test_week_planned_by_button_and_drag(stack, company, open_page):
    anna_id = user_id(company, company.anna)
    first = create_task(
        company, company.anna, title="Ответить на отзывы", assignee_id=anna_id
    )
    second = create_task(
        company, company.anna, title="Заказать упаковку", assignee_id=anna_id
    )
    for task in (first, second):
        wait_for_list(company, company.anna, "mine", task["id"])

    page = open_page(stack)
    sign_in(page, company.anna)
    page.get_by_test_id("nav-tasks").click()
    page.get_by_test_id("tasks-nav-week").click()
    expect(page).to_have_url(re.compile(r"#/tasks/week$"))
    backlog = page.get_by_test_id("week-backlog-task")
    expect(backlog.filter(has_text="Ответить на отзывы")).to_have_count(1)
    expect(page.get_by_test_id("week-plan-empty")).to_be_visible()

    backlog.filter(has_text="Ответить на отзывы").get_by_test_id(
        "week-plan-add"
    ).click()
    planned = page.get_by_test_id("week-plan-task")
    expect(planned).to_have_count(1)
    backlog.filter(has_text="Заказать упаковку").drag_to(
        page.get_by_test_id("week-plan-zone")
    )
    expect(planned).to_have_count(2)
    expect(backlog.filter(has_text="Заказать упаковку")).to_have_count(0)

    week = page.get_by_test_id("week-picker").input_value()
    plan = company.call(company.anna, "GET", f"/api/weeks/{week}/plan")["plan"]
    assert [task["task_id"] for task in plan["tasks"]] == [first["id"], second["id"]]

    planned.filter(has_text="Ответить на отзывы").get_by_test_id("week-unplan").click()
    expect(planned).to_have_count(1)
    plan = company.call(company.anna, "GET", f"/api/weeks/{week}/plan")["plan"]
    assert [task["task_id"] for task in plan["tasks"]] == [second["id"]]

    # Opening the next week rolls this week's unfinished task into it.
    page.get_by_test_id("week-next").click()
    expect(page).to_have_url(re.compile(r"#/tasks/week/\d{4}-W\d{2}$"))
    expect(page.get_by_test_id("week-picker")).not_to_have_value(week)
    rolled = page.get_by_test_id("week-plan-task").filter(has_text="Заказать упаковку")
    expect(rolled.get_by_test_id("week-rollovers")).to_have_text("переносов: 1")


def test_weekly_review_with_notes(stack, company, open_page):
    anna = company.call(company.anna, "GET", "/api/auth/me")["user"]
    page = open_page(stack)
    sign_in(page, company.boris)
    page.goto("/#/tasks/review")
    week = page.get_by_test_id("week-picker").input_value()
    row = page.get_by_test_id("review-person").filter(has_text="Анна")
    expect(row).to_have_count(1)
    review = company.call(company.boris, "GET", f"/api/weeks/{week}/review")
    anna_row = next(row for row in review["people"] if row["user_id"] == anna["id"])
    expect(row.locator("td[data-column=planned]")).to_have_text(
        str(anna_row["planned"])
    )

    page.get_by_test_id("review-department").select_option(anna["department_id"])
    expect(page.get_by_test_id("review-notes-section")).to_be_visible()
    page.get_by_test_id("review-notes").fill("## Итоги\n- отзывы разобраны")
    page.get_by_test_id("review-notes-save").click()
    expect(page.get_by_test_id("notice-banner")).to_be_visible()
    notes = company.call(
        company.boris,
        "GET",
        f"/api/weeks/{week}/notes?department_id={anna['department_id']}",
    )["notes"]
    assert notes["text"] == "## Итоги\n- отзывы разобраны"
    assert notes["version"] == 1


def test_csv_import_shows_report(stack, company, open_page):
    page = open_page(stack)
    sign_in(page, company.owner)
    page.goto("/#/tasks/import")
    csv_text = (
        "title;status;due;assignee email\n"
        "Сверить остатки;В работе;31.12.2026;anna@finance.example\n"
        ";new;;\n"
        "Обновить цены;Done;не дата;nobody@example.com\n"
    )
    page.get_by_test_id("import-file").set_input_files(
        {
            "name": "tasks.csv",
            "mimeType": "text/csv",
            "buffer": csv_text.encode("utf-8"),
        }
    )
    expect(page.get_by_test_id("import-format")).to_have_value("csv")
    page.get_by_test_id("import-preview-submit").click()
    expect(page.get_by_test_id("import-sample")).to_have_count(2)
    page.get_by_test_id("import-submit").click()

    expect(page.get_by_test_id("import-created")).to_have_text("Создано задач: 2.")
    expect(page.get_by_test_id("import-task-link")).to_have_count(2)
    expect(page.get_by_test_id("import-skipped-row")).to_have_count(1)
    expect(page.get_by_test_id("import-warnings-row")).not_to_have_count(0)

    page.get_by_test_id("import-task-link").first.click()
    expect(page.get_by_test_id("task-title")).to_have_text("Сверить остатки")
    expect(page.get_by_test_id("task-status")).to_have_attribute(
        "data-status", "in_progress"
    )


def test_series_edited_for_future_occurrences(stack, company, open_page):
    anna_id = user_id(company, company.anna)
    created = company.call(
        company.anna,
        "POST",
        "/api/tasks/series",
        {
            "title": "Проверить рекламу",
            "assignee_id": anna_id,
            "rule": {"frequency": "daily", "start": date.today().isoformat()},
        },
    )
    page = open_page(stack)
    sign_in(page, company.anna)
    page.goto(f"/#/tasks/{created['task']['id']}")
    expect(page.get_by_test_id("task-series")).to_be_visible()
    page.get_by_test_id("task-edit").locator("summary").click()
    page.get_by_test_id("task-edit-title").fill("Проверить рекламные ставки")
    page.get_by_test_id("task-edit-priority").select_option("high")
    page.get_by_test_id("task-edit-scope").select_option("future")
    page.get_by_test_id("task-edit-save").click()

    expect(page.get_by_test_id("task-title")).to_have_text("Проверить рекламные ставки")
    expect(page.get_by_test_id("task-priority")).to_have_text("Высокий")
    series = company.call(
        company.anna, "GET", f"/api/tasks/series/{created['series']['id']}"
    )["series"]
    assert series["title"] == "Проверить рекламные ставки"
    assert series["priority"] == "high"
