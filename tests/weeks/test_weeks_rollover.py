"""Roll-over: unfinished planned tasks move into the next plan that is read."""

from tests.tasks.conftest import new_task, patch_task
from tests.weeks.conftest import current_week, plan_of, plan_tasks, weeks_after


def _entries(plan: dict) -> dict[str, dict]:
    return {entry["task_id"]: entry for entry in plan["tasks"]}


def test_rollover_counts_across_three_weeks(team):
    anna, boris = team.anna, team.boris
    finished = new_task(boris, anna, title="Сделано")
    stuck = new_task(boris, anna, title="Висит")
    cancelled = new_task(boris, anna, title="Отменено")
    # Three weeks back, so that each week has begun when the next is read.
    week = current_week().previous().previous().previous()
    plan_tasks(anna, week, [finished["id"], stuck["id"], cancelled["id"]])
    assert patch_task(anna, finished["id"], {"status": "done"}).status == 200
    assert patch_task(boris, cancelled["id"], {"status": "cancelled"}).status == 200

    for count in (1, 2, 3):
        later = plan_of(anna, weeks_after(week, count))
        entries = _entries(later)
        assert list(entries) == [stuck["id"]], count
        assert entries[stuck["id"]]["rollovers"] == count
        assert entries[stuck["id"]]["rolled_from"] == str(weeks_after(week, count - 1))

    first = plan_of(anna, week)
    assert first["closed_into"] == str(weeks_after(week, 1))
    assert first["closed_at"] is not None
    # Reading a week again rolls nothing over a second time.
    again = plan_of(anna, weeks_after(week, 2))
    assert _entries(again)[stuck["id"]]["rollovers"] == 2
    assert again["version"] == 2

    review = boris.client.get(f"/api/weeks/{weeks_after(week, 3)}/review")
    assert review.status == 200, review.body
    row = next(row for row in review.json["people"] if row["user_id"] == anna.id)
    assert row["planned"] == 1
    assert row["rolled_over"] == 1
    assert row["rollovers"] == 3


def test_rollover_joins_existing_plan(team):
    anna, boris = team.anna, team.boris
    stuck = new_task(boris, anna)
    planned_ahead = new_task(boris, anna)
    week = current_week()
    plan_tasks(anna, week, [stuck["id"]])
    # Planning next week writes it, which rolls this week over first.
    after_save = plan_tasks(anna, week.next(), [stuck["id"], planned_ahead["id"]])

    entries = _entries(after_save)
    assert list(entries) == [stuck["id"], planned_ahead["id"]]
    assert entries[stuck["id"]]["rollovers"] == 1
    assert entries[planned_ahead["id"]]["rollovers"] == 0


def test_rollover_skips_reassigned_tasks(team):
    anna, boris, john = team.anna, team.boris, team.john
    handed_over = new_task(boris, anna)
    week = current_week()
    plan_tasks(anna, week, [handed_over["id"]])
    assert patch_task(boris, handed_over["id"], {"assignee_id": john.id}).status == 200

    assert plan_of(anna, week.next())["tasks"] == []


def test_close_rolls_over_explicitly(team):
    anna, boris = team.anna, team.boris
    stuck = new_task(boris, anna)
    week = current_week()
    plan_tasks(anna, week, [stuck["id"]])

    closed = boris.client.post(f"/api/weeks/{week}/close", {"user_id": anna.id})

    assert closed.status == 200, closed.body
    assert closed.json["next_week"] == str(week.next())
    assert closed.json["people"] == [
        {"user_id": anna.id, "had_plan": True, "next_version": 1}
    ]
    assert plan_of(anna, week)["closed_into"] == str(week.next())
    # Closing twice changes nothing.
    repeated = boris.client.post(f"/api/weeks/{week}/close", {"user_id": anna.id})
    assert repeated.json["people"][0]["next_version"] == 1
    entries = _entries(plan_of(anna, week.next()))
    assert entries[stuck["id"]]["rollovers"] == 1


def test_close_checks_access_and_input(team):
    anna, gleb, boris = team.anna, team.gleb, team.boris
    week = current_week()
    forbidden = gleb.client.post(f"/api/weeks/{week}/close", {"user_id": anna.id})
    assert forbidden.status == 403
    both = boris.client.post(
        f"/api/weeks/{week}/close", {"user_id": anna.id, "department_id": "x"}
    )
    assert both.status == 400
    assert both.error_field() == "department_id"
    unknown = boris.client.post(f"/api/weeks/{week}/close", {"everyone": True})
    assert unknown.error_field() == "everyone"
    # With no body, the caller closes their own week.
    own = anna.client.post(f"/api/weeks/{week}/close")
    assert own.status == 200, own.body
    assert own.json["people"] == [
        {"user_id": anna.id, "had_plan": False, "next_version": 0}
    ]


def test_future_plans_do_not_roll_over(team):
    anna, boris = team.anna, team.boris
    stuck = new_task(boris, anna)
    week = current_week()
    plan_tasks(anna, week, [stuck["id"]])

    # A glance five weeks ahead leaves this week's plan open.
    assert plan_of(anna, weeks_after(week, 5))["tasks"] == []
    assert plan_of(anna, week)["closed_at"] is None
    plan_tasks(anna, weeks_after(week, 2), [stuck["id"]])
    # Week +2 has not begun, so reading week +3 moves none of its tasks.
    assert plan_of(anna, weeks_after(week, 3))["tasks"] == []

    entries = _entries(plan_of(anna, week.next()))
    assert entries[stuck["id"]]["rollovers"] == 1
