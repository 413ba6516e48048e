"""Courses: rights, enrolment by position through the users stream, progress, report."""

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.kb import course_report, course_routes, enrolment
from tests.kb.conftest import notifications
from tests.kb.course_support import SINGLE, Courses, shift_clock


@pytest.fixture
def courses(world) -> Courses:
    return Courses(world)


def enrolled(person, course_id: str) -> dict | None:
    """Return the person's enrolment on the course, or None if they have none."""
    response = person.client.get(f"/api/kb/courses/{course_id}/me")
    if response.status == 403:
        return None
    assert response.status == 200, response.body
    return response.json["enrolment"]


def test_section_editor_manages_course(world, courses):
    article = courses.article()
    course = courses.course([article["id"]], ["wb_manager"], person=world.boris)
    assert course["can_edit"] is True
    changed = courses.change_course(
        course["id"], {"title": "Отгрузки: основы"}, person=world.boris
    )
    assert changed["title"] == "Отгрузки: основы"
    assert changed["revision"] == 2

    denied = world.anna.client.patch(
        f"/api/kb/courses/{course['id']}", {"title": "Моё"}
    )
    assert denied.status == 403
    assert world.anna.client.delete(f"/api/kb/courses/{course['id']}").status == 403
    as_anna = world.anna.client.get(f"/api/kb/courses/{course['id']}").json["course"]
    assert as_anna["can_edit"] is False


def test_editor_cannot_add_foreign_section(world, courses):
    foreign = courses.article(section_id=courses.kb.section_id("content"))
    response = world.boris.client.post(
        "/api/kb/courses",
        {
            "title": "Карточки",
            "article_ids": [foreign["id"]],
            "position_ids": [world.positions["wb_manager"]],
        },
    )
    assert response.status == 403
    assert response.json["error"]["field"] == "article_ids.0"


def test_holders_enrolled_on_create(world, courses):
    article = courses.article()
    course = courses.course([article["id"]], ["wb_manager"])
    mine = enrolled(world.anna, course["id"])
    assert mine is not None
    assert mine["required"] is True
    assert mine["position_id"] == world.positions["wb_manager"]
    assert enrolled(world.oleg, course["id"]) is None
    listed = world.anna.client.get("/api/kb/courses").json["courses"]
    [shown] = [item for item in listed if item["id"] == course["id"]]
    assert (shown["enrolled"], shown["required"]) == (True, True)


def test_hire_enrolled_through_stream(world, courses):
    article = courses.article()
    course = courses.course([article["id"]], ["content_manager"])
    hired = world.hire("Дина", "content_manager")
    mine = enrolled(hired, course["id"])
    assert mine is not None
    assert mine["required"] is True
    assert courses.me(hired, course["id"])["next_item"]["article_id"] == article["id"]
    texts = [message["text"] for message in notifications(hired)]
    assert any("«Отгрузки на склады маркетплейсов»" in text for text in texts), texts


def test_mandatory_enrolment_notice_in_english(world, courses):
    article = courses.article()
    course = courses.course(
        [article["id"]],
        ["content_manager"],
        title_en="Shipping to marketplace warehouses",
        mandatory=True,
        deadline_days=10,
    )
    hired = world.hire("Ella", "content_manager", locale="en")
    [notice] = [
        message
        for message in notifications(hired)
        if "Shipping to marketplace warehouses" in message["text"]
    ]
    assert "mandatory course" in notice["text"]
    assert "due 20" in notice["text"]
    assert notice["link"] == f"#/kb/courses/{course['id']}"


def test_transfer_enrols_and_releases(world, courses):
    article = courses.article()
    question = courses.question(article["id"], SINGLE)
    course = courses.course(
        [article["id"]], ["content_manager"], mandatory=True, deadline_days=7
    )
    mover = world.hire("Егор", "accountant")
    assert enrolled(mover, course["id"]) is None

    courses.transfer(mover, "content_manager")
    mine = enrolled(mover, course["id"])
    assert mine["required"] is True
    assert mine["due_at"] is not None
    courses.read(mover, course["id"], article["id"])
    courses.pass_question(mover, course["id"], question)

    # Leaving the position keeps the record, but the course is no longer required.
    courses.transfer(mover, "accountant")
    mine = enrolled(mover, course["id"])
    assert mine["required"] is False
    assert mine["released_at"] is not None
    assert mine["due_at"] is None
    assert courses.me(mover, course["id"])["progress"]["complete"] is True

    courses.transfer(mover, "content_manager")
    assert enrolled(mover, course["id"])["required"] is True


def _stale_user_record(user_id: str, position_id: str) -> DynamoDBRecord:
    """A users-stream INSERT whose image shows a position the person left since."""
    image = {
        "user_id": {"S": user_id},
        "status": {"S": "active"},
        "position_id": {"S": position_id},
    }
    return DynamoDBRecord(
        {
            "eventID": f"stale-{user_id}",
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": {"user_id": {"S": user_id}},
                "NewImage": image,
                "ApproximateCreationDateTime": 1_700_000_000,
            },
        }
    )


def test_replayed_record_follows_current_state(world, courses):
    article = courses.article()
    current = courses.course([article["id"]], ["content_manager"])
    left = courses.course([article["id"]], ["accountant"])
    mover = world.hire("Жанна", "accountant")
    courses.transfer(mover, "content_manager")
    before = enrolled(mover, current["id"])
    assert enrolled(mover, left["id"])["required"] is False

    # A replayed hire record still names the old position; the reaction reads
    # the person as they are now, so nothing changes.
    enrolment.handle_user_record(
        _stale_user_record(mover.id, world.positions["accountant"])
    )
    assert enrolled(mover, current["id"]) == before
    assert enrolled(mover, left["id"])["required"] is False


