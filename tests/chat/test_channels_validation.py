"""Bad input on every channel management and direct conversation route.

Each case is a 4xx that names the field (or None when no single field is at
fault) and leaves the chat table as it was.
"""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import json
import re
from types import SimpleNamespace

import pytest

from chalicelib.auth.service import bootstrap_owner
from chalicelib.chat.gateway import use_gateway
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient
from tests.support.fake_gateway import FakeGateway
from tests.support.fixtures import OWNER_EMAIL, OWNER_PASSWORD, reset_backends

PUBLIC = "{public}"
PRIVATE = "{private}"
ARCHIVED = "{archived}"
DIRECT = "{direct}"
GENERAL = "{general}"
MISSING = "{missing}"
CHANNELS = "/api/chat/channels"

# (person, method, path, body, status, field). Anna owns the public, private
# and archived channels, Boris is a member of the public and archived ones and
# in a direct conversation with Anna, Vera is in none, Dmitry is deactivated.
CASES = [
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {}, 400, None),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"name": ""}, 400, "name"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"name": "   "}, 400, "name"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"name": 5}, 400, "name"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"name": None}, 400, "name"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"name": "ж" * 81}, 400, "name"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"name": "a\u202eb"}, 400, "name"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"description": 5}, 400, "description"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"description": "ж" * 501}, 400, "description"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"description": "a\x00b"}, 400, "description"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"visibility": "secret"}, 400, "visibility"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"visibility": None}, 400, "visibility"),
    ("anna", "PATCH", f"{CHANNELS}/{PUBLIC}", {"name": "x", "surprise": 1}, 400, "surprise"),
    ("boris", "PATCH", f"{CHANNELS}/{PUBLIC}", {"name": "Моё"}, 403, None),
    ("vera", "PATCH", f"{CHANNELS}/{PRIVATE}", {"name": "Моё"}, 404, None),
    ("anna", "PATCH", f"{CHANNELS}/{ARCHIVED}", {"name": "Новое"}, 409, None),
    ("anna", "PATCH", f"{CHANNELS}/{MISSING}", {"name": "Новое"}, 404, None),
    ("anna", "PATCH", f"{CHANNELS}/{GENERAL}", {"name": "Новое"}, 403, None),
    ("anna", "PATCH", f"{CHANNELS}/{DIRECT}", {"name": "Новое"}, 403, None),
    ("vera", "POST", f"{CHANNELS}/{PRIVATE}/join", None, 404, None),
    ("vera", "POST", f"{CHANNELS}/{ARCHIVED}/join", None, 409, None),
    ("vera", "POST", f"{CHANNELS}/{MISSING}/join", None, 404, None),
    ("vera", "POST", f"{CHANNELS}/{DIRECT}/join", None, 404, None),
    ("vera", "POST", f"{CHANNELS}/{PRIVATE}/leave", None, 404, None),
    ("anna", "POST", f"{CHANNELS}/{GENERAL}/leave", None, 403, None),
    ("anna", "POST", f"{CHANNELS}/{DIRECT}/leave", None, 403, None),
    ("boris", "POST", f"{CHANNELS}/{PUBLIC}/archive", None, 403, None),
    ("vera", "POST", f"{CHANNELS}/{PRIVATE}/archive", None, 404, None),
    ("anna", "POST", f"{CHANNELS}/{GENERAL}/archive", None, 403, None),
    ("anna", "POST", f"{CHANNELS}/{DIRECT}/archive", None, 403, None),
    ("boris", "POST", f"{CHANNELS}/{ARCHIVED}/unarchive", None, 403, None),
    ("anna", "POST", f"{CHANNELS}/{MISSING}/unarchive", None, 404, None),
    ("boris", "DELETE", f"{CHANNELS}/{PUBLIC}/members/{{anna_id}}", None, 403, None),
    ("anna", "DELETE", f"{CHANNELS}/{PUBLIC}/members/{{vera_id}}", None, 404, "user_id"),
    ("anna", "DELETE", f"{CHANNELS}/{PUBLIC}/members/nobody", None, 404, "user_id"),
    ("anna", "DELETE", f"{CHANNELS}/{MISSING}/members/{{vera_id}}", None, 404, None),
    ("vera", "DELETE", f"{CHANNELS}/{PRIVATE}/members/{{anna_id}}", None, 404, None),
    ("anna", "DELETE", f"{CHANNELS}/{GENERAL}/members/{{boris_id}}", None, 403, None),
    ("anna", "POST", f"{CHANNELS}/{PUBLIC}/owners", {}, 400, "user_id"),
    ("anna", "POST", f"{CHANNELS}/{PUBLIC}/owners", {"user_id": 5}, 400, "user_id"),
    ("anna", "POST", f"{CHANNELS}/{PUBLIC}/owners", {"user_id": ""}, 400, "user_id"),
    ("anna", "POST", f"{CHANNELS}/{PUBLIC}/owners", {"user_id": "ж" * 65}, 400, "user_id"),
    ("anna", "POST", f"{CHANNELS}/{PUBLIC}/owners", {"user_id": "{vera_id}"}, 400, "user_id"),
    ("anna", "POST", f"{CHANNELS}/{PUBLIC}/owners", {"user_id": "{boris_id}", "role": "x"}, 400, "role"),
    ("boris", "POST", f"{CHANNELS}/{PUBLIC}/owners", {"user_id": "{boris_id}"}, 403, None),
    ("anna", "POST", f"{CHANNELS}/{ARCHIVED}/owners", {"user_id": "{boris_id}"}, 409, None),
    ("anna", "POST", f"{CHANNELS}/{DIRECT}/owners", {"user_id": "{boris_id}"}, 403, None),
    ("anna", "DELETE", f"{CHANNELS}/{PUBLIC}/owners/{{vera_id}}", None, 404, "user_id"),
    ("boris", "DELETE", f"{CHANNELS}/{PUBLIC}/owners/{{anna_id}}", None, 403, None),
    ("anna", "DELETE", f"{CHANNELS}/{ARCHIVED}/owners/{{anna_id}}", None, 409, None),
    ("anna", "POST", f"{CHANNELS}/{PUBLIC}/members", {"user_id": "nobody"}, 400, "user_id"),
    ("anna", "POST", f"{CHANNELS}/{PUBLIC}/members", {"user_id": "{dmitry_id}"}, 400, "user_id"),
    ("boris", "POST", f"{CHANNELS}/{PUBLIC}/members", {"user_id": "{vera_id}"}, 403, None),
    ("anna", "POST", f"{CHANNELS}/{ARCHIVED}/members", {"user_id": "{vera_id}"}, 409, None),
    ("anna", "POST", CHANNELS, {"name": "Новый", "visibility": "secret"}, 400, "visibility"),
    ("anna", "POST", CHANNELS, {"name": "Новый", "visibility": None}, 400, "visibility"),
    ("boris", "POST", f"{CHANNELS}/{ARCHIVED}/messages", {"text": "после архива"}, 409, None),
    ("anna", "POST", "/api/chat/direct", {}, 400, "user_ids"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": []}, 400, "user_ids"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": None}, 400, "user_ids"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": "{boris_id}"}, 400, "user_ids"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": [5]}, 400, "user_ids.0"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": [""]}, 400, "user_ids.0"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": ["ж" * 65]}, 400, "user_ids.0"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": ["{boris_id}"] * 9}, 400, "user_ids"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": ["{anna_id}"]}, 400, "user_ids"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": ["nobody"]}, 400, "user_ids.0"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": ["{boris_id}", "{dmitry_id}"]}, 400, "user_ids.1"),
    ("anna", "POST", "/api/chat/direct", {"user_ids": ["{boris_id}"], "name": "x"}, 400, "name"),
    ("anna", "GET", f"{CHANNELS}?scope=everything", None, 400, "scope"),
    ("anna", "GET", f"{CHANNELS}?scope=browse&limit=0", None, 400, "limit"),
    ("anna", "GET", f"{CHANNELS}?scope=browse&limit=201", None, 400, "limit"),
    ("anna", "GET", f"{CHANNELS}?scope=browse&after=../x", None, 400, "after"),
    ("vera", "GET", f"{CHANNELS}/{PRIVATE}", None, 404, None),
    ("vera", "GET", f"{CHANNELS}/{DIRECT}", None, 404, None),
    ("anna", "GET", f"{CHANNELS}/{MISSING}", None, 404, None),
]  # fmt: skip


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
    owner = anonymous.as_user(token)
    people = {}
    for key, name in (
        ("anna", "Анна"),
        ("boris", "Борис"),
        ("vera", "Вера"),
        ("dmitry", "Дмитрий"),
    ):
        email = f"{key}@example.com"
        created = owner.post(
            "/api/users",
            {"email": email, "name": name, "password": f"{key}-password-1"},
        )
        assert created.status == 201, created.body
        login = anonymous.post(
            "/api/auth/login", {"email": email, "password": f"{key}-password-1"}
        )
        people[key] = SimpleNamespace(
            id=created.json["user"]["id"], client=anonymous.as_user(login.json["token"])
        )
    pump.drain()
    assert owner.delete(f"/api/users/{people['dmitry'].id}").status < 300
    pump.drain()

    anna, boris = people["anna"].client, people["boris"].client

    def channel(body) -> str:
        response = anna.post(CHANNELS, body)
        assert response.status == 201, response.body
        return response.json["channel"]["id"]

    ids = {
        "public": channel({"name": "Идеи", "member_ids": [people["boris"].id]}),
        "private": channel({"name": "Закупки", "visibility": "private"}),
        "archived": channel({"name": "Архив", "member_ids": [people["boris"].id]}),
        "missing": "01JAAAAAAAAAAAAAAAAAAAAAAA",
    }
    assert anna.post(f"{CHANNELS}/{ids['archived']}/archive").status == 200
    direct = anna.post("/api/chat/direct", {"user_ids": [people["boris"].id]})
    assert direct.status == 201, direct.body
    ids["direct"] = direct.json["channel"]["id"]
    listed = boris.get(CHANNELS).json["channels"]
    ids["general"] = next(item["id"] for item in listed if item["kind"] == "general")
    ids.update({f"{key}_id": person.id for key, person in people.items()})
    pump.drain()
    yield SimpleNamespace(
        ids=ids,
        pump=pump,
        dynamodb=database.client(),
        chat_table=next(
            name for name in database.table_names() if name.endswith("chat")
        ),
        **people,
    )
    use_gateway(None)


def fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


def chat_items(world) -> list[str]:
    """Read every item of the chat table; a test-only Scan outside PynamoDB."""
    items = []
    pages = world.dynamodb.get_paginator("scan").paginate(TableName=world.chat_table)
    for page in pages:
        items.extend(page["Items"])
    return sorted(json.dumps(item, sort_keys=True) for item in items)


@pytest.mark.parametrize(
    ("person", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(world, person, method, path, body, status, field):
    before = chat_items(world)
    client = getattr(world, person).client
    response = client.request(method, fill(path, world.ids), fill(body, world.ids))
    assert (response.status, response.error_field()) == (status, field), response.body
    assert response.json["error"]["message"]
    assert chat_items(world) == before, "a rejected request changed the chat table"


@pytest.mark.parametrize(
    "raw", [b"[]", b"{", b'"text"', b"\xff\xfe", b"null", b""], ids=repr
)
@pytest.mark.parametrize("suffix", ["", "/owners"])
def test_malformed_body_is_400(world, raw, suffix):
    method = "PATCH" if suffix == "" else "POST"
    path = f"{CHANNELS}/{world.ids['public']}{suffix}"
    response = world.anna.client.request(method, path, raw=raw)
    assert response.status == 400
    assert response.json["error"]["code"] == "invalid_input"


def _route_shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])


def test_cases_cover_every_route(app_module):
    covered = {(case[1], _route_shape(case[2])) for case in CASES}
    routes = {
        (method, _route_shape(f"{path}"))
        for path, methods in app_module.app.routes.items()
        for method, entry in methods.items()
        if entry.view_function.__module__ == "chalicelib.chat.channel_routes"
    }
    assert routes
    assert routes - covered == set()
