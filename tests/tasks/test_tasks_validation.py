"""Bad input on the task series and task import routes: a 4xx naming the field.

The generic table in tests/api/test_validation.py leaves these routes out; this
file covers them and checks that no rejected request stores anything.
"""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from chalicelib.chat.gateway import use_gateway
from chalicelib.tasks.models import Task
from chalicelib.tasks.series_models import SERIES_PARTITION, TaskSeries
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient
from tests.support.fake_gateway import FakeGateway
from tests.support.fixtures import OWNER_EMAIL, OWNER_PASSWORD, Person, reset_backends
from tests.tasks.conftest import Team, new_task

RULE = {"frequency": "daily", "start": "2026-12-01"}
SERIES = {"title": "Сверить остатки", "assignee_id": "{anna}", "rule": RULE}
MISSING = "01JAAAAAAAAAAAAAAAAAAAAAAA"


def series(**changes) -> dict:
    body = {**SERIES, **changes}
    return {key: value for key, value in body.items() if value is not None}


def rule(**changes) -> dict:
    return series(rule={**RULE, **changes})


# (person, method, path, body, status, field); a value in braces is an id from
# the ``ids`` fixture.
CASES = [
    ("boris", "POST", "/api/tasks/series", {"assignee_id": "{anna}", "rule": RULE}, 400, "title"),
    ("boris", "POST", "/api/tasks/series", series(title=""), 400, "title"),
    ("boris", "POST", "/api/tasks/series", series(title="ж" * 201), 400, "title"),
    ("boris", "POST", "/api/tasks/series", series(title=5), 400, "title"),
    ("boris", "POST", "/api/tasks/series", series(title="\u202eevil"), 400, "title"),
    ("boris", "POST", "/api/tasks/series", series(description="ж" * 20001), 400, "description"),
    ("boris", "POST", "/api/tasks/series", series(rule=None), 400, "rule"),
    ("boris", "POST", "/api/tasks/series", series(rule="daily"), 400, "rule"),
    ("boris", "POST", "/api/tasks/series", rule(frequency="yearly"), 400, "rule.frequency"),
    ("boris", "POST", "/api/tasks/series", rule(start="2026-02-30"), 400, "rule.start"),
    ("boris", "POST", "/api/tasks/series", rule(start="01.12.2026"), 400, "rule.start"),
    ("boris", "POST", "/api/tasks/series", rule(start="1999-12-01"), 400, "rule.start"),
    ("boris", "POST", "/api/tasks/series", rule(interval=0), 400, "rule.interval"),
    ("boris", "POST", "/api/tasks/series", rule(interval=100), 400, "rule.interval"),
    ("boris", "POST", "/api/tasks/series", rule(interval="2"), 400, "rule.interval"),
    ("boris", "POST", "/api/tasks/series", rule(frequency="weekly"), 400, "rule.weekdays"),
    ("boris", "POST", "/api/tasks/series", rule(frequency="weekly", weekdays=[8]), 400, "rule.weekdays.0"),
    ("boris", "POST", "/api/tasks/series", rule(frequency="weekly", weekdays=[0]), 400, "rule.weekdays.0"),
    ("boris", "POST", "/api/tasks/series", rule(weekdays=[1]), 400, "rule.weekdays"),
    ("boris", "POST", "/api/tasks/series", rule(frequency="monthly", day_of_month=32), 400, "rule.day_of_month"),
    ("boris", "POST", "/api/tasks/series", rule(day_of_month=5), 400, "rule.day_of_month"),
    ("boris", "POST", "/api/tasks/series", rule(frequency="workdays", interval=2), 400, "rule.interval"),
    ("boris", "POST", "/api/tasks/series", rule(until="2026-12-31", count=3), 400, "rule.until"),
    ("boris", "POST", "/api/tasks/series", rule(until="2026-11-30"), 400, "rule.until"),
    ("boris", "POST", "/api/tasks/series", rule(start="2020-01-01", until="2020-01-05"), 400, "rule.until"),
    ("boris", "POST", "/api/tasks/series", rule(count=0), 400, "rule.count"),
    ("boris", "POST", "/api/tasks/series", rule(count=1001), 400, "rule.count"),
    ("boris", "POST", "/api/tasks/series", rule(surprise=1), 400, "rule.surprise"),
    ("boris", "POST", "/api/tasks/series", series(assignee_id=None), 400, "assignee_id"),
    ("boris", "POST", "/api/tasks/series", series(position_id="{ozon}"), 400, "assignee_id"),
    ("boris", "POST", "/api/tasks/series", series(assignee_id=None, position_id=MISSING), 400, "position_id"),
    ("boris", "POST", "/api/tasks/series", series(assignee_id=MISSING), 400, "assignee_id"),
    ("boris", "POST", "/api/tasks/series", series(co_assignee_ids=[MISSING]), 400, "co_assignee_ids"),
    ("boris", "POST", "/api/tasks/series", series(reviewer_id="{boris}", requires_review=True), 400, "reviewer_id"),
    ("boris", "POST", "/api/tasks/series", series(department_id=MISSING), 400, "department_id"),
    ("boris", "POST", "/api/tasks/series", series(priority="asap"), 400, "priority"),
    ("boris", "POST", "/api/tasks/series", series(tags=["x"] * 21), 400, "tags"),
    ("boris", "POST", "/api/tasks/series", series(due_time="25:00"), 400, "due_time"),
    ("boris", "POST", "/api/tasks/series", series(due_time="18.00"), 400, "due_time"),
    ("boris", "POST", "/api/tasks/series", series(checklist=[""]), 400, "checklist.0"),
    ("boris", "POST", "/api/tasks/series", series(checklist=["ж" * 201]), 400, "checklist.0"),
    ("boris", "POST", "/api/tasks/series", series(checklist=["x"] * 51), 400, "checklist"),
    ("boris", "POST", "/api/tasks/series", series(requires_review="yes"), 400, "requires_review"),
    ("boris", "POST", "/api/tasks/series", series(surprise=1), 400, "surprise"),
    ("boris", "POST", f"/api/tasks/series/{MISSING}/stop", None, 404, "series_id"),
    ("anna", "POST", "/api/tasks/series/{series}/stop", None, 403, None),
    ("katya", "POST", "/api/tasks/series/{series}/stop", None, 404, "series_id"),
    ("boris", "POST", "/api/tasks/series/{series}/stop", {"now": True}, 400, None),
    ("katya", "GET", "/api/tasks/series/{series}", None, 404, "series_id"),
    ("boris", "PATCH", "/api/tasks/{occurrence}?scope=all", {"title": "Новое"}, 400, "scope"),
    ("boris", "PATCH", "/api/tasks/{plain}?scope=future", {"title": "Новое"}, 400, "scope"),
    ("boris", "PATCH", "/api/tasks/{occurrence}?scope=future", {"status": "done"}, 400, "status"),
    ("boris", "PATCH", "/api/tasks/{occurrence}?scope=future", {"comment": "x"}, 400, "comment"),
    ("boris", "PATCH", "/api/tasks/{occurrence}?scope=future", {"due": "2026-12-20"}, 400, "due"),
    ("boris", "PATCH", "/api/tasks/{occurrence}?scope=future", {"blocked_by_ids": []}, 400, "blocked_by_ids"),
    ("boris", "PATCH", "/api/tasks/{occurrence}?scope=future", {"title": ""}, 400, "title"),
    ("boris", "PATCH", "/api/tasks/{occurrence}?scope=future", {"assignee_id": MISSING}, 400, "assignee_id"),
    ("boris", "PATCH", "/api/tasks/{occurrence}?scope=future", {}, 400, None),
    ("anna", "PATCH", "/api/tasks/{occurrence}?scope=future", {"title": "Моё"}, 403, None),
    ("owner", "POST", "/api/tasks/import/placeholders/{placeholder}/map", {}, 400, "user_id"),
    ("owner", "POST", "/api/tasks/import/placeholders/{placeholder}/map", {"user_id": 5}, 400, "user_id"),
    ("owner", "POST", "/api/tasks/import/placeholders/{placeholder}/map", {"user_id": "{anna}", "x": 1}, 400, "x"),
    ("owner", "POST", "/api/tasks/import/placeholders/{placeholder}/map", {"user_id": "{anna}"}, 404, None),
    ("boris", "POST", "/api/tasks/import/placeholders/{placeholder}/map", {"user_id": "{anna}"}, 403, None),
]  # fmt: skip

