"""POST /api/tasks/import: real Trello and CSV exports become tasks.

The fixtures are real exports kept by other projects; tests/fixtures/tasks/
README.md names each source and licence.
"""

import json
from pathlib import Path
from urllib.parse import quote

from chalicelib.tasks.models import Task

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tasks"
OCTET_STREAM = {"Content-Type": "application/octet-stream"}


def upload(
    person, raw: bytes, query: str, content_type: str = "application/octet-stream"
):
    return person.client.post(
        f"/api/tasks/import?{query}", raw=raw, headers={"Content-Type": content_type}
    )


def created_by(person) -> list[Task]:
    return list(Task.creator_index.query(person.id))


def tasks_by_title(person) -> dict[str, list[Task]]:
    found: dict[str, list[Task]] = {}
    for task in created_by(person):
        found.setdefault(task.title, []).append(task)
    return found


def test_trello_board_imported(team, pump):
    raw = (FIXTURES / "trello-kanban-board.json").read_bytes()
    response = upload(team.boris, raw, "format=trello")
    assert response.status == 201, response.body
    report = response.json
    assert report["created"] == 14
    assert len(report["task_ids"]) == 14
    assert report["skipped"] == [
        {
            "row": "card 8: Running Experiments",
            "reason": "the card's list 'Running' is archived",
        },
        {
            "row": "card 11: Ship Celebrations for Trello",
            "reason": "the card is archived",
        },
    ]
    tasks = tasks_by_title(team.boris)
    assert tasks["Doing"][0].status == "in_progress"
    assert tasks["Backlog"][0].status == "new"
    done = tasks["[Completed task]"][0]
    assert done.status == "done"
    assert done.done_at is not None
    assert done.due_date == "2020-01-23"
    review = tasks["Code Review"][0]
    assert review.status == "review"
    assert review.requires_review is True
    assert all(task.assignee_id == team.boris.id for task in created_by(team.boris))
    pump.drain()
    opened = team.boris.client.get(f"/api/tasks/{done.task_id}")
    assert opened.status == 200
    assert opened.json["task"]["status"] == "done"


def test_trello_status_mapping(team, pump):
    raw = (FIXTURES / "trello-kanban-board.json").read_bytes()
    mapping = quote(json.dumps({"Design": "postponed", "Done 🎉": "cancelled"}))
    response = upload(team.boris, raw, f"format=trello&statuses={mapping}")
    assert response.status == 201, response.body
    tasks = tasks_by_title(team.boris)
    assert tasks["Design & Research"][0].status == "postponed"
    assert tasks["[Completed task]"][0].status == "cancelled"
    assert tasks["Doing"][0].status == "in_progress"


def test_trello_checklist_comments_members(team, pump, hire):
    anna = team.anna
    board = json.loads((FIXTURES / "trello-checklists-comments.json").read_text())
    # The export lists no members; one on the card matches Анна by full name.
    board["members"] = [{"id": "m1", "fullName": "Анна", "username": "anna"}]
    board["cards"][0]["idMembers"] = ["m1", "m2"]
    response = upload(team.boris, json.dumps(board).encode(), "format=trello")
    assert response.status == 201, response.body
    [task_id] = response.json["task_ids"]
    assert {
        "row": "card 1: Audit task – Å 中文",
        "reason": "1 attachment(s) were not imported; upload them to the task again",
    } in response.json["warnings"]
    assert any("'m2'" in item["reason"] for item in response.json["warnings"])
    pump.drain()
    opened = anna.client.get(f"/api/tasks/{task_id}")
    assert opened.status == 200, opened.body
    task = opened.json["task"]
    assert task["assignee_id"] == anna.id
    assert task["title"] == "Audit task – Å 中文"
    assert task["tags"] == ["Audit label"]
    assert [(item["text"], item["done"]) for item in task["checklist"]] == [
        ("Audit step", True)
    ]
    assert task["due"]["at"] == "2026-09-30T12:34:56.000Z"
    [comment] = opened.json["comments"]
    assert comment["text"] == "dummy, 2026-09-30 (Trello):\nAudit comment"
    assert comment["author_id"] == team.boris.id


