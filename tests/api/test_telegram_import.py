"""Importing real Telegram Desktop exports into a channel.

The real exports in tests/fixtures/telegram come from tg2md and chatstyle;
their README there names the sources and licences.
"""

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def channel(owner):
    created = owner.client.post("/api/chat/channels", {"name": "архив телеграма"})
    assert created.status == 201
    return created.json["channel"]["id"]


def _import(owner, channel_id, payload: bytes):
    return owner.client.post(
        f"/api/chat/channels/{channel_id}/import/telegram", raw=payload
    )


def _history(owner, channel_id) -> list[dict]:
    page = owner.client.get(f"/api/chat/channels/{channel_id}/messages?limit=200").json
    return page["messages"]


@pytest.mark.parametrize(
    "name",
    [
        "private-channel-2021.json",
        "private-channel-2020-integer-ids.json",
        "personal-chat-ru.json",
    ],
)
def test_real_export_imports_once(owner, channel, name):
    payload = _read(name)
    first = _import(owner, channel, payload)
    assert first.status == 200, first.body
    assert first.json["imported"] > 0
    count = len(_history(owner, channel))

    second = _import(owner, channel, payload)
    assert second.status == 200
    assert second.json["imported"] == 0
    assert second.json["already_present"] == first.json["imported"]
    assert len(_history(owner, channel)) == count


def test_imported_history_keeps_dates_and_authors(owner, channel):
    _import(owner, channel, _read("personal-chat-ru.json"))
    messages = list(reversed(_history(owner, channel)))

    assert messages[0]["text"] == "привет))"
    assert messages[0]["sender_name"] == "Анна Петрова"
    assert messages[0]["created_at"] == "2023-05-01T12:01:00.000Z"
    assert all(message["kind"] == "imported" for message in messages)
    assert [m["created_at"] for m in messages] == sorted(
        m["created_at"] for m in messages
    )


def test_media_becomes_placeholder_with_file_name(owner, channel):
    _import(owner, channel, _read("private-channel-2021.json"))
    photos = [m for m in _history(owner, channel) if m["attachments"]]
    assert photos
    assert any("[photo:" in m["text"] for m in photos)


def test_author_matched_to_existing_person(owner, channel, hire):
    anna = hire("Анна Петрова")
    result = _import(owner, channel, _read("personal-chat-ru.json")).json
    assert "Анна Петрова" in result["matched_authors"]

    by_anna = [
        m for m in _history(owner, channel) if m["sender_name"] == "Анна Петрова"
    ]
    assert by_anna
    assert {m["sender_id"] for m in by_anna} == {anna.id}


def _export(messages: list[dict]) -> bytes:
    return json.dumps(
        {"name": "Тест", "type": "personal_chat", "id": 42, "messages": messages}
    ).encode()


def _message(number: int, text: str, reply_to: int | None = None) -> dict:
    message = {
        "id": number,
        "type": "message",
        "date": f"2024-01-01T10:00:{number:02d}",
        "from": "Вера",
        "from_id": "user7",
        "text": text,
    }
    if reply_to is not None:
        message["reply_to_message_id"] = reply_to
    return message


def test_replies_become_threads(owner, channel):
    payload = _export(
        [
            _message(1, "Вопрос по поставке"),
            _message(2, "Ответ", reply_to=1),
            _message(3, "Ответ на ответ", reply_to=2),
            _message(4, "Ответ на удалённое", reply_to=99),
        ]
    )
    result = _import(owner, channel, payload)
    assert result.status == 200
    assert result.json["replies"] == 2

    history = _history(owner, channel)
    assert [m["text"] for m in history] == ["Ответ на удалённое", "Вопрос по поставке"]
    root = history[1]
    assert root["reply_count"] == 2

    thread = owner.client.get(f"/api/chat/messages/{root['id']}/thread").json
    assert [r["text"] for r in thread["replies"]] == ["Ответ", "Ответ на ответ"]


def test_reimport_keeps_reply_count(owner, channel):
    payload = _export([_message(1, "корень"), _message(2, "ответ", reply_to=1)])
    _import(owner, channel, payload)
    _import(owner, channel, payload)
    root = _history(owner, channel)[0]
    assert root["reply_count"] == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (b"not json at all", "file"),
        ("привет".encode("cp1251"), "file"),
        (b"[]", "file"),
        (
            json.dumps({"name": "x", "type": "personal_chat", "id": 1}).encode(),
            "messages",
        ),
        (
            json.dumps(
                {
                    "name": "x",
                    "type": "personal_chat",
                    "id": 1,
                    "messages": [
                        {"id": 1, "type": "message", "date": "вчера", "text": "a"}
                    ],
                }
            ).encode(),
            "messages[0].date",
        ),
    ],
)
def test_bad_file_rejected_channel_unchanged(owner, channel, payload, field):
    owner.client.post(
        f"/api/chat/channels/{channel}/messages", {"text": "было до импорта"}
    )
    before = _history(owner, channel)

    response = _import(owner, channel, payload)
    assert response.status == 400
    assert response.error_field() == field
    assert _history(owner, channel) == before


def test_import_needs_admin(owner, channel, hire):
    anna = hire("Анна")
    owner.client.post(f"/api/chat/channels/{channel}/members", {"user_id": anna.id})
    response = anna.client.post(
        f"/api/chat/channels/{channel}/import/telegram", raw=_export([_message(1, "x")])
    )
    assert response.status == 403


def test_oversized_import_is_413(owner, channel):
    payload = b"{" + b" " * (10 * 1024 * 1024) + b"}"
    response = _import(owner, channel, payload)
    assert response.status == 413


def test_old_and_new_export_of_one_channel_merge(owner, channel):
    newer = _import(owner, channel, _read("private-channel-2021.json")).json
    older = _import(owner, channel, _read("private-channel-2020-integer-ids.json")).json

    assert newer["imported"] > 0
    assert older["already_present"] > 0
    assert older["imported"] < older["total"]
