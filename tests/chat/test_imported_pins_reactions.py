"""Pins, reactions, stickers and forwards of imported Telegram and Slack history.

The Telegram chat is tests/fixtures/telegram/personal-chat-ru.json (from
DomaCKBO3H9K/chatstyle, MIT) and the Slack archives are
tests/fixtures/slack/export-2016.zip (hfaran/slack-export-viewer, MIT) and the
zulip thread fragment (Apache-2.0); the READMEs there name the sources. Neither
real export has reactions with people or a Slack pin, so some tests add those
fields to a copy, in the shape Telegram Desktop and Slack write them.
"""

import copy
import io
import json
import zipfile
from pathlib import Path

from chalicelib.chat.imported_reactions import slack_emoji

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PERSONAL_CHAT = json.loads(
    (FIXTURES / "telegram" / "personal-chat-ru.json").read_text(encoding="utf-8")
)
SLACK_2016 = FIXTURES / "slack" / "export-2016.zip"
SLACK_THREAD = json.loads(
    (FIXTURES / "slack" / "thread_with_broadcast_reply.json").read_text()
)
SLACK_USERS = json.loads((FIXTURES / "slack" / "thread_users.json").read_text())


def _telegram_job(owner, pump, chat: dict) -> dict:
    data = json.dumps(chat, ensure_ascii=False).encode()
    started = owner.client.post("/api/chat/import/telegram", raw=data)
    assert started.status == 202, started.body
    pump.drain()
    job = owner.client.get(f"/api/imports/{started.json['id']}").json
    assert job["status"] == "done", job
    return job


def _slack_job(owner, pump, archive: bytes) -> dict:
    started = owner.client.post(
        "/api/chat/import/slack",
        raw=archive,
        headers={"Content-Type": "application/zip"},
    )
    assert started.status == 202, started.body
    pump.drain()
    job = owner.client.get(f"/api/imports/{started.json['id']}").json
    assert job["status"] == "done", job
    return job


def _zip(entries: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, json.dumps(content, ensure_ascii=False))
    return buffer.getvalue()


def _channel_id(person, name: str) -> str:
    listed = person.client.get("/api/chat/channels").json["channels"]
    [channel] = [channel for channel in listed if channel["name"] == name]
    return channel["id"]


def _history(person, channel_id: str) -> list[dict]:
    page = person.client.get(f"/api/chat/channels/{channel_id}/messages?limit=200")
    assert page.status == 200, page.body
    return page.json["messages"]


def _pins(person, channel_id: str) -> list[dict]:
    response = person.client.get(f"/api/chat/channels/{channel_id}/pins")
    assert response.status == 200, response.body
    return response.json["pins"]


def _by_text(messages: list[dict], text: str) -> dict:
    [message] = [message for message in messages if message["text"] == text]
    return message


def _chat_with_reactions() -> dict:
    chat = copy.deepcopy(PERSONAL_CHAT)
    [message] = [item for item in chat["messages"] if item["id"] == 5]
    message["reactions"] = [
        {
            "type": "emoji",
            "count": 3,
            "emoji": "👍",
            "recent": [
                {
                    "from": "Анна Петрова",
                    "from_id": "user111",
                    "date": "2023-05-01T12:05:30",
                },
                {"from": "Вера", "from_id": "user333", "date": "2023-05-01T12:06:00"},
            ],
        },
        {"type": "emoji", "count": 1, "emoji": "❤"},
        {"type": "custom_emoji", "count": 1, "document_id": "5368324170671202286"},
        {"type": "paid", "count": 2},
    ]
    return chat


def test_telegram_pin_becomes_channel_pin(owner, hire, pump):
    boris = hire("Борис")

    job = _telegram_job(owner, pump, PERSONAL_CHAT)

    report = job["report"]["channels"][0]
    assert report["pinned"] == 1
    channel_id = _channel_id(owner, PERSONAL_CHAT["name"])
    [pin] = _pins(owner, channel_id)
    assert pin["text"] == "смотри https://example.com/a круто"
    assert pin["pinned_by"] == boris.id
    assert pin["pinned_at"].startswith("2023-05-01T12:06:00")


