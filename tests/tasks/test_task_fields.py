"""Task fields, who may edit them, who may see a task, and its history."""

from tests.tasks.conftest import history, new_task, patch_task

MISSING_ID = "01HMISSING0000000000000000"


def test_create_stores_every_field(team):
    description = "## Шаги\n\n- [ ] выгрузить остатки\n- **срочно** <b>как есть</b>"
    task = new_task(
        team.owner,
        team.anna,
        description=description,
        co_assignee_ids=[team.john.id],
        watcher_ids=[team.boris.id, team.katya.id],
        priority="urgent",
        tags=["WB", "цены", "wb"],
        due="2026-12-15",
        requires_review=True,
        reviewer_id=team.boris.id,
    )
    assert task["description"] == description
    assert task["co_assignee_ids"] == [team.john.id]
    assert task["watcher_ids"] == [team.boris.id, team.katya.id]
    assert task["priority"] == "urgent"
    assert task["tags"] == ["WB", "цены"]
    assert task["due"] == {"kind": "date", "date": "2026-12-15"}
    assert task["due_date"] == "2026-12-15"
    assert task["requires_review"] is True
    assert task["reviewer_id"] == team.boris.id
    assert task["status"] == "new"
    assert task["checklist_progress"] == {"done": 0, "total": 0}
    # Without department_id the task goes to the responsible person's department.
    assert (
        task["department_id"]
        == team.departments["Marketplace account management"]["id"]
    )


def test_due_date_time_in_company_zone(team):
    naive = new_task(team.owner, team.anna, due="2026-12-15T18:00")
    assert naive["due"]["kind"] == "datetime"
    assert naive["due"]["at"] == "2026-12-15T15:00:00.000Z"
    assert naive["due"]["local"] == "2026-12-15T18:00+03:00"
    assert naive["due"]["time_zone"] == "Europe/Moscow"

    # Late evening UTC is already the next day in Moscow.
    with_offset = new_task(team.owner, team.anna, due="2026-12-15T22:30:00Z")
    assert with_offset["due"]["at"] == "2026-12-15T22:30:00.000Z"
    assert with_offset["due"]["date"] == "2026-12-16"
    assert with_offset["due_date"] == "2026-12-16"


def test_due_first_name_still_accepted(team):
    task = new_task(team.owner, team.anna, due_date="2026-12-10")
    assert task["due"] == {"kind": "date", "date": "2026-12-10"}


def test_bad_due_values_rejected(team):
    for body, field in [
        ({"due": "15.12.2026"}, "due"),
        ({"due": "2026-02-30"}, "due"),
        ({"due": 1766000000}, "due"),
        ({"due": "1999-12-31"}, "due"),
        ({"due_date": "2026-12-15T25:00"}, "due_date"),
        ({"due": "2026-12-15", "due_date": "2026-12-15"}, "due"),
    ]:
        response = team.owner.client.post(
            "/api/tasks", {"title": "Срок", "assignee_id": team.anna.id, **body}
        )
        assert response.status == 400, (body, response.body)
        assert response.error_field() == field, body


def test_people_rules_rejected(team):
    cases = [
        ({"co_assignee_ids": [team.anna.id]}, "co_assignee_ids"),
        ({"requires_review": True, "reviewer_id": team.boris.id}, "reviewer_id"),
        (
            {"reviewer_id": team.boris.id, "watcher_ids": [team.boris.id]},
            "reviewer_id",
        ),
        ({"watcher_ids": [MISSING_ID]}, "watcher_ids"),
        ({"co_assignee_ids": [MISSING_ID]}, "co_assignee_ids"),
        ({"department_id": MISSING_ID}, "department_id"),
        ({"priority": "asap"}, "priority"),
        ({"tags": [""]}, "tags.0"),
        ({"requires_review": "yes"}, "requires_review"),
    ]
    for body, field in cases:
        response = team.owner.client.post(
            "/api/tasks", {"title": "Люди", "assignee_id": team.anna.id, **body}
        )
        assert response.status == 400, (body, response.body)
        assert response.error_field() == field, body


def test_only_creator_or_admin_edit_fields(team):
    task = new_task(
        team.boris,
        team.anna,
        co_assignee_ids=[team.john.id],
        watcher_ids=[team.katya.id],
    )
    for person in (team.anna, team.john, team.katya):
        response = patch_task(person, task["id"], {"title": "Другое"})
        assert response.status == 403, person.email
    response = patch_task(team.boris, task["id"], {"title": "Другое", "tags": ["x"]})
    assert response.status == 200
    assert response.json["task"]["title"] == "Другое"
    response = patch_task(team.owner, task["id"], {"priority": "high"})
    assert response.status == 200
    assert response.json["task"]["priority"] == "high"


def test_co_assignee_changes_status(team):
    task = new_task(team.owner, team.anna, co_assignee_ids=[team.john.id])
    response = patch_task(team.john, task["id"], {"status": "in_progress"})
    assert response.status == 200
    assert response.json["task"]["status"] == "in_progress"
    # A watcher follows the task but does not work on it.
    watched = new_task(team.owner, team.anna, watcher_ids=[team.katya.id])
    response = patch_task(team.katya, watched["id"], {"status": "in_progress"})
    assert response.status == 403


def test_reassign_to_co_assignee_moves_them(team):
    task = new_task(team.owner, team.anna, co_assignee_ids=[team.john.id])
    response = patch_task(team.owner, task["id"], {"assignee_id": team.john.id})
    assert response.status == 200
    assert response.json["task"]["assignee_id"] == team.john.id
    assert response.json["task"]["co_assignee_ids"] == []


