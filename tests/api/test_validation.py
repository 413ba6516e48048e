"""Check that every write route rejects malformed requests and writes nothing.

All cases share one world, built once for this module, because a rejected
request must leave it unchanged. Each test compares every table before and
after its request.
"""

import json
from dataclasses import dataclass, field

import pytest

from chalicelib.auth.service import bootstrap_owner
from chalicelib.chat.gateway import use_gateway
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient
from tests.support.fake_gateway import FakeGateway
from tests.support.fixtures import OWNER_EMAIL, OWNER_PASSWORD, reset_backends

EMPLOYEE_EMAIL = "employee@example.com"
EMPLOYEE_PASSWORD = "employee-password-1"
TWO_MEGABYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class World:
    client: ApiClient
    anonymous: ApiClient
    pump: StreamPump
    # A plain boto3 client and the table names, to compare stored items.
    dynamodb: object
    table_names: list[str]
    ids: dict[str, str]


@dataclass(frozen=True)
class WriteRoute:
    """A POST or PATCH route, a body it accepts, and fields to break."""

    method: str
    template: str
    valid_body: dict
    # (field, value) pairs, or (field, value, known bug) for a bug outside the
    # packages these tests may fix.
    wrong_types: list[tuple]
    too_long: list[tuple]
    # Known bugs outside the packages these tests may fix, by whole-body case.
    known_bugs: dict[str, str] = field(default_factory=dict)
    # The world's channel that ``{channel_id}`` in the path refers to.
    channel: str = "custom_channel"

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


def long_text(length: int) -> str:
    return "ж" * length


def long_email() -> str:
    return "a" * 250 + "@example.com"


