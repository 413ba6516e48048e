"""Course notifications: enrolment, deadline reminders, overdue notices and grades."""

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.kb import enrolment
from chalicelib.kb.course_models import Course, Enrolment
from chalicelib.kb.course_notices import (
    DUE_SOON,
    OVERDUE,
    reminder_kind,
    send_course_reminders,
)
from chalicelib.kb.course_progress import deadline_date, due_at
from shtab_local.scheduler import scheduled_functions
from tests.kb.conftest import notifications
from tests.kb.course_support import OPEN, SINGLE, Courses


@pytest.fixture
def courses(world) -> Courses:
    return Courses(world)


def texts_about(person, title: str) -> list[str]:
    return [
        message["text"] for message in notifications(person) if title in message["text"]
    ]


def graded_notices(person, title: str) -> list[str]:
    return [
        text for text in texts_about(person, title) if text.startswith(("✅", "❌"))
    ]


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def course_model(deadline_days: int | None, mandatory: bool = True) -> Course:
    return Course(
        sk="course",
        title="Курс",
        mandatory=mandatory,
        deadline_days=deadline_days,
        created_by="owner",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        updated_by="owner",
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def enrolment_model(required_since: datetime, required: bool = True) -> Enrolment:
    return Enrolment(
        course_id="course",
        learner_id="learner",
        required=required,
        enrolled_at=required_since,
        required_since=required_since,
    )


# Moscow is UTC+3 all year, so 21:00 UTC is already the next day there.
@pytest.mark.parametrize(
    ("required_since", "last_day", "ends_at"),
    [
        (
            datetime(2026, 3, 1, 20, 59, tzinfo=UTC),
            date(2026, 3, 4),
            datetime(2026, 3, 4, 21, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 3, 1, 21, 0, tzinfo=UTC),
            date(2026, 3, 5),
            datetime(2026, 3, 5, 21, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 12, 31, 22, 30, tzinfo=UTC),
            date(2027, 1, 4),
            datetime(2027, 1, 4, 21, 0, tzinfo=UTC),
        ),
    ],
    ids=["before Moscow midnight", "at Moscow midnight", "new year in Moscow"],
)
def test_deadline_counts_company_days(required_since, last_day, ends_at):
    course = course_model(3)
    assert deadline_date(course, required_since) == last_day
    assert due_at(course, enrolment_model(required_since)) == ends_at


def test_no_deadline_for_optional_or_released():
    since = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert due_at(course_model(None, mandatory=False), enrolment_model(since)) is None
    assert due_at(course_model(3), enrolment_model(since, required=False)) is None


# Enrolled at 12:00 on 1 March in Moscow: with 5 days the last day is 6 March,
# and the reminder starts on 4 March there; with 2 days there is none before
# the deadline, which ends 3 March.
@pytest.mark.parametrize(
    ("deadline_days", "now", "expected"),
    [
        (5, datetime(2026, 3, 3, 20, 59, tzinfo=UTC), None),
        (5, datetime(2026, 3, 3, 21, 0, tzinfo=UTC), DUE_SOON),
        (5, datetime(2026, 3, 6, 20, 59, tzinfo=UTC), DUE_SOON),
        (5, datetime(2026, 3, 6, 21, 0, tzinfo=UTC), OVERDUE),
        (2, datetime(2026, 3, 1, 10, 0, tzinfo=UTC), None),
        (2, datetime(2026, 3, 3, 20, 0, tzinfo=UTC), None),
        (2, datetime(2026, 3, 3, 21, 0, tzinfo=UTC), OVERDUE),
    ],
)
def test_reminder_kind_by_company_day(deadline_days, now, expected):
    since = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    record = enrolment_model(since)
    assert reminder_kind(course_model(deadline_days), record, now) == expected


def test_enrolment_notice_uses_company_date(world, courses, monkeypatch):
    # 22:30 UTC on 1 March is 01:30 on 2 March in Moscow.
    monkeypatch.setattr(
        enrolment, "utc_now", lambda: datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    )
    title = "Маркировка коробов: ночная смена"
    article = courses.article()
    courses.course(
        [article["id"]],
        ["content_manager"],
        title=title,
        mandatory=True,
        deadline_days=10,
    )
    hired = world.hire("Нина", "content_manager")
    [notice] = texts_about(hired, title)
    assert "обязательный курс" in notice
    assert "пройти до 2026-03-12" in notice


def reminder_world(world, courses, title: str):
    """Hire a learner onto a new 5-day mandatory course with one question.

    Return the learner, the course, its article and question, and the
    learner's enrolment as the course view shows it.
    """
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course(
        [article["id"]],
        ["content_manager"],
        title=title,
        mandatory=True,
        deadline_days=5,
    )
    learner = world.hire(f"Учащийся {title[-2:]}", "content_manager")
    record = courses.me(learner, course["id"])["enrolment"]
    return learner, course, article, question, record


def run_reminders(world, now: datetime) -> dict:
    result = send_course_reminders(now)
    world.pump.drain()
    return result


def test_due_soon_reminder_sent_once(world, courses):
    title = "Возвраты на склад: курс 01"
    learner, course, _article, _question, record = reminder_world(world, courses, title)
    due = parse_time(record["due_at"])
    assert record["due_date"] == (due - timedelta(hours=3)).date().isoformat()

    run_reminders(world, due - timedelta(days=4))
    assert len(texts_about(learner, title)) == 1  # the enrolment notice only

    run_reminders(world, due - timedelta(days=2))
    run_reminders(world, due - timedelta(days=2, hours=-1))
    run_reminders(world, due - timedelta(days=1))
    reminders = [text for text in texts_about(learner, title) if "⏰" in text]
    assert len(reminders) == 1
    assert f"до {record['due_date']} включительно" in reminders[0]
    assert "пройдено 0%" in reminders[0]


def test_overdue_notice_to_learner_and_manager_once(world, courses):
    title = "Возвраты на склад: курс 02"
    learner, course, _article, _question, record = reminder_world(world, courses, title)
    due = parse_time(record["due_at"])
    run_reminders(world, due + timedelta(hours=1))
    run_reminders(world, due + timedelta(hours=2))
    run_reminders(world, due + timedelta(days=3))

    overdue = [text for text in texts_about(learner, title) if "⚠️" in text]
    assert len(overdue) == 1
    assert f"истёк {record['due_date']}" in overdue[0]
    assert "руководитель тоже получил уведомление" in overdue[0]
    # A reminder that the deadline is near is not sent after it has passed.
    assert [text for text in texts_about(learner, title) if "⏰" in text] == []

    # Every content manager enrolled is overdue; the head of content gets one
    # notice for each, this learner's among them.
    name = learner_name(world, learner)
    managed = [
        text for text in texts_about(world.gleb, title) if text.startswith(f"⚠️ {name}:")
    ]
    assert len(managed) == 1
    assert texts_about(world.boris, title) == []


def learner_name(world, learner) -> str:
    response = world.owner.client.get(f"/api/users/{learner.id}")
    assert response.status == 200, response.body
    return response.json["user"]["name"]


def test_completed_course_gets_no_reminders(world, courses):
    title = "Возвраты на склад: курс 03"
    learner, course, article, question, record = reminder_world(world, courses, title)
    courses.read(learner, course["id"], article["id"])
    courses.pass_question(learner, course["id"], question)
    due = parse_time(record["due_at"])
    run_reminders(world, due - timedelta(days=1))
    run_reminders(world, due + timedelta(days=1))
    assert len(texts_about(learner, title)) == 1  # the enrolment notice only
    name = learner_name(world, learner)
    about_learner = [
        text for text in texts_about(world.gleb, title) if text.startswith(f"⚠️ {name}:")
    ]
    assert about_learner == []


def test_released_learner_gets_no_reminders(world, courses):
    title = "Возвраты на склад: курс 04"
    learner, course, _article, _question, record = reminder_world(world, courses, title)
    courses.transfer(learner, "accountant")
    due = parse_time(record["due_at"])
    run_reminders(world, due + timedelta(days=1))
    assert len(texts_about(learner, title)) == 1


def test_graded_answer_notifies_learner(world, courses):
    title = "Проверка коробов: открытые вопросы"
    article = courses.article()
    question = courses.question(article["id"], OPEN)
    course = courses.course([article["id"]], ["wb_manager"], title=title)
    courses.read(world.anna, course["id"], article["id"])

    first = courses.answer(world.anna, course["id"], question, text="Смотрю на вес.")
    assert first.status == 201, first.body
    failed = world.boris.client.post(
        f"/api/kb/answers/{first.json['answer']['id']}/grade",
        {"passed": False, "comment": "Нужно проверить и маркировку."},
    )
    assert failed.status == 200, failed.body
    [fail_notice] = graded_notices(world.anna, title)
    assert fail_notice.startswith("❌")
    assert "не зачтён" in fail_notice
    assert "Комментарий: Нужно проверить и маркировку." in fail_notice

    second = courses.answer(
        world.anna, course["id"], question, text="Вес и маркировку."
    )
    assert second.status == 201, second.body
    passed = world.boris.client.post(
        f"/api/kb/answers/{second.json['answer']['id']}/grade", {"passed": True}
    )
    assert passed.status == 200, passed.body
    notices = graded_notices(world.anna, title)
    assert len(notices) == 2
    [pass_notice] = [text for text in notices if text.startswith("✅")]
    assert pass_notice.endswith("зачтён.")
    links = {
        message["link"]
        for message in notifications(world.anna)
        if title in message["text"] and message["text"].startswith(("✅", "❌"))
    }
    assert links == {f"#/kb/courses/{course['id']}"}


def test_graded_notice_in_english(world, courses):
    title = "Проверка коробов: английская версия"
    article = courses.article()
    question = courses.question(article["id"], OPEN)
    course = courses.course(
        [article["id"]],
        ["accountant"],
        title=title,
        title_en="Box checks in English",
    )
    courses.read(world.alla, course["id"], article["id"])
    answer = courses.answer(world.alla, course["id"], question, text="I weigh them.")
    assert answer.status == 201, answer.body
    graded = world.owner.client.post(
        f"/api/kb/answers/{answer.json['answer']['id']}/grade", {"passed": True}
    )
    assert graded.status == 200, graded.body
    [notice] = graded_notices(world.alla, "Box checks in English")
    assert notice.startswith("✅ Your answer to")
    assert "has passed" in notice


def test_schedule_runs_daily_at_six_utc(app_module):
    functions = {
        item.name: item for item in scheduled_functions(app_module.app, app_module)
    }
    reminders = functions["kb_course_reminders"]
    assert reminders.matches(datetime(2026, 12, 4, 6, 0, tzinfo=UTC))
    assert not reminders.matches(datetime(2026, 12, 4, 5, 0, tzinfo=UTC))
