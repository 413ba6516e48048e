"""Status transitions, the review loop and concurrent status changes."""

import pytest

from chalicelib.tasks import service
from chalicelib.tasks.schemas import TaskUpdate
from chalicelib.tasks.transitions import TRANSITIONS
from tests.tasks.conftest import (
    gate_commits,
    history,
    new_task,
    patch_task,
    race,
    viewer_for,
)


def status_of(person, task_id: str) -> str:
    return person.client.get(f"/api/tasks/{task_id}").json["task"]["status"]


def test_assignee_walks_a_task_to_done(team):
    task = new_task(team.owner, team.anna)
    for status in ("in_progress", "postponed", "in_progress", "done"):
        response = patch_task(team.anna, task["id"], {"status": status})
        assert response.status == 200, (status, response.body)
        assert response.json["task"]["status"] == status
    assert response.json["task"]["done_at"] is not None
    reopened = patch_task(team.owner, task["id"], {"status": "in_progress"})
    assert reopened.json["task"]["done_at"] is None


def test_transition_outside_rules_conflicts(team):
    task = new_task(team.owner, team.anna)
    patch_task(team.anna, task["id"], {"status": "done"})
    response = patch_task(team.owner, task["id"], {"status": "postponed"})
    assert response.status == 409
    assert response.error_field() == "status"
    assert "'in_progress'" in response.json["error"]["message"]


def test_only_owner_cancels_and_reopens(team):
    task = new_task(team.boris, team.anna)
    cancel = patch_task(team.anna, task["id"], {"status": "cancelled"})
    assert cancel.status == 403
    assert cancel.error_field() == "status"
    assert patch_task(team.boris, task["id"], {"status": "cancelled"}).status == 200
    assert patch_task(team.anna, task["id"], {"status": "new"}).status == 403
    assert patch_task(team.owner, task["id"], {"status": "new"}).status == 200


def test_review_needs_requires_review(team):
    task = new_task(team.owner, team.anna)
    response = patch_task(team.anna, task["id"], {"status": "review"})
    assert response.status == 409
    assert "requires_review" in response.json["error"]["message"]


def test_review_loop_with_named_reviewer(team):
    task = new_task(
        team.owner,
        team.anna,
        requires_review=True,
        reviewer_id=team.boris.id,
        watcher_ids=[team.boris.id],
    )
    task_id = task["id"]
    skip = patch_task(team.anna, task_id, {"status": "done"})
    assert skip.status == 409
    assert skip.error_field() == "status"

    assert patch_task(team.anna, task_id, {"status": "review"}).status == 200
    own_close = patch_task(team.anna, task_id, {"status": "done"})
    assert own_close.status == 403

    no_comment = patch_task(team.boris, task_id, {"status": "in_progress"})
    assert no_comment.status == 400
    assert no_comment.error_field() == "comment"
    returned = patch_task(
        team.boris,
        task_id,
        {"status": "in_progress", "comment": "Цены на 3 карточках не обновлены"},
    )
    assert returned.status == 200

    detail = team.anna.client.get(f"/api/tasks/{task_id}").json
    assert detail["task"]["status"] == "in_progress"
    assert [(c["kind"], c["text"]) for c in detail["comments"]] == [
        ("return", "Цены на 3 карточках не обновлены")
    ]
    entries = history(team.owner, task_id)
    returned_entries = [entry for entry in entries if entry["action"] == "returned"]
    assert {entry["field"] for entry in returned_entries} == {"status", "comment"}

    assert patch_task(team.anna, task_id, {"status": "review"}).status == 200
    closed = patch_task(team.boris, task_id, {"status": "done"})
    assert closed.status == 200
    assert closed.json["task"]["status"] == "done"


def test_creator_reviews_without_named_reviewer(team):
    task = new_task(team.boris, team.anna, requires_review=True)
    patch_task(team.anna, task["id"], {"status": "review"})
    # An admin who is neither the creator nor the reviewer cannot close it.
    assert patch_task(team.owner, task["id"], {"status": "done"}).status == 403
    assert patch_task(team.boris, task["id"], {"status": "done"}).status == 200


def test_comment_only_with_status(team):
    task = new_task(team.owner, team.anna)
    response = patch_task(team.owner, task["id"], {"comment": "без статуса"})
    assert response.status == 400
    assert response.error_field() == "comment"


def test_every_transition_has_a_role():
    for (start, end), roles in TRANSITIONS.items():
        assert start != end
        assert roles, (start, end)


@pytest.mark.parametrize("threads", [2, 6])
def test_concurrent_status_changes_one_wins(team, threads, monkeypatch):
    task = new_task(team.owner, team.anna)
    gate_commits(monkeypatch, threads)
    targets = ["in_progress", "postponed", "done"]
    viewers = [viewer_for(team.anna) for _ in range(threads)]
    requests = [
        TaskUpdate(status=targets[index % len(targets)]) for index in range(threads)
    ]
    outcomes = race(
        [
            lambda viewer=viewer, request=request: service.update_task(
                task["id"], request, request.model_fields_set, viewer
            )
            for viewer, request in zip(viewers, requests, strict=True)
        ]
    )
    # Every thread read the task as 'new' at version 1; after the first commit
    # the others' version no longer matches.
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("conflict") == threads - 1, outcomes
    status_entries = [
        entry for entry in history(team.owner, task["id"]) if entry["field"] == "status"
    ]
    # The creation entry records 'new'; exactly one transition follows it.
    assert len(status_entries) == 2
    assert status_entries[1]["from"] == "new"
    assert status_entries[1]["to"] == status_of(team.owner, task["id"])
