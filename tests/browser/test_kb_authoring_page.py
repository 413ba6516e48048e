"""Writing questions and courses, grading open answers and the report's charts."""

import pytest
from playwright.sync_api import expect

from tests.browser.kb_company import Person, build_company, sign_in, start_stack

pytestmark = pytest.mark.browser

SINGLE_TEXT = "Во что кладут заказ?"
OPEN_TEXT = "Как вы проверяете пломбу?"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    live = start_stack(tmp_path_factory)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def company(stack):
    return build_company(stack)


def hire(company, name: str, email: str) -> Person:
    """Hire another holder of Анна's position and sign them in through the API."""
    password = f"{email.split('@')[0]}-browser-password"
    hired = company.stack.api(
        "POST",
        "/api/users",
        company.owner.token,
        json={
            "email": email,
            "name": name,
            "role": "employee",
            "locale": "ru",
            "password": password,
            "position_id": company.anna_position_id,
        },
    )
    assert hired.status_code == 201, hired.text
    return Person(name, email, password, company.stack.login(email, password))


def option_rows(page):
    return page.get_by_test_id("kb-question-form").get_by_test_id(
        "kb-question-option-row"
    )


def write_single_question(page, text: str, right: str, wrong: str) -> None:
    form = page.get_by_test_id("kb-question-form")
    form.get_by_test_id("kb-question-kind").select_option("single")
    form.get_by_test_id("kb-question-text-input").fill(text)
    rows = option_rows(page)
    rows.nth(0).get_by_test_id("kb-question-option-text").fill(right)
    rows.nth(1).get_by_test_id("kb-question-option-text").fill(wrong)
    rows.nth(2).get_by_test_id("kb-question-remove-option").click()
    expect(rows).to_have_count(2)
    rows.nth(0).get_by_test_id("kb-question-option-correct").check()
    form.get_by_test_id("kb-question-save").click()


def write_open_question(page, text: str) -> None:
    form = page.get_by_test_id("kb-question-form")
    form.get_by_test_id("kb-question-kind").select_option("open")
    expect(form.get_by_test_id("kb-question-options")).to_be_hidden()
    form.get_by_test_id("kb-question-text-input").fill(text)
    form.get_by_test_id("kb-question-save").click()


def question_item(page, text: str):
    return page.get_by_test_id("kb-question-item").filter(has_text=text)


