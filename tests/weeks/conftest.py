"""Fixtures of the week tests: the task tests' team and shortcuts for weeks.

The team is the one of tests/tasks: Борис heads marketplaces, Анна and John
report to him, Глеб heads content and Катя reports to him.
"""

import pytest

from chalicelib.clock import utc_now
from chalicelib.weeks.calendar import IsoWeek, week_of_moment
from tests.support.fixtures import Person
from tests.tasks.conftest import Team

MARKETPLACES = "Marketplace account management"
CONTENT = "Content and card design"


@pytest.fixture
def team(company, hire, owner) -> Team:
    return Team(owner, company, hire)


def current_week() -> IsoWeek:
    return week_of_moment(utc_now())


def weeks_after(week: IsoWeek, count: int) -> IsoWeek:
    for _ in range(count):
        week = week.next()
    return week


def get_plan(person: Person, week, user: Person | None = None):
    path = f"/api/weeks/{week}/plan"
    if user is not None:
        path += f"?user_id={user.id}"
    return person.client.get(path)


def plan_of(person: Person, week, user: Person | None = None) -> dict:
    response = get_plan(person, week, user)
    assert response.status == 200, response.body
    return response.json["plan"]


def put_plan(person: Person, week, body: dict):
    return person.client.request("PUT", f"/api/weeks/{week}/plan", body)


def plan_tasks(
    person: Person, week, task_ids: list[str], user: Person | None = None
) -> dict:
    """Read the plan, then replace its tasks from the version read."""
    version = plan_of(person, week, user)["version"]
    body = {"task_ids": task_ids, "version": version}
    if user is not None:
        body["user_id"] = user.id
    response = put_plan(person, week, body)
    assert response.status == 200, response.body
    return response.json["plan"]


def department_id(team: Team, name: str) -> str:
    return team.departments[name]["id"]
