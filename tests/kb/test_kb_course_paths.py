"""Course collection paths: answers naming their question, and progress."""

import pytest

from chalicelib.kb import attempts, course_routes
from tests.kb.course_support import OPEN, SINGLE, Courses, shift_clock


@pytest.fixture
def courses(world) -> Courses:
    return Courses(world)


def post_answer(person, course_id: str, question: dict, **answer):
    body = {"question_id": question["id"], "version": question["version"], **answer}
    return person.client.post(f"/api/kb/courses/{course_id}/answers", body)


def test_answers_path_scores_choice(world, courses):
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])

    correct = [option["id"] for option in question["options"] if option["correct"]]
    response = post_answer(world.anna, course["id"], question, option_ids=correct)
    assert response.status == 201, response.body
    assert response.json["answer"]["result"] == "correct"
    assert response.json["answer"]["question_id"] == question["id"]
    assert response.json["locked_until"] is None
    me = courses.me(world.anna, course["id"])
    assert me["items"][0]["state"] == "done"
    assert me["progress"]["complete"] is True


def test_answers_path_locks_out_like_question_path(world, courses, monkeypatch):
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])

    wrong = [option["id"] for option in question["options"] if not option["correct"]]
    failed = post_answer(world.anna, course["id"], question, option_ids=wrong[:1])
    assert failed.status == 201, failed.body
    assert failed.json["answer"]["result"] == "wrong"
    assert failed.json["locked_until"] is not None

    # Both paths share the lock-out: the other path is refused too.
    courses.read(world.anna, course["id"], article["id"])
    locked = post_answer(world.anna, course["id"], question, option_ids=["o1"])
    assert locked.status == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= attempts.LOCKOUT_SECONDS
    other_path = courses.answer(world.anna, course["id"], question, option_ids=["o1"])
    assert other_path.status == 429

    shift_clock(monkeypatch, [attempts, course_routes], attempts.LOCKOUT_SECONDS + 1)
    passed = post_answer(world.anna, course["id"], question, option_ids=["o1"])
    assert passed.status == 201, passed.body
    again = post_answer(world.anna, course["id"], question, option_ids=["o1"])
    assert again.status == 409
    history = world.anna.client.get(f"/api/kb/courses/{course['id']}/attempts")
    assert [item["result"] for item in history.json["attempts"]] == [
        "wrong",
        "correct",
    ]


def test_answers_path_takes_open_answer(world, courses):
    article = courses.article()
    question = courses.question(article["id"], OPEN)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])

    response = post_answer(world.anna, course["id"], question, text="Проверяю короба.")
    assert response.status == 201, response.body
    assert response.json["answer"]["result"] == "pending"
    repeated = post_answer(world.anna, course["id"], question, text="Ещё раз.")
    assert repeated.status == 409


def test_answers_path_rejects_question_of_other_course(world, courses):
    article = courses.article()
    other = courses.article(title="Статья другого курса")
    foreign = courses.question(other["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])

    response = post_answer(world.anna, course["id"], foreign, option_ids=["o1"])
    assert response.status == 404
    assert response.error_field() == "question_id"


def test_progress_path_matches_report(world, courses):
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course(
        [article["id"]], ["wb_manager", "ozon_manager"], mandatory=True, deadline_days=5
    )
    courses.read(world.oleg, course["id"], article["id"])
    courses.pass_question(world.oleg, course["id"], question)

    progress = world.boris.client.get(f"/api/kb/courses/{course['id']}/progress")
    report = world.boris.client.get(f"/api/kb/courses/{course['id']}/report")
    assert progress.status == 200, progress.body
    rows = {row["user"]["id"]: row for row in progress.json["report"]["people"]}
    assert rows[world.oleg.id]["progress"]["complete"] is True
    assert rows[world.anna.id]["progress"]["percent"] == 0
    assert rows[world.anna.id]["due_date"] is not None
    assert rows[world.anna.id]["overdue"] is False
    assert world.gleb.id not in rows

    # generated_at differs by the moment of each call; the rest is the same.
    from_progress = progress.json["report"]
    from_report = report.json["report"]
    from_progress.pop("generated_at")
    from_report.pop("generated_at")
    assert from_progress == from_report


def test_progress_path_empty_without_reports(world, courses):
    article = courses.article()
    course = courses.course([article["id"]], ["wb_manager"])
    response = world.anna.client.get(f"/api/kb/courses/{course['id']}/progress")
    assert response.status == 200, response.body
    assert response.json["report"]["people"] == []
    missing = world.boris.client.get(
        "/api/kb/courses/01JAAAAAAAAAAAAAAAAAAAAAAA/progress"
    )
    assert missing.status == 404