WRITE_ROUTES = [
    WriteRoute(
        "POST",
        "/api/auth/login",
        {"email": OWNER_EMAIL, "password": OWNER_PASSWORD},
        wrong_types=[
            ("email", 42),
            ("email", ["owner@example.com"]),
            ("password", 12345678),
            ("password", None),
        ],
        too_long=[("email", long_email()), ("password", long_text(201))],
    ),
    WriteRoute(
        "POST",
        "/api/org/departments",
        {"name": "Новый отдел"},
        wrong_types=[
            ("name", 5),
            ("name", None),
            ("name", ["Отдел"]),
            ("name_en", 5),
            ("purpose", {"text": "x"}),
            ("parent_id", 7),
        ],
        too_long=[
            ("name", long_text(121)),
            ("name_en", long_text(121)),
            ("purpose", long_text(2001)),
            ("parent_id", long_text(65)),
        ],
    ),
    WriteRoute(
        "PATCH",
        "/api/org/departments/{department_id}",
        {"name": "Переименованный отдел"},
        wrong_types=[
            ("name", 5),
            ("name", None),
            ("name", True),
            ("purpose", []),
            ("parent_id", 7),
        ],
        too_long=[
            ("name", long_text(121)),
            ("name_en", long_text(121)),
            ("purpose", long_text(2001)),
            ("parent_id", long_text(65)),
        ],
    ),
    WriteRoute(
        "POST",
        "/api/org/positions",
        {"name": "Новая должность", "department_id": "{department}"},
        wrong_types=[
            ("name", 5),
            ("department_id", 5),
            ("department_id", None),
            ("functions", "одна строка"),
            ("functions", [1, 2]),
            ("reports_to", 7),
        ],
        too_long=[
            ("name", long_text(121)),
            ("department_id", long_text(65)),
            ("purpose", long_text(2001)),
            ("functions", [long_text(501)]),
            ("functions", ["Функция"] * 51),
            ("reports_to", long_text(65)),
        ],
    ),
    WriteRoute(
        "PATCH",
        "/api/org/positions/{position_id}",
        {"name": "Переименованная должность"},
        wrong_types=[
            ("name", 5),
            ("name", None),
            ("department_id", 5),
            ("department_id", None),
            ("functions", None),
            ("functions", {"a": 1}),
            ("reports_to", 7),
        ],
        too_long=[
            ("name", long_text(121)),
            ("department_id", long_text(65)),
            ("purpose", long_text(2001)),
            ("functions", [long_text(501)]),
            ("functions", ["Функция"] * 51),
            ("reports_to", long_text(65)),
        ],
    ),
    WriteRoute(
        "POST",
        "/api/users",
        {"email": "new@example.com", "name": "Новый человек"},
        wrong_types=[
            ("email", 5),
            ("email", "not-an-email"),
            ("name", 5),
            ("role", "owner"),
            ("role", 5),
            ("locale", "de"),
            ("password", 12345678),
            ("position_id", 5),
            ("position_id", ""),
        ],
        too_long=[
            ("email", long_email()),
            ("name", long_text(121)),
            ("password", long_text(201)),
            ("position_id", long_text(65)),
        ],
    ),
    WriteRoute(
        "PATCH",
        "/api/users/{user_id}",
        {"name": "Новое имя"},
        wrong_types=[
            ("name", 5),
            ("name", None),
            ("role", "owner"),
            ("role", None),
            ("locale", 5),
            ("locale", None),
            ("password", 12345678),
            ("password", "short"),
            ("position_id", 5),
            ("position_id", ""),
        ],
        too_long=[
            ("name", long_text(121)),
            ("password", long_text(201)),
            ("position_id", long_text(65)),
        ],
    ),
    WriteRoute(
        "POST",
        "/api/chat/channels",
        {"name": "Новый канал"},
        wrong_types=[
            ("name", 5),
            ("description", 5),
            ("member_ids", "{employee}"),
            ("member_ids", [5]),
            ("member_ids", [""]),
        ],
        too_long=[
            ("name", long_text(81)),
            ("description", long_text(501)),
            ("member_ids", ["{employee}"] * 501),
            ("member_ids", [long_text(3000)]),
        ],
    ),
    WriteRoute(
        "POST",
        "/api/chat/channels/{channel_id}/members",
        {"user_id": "{employee}"},
        wrong_types=[
            ("user_id", 5),
            ("user_id", None),
            ("user_id", ""),
        ],
        too_long=[("user_id", long_text(3000))],
    ),
    WriteRoute(
        "PATCH",
        "/api/chat/channels/{channel_id}",
        {"name": "Проект 2"},
        wrong_types=[
            ("name", 5),
            ("name", None),
            ("description", 5),
            ("visibility", "secret"),
            ("visibility", None),
        ],
        too_long=[("name", long_text(81)), ("description", long_text(501))],
    ),
    WriteRoute(
        "POST",
        "/api/chat/channels/{channel_id}/owners",
        {"user_id": "{employee}"},
        wrong_types=[("user_id", 5), ("user_id", None), ("user_id", "")],
        too_long=[("user_id", long_text(3000))],
    ),
    WriteRoute(
        "POST",
        "/api/chat/direct",
        {"user_ids": ["{employee}"]},
        wrong_types=[
            ("user_ids", "{employee}"),
            ("user_ids", None),
            ("user_ids", [5]),
            ("user_ids", [""]),
        ],
        too_long=[("user_ids", ["{employee}"] * 9), ("user_ids", [long_text(3000)])],
    ),
    WriteRoute(
        "POST",
        "/api/chat/channels/{channel_id}/messages",
        {"text": "Привет"},
        wrong_types=[("text", 5), ("text", None), ("thread_id", 7)],
        too_long=[("text", long_text(4001)), ("thread_id", long_text(65))],
        channel="general_channel",
    ),
    WriteRoute(
        "POST",
        "/api/chat/channels/{channel_id}/attachments",
        {"file_name": "Отчёт.pdf", "content_type": "application/pdf", "size": 100},
        wrong_types=[
            ("file_name", 5),
            ("file_name", None),
            ("content_type", ["application/pdf"]),
            ("size", "100"),
            ("size", 1.5),
        ],
        too_long=[("file_name", long_text(401)), ("content_type", long_text(201))],
        channel="general_channel",
    ),
    WriteRoute(
        "POST",
        "/api/tasks",
        {"title": "Новая задача", "assignee_id": "{employee}"},
        wrong_types=[
            ("title", 5),
            ("description", 5),
            ("assignee_id", 5),
            ("assignee_id", None),
            ("due_date", "not-a-date"),
            ("due_date", 5.5),
        ],
        too_long=[
            ("title", long_text(201)),
            ("description", long_text(20001)),
            ("assignee_id", long_text(65)),
        ],
    ),
    WriteRoute(
        "PATCH",
        "/api/tasks/{task_id}",
        {"status": "in_progress"},
        wrong_types=[
            ("status", "finished"),
            ("status", 5),
            ("title", 5),
            ("assignee_id", 5),
            ("due_date", "31.12.2030"),
        ],
        too_long=[
            ("title", long_text(201)),
            ("description", long_text(20001)),
            ("assignee_id", long_text(65)),
        ],
    ),
    WriteRoute(
        "POST",
        "/api/tasks/{task_id}/comments",
        {"text": "Комментарий"},
        wrong_types=[("text", 5), ("text", None), ("text", ["a"])],
        too_long=[("text", long_text(4001))],
    ),
    WriteRoute(
        "POST",
        "/api/tasks/{task_id}/checklist",
        {"text": "Пункт"},
        wrong_types=[
            ("text", 5),
            ("text", None),
            ("assignee_id", 5),
            ("due", "31.12.2030"),
        ],
        too_long=[("text", long_text(201)), ("assignee_id", long_text(65))],
    ),
    WriteRoute(
        "PATCH",
        "/api/tasks/{task_id}/checklist/{item_id}",
        {"done": True},
        wrong_types=[
            ("done", "yes"),
            ("done", None),
            ("text", 5),
            ("due", 5),
        ],
        too_long=[("text", long_text(201)), ("assignee_id", long_text(65))],
    ),
    WriteRoute(
        "POST",
        "/api/admin/dead-letters/replay",
        {"reaction": "notification_reactions", "limit": 5},
        wrong_types=[
            ("reaction", 5),
            ("reaction", "no_such_reaction"),
            ("limit", "5"),
            ("limit", 0),
            ("limit", 26),
        ],
        too_long=[("reaction", long_text(65))],
    ),
]

