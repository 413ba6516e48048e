"""Checklists: items, progress, conversion into subtasks, concurrent ticks."""

from chalicelib.tasks import checklist
from chalicelib.tasks.schemas import ChecklistItemUpdate
from tests.tasks.conftest import history, new_task, race, viewer_for

ULID_LENGTH = 26


def add_item(person, task_id: str, body: dict) -> dict:
    response = person.client.post(f"/api/tasks/{task_id}/checklist", body)
    assert response.status == 201, response.body
    return response.json


def test_items_and_progress(team):
    task = new_task(team.owner, team.anna)
    first = add_item(team.anna, task["id"], {"text": "Выгрузить остатки"})
    second = add_item(
        team.owner,
        task["id"],
        {"text": "Сверить цены", "assignee_id": team.john.id, "due": "2026-12-10"},
    )
    item_id = first["item"]["id"]
    assert len(item_id) == ULID_LENGTH
    assert second["item"]["assignee_id"] == team.john.id
    assert second["item"]["due"] == {"kind": "date", "date": "2026-12-10"}
    assert second["task"]["checklist_progress"] == {"done": 0, "total": 2}

    ticked = team.anna.client.patch(
        f"/api/tasks/{task['id']}/checklist/{item_id}", {"done": True}
    )
    assert ticked.status == 200
    assert ticked.json["item"]["done"] is True
    assert ticked.json["item"]["done_by"] == team.anna.id
    assert ticked.json["task"]["checklist_progress"] == {"done": 1, "total": 2}

    renamed = team.anna.client.patch(
        f"/api/tasks/{task['id']}/checklist/{item_id}", {"text": "Выгрузить остатки WB"}
    )
    assert renamed.json["item"]["text"] == "Выгрузить остатки WB"
    assert renamed.json["item"]["id"] == item_id

    deleted = team.owner.client.delete(f"/api/tasks/{task['id']}/checklist/{item_id}")
    assert deleted.status == 200
    assert deleted.json["task"]["checklist_progress"] == {"done": 0, "total": 1}
    assert [item["text"] for item in deleted.json["task"]["checklist"]] == [
        "Сверить цены"
    ]

    fields = [entry["field"] for entry in history(team.owner, task["id"])]
    assert f"checklist.{item_id}.done" in fields
    assert f"checklist.{item_id}.text" in fields
    assert fields.count(f"checklist.{item_id}") == 2  # added, then deleted


def test_checklist_errors(team):
    task = new_task(team.owner, team.anna, watcher_ids=[team.boris.id])
    missing = team.anna.client.patch(
        f"/api/tasks/{task['id']}/checklist/01HMISSING0000000000000000", {"done": True}
    )
    assert missing.status == 404
    assert missing.error_field() == "item_id"
    watcher = team.boris.client.post(
        f"/api/tasks/{task['id']}/checklist", {"text": "Моё"}
    )
    assert watcher.status == 403
    item = add_item(team.anna, task["id"], {"text": "Пункт"})["item"]
    for body, field in [
        ({"done": "yes"}, "done"),
        ({"done": None}, "done"),
        ({"text": ""}, "text"),
        ({"text": "ж" * 201}, "text"),
        ({"due": "завтра"}, "due"),
        ({"assignee_id": "01HMISSING0000000000000000"}, "assignee_id"),
    ]:
        response = team.anna.client.patch(
            f"/api/tasks/{task['id']}/checklist/{item['id']}", body
        )
        assert response.status == 400, body
        assert response.error_field() == field, body
    empty = team.anna.client.patch(
        f"/api/tasks/{task['id']}/checklist/{item['id']}", {}
    )
    assert empty.status == 400


def test_item_becomes_subtask(team):
    task = new_task(team.owner, team.anna, priority="high")
    add_item(team.anna, task["id"], {"text": "Остаётся"})
    item = add_item(
        team.anna,
        task["id"],
        {"text": "Снять видео", "assignee_id": team.john.id, "due": "2026-12-20T12:00"},
    )["item"]

    response = team.anna.client.post(
        f"/api/tasks/{task['id']}/checklist/{item['id']}/subtask"
    )
    assert response.status == 201, response.body
    subtask = response.json["subtask"]
    parent = response.json["task"]
    assert subtask["title"] == "Снять видео"
    assert subtask["assignee_id"] == team.john.id
    assert subtask["parent_id"] == task["id"]
    assert subtask["priority"] == "high"
    assert subtask["due"]["at"] == "2026-12-20T09:00:00.000Z"
    assert subtask["creator_id"] == team.anna.id
    assert parent["subtask_ids"] == [subtask["id"]]
    assert [entry["text"] for entry in parent["checklist"]] == ["Остаётся"]

    detail = team.owner.client.get(f"/api/tasks/{task['id']}").json["task"]
    assert detail["subtasks"] == [
        {"id": subtask["id"], "title": "Снять видео", "status": "new"}
    ]
    converted = [
        entry
        for entry in history(team.owner, task["id"])
        if entry["action"] == "subtask"
    ]
    assert converted[0]["to"] == {"converted_to": subtask["id"]}

    again = team.anna.client.post(
        f"/api/tasks/{task['id']}/checklist/{item['id']}/subtask"
    )
    assert again.status == 404


def test_concurrent_ticks_keep_every_write(team):
    """Twenty people tick and untick one item at once; no write is lost."""
    task = new_task(team.owner, team.anna)
    item = add_item(team.anna, task["id"], {"text": "Общий пункт"})["item"]
    other = add_item(team.anna, task["id"], {"text": "Другой пункт"})["item"]
    viewer = viewer_for(team.anna)
    wishes = [index % 2 == 0 for index in range(20)]
    actions = [
        lambda done=done: checklist.update_item(
            task["id"],
            item["id"],
            ChecklistItemUpdate(done=done),
            {"done"},
            viewer,
        )
        for done in wishes
    ]
    # One more writer ticks a different item of the same task at the same time.
    actions.append(
        lambda: checklist.update_item(
            task["id"], other["id"], ChecklistItemUpdate(done=True), {"done"}, viewer
        )
    )
    assert race(actions) == ["ok"] * 21

    stored = team.anna.client.get(f"/api/tasks/{task['id']}").json["task"]
    done_by_id = {entry["id"]: entry["done"] for entry in stored["checklist"]}
    assert done_by_id[other["id"]] is True
    assert stored["checklist_progress"] == {
        "done": sum(done_by_id.values()),
        "total": 2,
    }

    ticks = [
        entry
        for entry in history(team.anna, task["id"])
        if entry["field"] == f"checklist.{item['id']}.done"
    ]
    # Each recorded change starts from the value the previous one left.
    previous = False
    for tick in ticks:
        assert tick["from"] == previous
        assert tick["to"] == (not previous)
        previous = tick["to"]
    assert done_by_id[item["id"]] == previous
    versions = [entry["version"] for entry in history(team.anna, task["id"])]
    assert len(set(versions)) == max(versions)
