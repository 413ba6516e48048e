"""Live delivery over a real WebSocket client against the running local stack."""

import json
import time
import uuid

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

pytestmark = pytest.mark.live


def _socket(stack, token):
    return connect(f"{stack.ws_url}?token={token}", open_timeout=10)


def _receive_until(socket, predicate, timeout=5.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("expected frame did not arrive")
        frame = json.loads(socket.recv(timeout=remaining))
        if predicate(frame):
            return frame


def _general_id(stack, token) -> str:
    channels = stack.api("GET", "/api/chat/channels", token).json()["channels"]
    return next(channel["id"] for channel in channels if channel["kind"] == "general")


def test_channel_message_and_thread_reply_live(live_stack, live_company):
    anna, boris = live_company["anna"], live_company["boris"]
    channel_id = _general_id(live_stack, anna["token"])
    with (
        _socket(live_stack, anna["token"]) as anna_socket,
        _socket(live_stack, boris["token"]) as boris_socket,
    ):
        request_id = str(uuid.uuid4())
        anna_socket.send(
            json.dumps(
                {
                    "action": "send_message",
                    "channel_id": channel_id,
                    "text": "Привет, Борис",
                    "request_id": request_id,
                }
            )
        )
        ack = _receive_until(anna_socket, lambda f: f.get("request_id") == request_id)
        assert ack["type"] == "ack"
        root_id = ack["message"]["id"]

        seen = _receive_until(
            boris_socket,
            lambda f: f["type"] == "message.created" and f["message"]["id"] == root_id,
        )
        assert seen["message"]["text"] == "Привет, Борис"
        assert seen["message"]["sender_name"] == "Анна Петрова"

        boris_socket.send(
            json.dumps(
                {
                    "action": "send_message",
                    "channel_id": channel_id,
                    "text": "Привет!",
                    "thread_id": root_id,
                }
            )
        )
        reply = _receive_until(
            anna_socket,
            lambda f: (
                f["type"] == "message.created" and f["message"]["thread_id"] == root_id
            ),
        )
        assert reply["message"]["text"] == "Привет!"
        updated = _receive_until(
            anna_socket,
            lambda f: f["type"] == "message.updated" and f["message"]["id"] == root_id,
        )
        assert updated["message"]["reply_count"] == 1


def test_task_notification_arrives_live(live_stack, live_company):
    owner, anna = live_company["owner"], live_company["anna"]
    with _socket(live_stack, anna["token"]) as anna_socket:
        created = live_stack.api(
            "POST",
            "/api/tasks",
            owner["token"],
            json={"title": "Проверить остатки", "assignee_id": anna["id"]},
        )
        assert created.status_code == 201
        frame = _receive_until(
            anna_socket,
            lambda f: (
                f["type"] == "message.created"
                and f["message"]["kind"] == "notification"
            ),
            timeout=5,
        )
    # The latency itself is measured in bench/notification_latency.py.
    assert "Проверить остатки" in frame["message"]["text"]


def test_catch_up_after_reconnect(live_stack, live_company):
    anna, boris = live_company["anna"], live_company["boris"]
    channel_id = _general_id(live_stack, anna["token"])
    path = f"/api/chat/channels/{channel_id}/messages"
    last_seen = live_stack.api(
        "POST", path, anna["token"], json={"text": "последнее до обрыва"}
    ).json()["message"]["id"]

    missed = [
        live_stack.api(
            "POST", path, boris["token"], json={"text": f"пропущено {n}"}
        ).json()["message"]["id"]
        for n in range(3)
    ]
    page = live_stack.api("GET", f"{path}?after={last_seen}", anna["token"]).json()
    assert [message["id"] for message in page["messages"]] == missed


def test_invalid_token_cannot_connect(live_stack):
    with pytest.raises(InvalidStatus) as error:
        _socket(live_stack, "not-a-token")
    assert error.value.response.status_code == 401


def test_bad_frame_gets_error_and_socket_stays(live_stack, live_company):
    anna = live_company["anna"]
    with _socket(live_stack, anna["token"]) as anna_socket:
        anna_socket.send("{not json")
        error = _receive_until(anna_socket, lambda f: f["type"] == "error")
        assert error["error"]["code"] == "invalid_input"

        anna_socket.send(json.dumps({"action": "ping", "request_id": "p1"}))
        pong = _receive_until(anna_socket, lambda f: f.get("request_id") == "p1")
        assert pong["pong"] is True


def test_deactivation_closes_socket(live_stack, live_company):
    owner = live_company["owner"]
    body = {
        "email": "leaver@live.example",
        "name": "Уходящий",
        "position_id": live_company["positions"]["Logistician"]["id"],
        "password": "leaver-password-1",
    }
    leaver_id = live_stack.api("POST", "/api/users", owner["token"], json=body).json()[
        "user"
    ]["id"]
    token = live_stack.login(body["email"], body["password"])

    with _socket(live_stack, token) as socket:
        assert (
            live_stack.api(
                "DELETE", f"/api/users/{leaver_id}", owner["token"]
            ).status_code
            == 200
        )
        with pytest.raises(ConnectionClosed):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                socket.recv(timeout=deadline - time.monotonic())

    assert live_stack.api("GET", "/api/auth/me", token).status_code == 401
    with pytest.raises(InvalidStatus):
        _socket(live_stack, token)