# The Telegram import takes a whole export file, which carries many fields the
# importer ignores by design, and allows bodies up to 9 MB.
IMPORT_ROUTE = "/api/chat/channels/{channel_id}/import/telegram"
# Applying a template, joining, leaving and archiving a channel read no body,
# so no body can be malformed.
BODYLESS_ROUTES = {
    "POST /api/org/templates/{key}/apply",
    "POST /api/tasks/{task_id}/checklist/{item_id}/subtask",
    "POST /api/chat/channels/{channel_id}/join",
    "POST /api/chat/channels/{channel_id}/leave",
    "POST /api/chat/channels/{channel_id}/archive",
    "POST /api/chat/channels/{channel_id}/unarchive",
    "POST /api/admin/dead-letters/{dead_letter_id}/replay",
}
# Message edits, reactions, pins and notification levels have their own table
# of cases in tests/chat/test_message_validation.py, which checks its coverage.
MESSAGE_OPS_ROUTES = {
    "PATCH /api/chat/messages/{message_id}",
    "POST /api/chat/messages/{message_id}/reactions",
    "POST /api/chat/messages/{message_id}/pin",
    "PUT /api/chat/channels/{channel_id}/notifications",
}
# Follows and read markers have their own table of cases in
# tests/chat/test_threads_validation.py.
THREAD_ROUTES = {
    "POST /api/chat/messages/{message_id}/follow",
    "POST /api/chat/channels/{channel_id}/read",
    "POST /api/chat/channels/{channel_id}/unread",
    "POST /api/chat/messages/{message_id}/thread/read",
    "POST /api/chat/messages/{message_id}/thread/unread",
}

