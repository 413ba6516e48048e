"""Task imports as background jobs, and mapping their placeholders to people.

The jobs are run by calling ``run_job`` as the chat stream reaction does, so
that a test can run one job again as a redelivered record would.
"""

import json
from pathlib import Path

import pytest

from chalicelib.imports import jobs
from chalicelib.imports.jobs import run_job
from chalicelib.imports.models import ImportJob, job_pk
from chalicelib.tasks.importing import service
from chalicelib.tasks.models import Comment, Task, task_pk

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tasks"
OCTET_STREAM = {"Content-Type": "application/octet-stream"}


def start_job(person, file_format: str, raw: bytes) -> str:
    response = person.client.post(
        f"/api/tasks/import/{file_format}", raw=raw, headers=OCTET_STREAM
    )
    assert response.status == 202, response.body
    return response.json["id"]


def job_of(person, job_id: str) -> dict:
    response = person.client.get(f"/api/imports/{job_id}")
    assert response.status == 200, response.body
    return response.json


def requeue(job_id: str) -> None:
    """Put a job back as a stream redelivery after a crash would find it."""
    job = ImportJob.get(job_pk(job_id), "META")
    job.update(actions=[ImportJob.status.set("running")])


def tasks_of(person) -> list[Task]:
    return list(Task.creator_index.query(person.id))


def comments_of(task_id: str) -> list[Comment]:
    return list(Comment.query(task_pk(task_id), Comment.sk.startswith("COMMENT#")))


def test_job_reports_progress_and_result(team, pump):
    raw = (FIXTURES / "trello-kanban-board.json").read_bytes()
    job_id = start_job(team.boris, "trello", raw)

    run_job(job_id)

    job = job_of(team.boris, job_id)
    assert job["status"] == "done", job
    assert job["kind"] == "tasks_trello"
    assert job["progress"] == {"done": 14, "total": 14}
    report = job["report"]
    assert report["created"] == 14
    assert report["task_ids_total"] == 14
    assert [item["row"] for item in report["skipped"]] == [
        "card 8: Running Experiments",
        "card 11: Ship Celebrations for Trello",
    ]
    assert len(tasks_of(team.boris)) == 14


def test_job_through_stream(team, pump):
    raw = (FIXTURES / "generic-multiline.csv").read_bytes()
    job_id = start_job(team.boris, "csv", raw)

    pump.drain()

    job = job_of(team.boris, job_id)
    assert job["status"] == "done", job
    assert job["report"]["created"] == 1


def test_job_run_twice_adds_nothing(team, pump, monkeypatch):
    raw = (FIXTURES / "plane-export.csv").read_bytes()
    job_id = start_job(team.owner, "csv", raw)
    finish = jobs._finish

    def crash(*args, **kwargs):
        raise RuntimeError("the function timed out")

    # The first run writes every task but dies before the job is finished,
    # so the stream delivers the record again.
    monkeypatch.setattr(jobs, "_finish", crash)
    with pytest.raises(RuntimeError):
        run_job(job_id)
    assert job_of(team.owner, job_id)["status"] == "running"
    assert len(tasks_of(team.owner)) == 7
    monkeypatch.setattr(jobs, "_finish", finish)

    run_job(job_id)

    report = job_of(team.owner, job_id)["report"]
    assert report["created"] == 7
    assert report["already_saved"] == 7
    assert len(tasks_of(team.owner)) == 7
    dashboard = next(
        task for task in tasks_of(team.owner) if task.title.startswith("Fix dashboard")
    )
    assert len(comments_of(dashboard.task_id)) == 2


