"""Knowledge base articles in the browser: sections, the editor, reading and search."""

import re

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


def test_department_section_opens(stack, company, open_page):
    page = open_page(stack)
    sign_in(page, company.owner)
    page.get_by_test_id("nav-kb").click()
    expect(page).to_have_url(re.compile(r"#/kb$"))

    tree = page.get_by_test_id("kb-section-tree")
    for section_id in company.department_ancestors:
        tree.locator(
            f"[data-testid=kb-section-toggle][data-section-id='{section_id}']"
        ).click()
    department = tree.locator(
        f"[data-testid=kb-section-link][data-section-id='dept-{company.department_id}']"
    )
    expect(department).to_have_text(company.department_name)
    department.click()
    expect(page.get_by_test_id("kb-section-title")).to_have_text(
        company.department_name
    )

    # Opening the department unfolds its two subsections.
    instructions = tree.locator(
        "[data-testid=kb-section-link]"
        f"[data-section-id='{company.instructions_section_id}']"
    )
    expect(instructions).to_have_text("Инструкции")
    regulations = tree.locator(
        "[data-testid=kb-section-link]"
        f"[data-section-id='dept-{company.department_id}-regulations']"
    )
    expect(regulations).to_have_text("Регламенты")

    instructions.click()
    expect(page.get_by_test_id("kb-section-title")).to_have_text("Инструкции")
    expect(page.get_by_test_id("kb-breadcrumb")).to_contain_text(
        company.department_name
    )
    expect(page.get_by_test_id("kb-new-article")).to_be_visible()

    # An admin adds a section of their own inside the department's one.
    page.get_by_test_id("kb-section-form").locator("summary").click()
    page.get_by_test_id("kb-section-form-name").fill("Памятки складу")
    page.get_by_test_id("kb-section-form-save").click()
    expect(page.get_by_test_id("kb-section-title")).to_have_text("Памятки складу")
    expect(page.get_by_test_id("kb-breadcrumb")).to_contain_text("Инструкции")
    expect(
        tree.get_by_test_id("kb-section-link").filter(has_text="Памятки складу")
    ).to_have_count(1)

    tree.locator(
        f"[data-testid=kb-section-toggle][data-section-id='dept-{company.department_id}']"
    ).click()
    expect(regulations).to_have_count(0)


def test_template_article_published_acknowledged(stack, company, open_page):
    owner = open_page(stack)
    sign_in(owner, company.owner)
    owner.goto(f"/#/kb/sections/{company.instructions_section_id}")
    owner.get_by_test_id("kb-new-article").click()

    expect(owner.get_by_test_id("kb-editor-template")).to_have_value(
        "instruction-template"
    )
    body = owner.get_by_test_id("kb-editor-body")
    expect(body).to_have_value(re.compile("## Шаги"))
    preview = owner.get_by_test_id("kb-editor-preview")
    expect(preview.locator("h2", has_text="Шаги")).to_be_visible()

    owner.get_by_test_id("kb-editor-title").fill("Приёмка поставки на складе")
    body.fill(body.input_value() + "\nСверяйте количество коробов с накладной.\n")
    expect(preview).to_contain_text("Сверяйте количество коробов")
    owner.get_by_test_id("kb-editor-status").select_option("published")
    owner.get_by_test_id("kb-editor-positions").select_option(company.anna_position_id)
    owner.get_by_test_id("kb-editor-save").click()

    expect(owner).to_have_url(re.compile(r"#/kb/articles/[0-9A-Z]{26}$"))
    article_id = owner.url.rsplit("/", 1)[1]
    expect(owner.get_by_test_id("kb-article-title")).to_have_text(
        "Приёмка поставки на складе"
    )
    expect(owner.get_by_test_id("kb-article-status")).to_have_text("Опубликована")
    expect(owner.get_by_test_id("kb-article-author")).to_have_text("Owner")
    expect(owner.get_by_test_id("kb-article-positions")).to_have_text(
        company.position_name
    )
    article_body = owner.get_by_test_id("kb-article-body")
    expect(article_body.locator("h2", has_text="Шаги")).to_be_visible()
    expect(article_body).to_contain_text("Сверяйте количество коробов с накладной.")
    expect(owner.get_by_test_id("kb-readers-summary")).to_have_text(
        "Прочитали: 0 из 1, подтвердили: 0"
    )

    anna = open_page(stack)
    sign_in(anna, company.anna)
    anna.goto(f"/#/kb/articles/{article_id}")
    expect(anna.get_by_test_id("kb-edit-article")).to_have_count(0)
    anna.get_by_test_id("kb-acknowledge").click()
    expect(anna.get_by_test_id("kb-ack-done")).to_contain_text("Вы ознакомились")
    expect(anna.get_by_test_id("kb-acknowledge")).to_have_count(0)
    anna.reload()
    expect(anna.get_by_test_id("kb-ack-done")).to_be_visible()

    owner.reload()
    row = owner.get_by_test_id("kb-reader-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Анна")
    expect(row.get_by_test_id("kb-reader-confirmed")).not_to_have_text("нет")
    expect(owner.get_by_test_id("kb-readers-summary")).to_have_text(
        "Прочитали: 1 из 1, подтвердили: 1"
    )


