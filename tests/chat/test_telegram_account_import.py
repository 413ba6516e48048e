"""Importing a Telegram full-account export: every chat becomes a channel.

The account export is put together from the real chat exports in
tests/fixtures/telegram, the way Telegram Desktop nests them under chats.list.
"""

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"
CHATS = (
    "personal-chat-ru.json",
    "private-channel-2021.json",
    "private-channel-2020-integer-ids.json",
)


def _chat(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _account_export(chats: list) -> bytes:
    document = {
        "about": "Here is the data you requested.",
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": chats,
        },
    }
    return json.dumps(document, ensure_ascii=False).encode()


def _start(person, data: bytes):
    return person.client.post("/api/chat/import/telegram", raw=data)


def _run(owner, pump, data: bytes) -> dict:
    started = _start(owner, data)
    assert started.status == 202, started.body
    pump.drain()
    job = owner.client.get(f"/api/imports/{started.json['id']}")
    assert job.status == 200, job.body
    return job.json


def _channels_by_name(person) -> dict[str, dict]:
    listed = person.client.get("/api/chat/channels").json["channels"]
    return {channel["name"]: channel for channel in listed}


def test_each_chat_becomes_channel(owner, pump):
    job = _run(owner, pump, _account_export([_chat(name) for name in CHATS]))

    assert job["status"] == "done", job
    reports = job["report"]["channels"]
    assert len(reports) == 3
    # The 2020 and 2021 exports are the same channel, so they share one.
    channel_ids = {report["channel_id"] for report in reports}
    assert len(channel_ids) == 2
    names = {report["chat_name"] for report in reports}
    channels = _channels_by_name(owner)
    assert names <= set(channels)
    assert job["progress"]["done"] == job["progress"]["total"]
    assert job["progress"]["total"] == sum(report["total"] for report in reports)


def test_personal_chat_history(owner, pump):
    chat = _chat("personal-chat-ru.json")
    _run(owner, pump, _account_export([chat]))

    channel_id = _channels_by_name(owner)[chat["name"]]["id"]
    page = owner.client.get(f"/api/chat/channels/{channel_id}/messages?limit=200")
    texts = [message["text"] for message in page.json["messages"]]
    assert "привет))" in texts
    assert any("[sticker" in text for text in texts)


def test_account_import_runs_once(owner, pump):
    data = _account_export([_chat(name) for name in CHATS])
    first = _run(owner, pump, data)

    second = _run(owner, pump, data)

    # The 2020 export repeats the 2021 channel's messages, so even the first
    # run finds some of them present.
    kept = first["report"]["imported"] + first["report"]["already_present"]
    assert first["report"]["already_present"] > 0
    assert second["report"]["imported"] == 0
    assert second["report"]["already_present"] == kept


def test_single_chat_export_accepted(owner, pump):
    data = (FIXTURES / "private-channel-2021.json").read_bytes()

    job = _run(owner, pump, data)

    assert job["status"] == "done"
    assert len(job["report"]["channels"]) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"\xff\xfe not utf-8", "file"),
        (b"[1, 2]", "file"),
        (_account_export([]), "chats.list"),
        (_account_export(["not a chat"]), "chats.list[0]"),
        (_account_export([{"name": "no messages"}]), "chats.list[0].messages"),
        (
            _account_export([{"name": "a", "messages": []}, {"messages": "x"}]),
            "chats.list[1].messages",
        ),
    ],
)
def test_bad_account_export_rejected(owner, pump, data, field):
    pump.drain()
    before = _channels_by_name(owner)

    response = _start(owner, data)

    assert response.status == 400, response.body
    assert response.json["error"]["field"] == field
    pump.drain()
    assert _channels_by_name(owner) == before


def test_overlong_message_rejected_up_front(owner, pump):
    chat = _chat("personal-chat-ru.json")
    chat["messages"][0]["text"] = "я" * 100_001
    data = _account_export([_chat(CHATS[1]), chat])

    response = _start(owner, data)

    assert response.status == 400, response.body
    assert response.json["error"]["field"] == "chats.list[1].messages"


def test_telegram_import_needs_admin(owner, hire):
    employee = hire("Пётр")

    response = _start(employee, _account_export([_chat(CHATS[0])]))

    assert response.status == 403
