"""The task import page: preview, an edited mapping, the job's report, and
mapping a placeholder to an employee."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.finance_company import build_company, sign_in
from tests.browser.tasks_company import start_stack, user_id

pytestmark = pytest.mark.browser

# The stack shares two cores with other test processes, and the import runs
# as a background job, so a step may take several seconds.
expect.set_options(timeout=30_000)

PLANE_EXPORT = Path(__file__).parents[1] / "fixtures" / "tasks" / "plane-export.csv"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    live = start_stack(tmp_path_factory)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def company(stack):
    return build_company(stack)


def imported_tasks(page: Page, company, person) -> dict[str, dict]:
    """Read the tasks the report links, by title."""
    task_ids = page.get_by_test_id("import-task-link").all_text_contents()
    tasks = [
        company.call(person, "GET", f"/api/tasks/{task_id}")["task"]
        for task_id in task_ids
    ]
    return {task["title"]: task for task in tasks}


def test_preview_edit_import_and_map(stack, company, open_page):
    anna_id = user_id(company, company.anna)
    boris_id = user_id(company, company.boris)
    page = open_page(stack)
    sign_in(page, company.owner)
    page.goto("/#/tasks/import")
    page.get_by_test_id("import-file").set_input_files(str(PLANE_EXPORT))
    expect(page.get_by_test_id("import-format")).to_have_value("csv")

    page.get_by_test_id("import-preview-submit").click()

    expect(page.get_by_test_id("import-shape")).to_have_text("Файл: Plane, задач: 7.")
    labels = page.locator("[data-testid=import-column-select][data-column=Labels]")
    expect(labels).to_have_value("tags")
    expect(page.get_by_test_id("import-sample").first).to_contain_text(
        "Jane Smith (не сопоставлен)"
    )

    labels.select_option("")
    page.locator("[data-testid=import-status-select][data-status=Todo]").select_option(
        "postponed"
    )
    page.locator(
        "[data-testid=import-person-select][data-key='jane smith']"
    ).select_option(anna_id)
    page.get_by_test_id("import-refresh").click()
    expect(page.get_by_test_id("import-sample").first).to_contain_text("Анна")
    expect(labels).to_have_value("")

    page.get_by_test_id("import-submit").click()

    expect(page.get_by_test_id("import-created")).to_have_text("Создано задач: 7.")
    expect(page.get_by_test_id("import-progress")).to_have_text("Обработано 7 из 7.")
    expect(page.get_by_test_id("import-skipped-row")).to_have_count(2)
    tasks = imported_tasks(page, company, company.owner)
    auth = tasks["Implement user authentication"]
    assert auth["status"] == "postponed"
    assert auth["tags"] == []
    assert auth["assignee_id"] == anna_id

    dashboard = tasks["Fix dashboard loading issue"]
    john_id = dashboard["assignee_id"]
    assert dashboard["placeholders"] == {john_id: "John Doe"}
    page.goto(f"/#/tasks/{dashboard['id']}")
    expect(page.get_by_text("John Doe (не сопоставлен)").first).to_be_visible()

    page.goto("/#/tasks/import")
    row = page.locator(f"[data-testid=placeholder][data-placeholder-id='{john_id}']")
    row.get_by_test_id("placeholder-user").select_option(boris_id)
    row.get_by_test_id("placeholder-map").click()

    expect(page.get_by_test_id("notice-banner")).to_contain_text("Задач передано: 4.")
    expect(row.get_by_test_id("placeholder-mapped")).to_have_text("сопоставлен: Борис")
    opened = company.call(company.owner, "GET", f"/api/tasks/{dashboard['id']}")
    assert opened["task"]["assignee_id"] == boris_id
    assert opened["task"]["placeholders"] == {}
