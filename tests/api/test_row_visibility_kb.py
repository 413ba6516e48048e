"""Restricted knowledge base articles stay hidden from people outside their grants.

The marketplaces department keeps a section that only its head and the
positions below him may read, an article in an open section with grants of
its own, a draft, and a section that only the WB account manager may read.
Кира and Глеб (the content department) must not get the articles, their
titles, bodies or questions from a list, the section tree, search, links,
courses, reports, notifications or live events. Анна and Борис get them,
and Борис's report on Анна shows no question of an article he may not read.
"""

from dataclasses import dataclass

import pytest

from tests.support.row_visibility import (  # noqa: F401 - fixtures
    Company,
    company_fixture,
    notification_texts,
    reactions_succeed,
)

# A word only the restricted articles and their questions contain, and one
# only the open article contains.
SECRET_WORD = "сапфир"
PUBLIC_WORD = "лазурит"
SECRET_TITLE = "Скидочная политика «Сапфир»"
QUESTION_TEXT = f"Какой порог скидки в плане {SECRET_WORD}?"


@dataclass
class Library:
    restricted_section: str
    wb_section: str
    restricted: str
    own_grants: str
    draft: str
    wb_only: str
    open: str
    question: dict
    wb_question: dict
    course: str
    wb_course: str

    @property
    def hidden_ids(self) -> list[str]:
        return [self.restricted, self.own_grants, self.draft, self.wb_only]


def put(person, path: str, body):
    return person.client.request("PUT", path, body)


def grant(company: Company, position: str, below: bool = False) -> dict:
    return {
        "to": "position",
        "position_id": company.positions[position],
        "include_below": below,
        "level": "read",
    }


def section(company: Company, name: str, grants, parent_id=None) -> str:
    body = {"name": name, "grants": grants}
    if parent_id is not None:
        body["parent_id"] = parent_id
    response = company.owner.client.post("/api/kb/sections", body)
    assert response.status == 201, response.body
    return response.json["section"]["id"]


def article(person, section_id: str, title: str, text: str, **fields) -> str:
    body = {"section_id": section_id, "title": title, "body": text, **fields}
    body.setdefault("status", "published")
    response = person.client.post("/api/kb/articles", body)
    assert response.status == 201, response.body
    return response.json["article"]["id"]


def question(company: Company, article_id: str) -> dict:
    body = {
        "kind": "single",
        "text": QUESTION_TEXT,
        "options": [{"text": "5 %", "correct": True}, {"text": "50 %"}],
    }
    response = company.owner.client.post(
        f"/api/kb/articles/{article_id}/questions", body
    )
    assert response.status == 201, response.body
    return response.json["question"]


def course(company: Company, title: str, article_ids, positions) -> str:
    body = {
        "title": title,
        "article_ids": list(article_ids),
        "position_ids": [company.positions[key] for key in positions],
    }
    response = company.owner.client.post("/api/kb/courses", body)
    assert response.status == 201, response.body
    return response.json["course"]["id"]