def test_telegram_pin_by_unmatched_person(owner, pump):
    _telegram_job(owner, pump, PERSONAL_CHAT)

    [pin] = _pins(owner, _channel_id(owner, PERSONAL_CHAT["name"]))

    assert pin["pinned_by"] == "telegram:user222"


def test_telegram_rerun_adds_no_pin(owner, pump):
    _telegram_job(owner, pump, PERSONAL_CHAT)

    again = _telegram_job(owner, pump, PERSONAL_CHAT)

    report = again["report"]["channels"][0]
    assert report["pinned"] == 0
    assert report["already_pinned"] == 1
    assert len(_pins(owner, _channel_id(owner, PERSONAL_CHAT["name"]))) == 1


def test_telegram_pin_of_missing_message(owner, pump):
    chat = copy.deepcopy(PERSONAL_CHAT)
    [service] = [item for item in chat["messages"] if item["type"] == "service"]
    service["message_id"] = 10  # message 10 has no text, so it is not imported

    job = _telegram_job(owner, pump, chat)

    report = job["report"]["channels"][0]
    assert report["pinned"] == 0
    reasons = [item for item in report["skipped_items"] if item["message"] == "10"]
    assert any("not in the export or has no text" in r["reason"] for r in reasons)
    assert any(r["reason"] == "no text and no media" for r in reasons)


def test_telegram_sticker_and_forward_kept(owner, pump):
    _telegram_job(owner, pump, PERSONAL_CHAT)

    texts = [m["text"] for m in _history(owner, _channel_id(owner, "Борис"))]

    assert "[sticker 😀]" in texts
    assert "[forwarded from Какой-то канал]\nэто чужое сообщение переслано" in texts


def test_telegram_reactions_become_real(owner, hire, pump):
    anna = hire("Анна Петрова")

    job = _telegram_job(owner, pump, _chat_with_reactions())

    report = job["report"]["channels"][0]
    assert report["reactions"] == 4
    message = _by_text(
        _history(owner, _channel_id(owner, "Борис")), "Посмотрю вечером."
    )
    by_emoji = {reaction["emoji"]: reaction for reaction in message["reactions"]}
    assert set(by_emoji) == {"👍", "❤️"}
    thumbs = by_emoji["👍"]
    assert thumbs["count"] == 3
    # People the export only counts get the message's own time, so they sort
    # before the named ones, who reacted later.
    assert thumbs["user_ids"] == ["telegram:anonymous-1", anna.id, "telegram:user333"]
    assert by_emoji["❤️"]["user_ids"] == ["telegram:anonymous-1"]
    reasons = [item["reason"] for item in report["skipped_items"]]
    assert any("custom emoji" in reason for reason in reasons)
    assert any("paid reactions" in reason for reason in reasons)


def test_imported_reaction_works_like_live(owner, hire, pump):
    anna = hire("Анна Петрова")
    _telegram_job(owner, pump, _chat_with_reactions())
    channel_id = _channel_id(owner, "Борис")
    message = _by_text(_history(owner, channel_id), "Посмотрю вечером.")

    # The owner adds a thumbs-up beside the imported ones.
    response = owner.client.post(
        f"/api/chat/messages/{message['id']}/reactions", {"emoji": "👍"}
    )

    assert response.status in (200, 201), response.body
    again = _by_text(_history(owner, channel_id), "Посмотрю вечером.")
    thumbs = [r for r in again["reactions"] if r["emoji"] == "👍"][0]
    assert thumbs["count"] == 4
    assert owner.id in thumbs["user_ids"]
    assert anna.id in thumbs["user_ids"]
    assert thumbs["mine"] is True