MALFORMED_BODIES = {
    "no_body": None,
    "whitespace": b"  \n\t ",
    "invalid_json": b"{bad json",
    "trailing_garbage": b'{"name": "x"} }',
    "not_utf8": b'{"name": "\xff\xfe"}',
    "json_array": b'[{"name": "x"}]',
    "json_null": b"null",
    "json_string": b'"name"',
    "deep_nesting": b"[" * 100_000 + b"]" * 100_000,
    "huge_integer": b'{"name": ' + b"9" * 5000 + b"}",
}


# The shared world


def snapshot_tables(world: World) -> dict[str, list]:
    """Read every item of every table, in key order.

    The Scan is test bookkeeping and not a request path. ``no_scans`` counts
    only the calls PynamoDB makes, and this boto3 client is a separate one.
    """
    tables = {}
    for name in world.table_names:
        items = []
        for page in world.dynamodb.get_paginator("scan").paginate(TableName=name):
            items.extend(page["Items"])
        tables[name] = sorted(json.dumps(item, sort_keys=True) for item in items)
    return tables


@pytest.fixture(scope="module")
def world(database, http_gateway, app_module):
    reset_backends(database)
    pump = StreamPump(database.endpoint, app_module.STREAM_REACTIONS, database.prefix)
    pump.attach()
    use_gateway(FakeGateway())

    anonymous = ApiClient(http_gateway)
    bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
    token = anonymous.post(
        "/api/auth/login", {"email": OWNER_EMAIL, "password": OWNER_PASSWORD}
    ).json["token"]
    client = anonymous.as_user(token)

    department = created(client.post("/api/org/departments", {"name": "Склад"}))
    position = created(
        client.post(
            "/api/org/positions",
            {"name": "Кладовщик", "department_id": department["department"]["id"]},
        )
    )
    employee = created(
        client.post(
            "/api/users",
            {
                "email": EMPLOYEE_EMAIL,
                "name": "Анна",
                "password": EMPLOYEE_PASSWORD,
                "position_id": position["position"]["id"],
            },
        )
    )
    employee_id = employee["user"]["id"]
    pump.drain()
    channels = client.get("/api/chat/channels").json["channels"]
    general_id = next(c["id"] for c in channels if c["kind"] == "general")
    custom = created(
        client.post(
            "/api/chat/channels", {"name": "Проект", "member_ids": [employee_id]}
        )
    )
    created(
        client.post(f"/api/chat/channels/{general_id}/messages", {"text": "Привет"})
    )
    task = created(
        client.post(
            "/api/tasks", {"title": "Инвентаризация", "assignee_id": employee_id}
        )
    )
    item = created(
        client.post(f"/api/tasks/{task['task']['id']}/checklist", {"text": "Пункт"})
    )
    pump.drain()

    ids = {
        "department": department["department"]["id"],
        "position": position["position"]["id"],
        "employee": employee_id,
        "general_channel": general_id,
        "custom_channel": custom["channel"]["id"],
        "task": task["task"]["id"],
        "checklist_item": item["item"]["id"],
    }
    yield World(client, anonymous, pump, database.client(), database.table_names(), ids)
    use_gateway(None)


def created(response) -> dict:
    assert response.status == 201, response.body
    return response.json


def fill(value, ids: dict[str, str]):
    """Replace ``{name}`` placeholders with the world's ids, in nested values too."""
    if isinstance(value, str):
        return value.format(**ids) if value.startswith("{") else value
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


def route_path(world: World, route: WriteRoute) -> str:
    ids = world.ids
    return route.template.format(
        department_id=ids["department"],
        position_id=ids["position"],
        user_id=ids["employee"],
        task_id=ids["task"],
        item_id=ids["checklist_item"],
        channel_id=ids[route.channel],
    )