def test_plane_csv_matches_people_by_name(team, pump, hire):
    jane = hire("Jane Smith")
    raw = (FIXTURES / "plane-export.csv").read_bytes()
    response = upload(
        team.owner, raw, f"format=csv&assignee_id={team.anna.id}", "text/csv"
    )
    assert response.status == 201, response.body
    report = response.json
    assert report["created"] == 7
    assert [item["row"] for item in report["skipped"]] == ["line 7", "line 10"]
    assert sorted(item["name"] for item in report["placeholders"]) == [
        "Alice Brown",
        "Bob Wilson",
        "John Doe",
    ]
    john = next(
        item["id"] for item in report["placeholders"] if item["name"] == "John Doe"
    )
    tasks = tasks_by_title(team.owner)
    auth = tasks["Implement user authentication"][0]
    assert auth.assignee_id == jane.id
    assert auth.watcher_ids == [john]
    assert auth.tags == ["backend", "security"]
    assert auth.priority == "high"
    dashboard = tasks["Fix dashboard loading issue"][0]
    assert dashboard.assignee_id == john
    assert dashboard.co_assignee_ids == [jane.id]
    assert dashboard.status == "in_progress"
    assert dashboard.due_date == "2024-01-05"
    sub_task = tasks["Sub-task: Profile dashboard"][0]
    assert sub_task.parent_id == dashboard.task_id
    research = tasks["Research caching strategies"][0]
    assert research.assignee_id == team.anna.id
    assert research.priority == "low"
    assert tasks["Cancelled feature request"][0].status == "cancelled"
    opened = team.owner.client.get(f"/api/tasks/{dashboard.task_id}")
    assert opened.status == 200, opened.body
    assert opened.json["task"]["placeholders"] == {john: "John Doe"}
    assert [comment["text"] for comment in opened.json["comments"]] == [
        "Jane Smith, 2024-01-01 (Plane):\nStarted investigating the root cause",
        "John Doe, 2024-01-02 (Plane):\nFound the issue - missing index on queries",
    ]


def test_cp1251_csv_with_email(team, pump):
    text = (
        "Название;Описание;Статус;Срок;Email исполнителя;Теги\n"
        'Сверить остатки;"Склад\nи FBO";Готово;31.12.2026;'
        f"{team.anna.email};склад, срочно\n"
        "Позвонить поставщику;;;;;\n"
    )
    response = upload(team.boris, text.encode("cp1251"), "format=csv")
    assert response.status == 201, response.body
    assert response.json["created"] == 2
    tasks = tasks_by_title(team.boris)
    task = tasks["Сверить остатки"][0]
    assert task.description == "Склад\nи FBO"
    assert task.status == "done"
    assert task.due_date == "2026-12-31"
    assert task.assignee_id == team.anna.id
    assert task.tags == ["склад", "срочно"]
    assert tasks["Позвонить поставщику"][0].assignee_id == team.boris.id


def test_bad_row_skipped_others_kept(team, pump):
    text = "title,due\nХорошая,2026-12-40\n\u202eплохая,\n"
    response = upload(team.boris, text.encode(), "format=csv")
    assert response.status == 201, response.body
    assert response.json["created"] == 1
    [skipped] = response.json["skipped"]
    assert skipped["row"] == "line 3"
    assert "title" in skipped["reason"]
    [warning] = response.json["warnings"]
    assert warning["row"] == "line 2"
    assert "2026-12-40" in warning["reason"]
    [task] = created_by(team.boris)
    assert task.due_date is None


def test_employee_cannot_import(team, pump):
    response = upload(team.anna, b"title\nX\n", "format=csv")
    assert response.status == 403
    assert created_by(team.anna) == []


def test_bad_file_creates_nothing(team, pump):
    cases = [
        (b'{"cards": "nope", "lists": []}', "format=trello", "file"),
        (b"a,b\n1,2\n", "format=csv", "file"),
        (b"", "format=csv", "file"),
        (b"title\nX\n", "format=xlsx", "format"),
        (b"title\nX\n", "", "format"),
        (
            b"title,status\nX,Done\n",
            "format=csv&statuses=" + quote('{"Doing": "done"}'),
            "statuses",
        ),
        (b"title\nX\n", "format=csv&assignee_id=nobody", "assignee_id"),
        (b"title\nX\n", "format=csv&mode=fast", "mode"),
    ]
    for raw, query, field in cases:
        response = upload(team.boris, raw, query)
        assert response.status == 400, (query, response.body)
        assert response.error_field() == field, query
    assert created_by(team.boris) == []


def test_file_over_5_mb_rejected(team, pump):
    raw = b"title\n" + b"x" * (5 * 1024 * 1024)
    response = upload(team.boris, raw, "format=csv")
    assert response.status == 413
    assert created_by(team.boris) == []


def test_format_in_path_queues_job(team, pump):
    raw = (FIXTURES / "generic-multiline.csv").read_bytes()

    response = team.boris.client.post(
        "/api/tasks/import/csv", raw=raw, headers=OCTET_STREAM
    )

    assert response.status == 202, response.body
    assert response.json["kind"] == "tasks_csv"
    assert response.json["status"] == "queued"
    assert created_by(team.boris) == []


def test_unknown_format_in_path_rejected(team, pump):
    response = team.boris.client.post(
        "/api/tasks/import/jira", raw=b"x", headers=OCTET_STREAM
    )

    assert response.status == 400
    assert response.json["error"]["field"] == "format"


def test_format_twice_rejected(team, pump):
    response = team.boris.client.post(
        "/api/tasks/import/csv?format=trello", raw=b"x", headers=OCTET_STREAM
    )

    assert response.status == 400
    assert response.json["error"]["field"] == "format"
