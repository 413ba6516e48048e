"""Questions on articles: keys, versions, lock-out after a wrong answer, grading."""

import pytest

from chalicelib.kb import attempts, course_routes
from tests.kb.course_support import MULTIPLE, OPEN, SINGLE, Courses, shift_clock


@pytest.fixture
def courses(world) -> Courses:
    return Courses(world)


def _has_key(value) -> bool:
    """Tell whether a JSON value has a "correct" field at any depth."""
    if isinstance(value, dict):
        return "correct" in value or any(_has_key(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_key(item) for item in value)
    return False


def test_editor_sees_keys_learner_does_not(world, courses):
    article = courses.article()
    created = courses.question(article["id"], SINGLE)
    assert created["version"] == 1
    assert [option["id"] for option in created["options"]] == ["o1", "o2", "o3"]
    assert [option["correct"] for option in created["options"]] == [True, False, False]

    as_editor = world.boris.client.get(f"/api/kb/articles/{article['id']}/questions")
    assert as_editor.status == 200, as_editor.body
    assert as_editor.json["questions"][0]["options"][0]["correct"] is True

    as_reader = world.anna.client.get(f"/api/kb/articles/{article['id']}/questions")
    assert as_reader.status == 200, as_reader.body
    assert as_reader.json["questions"][0]["text"] == SINGLE["text"]
    assert not _has_key(as_reader.json)


def test_learner_views_never_carry_keys(world, courses):
    article = courses.article()
    question = courses.question(article["id"], MULTIPLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    answered = courses.answer(
        world.anna, course["id"], question, option_ids=["o1", "o2"]
    )
    assert answered.status == 201, answered.body
    assert answered.json["answer"]["result"] == "correct"

    me = courses.me(world.anna, course["id"])
    listed = world.anna.client.get(f"/api/kb/courses/{course['id']}/attempts")
    assert listed.status == 200, listed.body
    for view in (answered.json, me, listed.json):
        assert not _has_key(view)


def test_reader_cannot_add_questions(world, courses):
    article = courses.article()
    response = world.anna.client.post(
        f"/api/kb/articles/{article['id']}/questions", SINGLE
    )
    assert response.status == 403
    assert (
        world.anna.client.get(f"/api/kb/articles/{article['id']}/questions").json[
            "questions"
        ]
        == []
    )


def test_edit_creates_version_order_does_not(world, courses):
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    reordered = courses.edit_question(question["id"], {"sort_order": 5})
    assert reordered["version"] == 1
    assert reordered["sort_order"] == 5

    edited = courses.edit_question(
        question["id"], {"options": [{"text": "2 дня", "correct": True}, {"text": "5"}]}
    )
    assert edited["version"] == 2
    assert edited["text"] == SINGLE["text"]
    assert [option["text"] for option in edited["options"]] == ["2 дня", "5"]

    opened = courses.edit_question(question["id"], {"kind": "open"})
    assert opened["version"] == 3
    assert opened["options"] == []


def test_old_attempts_keep_their_version(world, courses):
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    courses.pass_question(world.anna, course["id"], question)
    assert courses.me(world.anna, course["id"])["progress"]["complete"] is True

    # A new key: the earlier correct answer no longer passes the question.
    edited = courses.edit_question(
        question["id"],
        {
            "options": [
                {"text": "3 дня"},
                {"text": "5 дней", "correct": True},
            ]
        },
    )
    me = courses.me(world.anna, course["id"])
    assert me["progress"]["complete"] is False
    [item] = me["items"]
    assert item["state"] == "to_answer"
    assert item["questions"][0]["version"] == 2
    assert item["questions"][0]["status"] == "unanswered"

    stale = courses.answer(world.anna, course["id"], question, option_ids=["o1"])
    assert stale.status == 409
    assert stale.json["error"]["field"] == "version"

    courses.pass_question(world.anna, course["id"], edited)
    listed = world.anna.client.get(f"/api/kb/courses/{course['id']}/attempts").json
    shown = [
        (attempt["question_version"], attempt["result"], attempt["question_text"])
        for attempt in listed["attempts"]
    ]
    assert shown == [(1, "correct", SINGLE["text"]), (2, "correct", SINGLE["text"])]
    assert courses.me(world.anna, course["id"])["progress"]["complete"] is True


def test_deleted_question_leaves_progress(world, courses):
    article = courses.article()
    kept = courses.question(article["id"], SINGLE)
    dropped = courses.question(article["id"], MULTIPLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    courses.pass_question(world.anna, course["id"], kept)
    assert courses.me(world.anna, course["id"])["items"][0]["state"] == "to_answer"

    deleted = world.owner.client.delete(f"/api/kb/questions/{dropped['id']}")
    assert deleted.status == 204
    again = world.owner.client.patch(
        f"/api/kb/questions/{dropped['id']}", {"text": "Другой вопрос"}
    )
    assert again.status == 404
    me = courses.me(world.anna, course["id"])
    assert me["items"][0]["state"] == "done"
    assert [question["id"] for question in me["items"][0]["questions"]] == [kept["id"]]


def test_answer_needs_reading_first(world, courses):
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    response = courses.answer(world.anna, course["id"], question, option_ids=["o1"])
    assert response.status == 409
    assert response.json["error"]["field"] == "article_id"
    assert courses.me(world.anna, course["id"])["items"][0]["state"] == "to_read"


def test_wrong_answer_locks_out(world, courses, monkeypatch):
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])

    failed = courses.fail_question(world.anna, course["id"], question)
    assert failed["locked_until"] is not None
    item = courses.me(world.anna, course["id"])["items"][0]
    assert item["state"] == "locked"
    assert item["read_at"] is None
    assert item["questions"][0]["status"] == "failed"

    # Reading again during the lock-out does not lift it.
    courses.read(world.anna, course["id"], article["id"])
    locked = courses.answer(world.anna, course["id"], question, option_ids=["o1"])
    assert locked.status == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= attempts.LOCKOUT_SECONDS

    shift_clock(monkeypatch, [attempts, course_routes], attempts.LOCKOUT_SECONDS + 1)
    assert courses.me(world.anna, course["id"])["items"][0]["state"] == "to_answer"
    courses.pass_question(world.anna, course["id"], question)
    me = courses.me(world.anna, course["id"])
    assert me["items"][0]["state"] == "done"
    results = [
        attempt["result"]
        for attempt in world.anna.client.get(
            f"/api/kb/courses/{course['id']}/attempts"
        ).json["attempts"]
    ]
    assert results == ["wrong", "correct"]


def test_lock_out_sends_back_to_article(world, courses, monkeypatch):
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    courses.fail_question(world.anna, course["id"], question)

    shift_clock(monkeypatch, [attempts, course_routes], attempts.LOCKOUT_SECONDS + 1)
    # The lock-out is over, but the article must be read again first.
    assert courses.me(world.anna, course["id"])["items"][0]["state"] == "to_read"
    unread = courses.answer(world.anna, course["id"], question, option_ids=["o1"])
    assert unread.status == 409


def test_passed_question_not_answered_again(world, courses):
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    courses.pass_question(world.anna, course["id"], question)
    again = courses.answer(world.anna, course["id"], question, option_ids=["o2"])
    assert again.status == 409
    assert courses.me(world.anna, course["id"])["items"][0]["state"] == "done"


def test_open_answer_counts_after_grading(world, courses):
    article = courses.article()
    question = courses.question(article["id"], OPEN)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    sent = courses.answer(
        world.anna, course["id"], question, text="Проверяю маркировку и вес."
    )
    assert sent.status == 201, sent.body
    answer_id = sent.json["answer"]["id"]
    assert sent.json["answer"]["result"] == "pending"
    me = courses.me(world.anna, course["id"])
    assert me["items"][0]["state"] == "waiting_for_grading"
    assert me["progress"]["completed"] == 0

    waiting = world.boris.client.get("/api/kb/answers").json["answers"]
    assert answer_id in [answer["id"] for answer in waiting]
    assert world.oleg.client.get("/api/kb/answers").json["answers"] == []

    grade = f"/api/kb/answers/{answer_id}/grade"
    assert world.anna.client.post(grade, {"passed": True}).status == 403
    assert world.oleg.client.post(grade, {"passed": True}).status == 403
    graded = world.boris.client.post(grade, {"passed": True, "comment": "Верно."})
    assert graded.status == 200, graded.body
    assert graded.json["answer"]["result"] == "passed"
    assert graded.json["answer"]["question_version"] == 1
    assert world.boris.client.post(grade, {"passed": False}).status == 409

    me = courses.me(world.anna, course["id"])
    assert me["items"][0]["state"] == "done"
    assert me["progress"]["percent"] == 100


def test_failed_grade_allows_new_answer(world, courses):
    article = courses.article()
    question = courses.question(article["id"], OPEN)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    first = courses.answer(world.anna, course["id"], question, text="Не знаю.")
    assert first.status == 201, first.body
    pending = courses.answer(world.anna, course["id"], question, text="Ещё раз.")
    assert pending.status == 409

    grade = f"/api/kb/answers/{first.json['answer']['id']}/grade"
    assert world.owner.client.post(grade, {"passed": False}).status == 200
    assert courses.me(world.anna, course["id"])["items"][0]["state"] == "to_answer"
    second = courses.answer(world.anna, course["id"], question, text="Взвешиваю.")
    assert second.status == 201, second.body
    results = [
        attempt["result"]
        for attempt in world.anna.client.get(
            f"/api/kb/courses/{course['id']}/attempts"
        ).json["attempts"]
    ]
    assert results == ["failed", "pending"]


def test_unreadable_article_counts_hidden(world, courses):
    article = courses.article()
    hidden = courses.article(title="Закрытая инструкция")
    grants = [
        {
            "to": "position",
            "position_id": world.positions["head_of_content"],
            "level": "read",
        }
    ]
    restricted = world.owner.client.request(
        "PUT", f"/api/kb/articles/{hidden['id']}/access", {"grants": grants}
    )
    assert restricted.status == 200, restricted.body
    courses.question(hidden["id"], SINGLE)
    course = courses.course([article["id"], hidden["id"]], ["wb_manager"])

    courses.read(world.anna, course["id"], article["id"])
    me = courses.me(world.anna, course["id"])
    assert (me["progress"]["completed"], me["progress"]["total"]) == (1, 2)
    item = me["items"][1]
    assert item["readable"] is False
    assert item["title"] is None
    assert item["questions"] == []
    denied = world.anna.client.post(
        f"/api/kb/courses/{course['id']}/articles/{hidden['id']}/read"
    )
    assert denied.status == 404


def test_stale_question_edit_conflicts(world, courses, monkeypatch):
    from chalicelib.kb import questions

    article = courses.article()
    created = courses.question(article["id"], SINGLE)
    stale = questions.find_question(created["id"])
    courses.edit_question(created["id"], {"text": "Сколько дней хранится короб?"})

    # The second editor read the question before the first one saved.
    monkeypatch.setattr(questions, "find_question", lambda question_id: stale)
    response = world.owner.client.patch(
        f"/api/kb/questions/{created['id']}", {"text": "Другой вопрос"}
    )
    assert response.status == 409
    monkeypatch.undo()
    [current] = world.owner.client.get(
        f"/api/kb/articles/{article['id']}/questions"
    ).json["questions"]
    assert current["version"] == 2
    assert current["text"] == "Сколько дней хранится короб?"
    assert questions.get_version(created["id"], 3) is None


def test_concurrent_wrong_answers_one_counts(world, courses, monkeypatch):
    from chalicelib.kb import course_progress

    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    before = course_progress.load_records(course["id"], world.anna.id)
    courses.fail_question(world.anna, course["id"], question)

    # A second answer that read the learner's records before the first one
    # committed: the read mark it relies on is gone, so it is rejected.
    monkeypatch.setattr(attempts, "load_records", lambda *args: before)
    response = courses.answer(world.anna, course["id"], question, option_ids=["o2"])
    assert response.status == 409
    monkeypatch.undo()
    listed = world.anna.client.get(f"/api/kb/courses/{course['id']}/attempts").json
    assert [attempt["result"] for attempt in listed["attempts"]] == ["wrong"]


def test_concurrent_correct_answers_one_counts(world, courses, monkeypatch):
    from chalicelib.kb import course_progress

    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    before = course_progress.load_records(course["id"], world.anna.id)
    courses.pass_question(world.anna, course["id"], question)

    # A second correct answer that read the records before the first one
    # committed: the read mark is still there, but the answer count moved on.
    monkeypatch.setattr(attempts, "load_records", lambda *args: before)
    correct = [option["id"] for option in question["options"] if option["correct"]]
    response = courses.answer(world.anna, course["id"], question, option_ids=correct)
    assert response.status == 409
    monkeypatch.undo()
    listed = world.anna.client.get(f"/api/kb/courses/{course['id']}/attempts").json
    assert [attempt["result"] for attempt in listed["attempts"]] == ["correct"]


def test_concurrent_grades_one_wins(world, courses, monkeypatch):
    from chalicelib.kb import grading
    from chalicelib.kb.course_models import GRADING_PARTITION, GradingEntry

    article = courses.article()
    question = courses.question(article["id"], OPEN)
    course = courses.course([article["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], article["id"])
    sent = courses.answer(world.anna, course["id"], question, text="Взвешиваю.")
    answer_id = sent.json["answer"]["id"]
    stale = GradingEntry.get(GRADING_PARTITION, answer_id)
    grade = f"/api/kb/answers/{answer_id}/grade"
    assert world.boris.client.post(grade, {"passed": True}).status == 200

    # The owner opened the answer while it was still pending.
    monkeypatch.setattr(grading, "_entry", lambda attempt_id: stale)
    assert world.owner.client.post(grade, {"passed": False}).status == 409
    monkeypatch.undo()
    listed = world.anna.client.get(f"/api/kb/courses/{course['id']}/attempts").json
    assert [attempt["result"] for attempt in listed["attempts"]] == ["passed"]
    assert listed["attempts"][0]["graded_by"] == world.boris.id