CSV = b"title\nX\n"
BOARD = b'{"lists": [{"id": "l", "name": "To Do"}], "cards": [{"id": "c", "idList": "l", "name": "Card"}]}'

# (person, query, body, status, field) for POST /api/tasks/import.
IMPORT_CASES = [
    ("anna", "format=csv", CSV, 403, None),
    ("boris", "", CSV, 400, "format"),
    ("boris", "format=", CSV, 400, "format"),
    ("boris", "format=xlsx", CSV, 400, "format"),
    ("boris", "format=csv&extra=1", CSV, 400, "extra"),
    ("boris", "format=csv", b"", 400, "file"),
    ("boris", "format=csv", b"   \n", 400, "file"),
    ("boris", "format=csv", b"a,b\n1,2\n", 400, "file"),
    ("boris", "format=csv", b"title\n\x00", 400, "file"),
    ("boris", "format=trello", CSV, 400, "file"),
    ("boris", "format=trello", b"[]", 400, "file"),
    ("boris", "format=trello", b'{"lists": {}, "cards": []}', 400, "file"),
    ("boris", "format=trello", b'{"lists": [], "cards": [], "labels": 5}', 400, "file"),
    ("boris", "format=trello", b"\xff\xfe\x00", 400, "file"),
    ("boris", "format=trello&statuses=" + quote('{"Doing": "done"}'), BOARD, 400, "statuses"),
    ("boris", "format=trello&statuses=" + quote('{"To Do": "started"}'), BOARD, 400, "statuses"),
    ("boris", "format=trello&statuses=" + quote("[1]"), BOARD, 400, "statuses"),
    ("boris", "format=trello&statuses=%7B", BOARD, 400, "statuses"),
    ("boris", f"format=csv&assignee_id={MISSING}", CSV, 400, "assignee_id"),
    ("boris", "format=csv", b"title\n" + b"x" * (5 * 1024 * 1024), 413, "file"),
    ("boris", "format=csv", b"title\n" + b"x\n" * 1001, 400, "file"),
]  # fmt: skip


