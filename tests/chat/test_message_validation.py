"""Bad input on every message operation route: a 4xx that names the field (or
None when no single field is at fault), and the stored message unchanged."""

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

MESSAGE = "/api/chat/messages/{message}"
DELETED = "/api/chat/messages/{deleted}"
MISSING = "/api/chat/messages/{missing}"
LEVEL = "/api/chat/channels/{channel}/notifications"

# (person, method, path, body, status, field). Anna wrote {message} and
# {deleted} in {channel}, Boris is a member there, Vera is not.
CASES = [
    ("anna", "PATCH", MESSAGE, {}, 400, "text"),
    ("anna", "PATCH", MESSAGE, {"text": ""}, 400, "text"),
    ("anna", "PATCH", MESSAGE, {"text": "   "}, 400, "text"),
    ("anna", "PATCH", MESSAGE, {"text": 5}, 400, "text"),
    ("anna", "PATCH", MESSAGE, {"text": None}, 400, "text"),
    ("anna", "PATCH", MESSAGE, {"text": ["a"]}, 400, "text"),
    ("anna", "PATCH", MESSAGE, {"text": "ж" * 4001}, 400, "text"),
    ("anna", "PATCH", MESSAGE, {"text": "счёт \u202eтxt.exe"}, 400, "text"),
    ("anna", "PATCH", MESSAGE, {"text": "звонок\x07"}, 400, "text"),
    ("anna", "PATCH", MESSAGE, {"text": "ок", "surprise": 1}, 400, "surprise"),
    ("anna", "PATCH", MESSAGE, {"text": "ок", "thread_id": "x"}, 400, "thread_id"),
    ("boris", "PATCH", MESSAGE, {"text": "чужое"}, 403, None),
    ("vera", "PATCH", MESSAGE, {"text": "чужое"}, 403, None),
    ("anna", "PATCH", DELETED, {"text": "снова"}, 409, None),
    ("anna", "PATCH", MISSING, {"text": "ок"}, 404, None),
    ("boris", "DELETE", MESSAGE, None, 403, None),
    ("vera", "DELETE", MESSAGE, None, 403, None),
    ("anna", "DELETE", MISSING, None, 404, None),
    ("boris", "POST", f"{MESSAGE}/reactions", {}, 400, "emoji"),
    ("boris", "POST", f"{MESSAGE}/reactions", {"emoji": ""}, 400, "emoji"),
    ("boris", "POST", f"{MESSAGE}/reactions", {"emoji": "a"}, 400, "emoji"),
    ("boris", "POST", f"{MESSAGE}/reactions", {"emoji": "👍👍"}, 400, "emoji"),
    ("boris", "POST", f"{MESSAGE}/reactions", {"emoji": "👍 "}, 400, "emoji"),
    ("boris", "POST", f"{MESSAGE}/reactions", {"emoji": ":+1:"}, 400, "emoji"),
    ("boris", "POST", f"{MESSAGE}/reactions", {"emoji": 5}, 400, "emoji"),
    ("boris", "POST", f"{MESSAGE}/reactions", {"emoji": None}, 400, "emoji"),
    ("boris", "POST", f"{MESSAGE}/reactions", {"emoji": ["👍"]}, 400, "emoji"),
    ("boris", "POST", f"{MESSAGE}/reactions", {"emoji": "😀" * 33}, 400, "emoji"),
    ("boris", "POST", f"{MESSAGE}/reactions", {"emoji": "👍", "surprise": 1}, 400, "surprise"),
    ("vera", "POST", f"{MESSAGE}/reactions", {"emoji": "👍"}, 403, None),
    ("boris", "POST", f"{DELETED}/reactions", {"emoji": "👍"}, 409, None),
    ("boris", "POST", f"{MISSING}/reactions", {"emoji": "👍"}, 404, None),
    ("boris", "DELETE", f"{MESSAGE}/reactions/abc", None, 400, "emoji"),
    ("boris", "DELETE", f"{MESSAGE}/reactions/%FF", None, 400, "emoji"),
    ("boris", "DELETE", f"{MESSAGE}/reactions/%F0%9F%91%8D%F0%9F%91%8D", None, 400, "emoji"),
    ("vera", "DELETE", f"{MESSAGE}/reactions/%F0%9F%91%8D", None, 403, None),
    ("boris", "DELETE", f"{MISSING}/reactions/%F0%9F%91%8D", None, 404, None),
    ("vera", "POST", f"{MESSAGE}/pin", None, 403, None),
    ("boris", "POST", f"{DELETED}/pin", None, 409, None),
    ("boris", "POST", f"{MISSING}/pin", None, 404, None),
    ("vera", "DELETE", f"{MESSAGE}/pin", None, 403, None),
    ("vera", "GET", "/api/chat/channels/{channel}/pins", None, 403, None),
    ("anna", "GET", "/api/chat/channels/{missing}/pins", None, 404, None),
    ("boris", "PUT", LEVEL, {}, 400, "level"),
    ("boris", "PUT", LEVEL, {"level": "loud"}, 400, "level"),
    ("boris", "PUT", LEVEL, {"level": "MUTE"}, 400, "level"),
    ("boris", "PUT", LEVEL, {"level": 5}, 400, "level"),
    ("boris", "PUT", LEVEL, {"level": None}, 400, "level"),
    ("boris", "PUT", LEVEL, {"level": "mute", "surprise": 1}, 400, "surprise"),
    ("vera", "PUT", LEVEL, {"level": "mute"}, 403, None),
    ("vera", "GET", LEVEL, None, 403, None),
    ("boris", "PUT", "/api/chat/channels/{missing}/notifications", {"level": "mute"}, 404, None),
]  # fmt: skip

