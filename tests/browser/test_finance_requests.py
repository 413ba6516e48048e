"""Payment requests in the browser: the form, the approval path and decisions."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.finance_company import (
    build_company,
    money,
    open_request,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def company(stack):
    return build_company(stack)


def step(page: Page, index: int):
    return page.locator(f"[data-testid=finance-path-step][data-index='{index}']")


def history_actions(page: Page):
    return page.get_by_test_id("finance-history-entry")


def test_request_created_through_form(stack, company, open_page):
    page = open_page(stack)
    sign_in(page, company.anna)
    page.get_by_test_id("nav-finance").click()
    page.get_by_test_id("finance-nav-new").click()

    page.get_by_test_id("finance-form-amount").fill("12 500,50")
    page.get_by_test_id("finance-form-category").select_option("purchase-of-goods")
    page.get_by_test_id("finance-form-counterparty").fill("ООО «Коробки»")
    page.get_by_test_id("finance-form-problem").fill("Кончается упаковка")
    page.get_by_test_id("finance-form-solution").fill("Купить 500 коробок")
    page.get_by_test_id("finance-form-pay-by").fill("2026-12-18")
    page.get_by_test_id("finance-form-period").fill("2026-12")
    page.get_by_test_id("finance-form-save").click()

    expect(page).to_have_url(re.compile(r"#/finance/requests/[0-9A-Z]{26}$"))
    expect(page.get_by_test_id("finance-request-title")).to_have_text("ООО «Коробки»")
    expect(page.get_by_test_id("finance-request-status")).to_have_text("Черновик")
    expect(page.get_by_test_id("finance-request-amount")).to_have_text(
        money("12500.50")
    )
    expect(page.get_by_test_id("finance-request-category")).to_have_text(
        "Закупка товара"
    )
    expect(page.get_by_test_id("finance-request-pay-by")).to_have_text("18.12.2026")

    # The draft shows who will approve it before it is submitted.
    expect(page.get_by_test_id("finance-path-preview-note")).to_be_visible()
    expect(page.get_by_test_id("finance-path-step")).to_have_count(2)
    expect(step(page, 0).get_by_test_id("finance-step-title")).to_have_text(
        "Руководитель отдела маркетплейсов"
    )
    expect(step(page, 0).get_by_test_id("finance-step-people")).to_have_text("Борис")
    expect(step(page, 1).get_by_test_id("finance-step-title")).to_have_text(
        "Финансовый менеджер"
    )
    expect(step(page, 1).get_by_test_id("finance-step-people")).to_have_text("Фёдор")

    page.get_by_test_id("finance-action-submit").click()
    expect(page.get_by_test_id("finance-request-status")).to_have_text(
        "На согласовании"
    )
    expect(page.get_by_test_id("finance-path-preview-note")).to_be_hidden()
    expect(step(page, 0)).to_have_attribute("aria-current", "step")
    expect(step(page, 0).get_by_test_id("finance-step-status")).to_have_text(
        "текущий шаг"
    )
    expect(page.get_by_test_id("finance-action-submit")).to_be_hidden()
    expect(page.get_by_test_id("finance-action-withdraw")).to_be_visible()
    expect(page.get_by_test_id("finance-action-approve")).to_be_hidden()

    page.get_by_test_id("finance-back").click()
    row = page.get_by_test_id("finance-request-row").filter(has_text="ООО «Коробки»")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("finance-row-status")).to_have_text("На согласовании")
    expect(row.get_by_test_id("finance-row-amount")).to_have_text(money("12500.50"))


def test_invalid_amount_is_named(stack, company, open_page):
    page = open_page(stack)
    sign_in(page, company.anna)
    page.goto("/#/finance/new")
    page.get_by_test_id("finance-form-amount").fill("двенадцать")
    page.get_by_test_id("finance-form-category").select_option("purchase-of-goods")
    page.get_by_test_id("finance-form-counterparty").fill("ООО «Ошибка»")
    page.get_by_test_id("finance-form-problem").fill("Проверка")
    page.get_by_test_id("finance-form-solution").fill("Проверка")
    page.get_by_test_id("finance-form-pay-by").fill("2026-12-18")
    page.get_by_test_id("finance-form-save").click()

    expect(page.get_by_test_id("error-banner")).to_contain_text("amount")
    expect(page.get_by_test_id("finance-form-amount")).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page).to_have_url(re.compile(r"#/finance/new$"))


def test_two_step_approval(stack, company, open_page):
    request = company.submitted(counterparty="ООО «Два шага»", amount="30000.00")
    waiting_for_boris = company.waiting_count(company.boris)

    boris = open_page(stack)
    sign_in(boris, company.boris)
    badge = boris.get_by_test_id("nav-finance-badge")
    expect(badge).to_have_text(str(waiting_for_boris))
    boris.get_by_test_id("nav-finance").click()
    boris.get_by_test_id("finance-nav-to-approve").click()
    boris.get_by_test_id("finance-request-row").filter(
        has_text="ООО «Два шага»"
    ).get_by_test_id("finance-request-link").click()

    expect(step(boris, 0)).to_have_attribute("aria-current", "step")
    boris.get_by_test_id("finance-decision-comment").fill("В пределах бюджета")
    boris.get_by_test_id("finance-action-approve").click()
    expect(boris.get_by_test_id("notice-banner")).to_contain_text("согласована")
    expect(boris.get_by_test_id("finance-request-status")).to_have_text(
        "На согласовании"
    )
    expect(step(boris, 0).get_by_test_id("finance-step-status")).to_have_text(
        "согласовано"
    )
    expect(step(boris, 0).get_by_test_id("finance-step-comment")).to_have_text(
        "В пределах бюджета"
    )
    expect(step(boris, 1)).to_have_attribute("aria-current", "step")
    expect(boris.get_by_test_id("finance-action-approve")).to_be_hidden()
    expect(badge).to_have_text(str(waiting_for_boris - 1))

    # The author keeps the request open while the final approver acts.
    anna = open_page(stack)
    sign_in(anna, company.anna)
    open_request(anna, request["id"])
    expect(step(anna, 1)).to_have_attribute("aria-current", "step")

    fedor = open_page(stack)
    sign_in(fedor, company.fedor)
    open_request(fedor, request["id"])
    current_steps = fedor.get_by_test_id("finance-path-step").locator(
        "xpath=self::*[@aria-current]"
    )
    expect(current_steps).to_have_count(1)
    expect(step(fedor, 1)).to_have_attribute("aria-current", "step")
    fedor.get_by_test_id("finance-action-approve").click()
    expect(fedor.get_by_test_id("finance-request-status")).to_have_text("Согласована")
    expect(current_steps).to_have_count(0)
    expect(step(fedor, 1).get_by_test_id("finance-step-people")).to_have_text("Фёдор")

    history = history_actions(fedor)
    expect(history).to_have_count(4)
    expect(history.nth(1)).to_contain_text("Анна")
    expect(history.nth(1)).to_contain_text("отправил(а) на согласование")
    expect(history.nth(2)).to_contain_text("Борис")
    expect(history.nth(2)).to_contain_text("В пределах бюджета")
    expect(history.nth(3)).to_contain_text("Фёдор")
    expect(history.nth(3)).to_contain_text("Согласована")

    # The author's open page follows the request's chat events, with no reload.
    expect(anna.get_by_test_id("finance-request-status")).to_have_text("Согласована")
    thread_link = anna.get_by_test_id("finance-request-thread")
    expect(thread_link).to_be_visible()
    expect(thread_link).to_have_attribute("href", re.compile(r"^#/chat/[^/]+/thread/"))


def test_reject_requires_reason(stack, company, open_page):
    request = company.submitted(counterparty="ООО «Отказ»")
    boris = open_page(stack)
    sign_in(boris, company.boris)
    open_request(boris, request["id"])

    boris.get_by_test_id("finance-action-reject").click()
    expect(boris.get_by_test_id("error-banner")).to_contain_text("Укажите причину")
    expect(boris.get_by_test_id("finance-request-status")).to_have_text(
        "На согласовании"
    )

    boris.get_by_test_id("finance-decision-comment").fill("Нет бюджета в этом месяце")
    boris.get_by_test_id("finance-action-reject").click()
    expect(boris.get_by_test_id("finance-request-status")).to_have_text("Отклонена")
    expect(boris.get_by_test_id("finance-actions")).to_be_hidden()

    anna = open_page(stack)
    sign_in(anna, company.anna)
    open_request(anna, request["id"])
    expect(anna.get_by_test_id("finance-request-status")).to_have_text("Отклонена")
    expect(anna.get_by_test_id("finance-request-reason")).to_have_text(
        "Причина: Нет бюджета в этом месяце"
    )
    expect(anna.get_by_test_id("finance-action-submit")).to_be_hidden()
    expect(anna.get_by_test_id("finance-action-edit")).to_be_hidden()


def test_return_then_resubmit(stack, company, open_page):
    request = company.submitted(counterparty="ООО «Доработка»")
    boris = open_page(stack)
    sign_in(boris, company.boris)
    open_request(boris, request["id"])
    boris.get_by_test_id("finance-decision-comment").fill("Приложите номер счёта")
    boris.get_by_test_id("finance-action-return").click()
    expect(boris.get_by_test_id("finance-request-status")).to_have_text(
        "Возвращена на доработку"
    )

    anna = open_page(stack)
    sign_in(anna, company.anna)
    anna.get_by_test_id("nav-finance").click()
    row = anna.get_by_test_id("finance-request-row").filter(has_text="ООО «Доработка»")
    expect(row.get_by_test_id("finance-row-status")).to_have_text(
        "Возвращена на доработку"
    )
    row.get_by_test_id("finance-request-link").click()
    expect(anna.get_by_test_id("finance-request-reason")).to_have_text(
        "Причина: Приложите номер счёта"
    )

    anna.get_by_test_id("finance-action-edit").click()
    solution = anna.get_by_test_id("finance-form-solution")
    expect(solution).to_have_value("Купить 500 коробок")
    solution.fill("Купить 500 коробок, счёт № 15 от 01.12")
    anna.get_by_test_id("finance-form-save").click()
    expect(anna.get_by_test_id("finance-request-solution")).to_have_text(
        "Купить 500 коробок, счёт № 15 от 01.12"
    )
    expect(anna.get_by_test_id("finance-request-status")).to_have_text(
        "Возвращена на доработку"
    )
    anna.get_by_test_id("finance-action-submit").click()
    expect(anna.get_by_test_id("finance-request-status")).to_have_text(
        "На согласовании"
    )
    expect(anna.get_by_test_id("finance-request-reason")).to_be_hidden()

    actions = anna.get_by_test_id("finance-history-entry")
    expect(actions).to_have_count(5)
    expect(actions.nth(2)).to_contain_text("вернул(а) на доработку")
    expect(actions.nth(2)).to_contain_text("Причина: Приложите номер счёта")
    expect(actions.nth(3)).to_contain_text("Изменено: Решение")
    expect(actions.nth(4)).to_contain_text("отправил(а) на согласование")

    # The resubmitted request waits for Борис again, from the first step.
    boris.get_by_test_id("finance-back").click()
    boris.get_by_test_id("finance-nav-to-approve").click()
    resubmitted = boris.get_by_test_id("finance-request-row").filter(
        has_text="ООО «Доработка»"
    )
    expect(resubmitted).to_have_count(1)
    resubmitted.get_by_test_id("finance-request-link").click()
    expect(step(boris, 0)).to_have_attribute("aria-current", "step")
    boris.get_by_test_id("finance-action-approve").click()
    expect(step(boris, 1)).to_have_attribute("aria-current", "step")