@pytest.fixture(scope="module")
def library(company: Company) -> Library:
    marketplaces = company.departments["marketplaces"]
    instructions = f"dept-{marketplaces}-instructions"
    restricted_section = section(
        company,
        "Закрытые регламенты",
        [grant(company, "head_of_marketplaces", below=True)],
        parent_id=f"dept-{marketplaces}",
    )
    wb_section = section(company, "Только для WB", [grant(company, "wb_manager")])

    restricted = article(
        company.owner,
        restricted_section,
        SECRET_TITLE,
        f"Порог скидки {SECRET_WORD}: пять процентов.",
        position_ids=[company.positions["wb_manager"]],
    )
    own_grants = article(
        company.boris,
        instructions,
        "Закупочные цены",
        f"Цены по договору {SECRET_WORD}.",
    )
    access = put(
        company.owner,
        f"/api/kb/articles/{own_grants}/access",
        {"grants": [grant(company, "head_of_marketplaces", below=True)]},
    )
    assert access.status == 200, access.body
    draft = article(
        company.boris,
        instructions,
        "Черновик акции",
        f"Акция {SECRET_WORD} в работе.",
        status="draft",
    )
    wb_only = article(
        company.owner, wb_section, "Пароли кабинета WB", f"Кабинет {SECRET_WORD}."
    )
    open_article = article(
        company.boris,
        instructions,
        "Общие правила",
        f"Правила {PUBLIC_WORD}. См. [закрытое](article:{restricted}).",
    )
    restricted_question = question(company, restricted)
    wb_question = question(company, wb_only)
    shared_course = course(
        company,
        "Онбординг",
        [open_article, restricted],
        ["wb_manager", "content_manager"],
    )
    wb_course = course(company, "Кабинет WB", [wb_only], ["wb_manager"])
    company.pump.drain()

    # Анна answers the WB-only question wrongly, so Борис's report on her
    # names it among her wrong questions.
    read = company.anna.client.post(
        f"/api/kb/courses/{wb_course}/articles/{wb_only}/read"
    )
    assert read.status == 200, read.body
    wrong = [option["id"] for option in wb_question["options"] if not option["correct"]]
    answered = company.anna.client.post(
        f"/api/kb/courses/{wb_course}/questions/{wb_question['id']}/answer",
        {"version": wb_question["version"], "option_ids": wrong},
    )
    assert answered.status == 201, answered.body
    company.pump.drain()
    return Library(
        restricted_section=restricted_section,
        wb_section=wb_section,
        restricted=restricted,
        own_grants=own_grants,
        draft=draft,
        wb_only=wb_only,
        open=open_article,
        question=restricted_question,
        wb_question=wb_question,
        course=shared_course,
        wb_course=wb_course,
    )


def section_ids(tree: list[dict]) -> set[str]:
    found = set()
    for node in tree:
        found.add(node["id"])
        found |= section_ids(node["children"])
    return found


def tree_of(person) -> list[dict]:
    response = person.client.get("/api/kb/sections")
    assert response.status == 200, response.body
    return response.json["sections"]


def listed_in(person, section_id: str) -> set[str]:
    response = person.client.get(f"/api/kb/sections/{section_id}")
    assert response.status == 200, response.body
    return {item["id"] for item in response.json["articles"]}


def search(person, query: str) -> dict:
    response = person.client.get(f"/api/kb/search?q={query}")
    assert response.status == 200, response.body
    return response.json


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_section_tree_hides_restricted(company, library, outsider):
    person = company.outsiders[outsider]
    shown = section_ids(tree_of(person))
    assert library.restricted_section not in shown
    assert library.wb_section not in shown
    for section_id in (library.restricted_section, library.wb_section):
        assert person.client.get(f"/api/kb/sections/{section_id}").status == 404


def test_section_tree_shows_granted(company, library):
    assert library.restricted_section in section_ids(tree_of(company.anna))
    assert library.wb_section in section_ids(tree_of(company.anna))
    assert library.restricted_section in section_ids(tree_of(company.boris))
    assert library.wb_section not in section_ids(tree_of(company.boris))
    assert listed_in(company.anna, library.restricted_section) == {library.restricted}


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_section_list_hides_restricted(company, library, outsider):
    instructions = f"dept-{company.departments['marketplaces']}-instructions"
    listed = listed_in(company.outsiders[outsider], instructions)
    assert library.open in listed
    assert listed.isdisjoint(library.hidden_ids)


def test_section_list_shows_granted(company, library):
    instructions = f"dept-{company.departments['marketplaces']}-instructions"
    assert listed_in(company.anna, instructions) == {library.open, library.own_grants}
    assert listed_in(company.boris, instructions) == {
        library.open,
        library.own_grants,
        library.draft,
    }


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_search_hides_restricted(company, library, outsider):
    person = company.outsiders[outsider]
    found = search(person, SECRET_WORD)
    assert found["results"] == []
    assert found["total"] == 0
    assert [result["id"] for result in search(person, PUBLIC_WORD)["results"]] == [
        library.open
    ]


