"""Recurring task series: occurrences, the daily run, scoped edits and stopping."""

from datetime import UTC, datetime

import pytest

from chalicelib.tasks import series as series_service
from chalicelib.tasks.models import Task
from tests.tasks.conftest import patch_task, race

# A Monday, 12:00 in Moscow.
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(series_service, "utc_now", lambda: NOW)


def create_series(person, **fields) -> dict:
    body = {
        "title": fields.pop("title", "Выгрузить остатки"),
        "rule": fields.pop("rule", {"frequency": "daily", "start": "2026-12-07"}),
    }
    body.update(fields)
    response = person.client.post("/api/tasks/series", body)
    assert response.status == 201, response.body
    return response.json


def series_tasks(series_id: str) -> list[Task]:
    """Return every occurrence of a series, by date, read straight from the table."""
    keys = series_service.OccurrenceKey.query(series_service.occurrences_pk(series_id))
    return [series_service.find_task(key.task_id) for key in keys]


def get_series(person, series_id: str) -> dict:
    response = person.client.get(f"/api/tasks/series/{series_id}")
    assert response.status == 200, response.body
    return response.json["series"]


def close(person, task_id: str, status: str = "done") -> None:
    response = patch_task(person, task_id, {"status": status})
    assert response.status == 200, response.body


def test_series_creates_first_occurrence(team, pump):
    created = create_series(
        team.owner,
        assignee_id=team.anna.id,
        tags=["склад"],
        checklist=["Выгрузить", "Сверить"],
        due_time="18:00",
        rule={"frequency": "workdays", "start": "2026-12-05"},
    )
    task = created["task"]
    assert task["assignee_id"] == team.anna.id
    assert task["tags"] == ["склад"]
    assert [item["text"] for item in task["checklist"]] == ["Выгрузить", "Сверить"]
    # The 5th is a Saturday and the fixed clock is on the 7th, a Monday.
    assert task["due"]["local"] == "2026-12-07T18:00+03:00"
    assert task["series"] == {
        "id": created["series"]["id"],
        "occurrence_date": "2026-12-07",
        "fallback": None,
    }
    assert created["series"]["current_task_id"] == task["id"]
    assert created["series"]["created_count"] == 1
    pump.drain()
    seen = team.anna.client.get(f"/api/tasks/{task['id']}")
    assert seen.status == 200


def test_done_occurrence_brings_next(team, pump):
    created = create_series(team.owner, assignee_id=team.anna.id)
    series_id = created["series"]["id"]
    close(team.anna, created["task"]["id"])
    pump.drain()
    tasks = series_tasks(series_id)
    assert [task.occurrence_date for task in tasks] == ["2026-12-07", "2026-12-08"]
    assert tasks[1].status == "new"
    assert tasks[1].due_date == "2026-12-08"
    assert get_series(team.owner, series_id)["current_task_id"] == tasks[1].task_id
    # The stream record is delivered once more: still one next occurrence.
    pump.drain()
    assert len(series_tasks(series_id)) == 2


def test_cancelled_occurrence_brings_next(team, pump):
    created = create_series(team.boris, assignee_id=team.anna.id)
    close(team.boris, created["task"]["id"], "cancelled")
    pump.drain()
    assert len(series_tasks(created["series"]["id"])) == 2


def test_open_occurrence_blocks_next(team, pump):
    created = create_series(team.owner, assignee_id=team.anna.id)
    patch_task(team.anna, created["task"]["id"], {"status": "in_progress"})
    pump.drain()
    later = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    assert series_service.ensure_occurrences(later)["created"] == 0
    assert len(series_tasks(created["series"]["id"])) == 1


def test_daily_run_skips_missed_dates(team, pump, monkeypatch):
    created = create_series(team.owner, assignee_id=team.anna.id)
    series_id = created["series"]["id"]
    # The stream reaction is off, as if it had failed: the daily run catches up.
    monkeypatch.setattr(series_service, "advance", lambda *args: None)
    close(team.anna, created["task"]["id"])
    pump.drain()
    monkeypatch.undo()
    monkeypatch.setattr(series_service, "utc_now", lambda: NOW)
    assert len(series_tasks(series_id)) == 1
    later = datetime(2026, 12, 10, 22, 30, tzinfo=UTC)  # the 11th in Moscow
    assert series_service.ensure_occurrences(later) == {
        "checked": 1,
        "created": 1,
        "failed": 0,
    }
    assert [task.occurrence_date for task in series_tasks(series_id)] == [
        "2026-12-07",
        "2026-12-11",
    ]
    assert series_service.ensure_occurrences(later)["created"] == 0


def test_concurrent_runs_create_one_task(team, pump):
    created = create_series(team.owner, assignee_id=team.anna.id)
    series_id = created["series"]["id"]
    # Closed straight in the table, and the stream is not drained, so only
    # the racing runs can create the next occurrence.
    Task(f"TASK#{created['task']['id']}", "TASK").update(
        actions=[Task.status.set("done")]
    )
    outcomes = race([lambda: series_service.advance(series_id, NOW) for _ in range(4)])
    assert outcomes == ["ok"] * 4
    tasks = series_tasks(series_id)
    assert [task.occurrence_date for task in tasks] == ["2026-12-07", "2026-12-08"]
    assert get_series(team.owner, series_id)["created_count"] == 2


