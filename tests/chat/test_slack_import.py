"""Importing Slack workspace exports as a background job.

The real exports in tests/fixtures/slack come from slack-export-viewer and
zulip; their README there names the sources and licences.
"""

import io
import json
import zipfile
from pathlib import Path

import pytest

from chalicelib.chat import slack_export

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"
EXPORT_2016 = FIXTURES / "export-2016.zip"


def _zip(entries: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            data = content if isinstance(content, bytes) else json.dumps(content)
            archive.writestr(name, data)
    return buffer.getvalue()


def _start(person, archive: bytes):
    return person.client.post(
        "/api/chat/import/slack",
        raw=archive,
        headers={"Content-Type": "application/zip"},
    )


def _run(owner, pump, archive: bytes) -> dict:
    started = _start(owner, archive)
    assert started.status == 202, started.body
    assert started.json["status"] == "queued"
    pump.drain()
    job = owner.client.get(f"/api/imports/{started.json['id']}")
    assert job.status == 200, job.body
    return job.json


def _channels_by_name(person) -> dict[str, dict]:
    listed = person.client.get("/api/chat/channels").json["channels"]
    return {channel["name"]: channel for channel in listed}


def _history(person, channel_id: str) -> list[dict]:
    page = person.client.get(f"/api/chat/channels/{channel_id}/messages?limit=200")
    assert page.status == 200, page.body
    return page.json["messages"]


def test_real_export_becomes_channels(owner, hire, pump):
    harry = hire("Harry Potter")

    job = _run(owner, pump, EXPORT_2016.read_bytes())

    assert job["status"] == "done", job
    report = job["report"]
    counts = {channel["name"]: channel["imported"] for channel in report["channels"]}
    assert counts == {"enrique": 96, "traveling-sailor": 51}
    assert job["progress"] == {"done": 147, "total": 147}
    # 11 lines, and the custom emoji :botman: of the one reaction.
    assert report["skipped_total"] == 12
    assert "Harry Potter" in report["matched_people"]
    assert "Hamza Faran" in report["unmatched_people"]

    channels = _channels_by_name(harry)
    assert {"enrique", "traveling-sailor"} <= set(channels)
    messages = _history(owner, channels["enrique"]["id"])
    authors = {message["sender_name"] for message in messages}
    assert "github" in authors
    harry_messages = [m for m in messages if m["sender_name"] == "Harry Potter"]
    assert harry_messages
    assert all(message["sender_id"] == harry.id for message in harry_messages)


def test_export_text_and_files(owner, pump):
    _run(owner, pump, EXPORT_2016.read_bytes())

    channel_id = _channels_by_name(owner)["traveling-sailor"]["id"]
    texts = [message["text"] for message in _history(owner, channel_id)]
    shared = [text for text in texts if "uploaded a file" in text]
    assert shared
    assert any(
        text.startswith("@Hermione Granger uploaded a file: 100 cities (https://")
        for text in shared
    )
    assert "<@" not in "".join(texts)
    assert any("📎 100_cities.js" in text for text in texts)
    edited = [m for m in _history(owner, channel_id) if m.get("edited_at")]
    assert len(edited) == 1


def test_second_import_adds_nothing(owner, pump):
    archive = EXPORT_2016.read_bytes()
    _run(owner, pump, archive)
    channel_count = len(_channels_by_name(owner))

    again = _run(owner, pump, archive)

    assert again["status"] == "done"
    assert again["report"]["imported"] == 0
    assert again["report"]["already_present"] == 147
    assert len(_channels_by_name(owner)) == channel_count


def test_threads_span_day_files(owner, hire, pump):
    thread = json.loads((FIXTURES / "thread_with_broadcast_reply.json").read_text())
    users = json.loads((FIXTURES / "thread_users.json").read_text())
    jon = hire("Jon")
    archive = _zip(
        {
            "users.json": users,
            "channels.json": [{"id": "C1", "name": "random", "members": ["U061A1R2R"]}],
            # The root and its replies sit in different day files.
            "random/2015-06-12.json": thread[:1],
            "random/2015-06-13.json": thread[1:],
        }
    )

    job = _run(owner, pump, archive)

    assert job["report"]["channels"][0]["replies"] == 2
    channel_id = _channels_by_name(owner)["random"]["id"]
    roots = _history(owner, channel_id)
    assert [root["text"] for root in roots] == ["thread message"]
    assert roots[0]["reply_count"] == 2
    replies = owner.client.get(f"/api/chat/messages/{roots[0]['id']}/thread").json
    texts = [reply["text"] for reply in replies["replies"]]
    assert texts == ["first reply", "everyone should see this"]
    assert replies["replies"][0]["sender_id"] == jon.id
    assert "random" in _channels_by_name(jon)


def test_deleted_account_keeps_name(owner, pump):
    archive = _zip(
        {
            "users.json": [
                {"id": "U1", "name": "ivan", "deleted": True, "real_name": "Иван"}
            ],
            "channels.json": [{"id": "C1", "name": "общий-slack"}],
            "общий-slack/2024-01-01.json": [
                {
                    "type": "message",
                    "user": "U1",
                    "text": "Привет",
                    "ts": "1704100000.1",
                }
            ],
        }
    )

    job = _run(owner, pump, archive)

    assert job["status"] == "done"
    channel_id = _channels_by_name(owner)["общий-slack"]["id"]
    [message] = _history(owner, channel_id)
    assert message["sender_name"] == "Иван"
    assert message["sender_id"] == "slack:U1"


def _deep(levels: int):
    value: object = []
    for _ in range(levels):
        value = [value]
    return value


USERS = [{"id": "U1", "name": "ivan"}]
CHANNELS = [{"id": "C1", "name": "general"}]


@pytest.mark.parametrize(
    ("archive", "field"),
    [
        (b"not a zip at all", "file"),
        (_zip({"channels.json": CHANNELS}), "users.json"),
        (_zip({"users.json": USERS, "../evil.json": []}), "../evil.json"),
        (_zip({"users.json": USERS, "/etc/x.json": []}), "/etc/x.json"),
        (_zip({"users.json": USERS}), "channels.json"),
        (_zip({"users.json": "x".encode("utf-16")}), "users.json"),
        (_zip({"users.json": b"{not json"}), "users.json"),
        (_zip({"users.json": {"id": "U1"}}), "users.json"),
        (_zip({"users.json": _deep(200), "channels.json": CHANNELS}), "users.json"),
        (_zip({"users.json": [{"name": "no id"}]}), "users.json[0]"),
        (
            _zip(
                {
                    "users.json": USERS,
                    "channels.json": CHANNELS,
                    "general/2024-01-01.json": {"not": "a list"},
                }
            ),
            "general/2024-01-01.json",
        ),
    ],
)
def test_bad_archive_rejected(owner, pump, archive, field):
    pump.drain()
    before = _channels_by_name(owner)

    response = _start(owner, archive)

    assert response.status == 400, response.body
    assert response.json["error"]["field"] == field
    pump.drain()
    assert _channels_by_name(owner) == before


def test_too_many_messages_rejected(owner, pump, monkeypatch):
    monkeypatch.setattr(slack_export, "MAX_MESSAGES", 3)
    lines = [
        {"type": "message", "user": "U1", "text": "x", "ts": f"170410000{n}.1"}
        for n in range(4)
    ]
    archive = _zip(
        {
            "users.json": USERS,
            "channels.json": CHANNELS,
            "general/2024-01-01.json": lines,
        }
    )

    response = _start(owner, archive)

    assert response.status == 400, response.body
    assert response.json["error"]["field"] == "file"
    assert "more than 3 messages" in response.json["error"]["message"]


def test_oversized_archive_rejected(owner):
    response = _start(owner, b"0" * (9 * 1024 * 1024 + 1))

    assert response.status == 413
    assert response.json["error"]["field"] == "file"


def test_empty_body_rejected(owner):
    response = _start(owner, b"")

    assert response.status == 400
    assert response.json["error"]["field"] == "file"


def test_import_needs_admin(owner, hire, pump):
    employee = hire("Пётр")

    response = _start(employee, _zip({"users.json": USERS, "channels.json": []}))

    assert response.status == 403


def test_job_hidden_from_others(owner, hire, pump):
    archive = _zip(
        {
            "users.json": USERS,
            "channels.json": CHANNELS,
            "general/2024-01-01.json": [
                {"type": "message", "user": "U1", "text": "hi", "ts": "1704100000.1"}
            ],
        }
    )
    job_id = _start(owner, archive).json["id"]
    employee = hire("Пётр")

    assert employee.client.get(f"/api/imports/{job_id}").status == 404
    assert owner.client.get("/api/imports/01NOTAJOB").status == 404


def test_imported_history_searchable(owner, pump):
    _run(owner, pump, EXPORT_2016.read_bytes())

    found = owner.client.get("/api/chat/search?q=cities&limit=100")

    assert found.status == 200, found.body
    texts = [message["text"] for message in found.json["results"]]
    assert any("100 cities" in text for text in texts)
    assert all(message["kind"] == "imported" for message in found.json["results"])


def test_channel_name_cleaned_and_cut(owner, pump):
    long_name = "отзывы\u202e" + "я" * 120
    archive = _zip(
        {
            "users.json": USERS,
            "channels.json": [{"id": "C9", "name": long_name}],
            f"{long_name}/2024-01-01.json": [
                {"type": "message", "user": "U1", "text": "hi", "ts": "1704100000.1"}
            ],
        }
    )

    job = _run(owner, pump, archive)

    assert job["status"] == "done", job
    [channel] = [
        channel
        for channel in owner.client.get("/api/chat/channels").json["channels"]
        if channel["name"].startswith("отзывы")
    ]
    assert "\u202e" not in channel["name"]
    assert len(channel["name"]) == 80