def test_search_finds_granted(company, library):
    found = {result["id"] for result in search(company.anna, SECRET_WORD)["results"]}
    assert found == {library.restricted, library.own_grants, library.wb_only}
    boris_found = search(company.boris, SECRET_WORD)
    assert {library.restricted, library.own_grants} <= {
        result["id"] for result in boris_found["results"]
    }
    assert library.wb_only not in {result["id"] for result in boris_found["results"]}


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_article_routes_answer_404(company, library, outsider):
    person = company.outsiders[outsider]
    for article_id in library.hidden_ids:
        base = f"/api/kb/articles/{article_id}"
        for path in (base, f"{base}/revisions", f"{base}/questions"):
            response = person.client.get(path)
            assert response.status == 404, (path, response.body)
            assert SECRET_WORD not in response.body.decode().lower(), path


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_link_to_restricted_is_plain_text(company, library, outsider):
    response = company.outsiders[outsider].client.get(
        f"/api/kb/articles/{library.open}"
    )
    assert response.status == 200, response.body
    article_view = response.json["article"]
    assert article_view["links"] == []
    assert library.restricted not in article_view["html"]
    assert SECRET_TITLE not in response.body.decode()
    for_anna = company.anna.client.get(f"/api/kb/articles/{library.open}").json
    assert for_anna["article"]["links"] == [
        {"id": library.restricted, "title": SECRET_TITLE}
    ]


def course_items(person, course_id: str) -> dict[str, dict]:
    response = person.client.get(f"/api/kb/courses/{course_id}")
    assert response.status == 200, response.body
    return {item["article_id"]: item for item in response.json["course"]["items"]}


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_courses_hide_restricted_content(company, library, outsider):
    person = company.outsiders[outsider]
    listed = person.client.get("/api/kb/courses")
    assert listed.status == 200, listed.body
    assert SECRET_WORD not in listed.body.decode().lower()
    items = course_items(person, library.course)
    assert items[library.restricted]["title"] is None
    assert items[library.restricted]["readable"] is False
    assert items[library.open]["readable"] is True
    assert course_items(person, library.wb_course)[library.wb_only]["title"] is None


def test_learner_gets_no_restricted_questions(company, library):
    kira = company.kira
    mine = kira.client.get(f"/api/kb/courses/{library.course}/me")
    assert mine.status == 200, mine.body
    assert SECRET_WORD not in mine.body.decode().lower()
    items = {item["article_id"]: item for item in mine.json["items"]}
    assert items[library.restricted]["questions"] == []
    read = kira.client.post(
        f"/api/kb/courses/{library.course}/articles/{library.restricted}/read"
    )
    assert read.status == 404, read.body
    answered = kira.client.post(
        f"/api/kb/courses/{library.course}/questions/{library.question['id']}/answer",
        {"version": library.question["version"], "option_ids": ["o1"]},
    )
    assert answered.status == 404, answered.body

    for_anna = company.anna.client.get(f"/api/kb/courses/{library.course}/me").json
    anna_items = {item["article_id"]: item for item in for_anna["items"]}
    assert anna_items[library.restricted]["title"] == SECRET_TITLE
    assert [q["text"] for q in anna_items[library.restricted]["questions"]] == [
        QUESTION_TEXT
    ]


def report_rows(person, course_id: str) -> tuple[str, dict[str, dict]]:
    response = person.client.get(f"/api/kb/courses/{course_id}/report")
    assert response.status == 200, response.body
    rows = {row["user"]["id"]: row for row in response.json["report"]["people"]}
    return response.body.decode(), rows


def test_report_hides_unreadable_questions(company, library):
    # Глеб's report lists Кира, who reports to him, and not Анна.
    text, rows = report_rows(company.gleb, library.course)
    assert set(rows) == {company.kira.id}
    assert SECRET_WORD not in text.lower()

    # Борис's report lists Анна's wrong answer on the WB-only article, without
    # the question's text.
    text, rows = report_rows(company.boris, library.wb_course)
    wrong = rows[company.anna.id]["wrong_questions"]
    assert [item["question_id"] for item in wrong] == [library.wb_question["id"]]
    assert wrong[0]["text"] is None
    assert SECRET_WORD not in text.lower()

    # The owner, who may read every article, gets the text.
    _, rows = report_rows(company.owner, library.wb_course)
    assert rows[company.anna.id]["wrong_questions"][0]["text"] == QUESTION_TEXT


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_notifications_and_pushes_skip_outsiders(company, library, outsider):
    person = company.outsiders[outsider]
    assert SECRET_TITLE not in notification_texts(person)
    pushed = company.pushed_text(person)
    assert SECRET_WORD not in pushed.lower()
    assert SECRET_TITLE not in pushed
    for article_id in library.hidden_ids:
        assert article_id not in pushed


def test_notifications_and_pushes_reach_targets(company, library):
    assert SECRET_TITLE in notification_texts(company.anna)
    assert SECRET_TITLE in company.pushed_text(company.anna)
