"""Writing assignments: a draft and a task, and the task closed on publishing."""

from datetime import UTC, datetime

import pytest

from chalicelib.kb.assignments import complete_on_publish
from chalicelib.streams.records import Change
from tests.kb.conftest import Kb, put


@pytest.fixture
def section(kb: Kb) -> str:
    return kb.section_id("marketplaces")


def assign(person, section_id: str, **fields) -> dict:
    body = {"title": "Приёмка на складе Коледино", **fields}
    response = person.client.post(f"/api/kb/sections/{section_id}/assignments", body)
    assert response.status == 201, response.body
    return response.json


def task_of(person, task_id: str) -> dict:
    response = person.client.get(f"/api/tasks/{task_id}")
    assert response.status == 200, response.body
    return response.json["task"]


def listed(person, section_id: str) -> dict[str, dict]:
    response = person.client.get(f"/api/kb/sections/{section_id}/assignments")
    assert response.status == 200, response.body
    return {item["id"]: item for item in response.json["assignments"]}


def publish(world, kb: Kb, person, article_id: str) -> dict:
    article = kb.get(person, article_id)
    saved = kb.save(person, article, status="published")
    world.pump.drain()
    return saved


def status_history(person, task_id: str) -> list[dict]:
    response = person.client.get(f"/api/tasks/{task_id}/history")
    assert response.status == 200, response.body
    rows = response.json["entries"]
    return [row for row in rows if row["field"] == "status"]


def test_assignment_creates_draft_and_task(world, kb, section):
    created = assign(
        world.owner, section, assignee_user_id=world.anna.id, due="2026-12-20"
    )
    article, task = created["article"], created["task"]
    assert article["status"] == "draft"
    assert article["title"] == "Приёмка на складе Коледино"
    assert article["author"]["id"] == world.anna.id
    draft = kb.get(world.anna, article["id"])
    template = kb.get(world.owner, "instruction-template")
    assert draft["body"] == template["body"]
    assert draft["template_id"] == "instruction-template"
    assert task["assignee_id"] == world.anna.id
    assert task["creator_id"] == world.owner.id
    assert task["title"] == "Написать статью «Приёмка на складе Коледино»"
    assert f"#/kb/articles/{article['id']}" in task["description"]
    assert task["due_date"] == "2026-12-20"
    assert created["assignment"]["status"] == "open"
    assert created["assignment"]["article"]["id"] == article["id"]
    assert created["assignment"]["task"] == {"id": task["id"], "status": "new"}


def test_draft_editable_by_assignee_only(world, kb, section):
    created = assign(world.owner, section, assignee_user_id=world.anna.id)
    article_id = created["article"]["id"]
    draft = kb.get(world.anna, article_id)
    kb.save(world.anna, draft, body="# Приёмка\n\nШаги приёмки.")
    assert world.oleg.client.get(f"/api/kb/articles/{article_id}").status == 404
    assert task_of(world.anna, created["task"]["id"])["status"] == "new"


def test_english_assignee_gets_english_task(world, section):
    created = assign(
        world.owner, section, title="Returns", assignee_user_id=world.alla.id
    )
    assert created["task"]["title"] == 'Write the article "Returns"'
    assert "The draft in the knowledge base" in created["task"]["description"]


def test_publishing_completes_task(world, kb, section):
    created = assign(world.owner, section, assignee_user_id=world.anna.id)
    task_id = created["task"]["id"]
    publish(world, kb, world.anna, created["article"]["id"])
    task = task_of(world.owner, task_id)
    assert task["status"] == "done"
    item = listed(world.owner, section)[created["assignment"]["id"]]
    assert item["status"] == "published"
    assert item["published_at"] is not None
    assert item["task"]["status"] == "done"
    assert item["article"]["status"] == "published"
    changes = status_history(world.owner, task_id)
    assert [row["to"] for row in changes] == ["new", "done"]
    assert changes[-1]["actor_id"] == world.owner.id


def test_replayed_publication_changes_nothing(world, kb, section):
    created = assign(world.owner, section, assignee_user_id=world.anna.id)
    article_id, task_id = created["article"]["id"], created["task"]["id"]
    publish(world, kb, world.anna, article_id)
    before = task_of(world.owner, task_id)
    change = Change(
        event_id="replay",
        event_name="MODIFY",
        new={"sk": "ARTICLE", "article_id": article_id, "status": "published"},
        old={"sk": "ARTICLE", "article_id": article_id, "status": "draft"},
        happened_at=datetime.now(UTC),
        new_raw={},
    )
    assert complete_on_publish(change) is True
    assert complete_on_publish(change) is True
    after = task_of(world.owner, task_id)
    assert after["version"] == before["version"]
    assert after["status"] == "done"