def test_failed_job_rerun_completes(team, pump, monkeypatch):
    raw = (FIXTURES / "trello-kanban-board.json").read_bytes()
    job_id = start_job(team.boris, "trello", raw)
    monkeypatch.setattr(service, "TASKS_PER_TRANSACTION", 5)
    insert = service.insert
    calls = {"count": 0}

    def failing_insert(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("connection reset")
        return insert(*args, **kwargs)

    monkeypatch.setattr(service, "insert", failing_insert)
    with pytest.raises(RuntimeError):
        run_job(job_id)
    assert len(tasks_of(team.boris)) == 5
    assert job_of(team.boris, job_id)["status"] == "running"

    run_job(job_id)

    job = job_of(team.boris, job_id)
    assert job["status"] == "done", job
    assert job["report"]["created"] == 14
    assert job["report"]["already_saved"] == 5
    assert len(tasks_of(team.boris)) == 14


def test_two_imports_are_separate(team, pump):
    raw = (FIXTURES / "generic-multiline.csv").read_bytes()
    for _ in range(2):
        response = team.boris.client.post(
            "/api/tasks/import?format=csv", raw=raw, headers=OCTET_STREAM
        )
        assert response.status == 201, response.body

    assert len(tasks_of(team.boris)) == 2


# Placeholders


def import_plane(person) -> dict:
    raw = (FIXTURES / "plane-export.csv").read_bytes()
    response = person.client.post(
        "/api/tasks/import?format=csv", raw=raw, headers=OCTET_STREAM
    )
    assert response.status == 201, response.body
    return response.json


def placeholder_named(person, name: str) -> dict:
    response = person.client.get("/api/tasks/import/placeholders")
    assert response.status == 200, response.body
    return next(item for item in response.json["placeholders"] if item["name"] == name)


def map_to(person, placeholder_id: str, user_id: str):
    return person.client.post(
        f"/api/tasks/import/placeholders/{placeholder_id}/map", {"user_id": user_id}
    )


def test_placeholder_mapped_to_user(team, pump, hire):
    # Hired first: hiring drains the streams, which the import fills.
    real = hire("Джон Доу")
    assert team.anna.id
    report = import_plane(team.owner)
    john = placeholder_named(team.owner, "John Doe")
    assert john["task_count"] == 4
    assert john["mapped_to"] is None
    by_title = {task.title: task for task in tasks_of(team.owner)}
    dashboard = by_title["Fix dashboard loading issue"]
    assert dashboard.assignee_id == john["id"]
    auth = by_title["Implement user authentication"]
    assert auth.watcher_ids == [john["id"]]
    assert john["id"] in {item["id"] for item in report["placeholders"]}

    response = map_to(team.owner, john["id"], real.id)

    assert response.status == 200, response.body
    assert response.json["changed_tasks"] == 4
    assert response.json["mapped_to"] == real.id
    dashboard = Task.get(task_pk(dashboard.task_id), "TASK")
    assert dashboard.assignee_id == real.id
    auth = Task.get(task_pk(auth.task_id), "TASK")
    assert auth.watcher_ids == [real.id]
    history = team.owner.client.get(f"/api/tasks/{dashboard.task_id}/history").json
    changes = [
        (entry["field"], entry["from"], entry["to"])
        for entry in history["entries"]
        if entry["action"] == "edited"
    ]
    assert ("assignee_id", john["id"], real.id) in changes
    opened = team.owner.client.get(f"/api/tasks/{dashboard.task_id}").json["task"]
    assert john["id"] not in opened["placeholders"]

    again = map_to(team.owner, john["id"], real.id)

    assert again.status == 200, again.body
    assert again.json["changed_tasks"] == 0
    assert Task.get(task_pk(dashboard.task_id), "TASK").version == dashboard.version
    other = map_to(team.owner, john["id"], team.anna.id)
    assert other.status == 409
    assert other.json["error"]["field"] == "user_id"


def test_mapped_placeholder_used_by_next_import(team, pump):
    assert team.anna.id
    import_plane(team.owner)
    alice = placeholder_named(team.owner, "Alice Brown")
    assert map_to(team.owner, alice["id"], team.anna.id).status == 200
    raw = (FIXTURES / "plane-export.csv").read_bytes()

    response = team.owner.client.post(
        "/api/tasks/import/preview?format=csv", raw=raw, headers=OCTET_STREAM
    )

    people = {item["name"]: item for item in response.json["people"]}
    assert people["Alice Brown"]["user_id"] == team.anna.id
    assert people["Alice Brown"]["matched_by"] == "mapped_placeholder"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"user_id": "01NOTAUSER"}, 400, "user_id"),
        ({}, 400, "user_id"),
        ({"user_id": "x", "extra": 1}, 400, "extra"),
    ],
)
def test_bad_placeholder_mapping_rejected(team, pump, body, status, field):
    import_plane(team.owner)
    john = placeholder_named(team.owner, "John Doe")

    response = team.owner.client.post(
        f"/api/tasks/import/placeholders/{john['id']}/map", body
    )

    assert response.status == status, response.body
    assert response.json["error"]["field"] == field


def test_placeholder_mapping_needs_admin(team, pump):
    assert team.boris.id
    assert team.anna.id
    import_plane(team.owner)
    john = placeholder_named(team.owner, "John Doe")

    assert map_to(team.boris, john["id"], team.boris.id).status == 403
    assert team.anna.client.get("/api/tasks/import/placeholders").status == 403
    missing = map_to(team.owner, "placeholder-0000", team.boris.id)
    assert missing.status == 404
    assert json.loads(missing.body)["error"]["code"]