def test_count_ends_series(team, pump):
    created = create_series(
        team.owner,
        assignee_id=team.anna.id,
        rule={"frequency": "daily", "start": "2026-12-07", "count": 2},
    )
    series_id = created["series"]["id"]
    close(team.anna, created["task"]["id"])
    pump.drain()
    second = series_tasks(series_id)[1]
    assert get_series(team.owner, series_id)["status"] == "finished"
    close(team.anna, second.task_id)
    pump.drain()
    assert len(series_tasks(series_id)) == 2


def test_until_ends_series(team, pump):
    created = create_series(
        team.owner,
        assignee_id=team.anna.id,
        rule={
            "frequency": "weekly",
            "start": "2026-12-07",
            "weekdays": [1],
            "until": "2026-12-13",
        },
    )
    series_id = created["series"]["id"]
    close(team.anna, created["task"]["id"])
    pump.drain()
    assert len(series_tasks(series_id)) == 1
    assert get_series(team.owner, series_id)["status"] == "finished"


def test_monthly_on_31st(team, pump):
    created = create_series(
        team.owner,
        assignee_id=team.anna.id,
        rule={"frequency": "monthly", "start": "2026-12-07", "day_of_month": 31},
    )
    assert created["task"]["due_date"] == "2026-12-31"
    close(team.anna, created["task"]["id"])
    pump.drain()
    close(team.anna, series_tasks(created["series"]["id"])[1].task_id)
    pump.drain()
    dates = [task.due_date for task in series_tasks(created["series"]["id"])]
    assert dates == ["2026-12-31", "2027-01-31", "2027-02-28"]


def test_position_series_goes_to_holder(team, company, pump):
    position = company["positions"]["Wildberries account manager"]
    john = team.john
    anna = team.anna
    created = create_series(team.owner, position_id=position["id"])
    task = created["task"]
    holders = sorted([anna.id, john.id])
    assert task["assignee_id"] == holders[0]
    assert task["co_assignee_ids"] == holders[1:]
    assert task["series"]["fallback"] is None


def test_vacant_position_goes_to_manager(team, company, pump):
    position = company["positions"]["Ozon account manager"]
    boris = team.boris
    created = create_series(team.owner, position_id=position["id"])
    task = created["task"]
    assert task["assignee_id"] == boris.id
    assert task["series"]["fallback"] == {
        "reason": "vacant_position",
        "meant_for": position["id"],
    }
    assert task["department_id"] == position["department_id"]


def test_vacant_chain_goes_to_creator(team, company, pump):
    position = company["positions"]["Recruiter"]
    created = create_series(team.boris, position_id=position["id"])
    assert created["task"]["assignee_id"] == team.boris.id
    assert created["task"]["series"]["fallback"]["reason"] == "vacant_position"


def test_position_holder_at_creation_time(team, company, pump, hire):
    position = company["positions"]["Ozon account manager"]
    boris = team.boris
    created = create_series(team.owner, position_id=position["id"])
    assert created["task"]["assignee_id"] == boris.id
    olga = hire("Ольга", position["id"])
    close(boris, created["task"]["id"])
    pump.drain()
    second = series_tasks(created["series"]["id"])[1]
    assert second.assignee_id == olga.id
    assert second.fallback_reason is None


def test_deactivated_assignee_falls_back_to_creator(team, pump):
    created = create_series(team.boris, assignee_id=team.anna.id)
    response = team.owner.client.delete(f"/api/users/{team.anna.id}")
    assert response.status == 200, response.body
    pump.drain()
    close(team.boris, created["task"]["id"], "cancelled")
    pump.drain()
    second = series_tasks(created["series"]["id"])[1]
    assert second.assignee_id == team.boris.id
    assert second.fallback_reason == "inactive_assignee"
    assert second.fallback_for == team.anna.id


def test_scope_this_changes_one_occurrence(team, pump):
    created = create_series(team.owner, assignee_id=team.anna.id)
    task_id = created["task"]["id"]
    response = team.owner.client.patch(
        f"/api/tasks/{task_id}?scope=this", {"title": "Только сегодня"}
    )
    assert response.status == 200, response.body
    assert response.json["task"]["title"] == "Только сегодня"
    assert (
        get_series(team.owner, created["series"]["id"])["title"] == "Выгрузить остатки"
    )
    close(team.anna, task_id)
    pump.drain()
    assert series_tasks(created["series"]["id"])[1].title == "Выгрузить остатки"


