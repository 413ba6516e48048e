"""The course report's question scores and wrongly answered questions."""

import pytest

from chalicelib.kb import attempts
from tests.kb.course_support import MULTIPLE, OPEN, SINGLE, Courses, shift_clock


@pytest.fixture
def courses(world) -> Courses:
    return Courses(world)


def test_report_counts_passed_questions(world, courses):
    article = courses.article()
    single = courses.question(article["id"], SINGLE)
    courses.question(article["id"], MULTIPLE)
    course = courses.course([article["id"]], ["wb_manager", "ozon_manager"])
    courses.read(world.anna, course["id"], article["id"])
    courses.pass_question(world.anna, course["id"], single)

    rows = courses.report(world.owner, course["id"])
    assert rows[world.anna.id]["questions"] == {"passed": 1, "total": 2}
    assert rows[world.anna.id]["wrong_questions"] == []
    assert rows[world.oleg.id]["questions"] == {"passed": 0, "total": 2}


def test_report_lists_wrong_questions(world, courses, monkeypatch):
    article = courses.article()
    single = courses.question(article["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    courses.fail_question(world.anna, course["id"], single)
    shift_clock(monkeypatch, [attempts], attempts.LOCKOUT_SECONDS + 1)
    courses.read(world.anna, course["id"], article["id"])
    courses.pass_question(world.anna, course["id"], single)

    row = courses.report(world.owner, course["id"])[world.anna.id]
    assert row["questions"] == {"passed": 1, "total": 1}
    assert row["wrong_questions"] == [
        {
            "question_id": single["id"],
            "article_id": article["id"],
            "text": SINGLE["text"],
            "text_en": SINGLE["text_en"],
            "wrong_attempts": 1,
            "status": "passed",
        }
    ]


def test_failed_grade_counts_as_wrong(world, courses):
    article = courses.article()
    question = courses.question(article["id"], OPEN)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    sent = courses.answer(world.anna, course["id"], question, text="Смотрю углы.")
    assert sent.status == 201, sent.body
    graded = world.owner.client.post(
        f"/api/kb/answers/{sent.json['answer']['id']}/grade", {"passed": False}
    )
    assert graded.status == 200, graded.body

    row = courses.report(world.owner, course["id"])[world.anna.id]
    assert row["questions"] == {"passed": 0, "total": 1}
    assert [item["status"] for item in row["wrong_questions"]] == ["failed"]
    assert row["wrong_questions"][0]["wrong_attempts"] == 1