def send(world: World, route: WriteRoute, *, body=None, raw=None):
    return world.client.request(route.method, route_path(world, route), body, raw=raw)


def assert_error_body(response, expected_field: str | None = None) -> None:
    assert 400 <= response.status < 500, (response.status, response.body[:300])
    error = response.json["error"]
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    assert error["message"]
    if expected_field is not None:
        reported = error.get("field") or ""
        assert reported == expected_field or reported.startswith(
            f"{expected_field}."
        ), f"error names field {reported!r}, expected {expected_field!r}"


@pytest.fixture
def unchanged(world):
    """Fail the test if its request changed any stored item."""
    # Stream reactions only follow a write, and any write shows in the tables
    # already, so there is no need to drain the streams first.
    before = snapshot_tables(world)
    yield
    assert snapshot_tables(world) == before, "a rejected request wrote data"


def case_params(kind: str):
    params = []
    for route in WRITE_ROUTES:
        cases = route.wrong_types if kind == "wrong_type" else route.too_long
        for index, (field_name, value, *known_bug) in enumerate(cases):
            marks = (
                [pytest.mark.xfail(reason=known_bug[0], strict=True)]
                if known_bug
                else []
            )
            case_id = f"{route.name}-{field_name}-{index}"
            params.append(
                pytest.param(route, field_name, value, id=case_id, marks=marks)
            )
    return params


def route_params(case: str):
    params = []
    for route in WRITE_ROUTES:
        marks = []
        if case in route.known_bugs:
            marks.append(pytest.mark.xfail(reason=route.known_bugs[case], strict=True))
        params.append(pytest.param(route, id=route.name, marks=marks))
    return params


# The route table is complete


def test_table_covers_every_write_route(app_module):
    listed = (
        {route.name for route in WRITE_ROUTES}
        | BODYLESS_ROUTES
        | {f"POST {IMPORT_ROUTE}"}
        | MESSAGE_OPS_ROUTES
        | THREAD_ROUTES
    )
    # The finance, knowledge base, week and process routes have their own tables
    # of cases, which check their own coverage in
    # tests/finance/test_finance_validation.py, tests/kb/test_kb_validation.py,
    # tests/weeks/test_weeks_validation.py,
    # tests/processes/test_processes_validation.py and, for the hook and token
    # routes, tests/integrations/test_hooks_validation.py and
    # tests/integrations/test_tokens_validation.py, and for the webhook
    # subscription routes, tests/integrations/test_subscriptions_validation.py.
    write_routes = {
        f"{method} {path}"
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method in ("POST", "PATCH", "PUT")
        and not path.startswith(
            (
                "/api/finance/",
                "/api/kb/",
                "/api/weeks/",
                "/api/process-templates",
                "/api/launches",
                # Slack exports are zip bodies; tests/chat/test_slack_import.py
                # checks their bad input.
                "/api/chat/import/",
                "/api/integrations/hooks",
                "/api/integrations/tokens",
                "/api/integrations/subscriptions",
                "/api/integrations/deliveries/",
                "/api/hooks/",
                # The Telegram bridge: tests/integrations/
                # test_telegram_bridge_validation.py.
                "/api/integrations/telegram",
                "/api/telegram/",
                # Task series and task import (file bodies) have their own
                # table in tests/tasks/test_tasks_validation.py.
                "/api/tasks/series",
                "/api/tasks/import",
            )
        )
    }
    assert write_routes - listed == set()


@pytest.mark.parametrize("route", route_params("valid_body"))
def test_valid_body_accepted(world, route):
    # The cases below break only one thing in this body, so it must be valid.
    response = send(world, route, body=fill(route.valid_body, world.ids))
    assert response.status < 300, response.body[:300]
    world.pump.drain()


# Malformed bodies


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("body_name", sorted(MALFORMED_BODIES))
@pytest.mark.parametrize("route", route_params("malformed"))
def test_malformed_body_rejected(world, route, body_name):
    response = send(world, route, raw=MALFORMED_BODIES[body_name])
    assert_error_body(response)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("route", route_params("unknown_field"))