def test_later_saves_leave_reopened_task(world, kb, section):
    created = assign(world.owner, section, assignee_user_id=world.anna.id)
    article_id, task_id = created["article"]["id"], created["task"]["id"]
    published = publish(world, kb, world.anna, article_id)
    reopened = world.owner.client.patch(
        f"/api/tasks/{task_id}", {"status": "in_progress"}
    )
    assert reopened.status == 200, reopened.body
    kb.save(world.anna, published, body="Новый текст.", significant=True)
    world.pump.drain()
    assert task_of(world.owner, task_id)["status"] == "in_progress"


def test_postponed_task_completed_on_publish(world, kb, section):
    created = assign(world.owner, section, assignee_user_id=world.anna.id)
    task_id = created["task"]["id"]
    postponed = world.anna.client.patch(
        f"/api/tasks/{task_id}", {"status": "postponed"}
    )
    assert postponed.status == 200, postponed.body
    publish(world, kb, world.anna, created["article"]["id"])
    assert task_of(world.owner, task_id)["status"] == "done"
    steps = [row["to"] for row in status_history(world.owner, task_id)]
    assert steps == ["new", "postponed", "in_progress", "done"]


def test_task_requiring_review_goes_through_review(world, kb, section):
    created = assign(world.owner, section, assignee_user_id=world.anna.id)
    task_id = created["task"]["id"]
    changed = world.owner.client.patch(
        f"/api/tasks/{task_id}", {"requires_review": True}
    )
    assert changed.status == 200, changed.body
    publish(world, kb, world.anna, created["article"]["id"])
    steps = [row["to"] for row in status_history(world.owner, task_id)]
    assert steps == ["new", "review", "done"]


def test_cancelled_task_stays_cancelled(world, kb, section):
    created = assign(world.owner, section, assignee_user_id=world.anna.id)
    task_id = created["task"]["id"]
    cancelled = world.owner.client.patch(
        f"/api/tasks/{task_id}", {"status": "cancelled"}
    )
    assert cancelled.status == 200, cancelled.body
    publish(world, kb, world.anna, created["article"]["id"])
    assert task_of(world.owner, task_id)["status"] == "cancelled"
    item = listed(world.owner, section)[created["assignment"]["id"]]
    assert item["status"] == "published"


def test_list_needs_edit_rights(world, section):
    created = assign(world.owner, section, assignee_user_id=world.oleg.id)
    assert created["assignment"]["id"] in listed(world.boris, section)
    response = world.anna.client.get(f"/api/kb/sections/{section}/assignments")
    assert response.status == 403


def test_head_of_department_assigns(world, section):
    created = assign(world.boris, section, assignee_user_id=world.oleg.id)
    assert created["task"]["creator_id"] == world.boris.id


def test_list_pages_oldest_first(world, kb):
    section = kb.section_id("content")
    ids = [
        assign(
            world.owner,
            section,
            title=f"Статья {number}",
            assignee_user_id=world.gleb.id,
        )["assignment"]["id"]
        for number in range(3)
    ]
    first = world.owner.client.get(
        f"/api/kb/sections/{section}/assignments?limit=2"
    ).json
    assert [item["id"] for item in first["assignments"]] == ids[:2]
    after = first["next_after"]
    second = world.owner.client.get(
        f"/api/kb/sections/{section}/assignments?limit=2&after={after}"
    ).json
    assert [item["id"] for item in second["assignments"]] == ids[2:]
    assert second["next_after"] is None


def test_rejected_assignment_writes_nothing(world, kb, section):
    before = listed(world.owner, section)
    response = world.owner.client.post(
        f"/api/kb/sections/{section}/assignments",
        {"title": "Без исполнителя", "assignee_user_id": "nobody"},
    )
    assert response.status == 400
    assert listed(world.owner, section) == before
    titles = {
        item["title"]
        for item in world.owner.client.get(f"/api/kb/sections/{section}").json[
            "articles"
        ]
    }
    assert "Без исполнителя" not in titles


def test_assignment_put_keeps_assignee_author(world, kb, section):
    created = assign(world.owner, section, assignee_user_id=world.anna.id)
    article_id = created["article"]["id"]
    response = put(
        world.owner,
        f"/api/kb/articles/{article_id}",
        {"base_revision": 1, "title": "Новое название"},
    )
    assert response.status == 200, response.body
    assert response.json["article"]["author"]["id"] == world.anna.id
