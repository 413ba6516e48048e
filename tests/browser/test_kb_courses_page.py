"""Courses in the browser: taking one to 100%, the lock-out and the report."""

import pytest
from playwright.sync_api import expect

from tests.browser.kb_company import build_company, sign_in, start_stack

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    live = start_stack(tmp_path_factory)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def company(stack):
    return build_company(stack)


def item(page, article_id: str):
    return page.locator(f"[data-testid=kb-course-item][data-article-id='{article_id}']")


def choose(page, article_id: str, option_text: str) -> None:
    item(page, article_id).locator("label.kb-option", has_text=option_text).locator(
        "input"
    ).check()
    item(page, article_id).get_by_test_id("kb-question-answer").click()


def test_course_taken_to_full_progress(stack, company, open_page):
    packing = company.article("Упаковка заказа", "Заказ кладут в пакет с пломбой.\n")
    labels = company.article("Этикетки", "Этикетку клеят на широкую сторону.\n")
    company.question(packing["id"], "Во что кладут заказ?", "В пакет", "В коробку")
    course = company.course("Сборка заказов", [packing["id"], labels["id"]])

    page = open_page(stack)
    sign_in(page, company.anna)
    page.get_by_test_id("nav-kb").click()
    page.get_by_test_id("kb-nav-courses").click()
    card = page.locator(
        f"[data-testid=kb-course-card][data-course-id='{course['id']}']"
    )
    expect(card.get_by_test_id("kb-course-card-progress")).to_have_text(
        "Пройдено 0 из 2 (0%)"
    )
    card.get_by_test_id("kb-course-link").click()
    expect(page.get_by_test_id("kb-course-title")).to_have_text("Сборка заказов")
    expect(
        item(page, packing["id"]).get_by_test_id("kb-course-item-state")
    ).to_have_text("прочитать")

    first = item(page, packing["id"])
    first.get_by_test_id("kb-course-read-article").click()
    expect(first.get_by_test_id("kb-course-article-body")).to_contain_text(
        "Заказ кладут в пакет с пломбой."
    )
    first.get_by_test_id("kb-course-mark-read").click()
    expect(first).to_have_attribute("data-state", "to_answer")
    expect(first.get_by_test_id("kb-question-text")).to_have_text(
        "Во что кладут заказ?"
    )
    choose(page, packing["id"], "В пакет")
    expect(item(page, packing["id"])).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("kb-course-progress")).to_have_text(
        "Пройдено 1 из 2 (50%)"
    )

    item(page, labels["id"]).get_by_test_id("kb-course-mark-read").click()
    expect(item(page, labels["id"])).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("kb-course-progress")).to_have_text(
        "Пройдено 2 из 2 (100%)"
    )
    expect(page.get_by_test_id("kb-course-complete")).to_be_visible()

    owner = open_page(stack)
    sign_in(owner, company.owner)
    owner.goto(f"/#/kb/courses/{course['id']}/report")
    row = owner.get_by_test_id("kb-report-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Анна")
    expect(row.get_by_test_id("kb-report-percent")).to_have_text(" 100%")


def test_wrong_answer_locks_article(stack, company, open_page):
    returns = company.article("Возвраты", "Возврат принимают в течение 14 дней.\n")
    company.question(returns["id"], "Срок приёма возврата?", "14 дней", "3 дня")
    course = company.course("Возвраты для новичков", [returns["id"]])

    page = open_page(stack)
    sign_in(page, company.anna)
    page.goto(f"/#/kb/courses/{course['id']}")
    item(page, returns["id"]).get_by_test_id("kb-course-mark-read").click()
    choose(page, returns["id"], "3 дня")

    locked = item(page, returns["id"])
    expect(locked).to_have_attribute("data-state", "locked")
    expect(locked.get_by_test_id("kb-course-item-state")).to_have_text(
        "пауза после ошибки"
    )
    expect(locked.get_by_test_id("kb-course-lockout")).to_contain_text(
        "Неверный ответ. Перечитайте статью"
    )
    expect(locked.get_by_test_id("kb-question-answer")).to_have_count(0)
    expect(page.get_by_test_id("kb-course-progress")).to_have_text(
        "Пройдено 0 из 1 (0%)"
    )