def test_scope_future_changes_template(team, pump):
    created = create_series(team.owner, assignee_id=team.anna.id)
    task_id = created["task"]["id"]
    body = {
        "title": "Выгрузить остатки WB",
        "priority": "high",
        "assignee_id": team.john.id,
    }
    response = team.owner.client.patch(f"/api/tasks/{task_id}?scope=future", body)
    assert response.status == 200, response.body
    assert response.json["task"]["title"] == "Выгрузить остатки WB"
    assert response.json["task"]["assignee_id"] == team.john.id
    series = get_series(team.owner, created["series"]["id"])
    assert series["title"] == "Выгрузить остатки WB"
    assert series["priority"] == "high"
    assert series["assignee_id"] == team.john.id
    assert series["version"] == created["series"]["version"] + 1
    close(team.john, task_id)
    pump.drain()
    second = series_tasks(created["series"]["id"])[1]
    assert second.title == "Выгрузить остатки WB"
    assert second.priority == "high"
    assert second.assignee_id == team.john.id


def test_scope_future_updates_open_later_occurrences(team, pump):
    created = create_series(team.owner, assignee_id=team.anna.id)
    first_id = created["task"]["id"]
    close(team.anna, first_id)
    pump.drain()
    second = series_tasks(created["series"]["id"])[1]
    # The second occurrence is reopened and edited from the first one.
    patch_task(team.owner, first_id, {"status": "in_progress"})
    response = team.owner.client.patch(
        f"/api/tasks/{first_id}?scope=future", {"tags": ["срочно"]}
    )
    assert response.status == 200, response.body
    assert series_service.find_task(second.task_id).tags == ["срочно"]


def test_scope_future_rejects_occurrence_fields(team, pump):
    created = create_series(team.owner, assignee_id=team.anna.id)
    task_id = created["task"]["id"]
    for body, field in (
        ({"status": "done"}, "status"),
        ({"due": "2026-12-20"}, "due"),
        ({"parent_id": task_id}, "parent_id"),
    ):
        response = team.owner.client.patch(f"/api/tasks/{task_id}?scope=future", body)
        assert response.status == 400, body
        assert response.error_field() == field
    assert get_series(team.owner, created["series"]["id"])["version"] == 1


def test_scope_future_needs_series_owner(team, pump):
    created = create_series(team.boris, assignee_id=team.anna.id)
    response = team.anna.client.patch(
        f"/api/tasks/{created['task']['id']}?scope=future", {"title": "Моё"}
    )
    assert response.status == 403
    assert (
        get_series(team.boris, created["series"]["id"])["title"] == "Выгрузить остатки"
    )


def test_scope_future_bad_edit_changes_nothing(team, pump):
    created = create_series(team.owner, assignee_id=team.anna.id)
    task_id = created["task"]["id"]
    response = team.owner.client.patch(
        f"/api/tasks/{task_id}?scope=future",
        {"title": "Новое", "reviewer_id": team.boris.id},
    )
    assert response.status == 400
    assert response.error_field() == "reviewer_id"
    assert (
        get_series(team.owner, created["series"]["id"])["title"] == "Выгрузить остатки"
    )
    assert series_service.find_task(task_id).title == "Выгрузить остатки"


def test_stop_series(team, pump):
    created = create_series(team.boris, assignee_id=team.anna.id)
    series_id = created["series"]["id"]
    forbidden = team.anna.client.post(f"/api/tasks/series/{series_id}/stop")
    assert forbidden.status == 403
    response = team.boris.client.post(f"/api/tasks/series/{series_id}/stop")
    assert response.status == 200, response.body
    assert response.json["series"]["status"] == "stopped"
    close(team.anna, created["task"]["id"])
    pump.drain()
    assert series_service.ensure_occurrences(NOW)["checked"] == 0
    assert len(series_tasks(series_id)) == 1
    # The open occurrence of a stopped series stays as it was.
    assert series_tasks(series_id)[0].status == "done"


def test_series_visibility(team, pump):
    created = create_series(team.boris, assignee_id=team.anna.id)
    series_id = created["series"]["id"]
    assert team.anna.client.get(f"/api/tasks/series/{series_id}").status == 200
    assert team.katya.client.get(f"/api/tasks/series/{series_id}").status == 404
    mine = team.boris.client.get("/api/tasks/series").json["series"]
    assert [item["id"] for item in mine] == [series_id]
    assert team.anna.client.get("/api/tasks/series").json["series"] == []
    everything = team.owner.client.get("/api/tasks/series").json["series"]
    assert [item["id"] for item in everything] == [series_id]


def test_stream_failure_is_left_to_daily_run(team, pump):
    created = create_series(team.boris, assignee_id=team.anna.id)
    series_id = created["series"]["id"]
    # No one can take the next one: the assignee and the creator are deactivated.
    for person in (team.anna, team.boris):
        response = team.owner.client.delete(f"/api/users/{person.id}")
        assert response.status == 200, response.body
    pump.drain()
    Task(f"TASK#{created['task']['id']}", "TASK").update(
        actions=[Task.status.set("done")]
    )
    pump.drain()
    assert len(series_tasks(series_id)) == 1
    assert series_service.ensure_occurrences(NOW) == {
        "checked": 1,
        "created": 0,
        "failed": 1,
    }
