"""Planning tasks into a week: the plan routes, their checks and access rules."""

from chalicelib.weeks import plans
from chalicelib.weeks.calendar import IsoWeek
from tests.tasks.conftest import new_task, patch_task, race, viewer_for
from tests.weeks.conftest import (
    current_week,
    get_plan,
    plan_of,
    plan_tasks,
    put_plan,
    weeks_after,
)


def test_plan_starts_empty(team):
    anna = team.anna
    week = current_week()
    plan = plan_of(anna, week)
    assert plan["user_id"] == anna.id
    assert plan["iso_week"] == str(week)
    assert plan["version"] == 0
    assert plan["tasks"] == []


def test_plan_lists_tasks_with_state(team):
    anna, boris = team.anna, team.boris
    first = new_task(boris, anna, title="Цены WB", due="2026-01-05")
    second = new_task(boris, boris, title="Общий отчёт", co_assignee_ids=[anna.id])
    week = current_week()

    plan = plan_tasks(anna, week, [first["id"], second["id"]])

    assert plan["version"] == 1
    assert [task["task_id"] for task in plan["tasks"]] == [first["id"], second["id"]]
    assert plan["tasks"][0]["title"] == "Цены WB"
    assert plan["tasks"][0]["state"] == "not_done"
    assert plan["tasks"][0]["late"] is True
    assert plan["tasks"][1]["rollovers"] == 0

    assert patch_task(anna, first["id"], {"status": "done"}).status == 200
    again = plan_of(anna, week)
    assert again["version"] == 1
    assert again["tasks"][0]["state"] == "done"
    assert again["tasks"][0]["status"] == "done"
    assert again["tasks"][0]["late"] is False


def test_plan_replaces_task_list(team):
    anna, boris = team.anna, team.boris
    first = new_task(boris, anna)
    second = new_task(boris, anna)
    week = current_week()
    plan_tasks(anna, week, [first["id"], second["id"]])

    plan = plan_tasks(anna, week, [second["id"]])

    assert plan["version"] == 2
    assert [task["task_id"] for task in plan["tasks"]] == [second["id"]]


def test_plan_rejects_tasks_not_theirs(team):
    anna, boris, katya, gleb = team.anna, team.boris, team.katya, team.gleb
    own = new_task(boris, anna)
    someone_elses = new_task(boris, team.john, watcher_ids=[anna.id])
    invisible = new_task(gleb, katya)
    finished = new_task(boris, anna)
    assert patch_task(anna, finished["id"], {"status": "done"}).status == 200
    week = current_week()

    cases = [
        ([own["id"], someone_elses["id"]], "task_ids.1", "not Анна's"),
        ([invisible["id"]], "task_ids.0", "not found"),
        (["01JXXXXXXXXXXXXXXXXXXXXXXX"], "task_ids.0", "not found"),
        ([own["id"], finished["id"]], "task_ids.1", "already done"),
    ]
    for task_ids, field, words in cases:
        response = put_plan(anna, week, {"task_ids": task_ids, "version": 0})
        assert response.status == 400, (task_ids, response.body)
        assert response.error_field() == field
        assert words in response.json["error"]["message"]
    assert plan_of(anna, week)["version"] == 0


def test_plan_validates_input(team):
    anna = team.anna
    task = new_task(anna, anna)
    week = current_week()
    cases = [
        ({"task_ids": [task["id"]]}, "version"),
        ({"task_ids": [task["id"]], "version": "0"}, "version"),
        ({"task_ids": [task["id"]], "version": -1}, "version"),
        ({"version": 0}, "task_ids"),
        ({"task_ids": "abc", "version": 0}, "task_ids"),
        ({"task_ids": [task["id"], task["id"]], "version": 0}, "task_ids.1"),
        ({"task_ids": [""], "version": 0}, "task_ids.0"),
        ({"task_ids": ["x"] * 201, "version": 0}, "task_ids"),
        ({"task_ids": [], "version": 0, "colour": "red"}, "colour"),
        ({"task_ids": [], "version": 0, "user_id": "nobody"}, "user_id"),
    ]
    for body, field in cases:
        response = put_plan(anna, week, body)
        assert response.status == 400, (body, response.body)
        assert response.error_field() == field, (body, response.body)

    not_json = anna.client.request("PUT", f"/api/weeks/{week}/plan", raw=b"{not json")
    assert not_json.status == 400