def test_unknown_field_rejected(world, route):
    body = {**fill(route.valid_body, world.ids), "surprise": "value"}
    response = send(world, route, body=body)
    assert_error_body(response, "surprise")


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("route", "field_name", "value"), case_params("wrong_type"))
def test_wrong_type_rejected(world, route, field_name, value):
    body = {**fill(route.valid_body, world.ids), field_name: fill(value, world.ids)}
    response = send(world, route, body=body)
    assert_error_body(response, field_name)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("route", "field_name", "value"), case_params("too_long"))
def test_too_long_rejected(world, route, field_name, value):
    body = {**fill(route.valid_body, world.ids), field_name: fill(value, world.ids)}
    response = send(world, route, body=body)
    assert_error_body(response, field_name)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("route", route_params("oversized"))
def test_two_megabyte_body_413(world, route):
    body = {**fill(route.valid_body, world.ids), "padding": "x" * TWO_MEGABYTES}
    response = send(world, route, body=body)
    assert response.status == 413
    assert response.json["error"]["code"] == "payload_too_large"


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("route", route_params("wrong_content_type"))
def test_wrong_content_type_rejected(world, route):
    path = route_path(world, route)
    payload = json.dumps(fill(route.valid_body, world.ids)).encode()
    response = world.client.request(
        route.method, path, raw=payload, headers={"Content-Type": "text/plain"}
    )
    assert_error_body(response)


# The Telegram import


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("body_name", sorted(MALFORMED_BODIES))
def test_import_malformed_body_rejected(world, body_name):
    path = IMPORT_ROUTE.format(channel_id=world.ids["custom_channel"])
    response = world.client.post(path, raw=MALFORMED_BODIES[body_name])
    assert_error_body(response)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "export",
    [
        {"name": "Чат", "type": "private_group", "messages": "not a list"},
        {"name": "Чат", "type": "private_group", "messages": [42]},
        {"name": "Чат", "type": "private_group"},
        {"chats": {"list": "not a list"}},
    ],
    ids=["messages_string", "message_number", "messages_missing", "chats_wrong"],
)
def test_import_wrong_types_rejected(world, export):
    path = IMPORT_ROUTE.format(channel_id=world.ids["custom_channel"])
    response = world.client.post(path, export)
    assert_error_body(response)


@pytest.mark.usefixtures("unchanged")
def test_import_over_limit_413(world):
    from chalicelib.chat.routes import MAX_IMPORT_BODY_BYTES

    path = IMPORT_ROUTE.format(channel_id=world.ids["custom_channel"])
    response = world.client.post(path, raw=b" " * (MAX_IMPORT_BODY_BYTES + 1))
    assert response.status == 413
    assert response.json["error"]["code"] == "payload_too_large"


# Unknown routes and methods


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/users/1/2/3", "/api", "/", "/api/org/unknown"]
)
@pytest.mark.parametrize("signed_in", [True, False], ids=["token", "no_token"])
def test_unknown_route_404(world, path, signed_in):
    client = world.client if signed_in else world.anonymous
    response = client.get(path)
    assert response.status == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/auth/login"),
        ("PUT", "/api/org/departments"),
        ("DELETE", "/api/org/departments"),
        ("POST", "/api/org/chart"),
        ("PUT", "/api/users/{user_id}"),
        ("POST", "/api/users/{user_id}"),
        ("DELETE", "/api/tasks/{task_id}"),
        ("PATCH", "/api/chat/channels"),
        ("POST", "/api/health"),
    ],
)
def test_wrong_method_405(world, method, path):
    path = path.format(user_id=world.ids["employee"], task_id=world.ids["task"])
    response = world.client.request(method, path, {"name": "x"})
    assert response.status == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert response.headers.get("Content-Type", "").startswith("application/json")