def test_null_list_rejected_with_hint(team):
    task = new_task(team.owner, team.anna)
    response = patch_task(team.owner, task["id"], {"watcher_ids": None})
    assert response.status == 400
    assert response.error_field() == "watcher_ids"
    assert "[]" in response.json["error"]["message"]


def test_invisible_task_is_not_found(team):
    task = new_task(team.owner, team.anna)
    task_id = task["id"]
    for response in (
        team.katya.client.get(f"/api/tasks/{task_id}"),
        team.katya.client.patch(f"/api/tasks/{task_id}", {"status": "done"}),
        team.katya.client.post(f"/api/tasks/{task_id}/comments", {"text": "?"}),
        team.katya.client.get(f"/api/tasks/{task_id}/history"),
        team.katya.client.post(f"/api/tasks/{task_id}/checklist", {"text": "x"}),
        team.gleb.client.get(f"/api/tasks/{task_id}"),
    ):
        assert response.status == 404, response.body
        assert response.json["error"]["code"] == "not_found"
    missing = team.katya.client.get(f"/api/tasks/{MISSING_ID}")
    assert missing.status == 404
    assert (
        missing.json["error"]["message"].replace(MISSING_ID, task_id)
        == (team.katya.client.get(f"/api/tasks/{task_id}").json["error"]["message"])
    )


def test_manager_up_the_chain_sees_task(team):
    task = new_task(team.owner, team.anna)
    assert team.boris.client.get(f"/api/tasks/{task['id']}").status == 200
    assert team.owner.client.get(f"/api/tasks/{task['id']}").status == 200
    # Глеб manages content, not marketplaces.
    assert team.gleb.client.get(f"/api/tasks/{task['id']}").status == 404
    # A manager can see the task, but edits stay with its creator.
    response = patch_task(team.boris, task["id"], {"title": "Моё"})
    assert response.status == 403


def test_history_records_each_change(team):
    task = new_task(team.owner, team.anna, title="Отчёт", priority="low")
    patch_task(team.owner, task["id"], {"title": "Отчёт за месяц", "due": "2026-12-01"})
    patch_task(team.anna, task["id"], {"status": "in_progress"})
    patch_task(team.owner, task["id"], {"watcher_ids": [team.boris.id]})

    entries = history(team.owner, task["id"])
    created = [entry for entry in entries if entry["version"] == 1]
    assert {entry["field"] for entry in created} >= {"title", "assignee_id", "status"}
    assert all(entry["from"] is None for entry in created)
    assert all(entry["actor_id"] == team.owner.id for entry in created)

    later = sorted(
        (
            (entry["version"], entry["field"], entry["from"], entry["to"])
            for entry in entries
            if entry["version"] > 1
        ),
        key=lambda row: row[:2],
    )
    assert later == [
        (2, "due", None, {"kind": "date", "date": "2026-12-01"}),
        (2, "title", "Отчёт", "Отчёт за месяц"),
        (3, "status", "new", "in_progress"),
        (4, "watcher_ids", [], [team.boris.id]),
    ]
    status_entry = next(entry for entry in entries if entry["version"] == 3)
    assert status_entry["actor_name"] == "Анна"
    assert status_entry["at"].endswith("Z")


def test_unchanged_patch_writes_no_history(team):
    task = new_task(team.owner, team.anna, title="Одно")
    response = patch_task(team.owner, task["id"], {"title": "Одно"})
    assert response.status == 200
    assert max(entry["version"] for entry in history(team.owner, task["id"])) == 1


def test_history_pages(team):
    task = new_task(team.owner, team.anna)
    for index in range(4):
        patch_task(team.owner, task["id"], {"title": f"Версия {index}"})
    first = team.owner.client.get(f"/api/tasks/{task['id']}/history?limit=2").json
    assert {entry["version"] for entry in first["entries"]} == {1, 2}
    assert first["next_cursor"] == "2"
    second = team.owner.client.get(
        f"/api/tasks/{task['id']}/history?limit=2&cursor={first['next_cursor']}"
    ).json
    assert {entry["version"] for entry in second["entries"]} == {3, 4}
    bad = team.owner.client.get(f"/api/tasks/{task['id']}/history?cursor=abc")
    assert bad.status == 400
    assert bad.error_field() == "cursor"


def test_comment_mentions_validated(team):
    task = new_task(team.owner, team.anna)
    response = team.anna.client.post(
        f"/api/tasks/{task['id']}/comments",
        {"text": "Гляньте", "mentions": [MISSING_ID]},
    )
    assert response.status == 400
    assert response.error_field() == "mentions"
    response = team.anna.client.post(
        f"/api/tasks/{task['id']}/comments", {"text": "Гляньте", "mentions": "me"}
    )
    assert response.status == 400
    assert response.error_field() == "mentions"


def test_mention_makes_outsider_a_watcher(team):
    task = new_task(team.owner, team.anna)
    assert team.katya.client.get(f"/api/tasks/{task['id']}").status == 404
    response = team.anna.client.post(
        f"/api/tasks/{task['id']}/comments",
        {"text": "Катя, нужны фото", "mentions": [team.katya.id]},
    )
    assert response.status == 201
    assert response.json["comment"]["mentions"] == [team.katya.id]
    seen = team.katya.client.get(f"/api/tasks/{task['id']}")
    assert seen.status == 200
    assert seen.json["task"]["watcher_ids"] == [team.katya.id]
    mentioned = [
        entry
        for entry in history(team.owner, task["id"])
        if entry["action"] == "mentioned"
    ]
    assert len(mentioned) == 1
    assert mentioned[0]["actor_id"] == team.anna.id
