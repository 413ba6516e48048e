"""The weekly review: numbers per person, access rules, CSV and read cost."""

import csv
import io
from datetime import timedelta

from chalicelib.weeks import review
from chalicelib.weeks.calendar import IsoWeek
from tests.conftest import DYNAMODB_CALLS
from tests.tasks.conftest import new_task, patch_task
from tests.weeks.conftest import (
    CONTENT,
    MARKETPLACES,
    current_week,
    department_id,
    plan_tasks,
)


def _row(response, person) -> dict:
    return next(row for row in response.json["people"] if row["user_id"] == person.id)


def _planned_week(team):
    """Plan four tasks for Анна in the current week, in four states."""
    anna, boris = team.anna, team.boris
    week = current_week()
    overdue_day = (week.monday - timedelta(days=1)).isoformat()
    next_week_day = (week.monday + timedelta(days=10)).isoformat()
    done = new_task(boris, anna, title="Done", due=overdue_day)
    late = new_task(boris, anna, title="=Late", due=overdue_day)
    later = new_task(boris, anna, title="Later", due=next_week_day)
    undated = new_task(boris, anna, title="Undated")
    plan_tasks(anna, week, [done["id"], late["id"], later["id"], undated["id"]])
    assert patch_task(anna, done["id"], {"status": "done"}).status == 200
    return week, {"done": done, "late": late, "later": later, "undated": undated}


def test_review_counts_per_person(team):
    anna, boris, john = team.anna, team.boris, team.john
    week, tasks = _planned_week(team)

    response = boris.client.get(
        f"/api/weeks/{week}/review?department_id={department_id(team, MARKETPLACES)}"
    )

    assert response.status == 200, response.body
    row = _row(response, anna)
    assert row["planned"] == 4
    assert row["done"] == 1
    assert row["not_done"] == 3
    assert row["late"] == 1
    assert row["rolled_over"] == 0
    assert row["rollovers"] == 0
    states = {task["task_id"]: task for task in row["tasks"]}
    assert states[tasks["done"]["id"]]["state"] == "done"
    assert states[tasks["late"]["id"]]["late"] is True
    assert states[tasks["later"]["id"]]["late"] is False
    assert states[tasks["undated"]["id"]]["state"] == "not_done"
    assert _row(response, john)["planned"] == 0
    assert {row["user_id"] for row in response.json["people"]} == {
        anna.id,
        john.id,
        boris.id,
    }


def test_review_access_rules(team):
    anna, boris, gleb, katya, owner = (
        team.anna,
        team.boris,
        team.gleb,
        team.katya,
        team.owner,
    )
    week = current_week()
    marketplaces = department_id(team, MARKETPLACES)
    content = department_id(team, CONTENT)
    path = f"/api/weeks/{week}/review"

    assert anna.client.get(path).status == 403
    assert anna.client.get(f"{path}?department_id={marketplaces}").status == 403
    assert gleb.client.get(f"{path}?department_id={marketplaces}").status == 403

    by_gleb = gleb.client.get(f"{path}?department_id={content}")
    assert by_gleb.status == 200, by_gleb.body
    assert {row["user_id"] for row in by_gleb.json["people"]} == {gleb.id, katya.id}

    whole_for_boris = boris.client.get(path)
    assert {row["user_id"] for row in whole_for_boris.json["people"]} == {
        boris.id,
        anna.id,
    }

    whole = owner.client.get(path)
    assert whole.status == 200, whole.body
    everyone = {row["user_id"] for row in whole.json["people"]}
    assert {anna.id, boris.id, gleb.id, katya.id, owner.id} <= everyone


def test_review_validates_input(team):
    boris = team.boris
    week = current_week()
    path = f"/api/weeks/{week}/review"
    cases = [
        ("format=xlsx", "format"),
        ("department_id=no-such-department", "department_id"),
        ("department=x", "department"),
    ]
    for query, field in cases:
        response = boris.client.get(f"{path}?{query}")
        assert response.status == 400, (query, response.body)
        assert response.error_field() == field


def test_review_csv_export(team):
    anna, boris = team.anna, team.boris
    week, _tasks = _planned_week(team)
    marketplaces = department_id(team, MARKETPLACES)

    response = boris.client.get(
        f"/api/weeks/{week}/review?department_id={marketplaces}&format=csv"
    )

    assert response.status == 200, response.body
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="review-{week}.csv"' in response.headers["Content-Disposition"]
    assert response.body.startswith("\ufeff".encode())
    text = response.body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "iso_week",
        "department_id",
        "department",
        "user_id",
        "name",
        "planned",
        "done",
        "not_done",
        "late",
        "rolled_over",
        "rollovers",
    ]
    by_user = {row[3]: row for row in rows[1:]}
    assert by_user[anna.id] == [
        str(week),
        marketplaces,
        "Отдел маркетплейсов",
        anna.id,
        "Анна",
        "4",
        "1",
        "3",
        "1",
        "0",
        "0",
    ]
    # John is not hired in this test, so the department has two people.
    assert set(by_user) == {anna.id, boris.id}
    assert len(rows) == 1 + 2
    assert "\r\n" in text


def test_review_reads_by_key_not_table(team, hire):
    """A department of 30 people costs a few Queries and batch reads, no Scan."""
    boris, owner = team.boris, team.owner
    position_id = team._positions["Ozon account manager"]["id"]
    people = [hire(f"Менеджер {number:02d}", position_id) for number in range(27)]
    for person in people[:5]:
        task = new_task(boris, person)
        plan_tasks(person, current_week(), [task["id"]])
    marketplaces = department_id(team, MARKETPLACES)
    # Борис, Анна and John complete the department to 30 people.
    assert len({team.anna.id, team.john.id, boris.id, *(p.id for p in people)}) == 30

    with DYNAMODB_CALLS.measure() as calls:
        response = owner.client.get(
            f"/api/weeks/{current_week()}/review?department_id={marketplaces}"
        )

    assert response.status == 200, response.body
    assert len(response.json["people"]) == 30
    assert sum(row["planned"] for row in response.json["people"]) == 5
    assert calls["Scan"] == 0
    # Departments and the users of the one department, plus sign-in reads.
    assert calls["Query"] <= 4, dict(calls)
    assert calls["BatchGetItem"] <= 2, dict(calls)
    assert calls["GetItem"] <= 3, dict(calls)


def test_review_csv_guards_formulas():
    row = {
        "department_id": "d1",
        "department": "+Отдел",
        "user_id": "u1",
        "name": "=HYPERLINK(1)",
        "planned": 0,
        "done": 0,
        "not_done": 0,
        "late": 0,
        "rolled_over": 0,
        "rollovers": 0,
    }
    text = review.review_csv([row], IsoWeek(2026, 49))
    cells = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))[1]
    assert cells[2] == "'+Отдел"
    assert cells[4] == "'=HYPERLINK(1)"
