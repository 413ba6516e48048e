"""A staffed team for the task tests, built through the shared fixtures.

Owner     role owner, no position
Борис     Head of marketplaces         (manager of Анна and John)
Анна      Wildberries account manager  (reports to Борис)
John      Wildberries account manager  (reports to Борис), English
Катя      Content manager              (another department)
Глеб      Head of content              (Катя's manager, not Анна's)
"""

import threading

import pytest

from chalicelib.errors import ApiError
from chalicelib.tasks import service
from chalicelib.tasks.visibility import viewer_of
from chalicelib.web import Caller
from tests.support.fixtures import Person


class Team:
    """People hired on first use, so that a test pays only for whom it needs."""

    STAFF = {
        "boris": ("Борис", "Head of marketplaces", "manager", "ru"),
        "anna": ("Анна", "Wildberries account manager", "employee", "ru"),
        "john": ("John", "Wildberries account manager", "employee", "en"),
        "katya": ("Катя", "Content manager", "employee", "ru"),
        "gleb": ("Глеб", "Head of content", "manager", "ru"),
    }

    def __init__(self, owner: Person, company: dict, hire) -> None:
        self.owner = owner
        self.departments = company["departments"]
        self._positions = company["positions"]
        self._hire = hire
        self._people: dict[str, Person] = {}

    def __getattr__(self, key: str) -> Person:
        if key not in self.STAFF:
            raise AttributeError(key)
        if key not in self._people:
            name, position, role, locale = self.STAFF[key]
            self._people[key] = self._hire(
                name, self._positions[position]["id"], role=role, locale=locale
            )
        return self._people[key]


@pytest.fixture
def team(company, hire, owner) -> Team:
    return Team(owner, company, hire)


def new_task(person: Person, assignee: Person, **fields) -> dict:
    """Create a task through the API and return its JSON."""
    body = {"title": fields.pop("title", "Обновить цены"), "assignee_id": assignee.id}
    body.update(fields)
    response = person.client.post("/api/tasks", body)
    assert response.status == 201, response.body
    return response.json["task"]


def patch_task(person: Person, task_id: str, body: dict):
    return person.client.patch(f"/api/tasks/{task_id}", body)


def history(person: Person, task_id: str) -> list[dict]:
    response = person.client.get(f"/api/tasks/{task_id}/history?limit=200")
    assert response.status == 200, response.body
    return response.json["entries"]


def viewer_for(person: Person, role: str = "employee"):
    return viewer_of(Caller(user_id=person.id, role=role))


def race(actions) -> list[str]:
    """Run each action in its own thread at once; return "ok" or the error code.

    Service functions run directly, because Chalice keeps the current request
    on the app object, so one in-process app serves one request at a time.
    """
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(action):
        barrier.wait()
        try:
            action()
            outcome = "ok"
        except ApiError as error:
            outcome = error.code
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == len(actions), "a racing thread did not finish"
    return sorted(outcomes)


def gate_commits(monkeypatch, count: int) -> None:
    """Hold every change at its write until ``count`` threads have read the task.

    Without the gate a thread could read the task after another's write and
    make a second, legitimate transition. With it, every thread races from the
    same version, as two people clicking at once do.
    """
    barrier = threading.Barrier(count, timeout=30)
    commit = service.commit

    def gated(*args, **kwargs):
        barrier.wait()
        return commit(*args, **kwargs)

    monkeypatch.setattr(service, "commit", gated)


def race_updates(person: Person, role: str, updates: list) -> list[str]:
    """Race ``(task_id, TaskUpdate)`` changes made by ``person``; see ``race``."""
    return race(
        [
            lambda task_id=task_id, request=request: service.update_task(
                task_id, request, request.model_fields_set, viewer_for(person, role)
            )
            for task_id, request in updates
        ]
    )