def test_telegram_rerun_keeps_reaction_counts(owner, pump):
    chat = _chat_with_reactions()
    _telegram_job(owner, pump, chat)

    again = _telegram_job(owner, pump, chat)

    assert again["report"]["channels"][0]["reactions"] == 0
    message = _by_text(
        _history(owner, _channel_id(owner, "Борис")), "Посмотрю вечером."
    )
    counts = {r["emoji"]: r["count"] for r in message["reactions"]}
    assert counts == {"👍": 3, "❤️": 1}


def test_slack_custom_emoji_reported(owner, pump):
    job = _slack_job(owner, pump, SLACK_2016.read_bytes())

    skipped = job["report"]["skipped"]
    botman = [item for item in skipped if ":botman:" in item["reason"]]
    assert len(botman) == 1
    assert botman[0]["channel"] == "enrique"
    assert "has no Unicode form" in botman[0]["reason"]
    assert job["report"]["skipped_total"] == 12


def _slack_thread_archive() -> bytes:
    thread = copy.deepcopy(SLACK_THREAD)
    root = thread[0]
    root["pinned_to"] = ["C1"]
    root["reactions"] = [
        {"name": "+1", "users": ["U061A1R2R", "U066MTL5U"], "count": 3},
        {"name": "thumbsup", "users": ["U061A5N1G"], "count": 1},
        {"name": "raised_hands::skin-tone-2", "users": ["U061A1R2R"], "count": 1},
        {"name": "party-parrot", "users": ["U061A1R2R"], "count": 1},
    ]
    thread[1]["pinned_to"] = ["C1"]
    return _zip(
        {
            "users.json": SLACK_USERS,
            "channels.json": [{"id": "C1", "name": "random", "members": ["U061A1R2R"]}],
            "random/2015-06-12.json": thread,
        }
    )


def test_slack_pins_and_reactions(owner, hire, pump):
    jon = hire("Jon")

    job = _slack_job(owner, pump, _slack_thread_archive())

    [channel_report] = job["report"]["channels"]
    assert channel_report["pinned"] == 2
    assert channel_report["reactions"] == 5
    channel_id = _channel_id(owner, "random")
    pins = _pins(owner, channel_id)
    assert {pin["text"] for pin in pins} == {"thread message", "first reply"}
    assert all(pin["pinned_by"] == owner.id for pin in pins)
    [root] = _history(owner, channel_id)
    by_emoji = {reaction["emoji"]: reaction for reaction in root["reactions"]}
    # "+1" and "thumbsup" are one emoji in Slack too.
    assert by_emoji["👍"]["count"] == 4
    assert by_emoji["👍"]["user_ids"][0] == jon.id
    assert "slack:U066MTL5U" in by_emoji["👍"]["user_ids"]
    assert "slack:anonymous-1" in by_emoji["👍"]["user_ids"]
    assert by_emoji["🙌🏻"]["user_ids"] == [jon.id]
    assert len(by_emoji) == 2
    reasons = [item["reason"] for item in job["report"]["skipped"]]
    assert any(":party-parrot: has no Unicode form" in reason for reason in reasons)


def test_slack_rerun_adds_no_pin(owner, pump):
    archive = _slack_thread_archive()
    _slack_job(owner, pump, archive)

    again = _slack_job(owner, pump, archive)

    [channel_report] = again["report"]["channels"]
    assert channel_report["pinned"] == 0
    assert channel_report["already_pinned"] == 2
    assert channel_report["reactions"] == 0
    assert len(_pins(owner, _channel_id(owner, "random"))) == 2


def test_slack_emoji_names():
    assert slack_emoji("+1") == ("👍", "")
    assert slack_emoji("heart") == ("❤️", "")
    assert slack_emoji("+1::skin-tone-3") == ("👍🏼", "")
    emoji, reason = slack_emoji("botman")
    assert emoji is None
    assert reason == "custom Slack emoji :botman: has no Unicode form"
