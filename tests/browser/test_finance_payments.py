"""Paying approved requests in the browser, the payment calendar and the export."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.finance_company import (
    build_company,
    money,
    month_of,
    open_request,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def company(stack):
    return build_company(stack)


@pytest.fixture
def alla(stack, company, open_page) -> Page:
    page = open_page(stack)
    sign_in(page, company.alla)
    return page


def pay(page: Page, amount: str | None = None) -> None:
    if amount is not None:
        page.get_by_test_id("finance-pay-amount").fill(amount)
    page.get_by_test_id("finance-action-pay").click()


def test_partial_then_full_payment(company, alla):
    pay_by = (date.today() + timedelta(days=20)).isoformat()
    request = company.approved(
        counterparty="ООО «Оплата частями»", pay_by=pay_by, period=pay_by[:7]
    )
    open_request(alla, request["id"])
    expect(alla.get_by_test_id("finance-request-status")).to_have_text("Согласована")
    expect(alla.get_by_test_id("finance-pay-amount")).to_have_value("12500.50")

    pay(alla, "5000")
    status = alla.get_by_test_id("finance-request-status")
    expect(status).to_have_text("Оплачена частично")
    expect(alla.get_by_test_id("finance-request-paid")).to_have_text(money("5000.00"))
    expect(alla.get_by_test_id("finance-request-remaining")).to_have_text(
        money("7500.50")
    )
    # The rest is offered as the next payment.
    expect(alla.get_by_test_id("finance-pay-amount")).to_have_value("7500.50")

    pay(alla, "7500.51")
    expect(alla.get_by_test_id("error-banner")).to_contain_text("7500.50")
    expect(status).to_have_text("Оплачена частично")

    pay(alla, "7 500,50")
    expect(status).to_have_text("Оплачена")
    expect(alla.get_by_test_id("finance-request-paid")).to_have_text(money("12500.50"))
    expect(alla.get_by_test_id("finance-request-remaining")).to_have_text(money("0.00"))
    expect(alla.get_by_test_id("finance-action-pay")).to_be_hidden()
    payments = alla.locator("[data-testid=finance-history-entry][data-action=paid]")
    expect(payments).to_have_count(2)
    expect(payments.nth(0)).to_contain_text(f"Оплачено: {money('5000.00')}")
    expect(payments.nth(1)).to_contain_text(f"Оплачено: {money('7500.50')}")


def test_author_cannot_pay(stack, company, open_page):
    pay_by = (date.today() + timedelta(days=25)).isoformat()
    request = company.approved(
        counterparty="ООО «Не бухгалтер»", pay_by=pay_by, period=pay_by[:7]
    )
    anna = open_page(stack)
    sign_in(anna, company.anna)
    open_request(anna, request["id"])
    expect(anna.get_by_test_id("finance-request-status")).to_have_text("Согласована")
    expect(anna.get_by_test_id("finance-actions")).to_be_hidden()


def test_calendar_shows_scheduled_payment(company, alla):
    pay_day = date.today() + timedelta(days=11)
    other_day = pay_day + timedelta(days=1)
    scheduled = company.approved(
        counterparty="ООО «По графику»",
        pay_by=other_day.isoformat(),
        period=month_of(pay_day),
    )
    company.approved(
        counterparty="ИП «Тот же день»",
        amount="3000.25",
        pay_by=pay_day.isoformat(),
        period=month_of(pay_day),
    )

    open_request(alla, scheduled["id"])
    alla.get_by_test_id("finance-schedule-date").fill(pay_day.isoformat())
    alla.get_by_test_id("finance-action-schedule").click()
    expect(alla.get_by_test_id("finance-request-status")).to_have_text("Запланирована")
    expect(alla.get_by_test_id("finance-request-pay-on")).to_have_text(
        pay_day.strftime("%d.%m.%Y")
    )
    pay(alla, "500.50")
    expect(alla.get_by_test_id("finance-request-status")).to_have_text(
        "Оплачена частично"
    )

    alla.goto(f"/#/finance/calendar/{month_of(pay_day)}")
    day = alla.locator(
        f"[data-testid=finance-calendar-day][data-date='{pay_day.isoformat()}']"
    )
    items = day.get_by_test_id("finance-calendar-item")
    expect(items).to_have_count(2)
    expect(items.filter(has_text="ООО «По графику»")).to_contain_text(money("12000.00"))
    expect(items.filter(has_text="ИП «Тот же день»")).to_contain_text(money("3000.25"))
    # What is left of both: 12 000,00 after the partial payment, plus 3 000,25.
    expect(day.get_by_test_id("finance-calendar-day-total")).to_have_text(
        money("15000.25")
    )
    moved_from = alla.locator(
        f"[data-testid=finance-calendar-day][data-date='{other_day.isoformat()}']"
    )
    expect(moved_from.get_by_test_id("finance-calendar-item")).to_have_count(0)

    week_start = pay_day - timedelta(days=pay_day.weekday())
    week = alla.locator(
        "[data-testid=finance-calendar-week-total]"
        f"[data-start='{week_start.isoformat()}']"
    )
    expect(week).to_contain_text("15")

    items.filter(has_text="ООО «По графику»").get_by_role("link").click()
    expect(alla.get_by_test_id("finance-request-title")).to_have_text(
        "ООО «По графику»"
    )


def test_calendar_marks_overdue(company, alla):
    late_day = date.today() - timedelta(days=2)
    request = company.approved(
        counterparty="ООО «Просрочка»",
        pay_by=late_day.isoformat(),
        period=month_of(late_day),
    )
    alla.goto(f"/#/finance/calendar/{month_of(late_day)}")
    item = alla.locator(
        f"[data-testid=finance-calendar-item][data-id='{request['id']}']"
    )
    expect(item).to_have_attribute("data-overdue", "true")
    expect(item).to_contain_text("просрочено")


def test_export_downloads_visible_list(company, alla, tmp_path):
    pay_by = (date.today() + timedelta(days=26)).isoformat()
    company.approved(counterparty="ООО «Выгрузка»", pay_by=pay_by, period=pay_by[:7])
    alla.get_by_test_id("nav-finance").click()
    alla.get_by_test_id("finance-nav-all").click()
    expect(
        alla.get_by_test_id("finance-request-row").filter(has_text="ООО «Выгрузка»")
    ).to_have_count(1)
    with alla.expect_download() as download_info:
        alla.get_by_test_id("finance-export-csv").click()
    download = download_info.value
    assert download.suggested_filename == "payment-requests.csv"
    path = tmp_path / "export.csv"
    download.save_as(path)
    content = path.read_text(encoding="utf-8-sig")
    assert "ООО «Выгрузка»" in content

    with alla.expect_download() as xlsx_info:
        alla.get_by_test_id("finance-export-xlsx").click()
    xlsx = xlsx_info.value
    assert xlsx.suggested_filename == "payment-requests.xlsx"
    xlsx_path = tmp_path / "export.xlsx"
    xlsx.save_as(xlsx_path)
    # An xlsx file is a zip archive.
    assert xlsx_path.read_bytes()[:2] == b"PK"


def test_plan_warns_over_limit(company, alla):
    limited = company.call(
        company.owner,
        "PATCH",
        "/api/finance/categories/certification-and-marking",
        {"monthly_limit": "1000.00"},
    )
    assert limited["category"]["monthly_limit"] == "1000.00"
    company.approved(
        counterparty="ООО «Маркировка»",
        amount="1500.00",
        category_id="certification-and-marking",
        pay_by="2030-01-20",
        period="2030-01",
    )
    company.submitted(
        counterparty="ООО «Ещё маркировка»",
        amount="250.00",
        category_id="certification-and-marking",
        pay_by="2030-01-21",
        period="2030-01",
    )

    alla.goto("/#/finance/plan/2030-01")
    row = alla.locator(
        "[data-testid=finance-plan-row][data-id=certification-and-marking]"
    )
    expect(row.get_by_test_id("finance-plan-requested")).to_have_text(money("1750.00"))
    expect(row.get_by_test_id("finance-plan-approved")).to_have_text(money("1500.00"))
    expect(row.get_by_test_id("finance-plan-paid")).to_have_text(money("0.00"))
    expect(row.get_by_test_id("finance-plan-limit")).to_have_text(money("1000.00"))
    expect(row.get_by_test_id("finance-plan-warning")).to_have_text("Лимит превышен")
    # The parent category sums its subcategories and has no limit of its own.
    parent = alla.locator("[data-testid=finance-plan-row][data-id=goods]")
    expect(parent.get_by_test_id("finance-plan-approved")).to_have_text(
        money("1500.00")
    )
    expect(parent.get_by_test_id("finance-plan-warning")).to_have_count(0)
    chart = alla.get_by_test_id("finance-chart-categories")
    expect(chart).to_be_visible()
    expect(chart.locator("text").filter(has_text="Товар")).to_have_count(1)
    expect(alla.get_by_test_id("finance-chart-months")).to_be_visible()