def test_question_editor_on_article(stack, company, open_page):
    article = company.article("Пломбы", "Пломбу проверяют до отгрузки.\n")
    page = open_page(stack)
    sign_in(page, company.owner)
    page.goto(f"/#/kb/articles/{article['id']}")
    expect(page.get_by_test_id("kb-questions-empty")).to_be_visible()

    # The server's message shows next to the form: no option is marked correct.
    form = page.get_by_test_id("kb-question-form")
    form.get_by_test_id("kb-question-text-input").fill("Когда проверяют пломбу?")
    rows = option_rows(page)
    rows.nth(0).get_by_test_id("kb-question-option-text").fill("До отгрузки")
    rows.nth(1).get_by_test_id("kb-question-option-text").fill("После отгрузки")
    rows.nth(2).get_by_test_id("kb-question-remove-option").click()
    form.get_by_test_id("kb-question-save").click()
    error = form.get_by_test_id("kb-question-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("exactly one")
    expect(error).to_have_attribute("data-field", "options")

    rows.nth(0).get_by_test_id("kb-question-option-correct").check()
    form.get_by_test_id("kb-question-save").click()
    single = question_item(page, "Когда проверяют пломбу?")
    expect(single).to_have_attribute("data-kind", "single")
    expect(error).to_be_hidden()
    options = single.get_by_test_id("kb-question-item-option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_have_attribute("data-correct", "true")
    expect(options.nth(1)).to_have_attribute("data-correct", "false")

    # A multiple choice question with two correct options.
    form.get_by_test_id("kb-question-kind").select_option("multiple")
    form.get_by_test_id("kb-question-text-input").fill("Что проверяют у пломбы?")
    for index, text in enumerate(("Номер", "Целостность", "Цвет")):
        rows.nth(index).get_by_test_id("kb-question-option-text").fill(text)
    rows.nth(0).get_by_test_id("kb-question-option-correct").check()
    rows.nth(1).get_by_test_id("kb-question-option-correct").check()
    form.get_by_test_id("kb-question-save").click()
    multiple = question_item(page, "Что проверяют у пломбы?")
    expect(multiple).to_have_attribute("data-kind", "multiple")
    expect(multiple.locator("[data-correct=true]")).to_have_count(2)

    write_open_question(page, OPEN_TEXT)
    expect(question_item(page, OPEN_TEXT)).to_have_attribute("data-kind", "open")

    # Editing the text saves version 2.
    single.get_by_test_id("kb-question-edit").click()
    expect(form.get_by_test_id("kb-question-text-input")).to_have_value(
        "Когда проверяют пломбу?"
    )
    form.get_by_test_id("kb-question-text-input").fill("Когда проверяют пломбу заказа?")
    form.get_by_test_id("kb-question-save").click()
    edited = question_item(page, "Когда проверяют пломбу заказа?")
    expect(edited.get_by_test_id("kb-question-item-kind")).to_contain_text("версия 2")

    # Deleting asks once more in place.
    delete = multiple.get_by_test_id("kb-question-delete")
    delete.click()
    expect(delete).to_have_text("Точно удалить?")
    delete.click()
    expect(page.get_by_test_id("kb-question-item")).to_have_count(2)

    listed = company.call(
        company.owner, "GET", f"/api/kb/articles/{article['id']}/questions"
    )["questions"]
    assert [question["kind"] for question in listed] == ["single", "open"]
    assert listed[0]["version"] == 2
    assert [option["correct"] for option in listed[0]["options"]] == [True, False]


def test_course_authoring_grading_and_report(stack, company, open_page):
    petr = hire(company, "Пётр", "petr@kb.example")
    irina = hire(company, "Ирина", "irina@kb.example")
    packing = company.article("Упаковка с пломбой", "Заказ кладут в пакет.\n")
    sealing = company.article("Проверка пломбы", "Пломбу проверяют по номеру.\n")

    owner = open_page(stack)
    sign_in(owner, company.owner)
    owner.goto(f"/#/kb/articles/{packing['id']}")
    write_single_question(owner, SINGLE_TEXT, "В пакет", "В коробку")
    expect(question_item(owner, SINGLE_TEXT)).to_be_visible()
    owner.goto(f"/#/kb/articles/{sealing['id']}")
    write_open_question(owner, OPEN_TEXT)
    expect(question_item(owner, OPEN_TEXT)).to_be_visible()

    # The course, written in the course editor.
    owner.goto("/#/kb/courses")
    owner.get_by_test_id("kb-course-new").click()
    form = owner.get_by_test_id("kb-course-form")
    form.get_by_test_id("kb-course-form-title").fill("Пломбы и упаковка")
    form.get_by_test_id("kb-course-form-section").select_option(
        company.instructions_section_id
    )
    for article in (sealing, packing):
        form.get_by_test_id("kb-course-form-article").select_option(article["id"])
        form.get_by_test_id("kb-course-form-add-article").click()
    chosen = form.get_by_test_id("kb-course-form-chosen")
    expect(chosen).to_have_count(2)
    chosen.nth(1).get_by_test_id("kb-course-form-up").click()
    expect(chosen.nth(0)).to_have_attribute("data-article-id", packing["id"])
    form.get_by_test_id("kb-course-form-mandatory").check()
    form.get_by_test_id("kb-course-form-deadline").fill("7")

    # Without positions the server rejects the course and names the field.
    form.get_by_test_id("kb-course-form-save").click()
    error = form.get_by_test_id("kb-course-form-error")
    expect(error).to_have_attribute("data-field", "position_ids")
    form.get_by_test_id("kb-course-form-positions").select_option(
        [company.anna_position_id]
    )
    form.get_by_test_id("kb-course-form-save").click()
    expect(owner.get_by_test_id("kb-courses-title")).to_be_visible()

    courses = company.call(company.owner, "GET", "/api/kb/courses")["courses"]
    course = next(item for item in courses if item["title"] == "Пломбы и упаковка")
    assert [item["article_id"] for item in course["items"]] == [
        packing["id"],
        sealing["id"],
    ]
    assert course["position_ids"] == [company.anna_position_id]
    assert course["mandatory"] is True
    assert course["deadline_days"] == 7
    other = owner.locator(
        f"[data-testid=kb-course-other][data-course-id='{course['id']}']"
    )
    expect(other.get_by_test_id("kb-course-edit-link")).to_be_visible()

    # Анна takes the course: a correct choice, then an open answer.
    anna = open_page(stack)
    sign_in(anna, company.anna)
    anna.goto(f"/#/kb/courses/{course['id']}")
    first = anna.locator(
        f"[data-testid=kb-course-item][data-article-id='{packing['id']}']"
    )
    first.get_by_test_id("kb-course-mark-read").click()
    first.locator("label.kb-option", has_text="В пакет").locator("input").check()
    first.get_by_test_id("kb-question-answer").click()
    expect(first).to_have_attribute("data-state", "done")
    second = anna.locator(
        f"[data-testid=kb-course-item][data-article-id='{sealing['id']}']"
    )
    second.get_by_test_id("kb-course-mark-read").click()
    second.get_by_test_id("kb-question-open").fill("Сверяю номер с накладной.")
    second.get_by_test_id("kb-question-answer").click()
    expect(second).to_have_attribute("data-state", "waiting_for_grading")

    # Пётр chooses wrongly; Ирина does nothing.
    petr_page = open_page(stack)
    sign_in(petr_page, petr)
    petr_page.goto(f"/#/kb/courses/{course['id']}")
    petr_item = petr_page.locator(
        f"[data-testid=kb-course-item][data-article-id='{packing['id']}']"
    )
    petr_item.get_by_test_id("kb-course-mark-read").click()
    petr_item.locator("label.kb-option", has_text="В коробку").locator("input").check()
    petr_item.get_by_test_id("kb-question-answer").click()
    expect(petr_item).to_have_attribute("data-state", "locked")

    # The trainer grades Анна's open answer.
    owner.get_by_test_id("kb-nav-answers").click()
    answer = owner.get_by_test_id("kb-answer")
    expect(answer).to_have_count(1)
    expect(answer.get_by_test_id("kb-answer-learner")).to_have_text("Анна")
    expect(answer.get_by_test_id("kb-answer-course")).to_have_text("Пломбы и упаковка")
    expect(answer.get_by_test_id("kb-answer-question")).to_contain_text(OPEN_TEXT)
    expect(answer.get_by_test_id("kb-answer-text")).to_have_text(
        "Сверяю номер с накладной."
    )
    answer.get_by_test_id("kb-answer-comment").fill("Верно.")
    answer.get_by_test_id("kb-answer-pass").click()
    expect(owner.get_by_test_id("kb-answers-empty")).to_be_visible()

    anna.reload()
    expect(anna.get_by_test_id("kb-course-progress")).to_have_text(
        "Пройдено 2 из 2 (100%)"
    )

    # The manager's report and its charts.
    owner.goto(f"/#/kb/courses/{course['id']}/report")
    summary = owner.get_by_test_id("kb-chart-summary")
    expected_counts = {
        "completed": "1",
        "in_progress": "1",
        "not_started": "1",
        "overdue": "0",
    }
    for status, count in expected_counts.items():
        segment = summary.locator(
            f"[data-testid=kb-chart-segment][data-status={status}]"
        )
        expect(segment).to_have_attribute("data-count", count)
    expect(
        summary.locator("[data-testid=kb-chart-legend][data-status=completed]")
    ).to_have_text("прошли: 1")

    people = owner.get_by_test_id("kb-chart-person")
    expect(people).to_have_count(3)
    for person_id, percent, status in (
        (user_id(company, company.anna), "100", "completed"),
        (user_id(company, petr), "0", "in_progress"),
        (user_id(company, irina), "0", "not_started"),
    ):
        bar = owner.locator(
            f"[data-testid=kb-chart-person][data-user-id='{person_id}']"
        )
        expect(bar).to_have_attribute("data-percent", percent)
        expect(bar).to_have_attribute("data-status", status)
        expect(bar).to_contain_text(f"{percent}%")

    scores = owner.get_by_test_id("kb-chart-scores")
    for band, count in (
        ("0–24%", "2"),
        ("25–49%", "0"),
        ("75–99%", "0"),
        ("100%", "1"),
    ):
        expect(
            scores.locator(f"[data-testid=kb-chart-band][data-band='{band}']")
        ).to_have_attribute("data-count", count)

    petr_row = owner.locator(
        f"[data-testid=kb-report-row][data-user-id='{user_id(company, petr)}']"
    )
    expect(petr_row.get_by_test_id("kb-report-questions")).to_have_text("0 из 2")
    wrong = petr_row.get_by_test_id("kb-report-wrong-question")
    expect(wrong).to_have_count(1)
    expect(wrong).to_contain_text(SINGLE_TEXT)
    expect(wrong).to_contain_text("ошибок: 1")
    anna_row = owner.locator(
        f"[data-testid=kb-report-row][data-user-id='{user_id(company, company.anna)}']"
    )
    expect(anna_row.get_by_test_id("kb-report-questions")).to_have_text("2 из 2")
    expect(anna_row.get_by_test_id("kb-report-wrong")).to_have_text("—")


def user_id(company, person: Person) -> str:
    me = company.stack.api("GET", "/api/auth/me", person.token)
    assert me.status_code == 200, me.text
    return me.json()["user"]["id"]
