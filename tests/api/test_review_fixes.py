"""Cases found by trying Shtab as a user would: each once gave a 500 or leaked."""

import json

import pytest

from chalicelib.auth.tokens import _encode, _secret
from chalicelib.chat import connections
from chalicelib.chat.telegram_import import MAX_IMPORTED_TEXT_LENGTH


def _general(person) -> str:
    channels = person.client.get("/api/chat/channels").json["channels"]
    return next(c["id"] for c in channels if c["kind"] == "general")


@pytest.fixture
def anna(company, hire):
    return hire("Анна", company["positions"]["Wildberries account manager"]["id"])


def test_derived_channel_rejects_manual_members(owner, anna, hire):
    outsider = hire("Внешний")
    channel_id = _general(anna)
    response = anna.client.post(
        f"/api/chat/channels/{channel_id}/members", {"user_id": outsider.id}
    )
    assert response.status == 403


@pytest.mark.parametrize("limit", ["²", "٣", "-1", "0", "abc", "201"])
def test_limit_must_be_ascii_number(anna, limit):
    response = anna.client.get(
        f"/api/chat/channels/{_general(anna)}/messages?limit={limit}"
    )
    assert response.status == 400
    assert response.error_field() == "limit"


def test_lone_surrogate_rejected(anna):
    raw = b'{"text": "\\ud800 broken"}'
    response = anna.client.post(
        f"/api/chat/channels/{_general(anna)}/messages", raw=raw
    )
    assert response.status == 400
    assert "Unicode" in response.json["error"]["message"]


def test_token_with_empty_subject_rejected(api):
    payload = {"sub": "", "ver": 0, "exp": 4_000_000_000}
    body = _encode(json.dumps(payload).encode())
    import hashlib
    import hmac

    signature = hmac.new(_secret(), body.encode(), hashlib.sha256).digest()
    token = f"{body}.{_encode(signature)}"
    response = api.as_user(token).get("/api/auth/me")
    assert response.status == 401


def test_thread_pages_replies(anna):
    channel_id = _general(anna)
    path = f"/api/chat/channels/{channel_id}/messages"
    root = anna.client.post(path, {"text": "корень"}).json["message"]
    for number in range(5):
        anna.client.post(path, {"text": f"ответ {number}", "thread_id": root["id"]})

    first = anna.client.get(f"/api/chat/messages/{root['id']}/thread?limit=3").json
    assert [r["text"] for r in first["replies"]] == ["ответ 0", "ответ 1", "ответ 2"]
    cursor = first["next_cursor"]
    second = anna.client.get(
        f"/api/chat/messages/{root['id']}/thread?limit=3&after={cursor}"
    ).json
    assert [r["text"] for r in second["replies"]] == ["ответ 3", "ответ 4"]
    assert second["next_cursor"] is None


def test_socket_stops_after_password_change(anna, pump, gateway, app_module):
    from chalicelib.people.models import User

    version = User.get(anna.id).token_version
    connections.add_connection("old-socket", anna.id, version)
    response = anna.client.patch(
        f"/api/users/{anna.id}",
        {"password": "a-new-password-1", "current_password": anna.password},
    )
    assert response.status == 200
    pump.drain()

    assert "old-socket" in gateway.closed
    assert connections.connections_of_user(anna.id) == []


def test_socket_frame_with_stale_token_closes(anna, gateway):
    from chalicelib.chat.websocket import on_message
    from chalicelib.people.models import User

    connections.add_connection("stale", anna.id, token_version=99)
    frame = {"action": "send_message", "channel_id": _general(anna), "text": "hi"}
    on_message("stale", json.dumps(frame))

    assert gateway.closed == ["stale"]
    assert User.get(anna.id).token_version != 99


def test_assignee_may_only_change_status(owner, anna):
    task = owner.client.post(
        "/api/tasks", {"title": "Фото", "assignee_id": anna.id}
    ).json["task"]

    retitle = anna.client.patch(f"/api/tasks/{task['id']}", {"title": "Другое"})
    assert retitle.status == 403
    status = anna.client.patch(f"/api/tasks/{task['id']}", {"status": "in_progress"})
    assert status.status == 200


def test_garbage_task_cursor_rejected(anna):
    response = anna.client.get("/api/tasks?assignee=me&cursor=zzz")
    assert response.status == 400
    assert response.error_field() == "cursor"


def test_empty_user_patch_rejected(owner, anna):
    response = owner.client.patch(f"/api/users/{anna.id}", {})
    assert response.status == 400


def test_oversized_imported_message_leaves_channel_unchanged(owner):
    channel_id = owner.client.post("/api/chat/channels", {"name": "импорт"}).json[
        "channel"
    ]["id"]
    export = {
        "name": "x",
        "type": "personal_chat",
        "id": 1,
        "messages": [
            {"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "text": "ok"},
            {
                "id": 2,
                "type": "message",
                "date": "2024-01-01T10:00:01",
                "text": "я" * (MAX_IMPORTED_TEXT_LENGTH + 1),
            },
        ],
    }
    response = owner.client.post(
        f"/api/chat/channels/{channel_id}/import/telegram",
        raw=json.dumps(export).encode(),
    )
    assert response.status == 400
    assert response.error_field() == "messages[1].text"
    history = owner.client.get(f"/api/chat/channels/{channel_id}/messages").json
    assert history["messages"] == []


def test_unsupported_media_type_names_the_fix(owner):
    response = owner.client.post(
        "/api/tasks", raw=b"title=x", headers={"Content-Type": "text/plain"}
    )
    assert response.status == 415
    assert "application/json" in response.json["error"]["message"]


@pytest.mark.parametrize(
    "title", ["\u200b", " \u200b\ufeff ", "a\x00b", "evil\u202eexe.txt", "line\nbreak"]
)
def test_task_title_rejects_invisible_and_control(owner, anna, title):
    response = owner.client.post("/api/tasks", {"title": title, "assignee_id": anna.id})
    assert response.status == 400
    assert response.error_field() == "title"


def test_task_title_keeps_emoji_and_cyrillic(owner, anna):
    response = owner.client.post(
        "/api/tasks", {"title": "Фото 📸 для WB", "assignee_id": anna.id}
    )
    assert response.status == 201
    assert response.json["task"]["title"] == "Фото 📸 для WB"


def test_task_title_keeps_joined_emoji(owner, anna):
    family = "Семья \U0001f468\u200d\U0001f469\u200d\U0001f467"
    response = owner.client.post(
        "/api/tasks", {"title": family, "assignee_id": anna.id}
    )
    assert response.status == 201
    assert response.json["task"]["title"] == family
