"""Bad input on the thread, follow, read-marker, unread and catch-up routes: a
4xx that names the field, and nothing stored changes."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import base64
import json
from dataclasses import dataclass

import pytest

from chalicelib.auth.service import bootstrap_owner
from chalicelib.chat.gateway import use_gateway
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient
from tests.support.fake_gateway import FakeGateway
from tests.support.fixtures import OWNER_EMAIL, OWNER_PASSWORD, reset_backends

MISSING = "01JAAAAAAAAAAAAAAAAAAAAAAA"


@dataclass
class World:
    clients: dict[str, ApiClient]
    ids: dict[str, str]
    pump: StreamPump


def _foreign_cursor() -> str:
    key = {
        "pk": {"S": "THREAD#x"},
        "sk": {"S": "FOLLOW#someone-else"},
        "follower_id": {"S": "someone-else"},
        "activity_key": {"S": "2026-01-01T00:00:00.000Z#x"},
    }
    raw = json.dumps(key).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture(scope="module")
def world(database, http_gateway, app_module):
    reset_backends(database)
    pump = StreamPump(database.endpoint, app_module.STREAM_REACTIONS, database.prefix)
    pump.attach()
    use_gateway(FakeGateway())
    api = ApiClient(http_gateway)
    bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
    owner = api.as_user(
        api.post(
            "/api/auth/login", {"email": OWNER_EMAIL, "password": OWNER_PASSWORD}
        ).json["token"]
    )
    clients = {"owner": owner}
    user_ids = {}
    for name in ("anna", "outsider"):
        email, password = f"{name}@example.com", f"password-{name}-long"
        created = owner.post(
            "/api/users",
            {"email": email, "name": name, "password": password, "role": "employee"},
        )
        assert created.status == 201, created.body
        user_ids[name] = created.json["user"]["id"]
        token = api.post("/api/auth/login", {"email": email, "password": password})
        clients[name] = api.as_user(token.json["token"])
    channel = owner.post(
        "/api/chat/channels", {"name": "Проверки", "member_ids": [user_ids["anna"]]}
    )
    assert channel.status == 201, channel.body
    channel_id = channel.json["channel"]["id"]
    pump.drain()

    def post(client, body):
        response = client.post(f"/api/chat/channels/{channel_id}/messages", body)
        assert response.status == 201, response.body
        return response.json["message"]["id"]

    root = post(owner, {"text": "Корень"})
    reply = post(clients["anna"], {"text": "Ответ", "thread_id": root})
    other_root = post(owner, {"text": "Другой корень"})
    other_reply = post(owner, {"text": "Чужой ответ", "thread_id": other_root})
    pump.drain()
    yield World(
        clients,
        {
            "channel": channel_id,
            "root": root,
            "reply": reply,
            "other_reply": other_reply,
            "missing": MISSING,
            "foreign_cursor": _foreign_cursor(),
        },
        pump,
    )
    use_gateway(None)


# (person, method, path, body, status, field); "{name}" is one of the world's ids.
CASES = [
    ("anna", "POST", "/api/chat/channels/{channel}/read", {}, 400, "message_id"),
    ("anna", "POST", "/api/chat/channels/{channel}/read", {"message_id": 5}, 400, "message_id"),
    ("anna", "POST", "/api/chat/channels/{channel}/read", {"message_id": ""}, 400, "message_id"),
    ("anna", "POST", "/api/chat/channels/{channel}/read", {"message_id": "ж" * 65}, 400, "message_id"),
    ("anna", "POST", "/api/chat/channels/{channel}/read", {"message_id": "{root}", "at": 1}, 400, "at"),
    ("anna", "POST", "/api/chat/channels/{channel}/read", {"message_id": "{missing}"}, 404, "message_id"),
    ("anna", "POST", "/api/chat/channels/{channel}/read", {"message_id": "{reply}"}, 404, "message_id"),
    ("outsider", "POST", "/api/chat/channels/{channel}/read", {"message_id": "{root}"}, 403, None),
    ("anna", "POST", "/api/chat/channels/{missing}/read", {"message_id": "{root}"}, 404, None),
    ("anna", "POST", "/api/chat/channels/{channel}/unread", {"message_id": None}, 400, "message_id"),
    ("anna", "POST", "/api/chat/channels/{channel}/unread", {"message_id": "{missing}"}, 404, "message_id"),
    ("outsider", "POST", "/api/chat/channels/{channel}/unread", {"message_id": "{root}"}, 403, None),
    ("anna", "POST", "/api/chat/messages/{root}/thread/read", {}, 400, "message_id"),
    ("anna", "POST", "/api/chat/messages/{root}/thread/read", {"message_id": ["x"]}, 400, "message_id"),
    ("anna", "POST", "/api/chat/messages/{root}/thread/read", {"message_id": "{other_reply}"}, 404, "message_id"),
    ("anna", "POST", "/api/chat/messages/{missing}/thread/read", {"message_id": "{reply}"}, 404, None),
    ("outsider", "POST", "/api/chat/messages/{root}/thread/read", {"message_id": "{reply}"}, 403, None),
    ("anna", "POST", "/api/chat/messages/{root}/thread/unread", {"message_id": "{root}"}, 400, "message_id"),
    ("anna", "POST", "/api/chat/messages/{other_reply}/thread/unread", {"message_id": "{other_reply}"}, 400, "message_id"),
    ("anna", "POST", "/api/chat/messages/{root}/thread/unread", {"message_id": "{reply}", "x": 1}, 400, "x"),
    ("anna", "POST", "/api/chat/messages/{missing}/follow", None, 404, None),
    ("outsider", "POST", "/api/chat/messages/{root}/follow", None, 403, None),
    ("outsider", "DELETE", "/api/chat/messages/{root}/follow", None, 403, None),
    ("anna", "DELETE", "/api/chat/messages/{missing}/follow", None, 404, None),
    ("anna", "GET", "/api/chat/threads?limit=0", None, 400, "limit"),
    ("anna", "GET", "/api/chat/threads?limit=101", None, 400, "limit"),
    ("anna", "GET", "/api/chat/threads?cursor=abc", None, 400, "cursor"),
    ("anna", "GET", "/api/chat/threads?cursor=%7B%7D", None, 400, "cursor"),
    ("anna", "GET", "/api/chat/threads?cursor={foreign_cursor}", None, 400, "cursor"),
    ("anna", "GET", "/api/chat/channels/{channel}/messages?after_seq=-1", None, 400, "after_seq"),
    ("anna", "GET", "/api/chat/channels/{channel}/messages?after_seq=abc", None, 400, "after_seq"),
    ("anna", "GET", "/api/chat/channels/{channel}/messages?after_seq=1.5", None, 400, "after_seq"),
    ("anna", "GET", "/api/chat/channels/{channel}/messages?after_seq=99999999999999999", None, 400, "after_seq"),
    ("anna", "GET", "/api/chat/channels/{channel}/messages?after_seq=1&before={root}", None, 400, "after_seq"),
    ("anna", "GET", "/api/chat/channels/{channel}/messages?after_seq=1&limit=0", None, 400, "limit"),
    ("outsider", "GET", "/api/chat/channels/{channel}/messages?after_seq=0", None, 403, None),
    ("anna", "GET", "/api/chat/messages/{root}/thread?after_seq=x", None, 400, "after_seq"),
    ("anna", "GET", "/api/chat/messages/{root}/thread?after_seq=0&after={reply}", None, 400, "after_seq"),
    ("anna", "POST", "/api/chat/channels/{channel}/messages", {"text": "a", "thread_id": "{root}", "also_send_to_channel": "yes"}, 400, "also_send_to_channel"),
    ("anna", "POST", "/api/chat/channels/{channel}/messages", {"text": "a", "also_send_to_channel": True}, 400, "also_send_to_channel"),
    ("anna", "POST", "/api/chat/channels/{channel}/messages", {"text": "a", "thread_id": "{root}", "also_send_to_channel": 1}, 400, "also_send_to_channel"),
]  # fmt: skip


def fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


def _stored_state(world) -> dict:
    """What a rejected request could change: the caller's counts and threads."""
    anna = world.clients["anna"]
    return {
        "unread": anna.get("/api/chat/unread").json,
        "threads": anna.get("/api/chat/threads").json,
        "history": anna.get(f"/api/chat/channels/{world.ids['channel']}/messages").json,
    }