BODY_ROUTES = [
    ("PATCH", MESSAGE),
    ("POST", f"{MESSAGE}/reactions"),
    ("PUT", LEVEL),
]
MALFORMED = [b"", b"[]", b"{", b'"text"', b"\xff\xfe", b"null", b'{"text": "\\ud800"}']


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
    people = {"owner": SimpleNamespace(client=owner)}
    for key, name in (("anna", "Анна"), ("boris", "Борис"), ("vera", "Вера")):
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
    channel = owner.post(
        "/api/chat/channels",
        {
            "name": "Проверка",
            "member_ids": [people["anna"].id, people["boris"].id],
        },
    )
    assert channel.status == 201, channel.body
    channel_id = channel.json["channel"]["id"]
    anna = people["anna"].client
    message = anna.post(f"/api/chat/channels/{channel_id}/messages", {"text": "Текст"})
    deleted = anna.post(f"/api/chat/channels/{channel_id}/messages", {"text": "Удалю"})
    assert (
        anna.delete(f"/api/chat/messages/{deleted.json['message']['id']}").status == 200
    )
    pump.drain()
    ids = {
        "channel": channel_id,
        "message": message.json["message"]["id"],
        "deleted": deleted.json["message"]["id"],
        "missing": "01JAAAAAAAAAAAAAAAAAAAAAAA",
    }
    yield SimpleNamespace(ids=ids, pump=pump, **people)
    use_gateway(None)


def _stored_message(world) -> dict:
    response = world.anna.client.get(
        f"/api/chat/messages/{world.ids['message']}/thread"
    )
    assert response.status == 200, response.body
    return response.json["root"]


@pytest.mark.parametrize(
    ("person", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(world, person, method, path, body, status, field):
    before = _stored_message(world)
    client = getattr(world, person).client
    response = client.request(method, path.format(**world.ids), body)
    assert (response.status, response.error_field()) == (status, field), response.body
    assert response.json["error"]["message"]
    assert _stored_message(world) == before


@pytest.mark.parametrize("raw", MALFORMED, ids=repr)
@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_malformed_body_is_400(world, method, path, raw):
    before = _stored_message(world)
    response = world.anna.client.request(method, path.format(**world.ids), raw=raw)
    assert response.status == 400, response.body
    assert _stored_message(world) == before


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_oversized_body_is_413(world, method, path):
    body = json.dumps({"text": "ж" * (2 * 1024 * 1024)}).encode()
    response = world.anna.client.request(method, path.format(**world.ids), raw=body)
    assert response.status == 413


def _route_pattern(template: str) -> re.Pattern:
    """Turn a route template into a pattern that matches the paths it serves."""
    return re.compile(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template)))


def test_cases_cover_every_write_route(app_module):
    case_paths = [
        (case[1], re.sub(r"\{[^}]*\}", "x", case[2].split("?")[0])) for case in CASES
    ]
    write_routes = {
        (method, path)
        for path, methods in app_module.app.routes.items()
        for method, entry in methods.items()
        if method in ("POST", "PATCH", "PUT", "DELETE")
        and entry.view_function.__module__ == "chalicelib.chat.message_routes"
    }
    assert len(write_routes) == 7
    uncovered = {
        (method, path)
        for method, path in write_routes
        if not any(
            case_method == method and _route_pattern(path).fullmatch(case_path)
            for case_method, case_path in case_paths
        )
    }
    assert uncovered == set()