def test_deactivation_releases(world, courses):
    article = courses.article()
    course = courses.course([article["id"]], ["content_manager"])
    leaver = world.hire("Зоя", "content_manager")
    assert enrolled(leaver, course["id"])["required"] is True
    response = world.owner.client.delete(f"/api/users/{leaver.id}")
    assert response.status in (200, 204), response.body
    world.pump.drain()
    rows = courses.report(world.owner, course["id"])
    assert rows[leaver.id]["required"] is False
    assert rows[leaver.id]["user"]["active"] is False


def test_position_change_enrols_and_releases(world, courses):
    article = courses.article()
    course = courses.course([article["id"]], ["wb_manager"])
    courses.change_course(
        course["id"], {"position_ids": [world.positions["ozon_manager"]]}
    )
    assert enrolled(world.oleg, course["id"])["required"] is True
    anna = enrolled(world.anna, course["id"])
    assert anna["required"] is False
    assert anna["released_at"] is not None


def test_progress_follows_content(world, courses):
    first = courses.article()
    second = courses.article(title="Как упаковать короб")
    question = courses.question(first["id"], SINGLE)
    course = courses.course([first["id"]], ["wb_manager"])
    courses.read(world.anna, course["id"], first["id"])
    courses.pass_question(world.anna, course["id"], question)
    progress = courses.me(world.anna, course["id"])["progress"]
    assert (progress["completed"], progress["total"], progress["percent"]) == (
        1,
        1,
        100,
    )

    courses.change_course(course["id"], {"article_ids": [first["id"], second["id"]]})
    me = courses.me(world.anna, course["id"])
    assert (me["progress"]["completed"], me["progress"]["total"]) == (1, 2)
    assert me["progress"]["percent"] == 50
    assert me["next_item"] == {"position": 2, "article_id": second["id"]}

    # A new question on a completed article reopens it.
    added = courses.question(first["id"], SINGLE)
    me = courses.me(world.anna, course["id"])
    assert me["progress"]["completed"] == 0
    assert me["items"][0]["state"] == "to_answer"
    courses.pass_question(world.anna, course["id"], added)

    courses.change_course(course["id"], {"article_ids": [first["id"]]})
    progress = courses.me(world.anna, course["id"])["progress"]
    assert (progress["completed"], progress["total"], progress["percent"]) == (
        1,
        1,
        100,
    )
    assert progress["complete"] is True


def test_read_only_article_completes_item(world, courses):
    article = courses.article()
    course = courses.course([article["id"]], ["wb_manager"])
    assert courses.me(world.anna, course["id"])["items"][0]["state"] == "to_read"
    me = courses.read(world.anna, course["id"], article["id"])
    assert me["items"][0]["state"] == "done"
    assert me["next_item"] is None
    assert me["progress"]["complete"] is True


def test_report_visibility(world, courses):
    article = courses.article()
    course = courses.course(
        [article["id"]],
        ["wb_manager", "ozon_manager", "head_of_content"],
        mandatory=True,
        deadline_days=3,
    )
    everyone = {world.anna.id, world.oleg.id, world.gleb.id}
    assert set(courses.report(world.owner, course["id"])) >= everyone
    assert set(courses.report(world.vera, course["id"])) >= everyone
    boris_sees = set(courses.report(world.boris, course["id"]))
    assert {world.anna.id, world.oleg.id} <= boris_sees
    assert world.gleb.id not in boris_sees
    assert courses.report(world.anna, course["id"]) == {}
    assert courses.report(world.alla, course["id"]) == {}


def test_report_flags_overdue(world, courses, monkeypatch):
    article = courses.article()
    course = courses.course(
        [article["id"]], ["wb_manager", "ozon_manager"], mandatory=True, deadline_days=3
    )
    courses.read(world.oleg, course["id"], article["id"])
    rows = courses.report(world.boris, course["id"])
    assert rows[world.anna.id]["overdue"] is False
    assert rows[world.anna.id]["progress"]["percent"] == 0
    assert rows[world.oleg.id]["progress"]["percent"] == 100

    shift_clock(monkeypatch, [course_report, course_routes], 4 * 24 * 3600)
    rows = courses.report(world.boris, course["id"])
    assert rows[world.anna.id]["overdue"] is True
    assert rows[world.oleg.id]["overdue"] is False
    assert courses.me(world.anna, course["id"])["enrolment"]["overdue"] is True


def test_optional_course_never_overdue(world, courses, monkeypatch):
    article = courses.article()
    course = courses.course([article["id"]], ["wb_manager"])
    shift_clock(monkeypatch, [course_report], 400 * 24 * 3600)
    row = courses.report(world.owner, course["id"])[world.anna.id]
    assert row["due_at"] is None
    assert row["overdue"] is False


def test_deleted_course_is_gone(world, courses):
    article = courses.article()
    course = courses.course([article["id"]], ["wb_manager"])
    assert world.owner.client.delete(f"/api/kb/courses/{course['id']}").status == 204
    assert world.anna.client.get(f"/api/kb/courses/{course['id']}/me").status == 404
    assert world.owner.client.get(f"/api/kb/courses/{course['id']}").status == 404