def test_iso_week_is_validated(team):
    anna = team.anna
    far_ahead = weeks_after(current_week(), 60)
    for text in (
        "2026-49",
        "2026-W4",
        "2026-w49",
        "2026-W00",
        "2025-W53",
        "1999-W10",
        "3000-W01",
        str(far_ahead),
    ):
        response = get_plan(anna, text)
        assert response.status == 400, (text, response.body)
        assert response.error_field() == "iso_week", text
    # 2026 has 53 ISO weeks: its 31 December is a Thursday.
    assert get_plan(anna, "2026-W53").status == 200
    assert anna.client.get("/api/weeks/2026-W99/review").error_field() == "iso_week"
    bad_notes = anna.client.get("/api/weeks/W1/notes?department_id=x")
    assert bad_notes.error_field() == "iso_week"


def test_iso_week_bounds():
    week = IsoWeek(2026, 49)
    assert week.start.isoformat() == "2026-11-29T21:00:00+00:00"
    assert week.end.isoformat() == "2026-12-06T21:00:00+00:00"
    assert str(IsoWeek(2026, 53).next()) == "2027-W01"
    assert str(IsoWeek(2027, 1).previous()) == "2026-W53"


def test_employee_plans_only_own_week(team):
    anna, john, boris = team.anna, team.john, team.boris
    johns_task = new_task(boris, john)
    week = current_week()

    assert get_plan(anna, week, john).status == 403
    response = put_plan(
        anna, week, {"user_id": john.id, "task_ids": [johns_task["id"]], "version": 0}
    )
    assert response.status == 403
    assert response.error_field() == "user_id"
    assert plan_of(john, week)["tasks"] == []


def test_manager_plans_for_reports(team):
    anna, boris = team.anna, team.boris
    task = new_task(boris, anna)
    week = current_week()

    plan = plan_tasks(boris, week, [task["id"]], user=anna)

    assert plan["user_id"] == anna.id
    assert [entry["task_id"] for entry in plan_of(anna, week)["tasks"]] == [task["id"]]


def test_other_department_manager_forbidden(team):
    anna, boris, gleb = team.anna, team.boris, team.gleb
    task = new_task(boris, anna)
    week = current_week()

    assert get_plan(gleb, week, anna).status == 403
    response = put_plan(
        gleb, week, {"user_id": anna.id, "task_ids": [task["id"]], "version": 0}
    )
    assert response.status == 403
    # Глеб is Борис's peer, not his report.
    assert get_plan(boris, week, gleb).status == 403


def test_admin_plans_for_anyone(team):
    owner, katya, gleb = team.owner, team.katya, team.gleb
    task = new_task(gleb, katya)
    week = current_week()

    plan = plan_tasks(owner, week, [task["id"]], user=katya)

    assert plan["tasks"][0]["task_id"] == task["id"]


def test_stale_plan_version_conflicts(team):
    anna, boris, owner = team.anna, team.boris, team.owner
    first = new_task(boris, anna)
    second = new_task(boris, anna)
    week = current_week()
    version = plan_of(boris, week, anna)["version"]

    by_boris = put_plan(
        boris, week, {"user_id": anna.id, "task_ids": [first["id"]], "version": version}
    )
    by_owner = put_plan(
        owner,
        week,
        {"user_id": anna.id, "task_ids": [second["id"]], "version": version},
    )

    assert by_boris.status == 200
    assert by_owner.status == 409
    error = by_owner.json["error"]
    assert error["field"] == "version"
    assert error["current_version"] == version + 1
    assert error["current_task_ids"] == [first["id"]]
    assert [entry["task_id"] for entry in plan_of(anna, week)["tasks"]] == [first["id"]]


def test_concurrent_plan_saves_one_wins(team):
    anna, boris = team.anna, team.boris
    tasks = [new_task(boris, anna) for _ in range(6)]
    week = current_week()
    person = viewer_for(anna).user

    outcomes = race(
        [
            lambda task=task: plans.save_plan(
                person, week, [task["id"]], 0, viewer_for(boris, "manager")
            )
            for task in tasks
        ]
    )

    assert outcomes.count("ok") == 1
    assert outcomes.count("conflict") == len(tasks) - 1
    plan = plan_of(anna, week)
    assert plan["version"] == 1
    assert len(plan["tasks"]) == 1