@pytest.fixture(scope="module")
def team(database, http_gateway, app_module) -> Iterator[Team]:
    """Build the task tests' team once for the module, on freshly reset tables."""
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
    created = team.boris.client.post(
        "/api/tasks/series",
        {"title": "Сверить остатки", "assignee_id": team.anna.id, "rule": RULE},
    )
    assert created.status == 201, created.body
    # Hired now, so that hiring her in a case does not change the counts.
    assert team.katya.id
    ozon = team._positions["Ozon account manager"]["id"]
    plain = new_task(team.boris, team.anna, title="Обычная задача")
    return {
        "anna": team.anna.id,
        "boris": team.boris.id,
        "ozon": ozon,
        "series": created.json["series"]["id"],
        "occurrence": created.json["task"]["id"],
        "plain": plain["id"],
        # No import has run, so this placeholder does not exist.
        "placeholder": "placeholder-0",
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


def stored_counts(team) -> tuple[int, int, int]:
    """Return how many series, tasks by Борис and series versions are stored."""
    all_series = list(TaskSeries.query(SERIES_PARTITION, consistent_read=True))
    tasks = list(Task.creator_index.query(team.boris.id))
    versions = sum(int(item.version) for item in all_series)
    return len(all_series), len(tasks), versions


@pytest.mark.parametrize(
    ("person", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(team, ids, person, method, path, body, status, field):
    before = stored_counts(team)
    client = getattr(team, person).client
    response = client.request(method, fill(path, ids), fill(body, ids))
    assert (response.status, response.error_field()) == (status, field), response.body
    assert stored_counts(team) == before


@pytest.mark.parametrize(
    ("person", "query", "raw", "status", "field"),
    IMPORT_CASES,
    ids=[
        f"{case[1] or 'no query'} {case[4] or case[3]}-{index}"
        for index, case in enumerate(IMPORT_CASES)
    ],
)
def test_bad_import_names_field(team, ids, person, query, raw, status, field):
    before = stored_counts(team)
    response = getattr(team, person).client.post(
        f"/api/tasks/import?{fill(query, ids)}",
        raw=raw,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert (response.status, response.error_field()) == (status, field), response.body[
        :300
    ]
    assert stored_counts(team) == before


@pytest.mark.parametrize(
    "raw", [b"[]", b"{", b'"text"', b"\xff\xfe", b"null", b""], ids=repr
)
def test_malformed_series_body_is_400(team, ids, raw):
    before = stored_counts(team)
    response = team.boris.client.post("/api/tasks/series", raw=raw)
    assert response.status == 400
    assert stored_counts(team) == before


def test_unsigned_calls_are_401(team, ids):
    anonymous = team.owner.client.as_user("")
    assert anonymous.get("/api/tasks/series").status == 401
    assert anonymous.post("/api/tasks/series", SERIES).status == 401
    response = anonymous.post(
        "/api/tasks/import?format=csv",
        raw=CSV,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status == 401


def _route_shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])


def test_cases_cover_every_write_route(app_module):
    covered = {(case[1], _route_shape(case[2])) for case in CASES}
    covered.add(("POST", "/api/tasks/import"))
    # The format-in-path form's bad input is in tests/tasks/test_task_import.py.
    covered.add(("POST", "/api/tasks/import/{}"))
    # The preview's bad input, and bad mappings on every import route, are in
    # tests/tasks/test_task_import_preview.py.
    covered.add(("POST", "/api/tasks/import/preview"))
    write_routes = {
        (method, _route_shape(path))
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method in ("POST", "PATCH", "PUT")
        and path.startswith(("/api/tasks/series", "/api/tasks/import"))
    }
    assert write_routes - covered == set()
