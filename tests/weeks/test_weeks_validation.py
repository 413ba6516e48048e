"""Bad input on every week route that writes: a 4xx naming the field, never a 5xx."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import re
from collections.abc import Iterator

import pytest

from chalicelib.chat.gateway import use_gateway
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient
from tests.support.fake_gateway import FakeGateway
from tests.support.fixtures import OWNER_EMAIL, OWNER_PASSWORD, Person, reset_backends
from tests.tasks.conftest import Team, new_task, patch_task
from tests.weeks.conftest import (
    CONTENT,
    MARKETPLACES,
    current_week,
    department_id,
    plan_of,
    weeks_after,
)

# The current week, which every plan route accepts.
WEEK = "{week}"
# Sixty weeks ahead: past the 52 weeks a plan may reach.
FAR_WEEK = "{far_week}"
# Анна's own unfinished task, one she has finished and one of Борис's own.
TASK = "{task}"
DONE_TASK = "{done_task}"
BORIS_TASK = "{boris_task}"
# A task id that was never created.
MISSING = "{missing}"

PLAN = f"/api/weeks/{WEEK}/plan"
CLOSE = f"/api/weeks/{WEEK}/close"
NOTES = f"/api/weeks/{WEEK}/notes?department_id={{marketplaces}}"

# (person, method, path, body, status, field); a path or body value in braces is
# an id made by the ``ids`` fixture.
CASES = [
    ("anna", "PUT", PLAN, {}, 400, "task_ids"),
    ("anna", "PUT", PLAN, {"task_ids": [TASK]}, 400, "version"),
    ("anna", "PUT", PLAN, {"task_ids": TASK, "version": 0}, 400, "task_ids"),
    ("anna", "PUT", PLAN, {"task_ids": [TASK], "version": -1}, 400, "version"),
    ("anna", "PUT", PLAN, {"task_ids": [TASK], "version": "0"}, 400, "version"),
    ("anna", "PUT", PLAN, {"task_ids": [TASK], "version": 0.5}, 400, "version"),
    ("anna", "PUT", PLAN, {"task_ids": [""], "version": 0}, 400, "task_ids.0"),
    ("anna", "PUT", PLAN, {"task_ids": [5], "version": 0}, 400, "task_ids.0"),
    ("anna", "PUT", PLAN, {"task_ids": ["x" * 65], "version": 0}, 400, "task_ids.0"),
    ("anna", "PUT", PLAN, {"task_ids": [f"task-{number}" for number in range(201)], "version": 0}, 400, "task_ids"),
    ("anna", "PUT", PLAN, {"task_ids": [TASK, TASK], "version": 0}, 400, "task_ids.1"),
    ("anna", "PUT", PLAN, {"task_ids": [MISSING], "version": 0}, 400, "task_ids.0"),
    ("anna", "PUT", PLAN, {"task_ids": [TASK, BORIS_TASK], "version": 0}, 400, "task_ids.1"),
    ("anna", "PUT", PLAN, {"task_ids": [DONE_TASK], "version": 0}, 400, "task_ids.0"),
    ("anna", "PUT", PLAN, {"task_ids": [TASK], "version": 3}, 409, "version"),
    ("anna", "PUT", PLAN, {"task_ids": [], "version": 0, "user_id": MISSING}, 400, "user_id"),
    ("anna", "PUT", PLAN, {"task_ids": [], "version": 0, "user_id": "{katya}"}, 403, "user_id"),
    ("anna", "PUT", PLAN, {"task_ids": [], "version": 0, "note": "x"}, 400, "note"),
    ("anna", "PUT", "/api/weeks/2026-W54/plan", {"task_ids": [], "version": 0}, 400, "iso_week"),
    ("anna", "PUT", "/api/weeks/2025-W53/plan", {"task_ids": [], "version": 0}, 400, "iso_week"),
    ("anna", "PUT", "/api/weeks/2026-W00/plan", {"task_ids": [], "version": 0}, 400, "iso_week"),
    ("anna", "PUT", "/api/weeks/2026-49/plan", {"task_ids": [], "version": 0}, 400, "iso_week"),
    ("anna", "PUT", "/api/weeks/2026-w49/plan", {"task_ids": [], "version": 0}, 400, "iso_week"),
    ("anna", "PUT", "/api/weeks/1999-W10/plan", {"task_ids": [], "version": 0}, 400, "iso_week"),
    ("anna", "PUT", f"/api/weeks/{FAR_WEEK}/plan", {"task_ids": [], "version": 0}, 400, "iso_week"),
    ("anna", "POST", CLOSE, {"user_id": 5}, 400, "user_id"),
    ("anna", "POST", CLOSE, {"user_id": ""}, 400, "user_id"),
    ("anna", "POST", CLOSE, {"user_id": MISSING}, 400, "user_id"),
    ("anna", "POST", CLOSE, {"user_id": "{katya}"}, 403, "user_id"),
    ("boris", "POST", CLOSE, {"user_id": "{anna}", "department_id": "{marketplaces}"}, 400, "department_id"),
    ("boris", "POST", CLOSE, {"department_id": MISSING}, 400, "department_id"),
    ("boris", "POST", CLOSE, {"department_id": "{content}"}, 403, "department_id"),
    ("anna", "POST", CLOSE, {"department_id": "{marketplaces}"}, 403, None),
    ("anna", "POST", CLOSE, {"week": "next"}, 400, "week"),
    ("anna", "POST", "/api/weeks/2026-W54/close", None, 400, "iso_week"),
    ("anna", "POST", "/api/weeks/2026-12-07/close", None, 400, "iso_week"),
    ("anna", "POST", f"/api/weeks/{FAR_WEEK}/close", None, 400, "iso_week"),
    ("anna", "PUT", f"/api/weeks/{WEEK}/notes", {"text": "Итоги", "version": 0}, 400, "department_id"),
    ("anna", "PUT", NOTES, {"text": "Итоги\x00", "version": 0}, 400, "text"),
    ("anna", "PUT", NOTES, {"text": "\u202eИтоги", "version": 0}, 400, "text"),
    ("anna", "PUT", NOTES, {}, 400, "text"),
    ("anna", "PUT", NOTES, {"text": "Итоги"}, 400, "version"),
    ("anna", "PUT", NOTES, {"text": 5, "version": 0}, 400, "text"),
    ("anna", "PUT", NOTES, {"text": None, "version": 0}, 400, "text"),
    ("anna", "PUT", NOTES, {"text": "ж" * 20_001, "version": 0}, 400, "text"),
    ("anna", "PUT", NOTES, {"text": "Итоги", "version": -1}, 400, "version"),
    ("anna", "PUT", NOTES, {"text": "Итоги", "version": True}, 400, "version"),
    ("anna", "PUT", NOTES, {"text": "Итоги", "version": 3}, 409, "version"),
    ("anna", "PUT", NOTES, {"text": "Итоги", "version": 0, "title": "x"}, 400, "title"),
    ("anna", "PUT", f"{NOTES}&format=csv", {"text": "Итоги", "version": 0}, 400, "format"),
    ("anna", "PUT", f"/api/weeks/{WEEK}/notes?department_id={MISSING}", {"text": "Итоги", "version": 0}, 400, "department_id"),
    ("anna", "PUT", f"/api/weeks/{WEEK}/notes?department_id={{content}}", {"text": "Итоги", "version": 0}, 403, "department_id"),
    ("anna", "PUT", "/api/weeks/2026-49/notes?department_id={marketplaces}", {"text": "Итоги", "version": 0}, 400, "iso_week"),
    ("anna", "PUT", "/api/weeks/2026-W54/notes?department_id={marketplaces}", {"text": "Итоги", "version": 0}, 400, "iso_week"),
]  # fmt: skip


@pytest.fixture(scope="module")
def team(database, http_gateway, app_module) -> Iterator[Team]:
    """Build the task tests' team once for the module, on freshly reset tables.

    The shared ``company`` fixture builds a company per test, which would take
    about five seconds for each of the cases here.
    """
    from chalicelib.auth.service import bootstrap_owner

    reset_backends(database)
    pump = StreamPump(database.endpoint, app_module.STREAM_REACTIONS, database.prefix)
    pump.attach()
    use_gateway(FakeGateway())
    api = ApiClient(http_gateway)
    bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
    owner = _sign_in(api, OWNER_EMAIL, OWNER_PASSWORD)
    applied = owner.client.post("/api/org/templates/marketplace-business/apply")
    assert applied.status == 200, applied.body
    pump.drain()
    positions = owner.client.get("/api/org/positions").json["positions"]
    departments = owner.client.get("/api/org/departments").json["departments"]
    company = {
        "positions": {item["name_en"]: item for item in positions},
        "departments": {item["name_en"]: item for item in departments},
    }
    hired = iter(range(1, 100))

    def hire(name, position_id=None, role="employee", locale="ru") -> Person:
        number = next(hired)
        email, password = f"person{number}@example.com", f"password-{number}-long"
        body = {
            "email": email,
            "name": name,
            "role": role,
            "locale": locale,
            "password": password,
        }
        if position_id is not None:
            body["position_id"] = position_id
        response = owner.client.post("/api/users", body)
        assert response.status == 201, response.body
        pump.drain()
        return _sign_in(api, email, password)

    yield Team(owner, company, hire)
    use_gateway(None)


def _sign_in(api: ApiClient, email: str, password: str) -> Person:
    response = api.post("/api/auth/login", {"email": email, "password": password})
    assert response.status == 200, response.body
    token = response.json["token"]
    return Person(
        response.json["user"]["id"], email, password, token, api.as_user(token)
    )


@pytest.fixture(scope="module")
def ids(team) -> dict[str, str]:
    task = new_task(team.boris, team.anna, title="Обновить цены WB")
    done_task = new_task(team.boris, team.anna, title="Выгрузить остатки")
    assert patch_task(team.anna, done_task["id"], {"status": "done"}).status == 200
    boris_task = new_task(team.boris, team.boris, title="Отчёт для CEO")
    week = current_week()
    return {
        "week": str(week),
        "far_week": str(weeks_after(week, 60)),
        "task": task["id"],
        "done_task": done_task["id"],
        "boris_task": boris_task["id"],
        "anna": team.anna.id,
        "katya": team.katya.id,
        "marketplaces": department_id(team, MARKETPLACES),
        "content": department_id(team, CONTENT),
        "missing": "01JAAAAAAAAAAAAAAAAAAAAAAA",
    }


def fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


@pytest.mark.parametrize(
    ("person", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(team, ids, person, method, path, body, status, field):
    client = getattr(team, person).client
    response = client.request(method, fill(path, ids), fill(body, ids))
    assert (response.status, response.error_field()) == (status, field), response.body


@pytest.mark.parametrize(
    "raw", [b"[]", b"{", b'"text"', b"\xff\xfe", b"null"], ids=repr
)
@pytest.mark.parametrize("path", [PLAN, CLOSE, NOTES])
def test_malformed_body_is_400(team, ids, raw, path):
    method = "POST" if path == CLOSE else "PUT"
    response = team.anna.client.request(method, fill(path, ids), raw=raw)
    assert response.status == 400


def test_plan_unchanged_by_rejected_input(team, ids):
    rejected = team.anna.client.request(
        "PUT",
        fill(PLAN, ids),
        {"task_ids": [ids["task"], ids["done_task"]], "version": 0},
    )
    assert rejected.status == 400
    plan = plan_of(team.anna, ids["week"])
    assert plan["version"] == 0
    assert plan["tasks"] == []


def test_notes_unchanged_by_rejected_input(team, ids):
    rejected = team.anna.client.request(
        "PUT", fill(NOTES, ids), {"text": "ж" * 20_001, "version": 0}
    )
    assert rejected.status == 400
    notes = team.anna.client.get(fill(NOTES, ids)).json["notes"]
    assert notes["version"] == 0
    assert notes["text"] == ""


def test_unsigned_call_is_401(team, ids):
    response = team.owner.client.as_user("").request(
        "PUT", fill(PLAN, ids), {"task_ids": [], "version": 0}
    )
    assert response.status == 401


def _route_shape(path: str) -> str:
    """Turn the week and every {placeholder} into {} to match route templates."""
    shape = re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])
    return re.sub(r"^/api/weeks/[^/]+/", "/api/weeks/{}/", shape)


def test_cases_cover_every_write_route(app_module):
    covered = {(case[1], _route_shape(case[2])) for case in CASES}
    write_routes = {
        (method, _route_shape(path))
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method in ("POST", "PATCH", "PUT") and path.startswith("/api/weeks/")
    }
    assert write_routes - covered == set()