@pytest.mark.parametrize(
    ("person", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(world, person, method, path, body, status, field):
    before = _stored_state(world)
    client = world.clients[person]
    response = client.request(method, fill(path, world.ids), fill(body, world.ids))
    assert (response.status, response.error_field()) == (status, field), response.body
    world.pump.drain()
    assert _stored_state(world) == before


@pytest.mark.parametrize("raw", [b"[]", b"{", b'"text"', b"\xff\xfe", b"null", b""])
@pytest.mark.parametrize(
    "path",
    [
        "/api/chat/channels/{channel}/read",
        "/api/chat/channels/{channel}/unread",
        "/api/chat/messages/{root}/thread/read",
        "/api/chat/messages/{root}/thread/unread",
    ],
)
def test_malformed_body_is_400(world, path, raw):
    response = world.clients["anna"].post(fill(path, world.ids), raw=raw)
    assert response.status == 400, response.body


def test_table_covers_every_thread_route(app_module):
    import re

    covered = {
        (method, re.sub(r"\{[a-z_]+\}", "{}", path.split("?")[0]))
        for _person, method, path, *_rest in CASES
    }
    for path, methods in app_module.app.routes.items():
        for method, entry in methods.items():
            if entry.view_function.__module__ != "chalicelib.chat.thread_routes":
                continue
            if method == "GET" and path in ("/api/chat/unread",):
                continue  # takes no input
            template = re.sub(r"\{[a-z_]+\}", "{}", path)
            assert (method, template) in covered, f"{method} {path} has no case"
