"""Files on a payment request in the browser: upload, download and delete."""

import pytest
from playwright.sync_api import expect

from tests.browser.finance_company import build_company, open_request, sign_in

pytestmark = pytest.mark.browser

INVOICE = b"%PDF-1.4\n% invoice 15 for 500 boxes\n%%EOF\n"


@pytest.fixture(scope="module")
def company(stack):
    return build_company(stack)


def test_attach_download_and_delete(stack, company, open_page, tmp_path):
    draft = company.create_request(company.anna, counterparty="ООО «Со счётом»")
    invoice = tmp_path / "счёт-15.pdf"
    invoice.write_bytes(INVOICE)

    page = open_page(stack)
    sign_in(page, company.anna)
    open_request(page, draft["id"])
    page.get_by_test_id("finance-attachment-input").set_input_files(str(invoice))

    item = page.get_by_test_id("finance-attachment")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-status", "uploaded")
    expect(item.get_by_test_id("finance-attachment-download")).to_have_text(
        "счёт-15.pdf"
    )
    attached = page.locator("[data-testid=finance-history-entry][data-action=attached]")
    expect(attached).to_contain_text("счёт-15.pdf")

    with page.expect_download() as download_info:
        item.get_by_test_id("finance-attachment-download").click()
    saved = tmp_path / "downloaded.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == INVOICE

    # An approver sees the file but cannot remove it or add another.
    company.act(company.anna, draft["id"], "submit")
    boris = open_page(stack)
    sign_in(boris, company.boris)
    open_request(boris, draft["id"])
    expect(boris.get_by_test_id("finance-attachment")).to_have_count(1)
    expect(boris.get_by_test_id("finance-attachment-delete")).to_be_hidden()
    expect(boris.get_by_test_id("finance-attachment-input")).to_be_hidden()

    # Back in draft, the author deletes it.
    company.act(company.anna, draft["id"], "withdraw")
    page.reload()
    expect(page.get_by_test_id("finance-request-status")).to_have_text("Черновик")
    page.get_by_test_id("finance-attachment-delete").click()
    expect(page.get_by_test_id("finance-attachment")).to_have_count(0)
    detached = page.locator("[data-testid=finance-history-entry][data-action=detached]")
    expect(detached).to_contain_text("счёт-15.pdf")


def test_rejected_file_type_is_named(stack, company, open_page, tmp_path):
    draft = company.create_request(company.anna, counterparty="ООО «Не тот файл»")
    script = tmp_path / "macro.exe"
    script.write_bytes(b"MZ not really a program")

    page = open_page(stack)
    sign_in(page, company.anna)
    open_request(page, draft["id"])
    page.get_by_test_id("finance-attachment-input").set_input_files(str(script))
    expect(page.get_by_test_id("error-banner")).to_contain_text("content_type")
    expect(page.get_by_test_id("finance-attachment")).to_have_count(0)
