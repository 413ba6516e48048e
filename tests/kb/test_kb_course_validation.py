"""Bad input on every question, course and answer route: a 4xx naming the field."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import re

import pytest

from tests.kb.course_support import COURSE_ROUTE_PREFIXES, OPEN, SINGLE, Courses

# A published article in the marketplaces instructions with one single choice
# and one open question; Анна (a Wildberries account manager) reads it.
ARTICLE = "{article}"
QUESTION = "{question}"
OPEN_QUESTION = "{open_question}"
# A course on ARTICLE for Wildberries account managers, and Анна's open answer.
COURSE = "{course}"
ANSWER = "{answer}"
DRAFT = "{draft}"
OTHER = "{other}"
POSITION = "{position}"
MISSING = "{missing}"

QUESTIONS = f"/api/kb/articles/{ARTICLE}/questions"
COURSES = "/api/kb/courses"
ANSWER_PATH = f"/api/kb/courses/{COURSE}/questions/{QUESTION}/answer"
OPEN_ANSWER_PATH = f"/api/kb/courses/{COURSE}/questions/{OPEN_QUESTION}/answer"
ANSWERS = f"/api/kb/courses/{COURSE}/answers"
TWO = [{"text": "Да", "correct": True}, {"text": "Нет"}]
NEW_COURSE = {"title": "Курс", "article_ids": [ARTICLE], "position_ids": [POSITION]}

# (person, method, path, body, status, field); a path or body value in braces is
# an id made by the ``ids`` fixture.
CASES = [
    ("owner", "POST", QUESTIONS, {}, 400, "kind"),
    ("owner", "POST", QUESTIONS, {"kind": "essay", "text": "Вопрос"}, 400, "kind"),
    ("owner", "POST", QUESTIONS, {"kind": "open"}, 400, "text"),
    ("owner", "POST", QUESTIONS, {"kind": "open", "text": " "}, 400, "text"),
    ("owner", "POST", QUESTIONS, {"kind": "open", "text": 5}, 400, "text"),
    ("owner", "POST", QUESTIONS, {"kind": "open", "text": "ж" * 2001}, 400, "text"),
    ("owner", "POST", QUESTIONS, {"kind": "open", "text": "Вопрос\u0000"}, 400, "text"),
    ("owner", "POST", QUESTIONS, {"kind": "open", "text": "Вопрос", "text_en": "\u202eevil"}, 400, "text_en"),
    ("owner", "POST", QUESTIONS, {"kind": "open", "text": "Вопрос", "options": TWO}, 400, "options"),
    ("owner", "POST", QUESTIONS, {"kind": "single", "text": "Вопрос"}, 400, "options"),
    ("owner", "POST", QUESTIONS, {"kind": "single", "text": "Вопрос", "options": [{"text": "Да", "correct": True}]}, 400, "options"),
    ("owner", "POST", QUESTIONS, {"kind": "single", "text": "Вопрос", "options": [{"text": "Да", "correct": True}, {"text": "Нет", "correct": True}]}, 400, "options"),
    ("owner", "POST", QUESTIONS, {"kind": "multiple", "text": "Вопрос", "options": [{"text": "Да"}, {"text": "Нет"}]}, 400, "options"),
    ("owner", "POST", QUESTIONS, {"kind": "single", "text": "Вопрос", "options": TWO * 6}, 400, "options"),
    ("owner", "POST", QUESTIONS, {"kind": "single", "text": "Вопрос", "options": "Да"}, 400, "options"),
    ("owner", "POST", QUESTIONS, {"kind": "single", "text": "Вопрос", "options": [{"text": "", "correct": True}, {"text": "Нет"}]}, 400, "options.0.text"),
    ("owner", "POST", QUESTIONS, {"kind": "single", "text": "Вопрос", "options": [{"text": "Да", "correct": "yes"}, {"text": "Нет"}]}, 400, "options.0.correct"),
    ("owner", "POST", QUESTIONS, {"kind": "single", "text": "Вопрос", "options": [{"text": "Да", "correct": True, "id": "a"}, {"text": "Нет"}]}, 400, "options.0.id"),
    ("owner", "POST", QUESTIONS, {"kind": "open", "text": "Вопрос", "sort_order": "1"}, 400, "sort_order"),
    ("owner", "POST", QUESTIONS, {"kind": "open", "text": "Вопрос", "version": 2}, 400, "version"),
    ("owner", "POST", f"/api/kb/articles/{MISSING}/questions", OPEN, 404, None),
    ("anna", "POST", QUESTIONS, OPEN, 403, None),
    ("owner", "PATCH", f"/api/kb/questions/{QUESTION}", {}, 400, None),
    ("owner", "PATCH", f"/api/kb/questions/{QUESTION}", {"text": None}, 400, "text"),
    ("owner", "PATCH", f"/api/kb/questions/{QUESTION}", {"kind": None}, 400, "kind"),
    ("owner", "PATCH", f"/api/kb/questions/{QUESTION}", {"options": None}, 400, "options"),
    ("owner", "PATCH", f"/api/kb/questions/{QUESTION}", {"kind": "multiple", "options": [{"text": "Да"}, {"text": "Нет"}]}, 400, "options"),
    ("owner", "PATCH", f"/api/kb/questions/{QUESTION}", {"options": [{"text": "Да"}, {"text": "Нет"}]}, 400, "options"),
    ("owner", "PATCH", f"/api/kb/questions/{OPEN_QUESTION}", {"options": TWO}, 400, "options"),
    ("owner", "PATCH", f"/api/kb/questions/{OPEN_QUESTION}", {"kind": "single"}, 400, "options"),
    ("owner", "PATCH", f"/api/kb/questions/{QUESTION}", {"sort_order": 1.5}, 400, "sort_order"),
    ("owner", "PATCH", f"/api/kb/questions/{QUESTION}", {"article_id": OTHER}, 400, "article_id"),
    ("owner", "PATCH", f"/api/kb/questions/{MISSING}", {"text": "Новый"}, 404, "question_id"),
    ("anna", "PATCH", f"/api/kb/questions/{QUESTION}", {"text": "Моё"}, 403, None),
    ("owner", "POST", COURSES, {}, 400, "title"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "title": ""}, 400, "title"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "title": "ж" * 201}, 400, "title"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "title_en": "Course\u0007"}, 400, "title_en"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "description": "ж" * 4001}, 400, "description"),
    ("owner", "POST", COURSES, {"title": "Курс", "position_ids": [POSITION]}, 400, "article_ids"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "article_ids": []}, 400, "article_ids"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "article_ids": ARTICLE}, 400, "article_ids"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "article_ids": [ARTICLE, ARTICLE]}, 400, "article_ids"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "article_ids": [ARTICLE] * 101}, 400, "article_ids"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "article_ids": ["nope"]}, 400, "article_ids.0"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "article_ids": [ARTICLE, DRAFT]}, 400, "article_ids.1"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "article_ids": [""]}, 400, "article_ids.0"),
    ("owner", "POST", COURSES, {"title": "Курс", "article_ids": [ARTICLE]}, 400, "position_ids"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "position_ids": []}, 400, "position_ids"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "position_ids": ["nope"]}, 400, "position_ids.0"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "mandatory": "yes"}, 400, "mandatory"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "mandatory": True}, 400, "deadline_days"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "deadline_days": 7}, 400, "deadline_days"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "mandatory": True, "deadline_days": 0}, 400, "deadline_days"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "mandatory": True, "deadline_days": 366}, 400, "deadline_days"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "mandatory": True, "deadline_days": "7"}, 400, "deadline_days"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "mandatory": True, "deadline_days": 7.5}, 400, "deadline_days"),
    ("owner", "POST", COURSES, {**NEW_COURSE, "items": []}, 400, "items"),
    ("anna", "POST", COURSES, NEW_COURSE, 403, "article_ids.0"),
    ("owner", "PATCH", f"{COURSES}/{COURSE}", {}, 400, None),
    ("owner", "PATCH", f"{COURSES}/{COURSE}", {"title": None}, 400, "title"),
    ("owner", "PATCH", f"{COURSES}/{COURSE}", {"article_ids": None}, 400, "article_ids"),
    ("owner", "PATCH", f"{COURSES}/{COURSE}", {"article_ids": ["nope"]}, 400, "article_ids.0"),
    ("owner", "PATCH", f"{COURSES}/{COURSE}", {"position_ids": []}, 400, "position_ids"),
    ("owner", "PATCH", f"{COURSES}/{COURSE}", {"position_ids": [POSITION, "nope"]}, 400, "position_ids.1"),
    ("owner", "PATCH", f"{COURSES}/{COURSE}", {"mandatory": None}, 400, "mandatory"),
    ("owner", "PATCH", f"{COURSES}/{COURSE}", {"mandatory": True}, 400, "deadline_days"),
    ("owner", "PATCH", f"{COURSES}/{COURSE}", {"deadline_days": 5}, 400, "deadline_days"),
    ("owner", "PATCH", f"{COURSES}/{COURSE}", {"revision": 3}, 400, "revision"),
    ("owner", "PATCH", f"{COURSES}/{MISSING}", {"title": "Курс"}, 404, None),
    ("anna", "PATCH", f"{COURSES}/{COURSE}", {"title": "Моё"}, 403, None),
    ("anna", "POST", f"{COURSES}/{COURSE}/articles/{ARTICLE}/read", {"now": True}, 400, "now"),
    ("anna", "POST", f"{COURSES}/{COURSE}/articles/{OTHER}/read", None, 404, "article_id"),
    ("anna", "POST", f"{COURSES}/{COURSE}/articles/{MISSING}/read", None, 404, "article_id"),
    ("anna", "POST", f"{COURSES}/{MISSING}/articles/{ARTICLE}/read", None, 404, None),
    ("oleg", "POST", f"{COURSES}/{COURSE}/articles/{ARTICLE}/read", None, 403, None),
    ("anna", "POST", ANSWER_PATH, {}, 400, "version"),
    ("anna", "POST", ANSWER_PATH, {"option_ids": ["o1"]}, 400, "version"),
    ("anna", "POST", ANSWER_PATH, {"version": 0, "option_ids": ["o1"]}, 400, "version"),
    ("anna", "POST", ANSWER_PATH, {"version": "1", "option_ids": ["o1"]}, 400, "version"),
    ("anna", "POST", ANSWER_PATH, {"version": 1}, 400, "option_ids"),
    ("anna", "POST", ANSWER_PATH, {"version": 1, "option_ids": "o1"}, 400, "option_ids"),
    ("anna", "POST", ANSWER_PATH, {"version": 1, "option_ids": []}, 400, "option_ids"),
    ("anna", "POST", ANSWER_PATH, {"version": 1, "option_ids": ["o1", "o2"]}, 400, "option_ids"),
    ("anna", "POST", ANSWER_PATH, {"version": 1, "option_ids": ["o1", "o1"]}, 400, "option_ids"),
    ("anna", "POST", ANSWER_PATH, {"version": 1, "option_ids": ["o9"]}, 400, "option_ids.0"),
    ("anna", "POST", ANSWER_PATH, {"version": 1, "option_ids": ["o1"] * 11}, 400, "option_ids"),
    ("anna", "POST", ANSWER_PATH, {"version": 1, "text": "Три дня"}, 400, "text"),
    ("anna", "POST", ANSWER_PATH, {"version": 1, "option_ids": ["o1"], "correct": True}, 400, "correct"),
    ("anna", "POST", ANSWER_PATH, {"version": 2, "option_ids": ["o1"]}, 409, "version"),
    ("anna", "POST", OPEN_ANSWER_PATH, {"version": 1}, 400, "text"),
    ("anna", "POST", OPEN_ANSWER_PATH, {"version": 1, "text": " "}, 400, "text"),
    ("anna", "POST", OPEN_ANSWER_PATH, {"version": 1, "text": "ж" * 4001}, 400, "text"),
    ("anna", "POST", OPEN_ANSWER_PATH, {"version": 1, "text": "Ответ\u0000"}, 400, "text"),
    ("anna", "POST", OPEN_ANSWER_PATH, {"version": 1, "option_ids": ["o1"]}, 400, "option_ids"),
    ("anna", "POST", f"{COURSES}/{COURSE}/questions/{MISSING}/answer", {"version": 1, "option_ids": ["o1"]}, 404, "question_id"),
    ("anna", "POST", f"{COURSES}/{MISSING}/questions/{QUESTION}/answer", {"version": 1, "option_ids": ["o1"]}, 404, None),
    ("oleg", "POST", ANSWER_PATH, {"version": 1, "option_ids": ["o1"]}, 403, None),
    ("anna", "POST", ANSWERS, {"version": 1, "option_ids": ["o1"]}, 400, "question_id"),
    ("anna", "POST", ANSWERS, {"question_id": 5, "version": 1, "option_ids": ["o1"]}, 400, "question_id"),
    ("anna", "POST", ANSWERS, {"question_id": "", "version": 1, "option_ids": ["o1"]}, 400, "question_id"),
    ("anna", "POST", ANSWERS, {"question_id": QUESTION}, 400, "version"),
    ("anna", "POST", ANSWERS, {"question_id": QUESTION, "version": 1, "choice_ids": ["o1"]}, 400, "choice_ids"),
    ("anna", "POST", ANSWERS, {"question_id": QUESTION, "version": 1, "text": "Три дня"}, 400, "text"),
    ("anna", "POST", ANSWERS, {"question_id": QUESTION, "version": 1, "option_ids": ["o9"]}, 400, "option_ids.0"),
    ("anna", "POST", ANSWERS, {"question_id": QUESTION, "version": 2, "option_ids": ["o1"]}, 409, "version"),
    ("anna", "POST", ANSWERS, {"question_id": OPEN_QUESTION, "version": 1}, 400, "text"),
    ("anna", "POST", ANSWERS, {"question_id": MISSING, "version": 1, "option_ids": ["o1"]}, 404, "question_id"),
    ("anna", "POST", f"{COURSES}/{MISSING}/answers", {"question_id": QUESTION, "version": 1, "option_ids": ["o1"]}, 404, None),
    ("oleg", "POST", ANSWERS, {"question_id": QUESTION, "version": 1, "option_ids": ["o1"]}, 403, None),
    ("boris", "POST", f"/api/kb/answers/{ANSWER}/grade", {}, 400, "passed"),
    ("boris", "POST", f"/api/kb/answers/{ANSWER}/grade", {"passed": "yes"}, 400, "passed"),
    ("boris", "POST", f"/api/kb/answers/{ANSWER}/grade", {"passed": True, "comment": "ж" * 2001}, 400, "comment"),
    ("boris", "POST", f"/api/kb/answers/{ANSWER}/grade", {"passed": True, "comment": 5}, 400, "comment"),
    ("boris", "POST", f"/api/kb/answers/{ANSWER}/grade", {"passed": True, "score": 5}, 400, "score"),
    ("boris", "POST", f"/api/kb/answers/{MISSING}/grade", {"passed": True}, 404, "answer_id"),
    ("oleg", "POST", f"/api/kb/answers/{ANSWER}/grade", {"passed": True}, 403, None),
    ("anna", "POST", f"/api/kb/answers/{ANSWER}/grade", {"passed": True}, 403, None),
]  # fmt: skip


@pytest.fixture(scope="module")
def ids(world) -> dict[str, str]:
    courses = Courses(world)
    article = courses.article()
    other = courses.article(title="Другая статья")
    draft = courses.kb.create(world.owner)
    question = courses.question(article["id"], SINGLE)
    open_question = courses.question(article["id"], OPEN)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    answer = courses.answer(
        world.anna, course["id"], open_question, text="Проверяю маркировку."
    )
    assert answer.status == 201, answer.body
    # Another read, so that the answer cases reach the checks of the answer.
    courses.read(world.anna, course["id"], article["id"])
    return {
        "article": article["id"],
        "other": other["id"],
        "draft": draft["id"],
        "question": question["id"],
        "open_question": open_question["id"],
        "course": course["id"],
        "answer": answer.json["answer"]["id"],
        "position": world.positions["wb_manager"],
        "missing": "01JAAAAAAAAAAAAAAAAAAAAAAA",
    }


def fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


@pytest.mark.parametrize(
    ("person", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(world, ids, person, method, path, body, status, field):
    client = getattr(world, person).client
    response = client.request(method, fill(path, ids), fill(body, ids))
    assert (response.status, response.error_field()) == (status, field), response.body


@pytest.mark.parametrize(
    "raw", [b"[]", b"{", b'"text"', b"\xff\xfe", b"null"], ids=repr
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", QUESTIONS),
        ("PATCH", f"/api/kb/questions/{QUESTION}"),
        ("POST", COURSES),
        ("PATCH", f"{COURSES}/{COURSE}"),
        ("POST", f"{COURSES}/{COURSE}/articles/{ARTICLE}/read"),
        ("POST", ANSWER_PATH),
        ("POST", ANSWERS),
        ("POST", f"/api/kb/answers/{ANSWER}/grade"),
    ],
)
def test_malformed_body_is_400(world, ids, raw, method, path):
    response = world.owner.client.request(method, fill(path, ids), raw=raw)
    assert response.status == 400


def test_rejected_input_changes_nothing(world, ids):
    """The cases above left the question, the course and the answer as they were."""
    owner = world.owner.client
    [question] = [
        item
        for item in owner.get(f"/api/kb/articles/{ids['article']}/questions").json[
            "questions"
        ]
        if item["id"] == ids["question"]
    ]
    assert question["version"] == 1
    assert question["text"] == SINGLE["text"]
    course = owner.get(f"/api/kb/courses/{ids['course']}").json["course"]
    assert course["revision"] == 1
    assert [item["article_id"] for item in course["items"]] == [ids["article"]]
    attempts = world.anna.client.get(f"/api/kb/courses/{ids['course']}/attempts")
    assert [attempt["result"] for attempt in attempts.json["attempts"]] == ["pending"]


def test_unsigned_call_is_401(world):
    assert world.api.post(COURSES, {"title": "Курс"}).status == 401
    assert world.api.get(COURSES).status == 401


def _route_shape(path: str) -> str:
    """Turn every {placeholder} into {} to match route templates."""
    return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])


def test_cases_cover_course_write_routes(app_module):
    covered = {(case[1], _route_shape(case[2])) for case in CASES}
    write_routes = {
        (method, _route_shape(path))
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method in ("POST", "PATCH", "PUT") and path.startswith(COURSE_ROUTE_PREFIXES)
    }
    assert write_routes
    assert write_routes - covered == set()