def test_conflicting_save_shows_both_texts(stack, company, open_page):
    article = company.article("Возвраты от покупателей", "Исходный текст.\n")
    page = open_page(stack)
    sign_in(page, company.owner)
    page.goto(f"/#/kb/articles/{article['id']}/edit")
    body = page.get_by_test_id("kb-editor-body")
    expect(body).to_have_value("Исходный текст.\n")
    body.fill("Исходный текст.\nМой вариант: проверять упаковку.\n")

    # Someone else saves first, on the same base revision.
    company.call(
        company.owner,
        "PUT",
        f"/api/kb/articles/{article['id']}",
        {"base_revision": 1, "body": "Исходный текст.\nЧужой вариант: звонить.\n"},
    )
    page.get_by_test_id("kb-editor-save").click()

    conflict = page.get_by_test_id("kb-conflict")
    expect(conflict).to_be_visible()
    expect(page.get_by_test_id("kb-conflict-theirs-body")).to_contain_text(
        "Чужой вариант: звонить."
    )
    expect(page.get_by_test_id("kb-conflict-mine-body")).to_contain_text(
        "Мой вариант: проверять упаковку."
    )
    expect(page).to_have_url(re.compile(r"/edit$"))

    page.get_by_test_id("kb-conflict-keep-mine").click()
    expect(page).to_have_url(re.compile(rf"#/kb/articles/{article['id']}$"))
    expect(page.get_by_test_id("kb-article-body")).to_contain_text(
        "Мой вариант: проверять упаковку."
    )
    expect(page.get_by_test_id("kb-article-revision")).to_have_text("3")
    copies = company.call(
        company.owner, "GET", f"/api/kb/articles/{article['id']}/conflicts"
    )
    assert copies["conflicts"] == []

    page.get_by_test_id("kb-article-history").click()
    expect(page.get_by_test_id("kb-revision-row")).to_have_count(3)
    page.get_by_test_id("kb-revisions-compare").click()
    diff = page.get_by_test_id("kb-diff-text")
    expect(diff.locator(".kb-diff-added")).to_contain_text("Мой вариант")
    expect(diff.locator(".kb-diff-removed")).to_contain_text("Чужой вариант")

    page.locator("[data-testid=kb-revision-row][data-revision='2']").get_by_test_id(
        "kb-revision-restore"
    ).click()
    expect(page).to_have_url(re.compile(rf"#/kb/articles/{article['id']}$"))
    expect(page.get_by_test_id("kb-article-body")).to_contain_text(
        "Чужой вариант: звонить."
    )
    expect(page.get_by_test_id("kb-article-revision")).to_have_text("4")


def test_search_highlights_hits(stack, company, open_page):
    article = company.article(
        "Маркировка коробов",
        "Каждый короб маркируют этикеткой поставки до отгрузки.\n",
    )
    company.wait_until_found("маркировка", article["id"])
    page = open_page(stack)
    sign_in(page, company.anna)
    page.goto("/#/kb")
    page.get_by_test_id("kb-search-input").fill("маркировка")
    page.get_by_test_id("kb-search-submit").click()

    expect(page).to_have_url(re.compile(r"#/kb/search/"))
    result = page.locator(
        f"[data-testid=kb-search-result][data-article-id='{article['id']}']"
    )
    expect(result).to_have_count(1)
    hits = result.get_by_test_id("kb-search-hit")
    expect(hits.first).to_have_text(re.compile("^[Мм]аркир"))
    result.get_by_test_id("kb-search-result-link").click()
    expect(page.get_by_test_id("kb-article-title")).to_have_text("Маркировка коробов")

    page.get_by_test_id("kb-search-input").fill("фотосинтез")
    page.get_by_test_id("kb-search-submit").click()
    expect(page.get_by_test_id("kb-search-nothing")).to_be_visible()
