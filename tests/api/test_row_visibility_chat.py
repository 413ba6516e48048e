"""A private channel's messages reach its members only.

Анна's private channel with Борис contains a thread, a pin, a reaction, an
edited and a deleted message, an image and mentions of the whole channel and
of Кира, who is not a member. Кира and Глеб (the other department's head)
must get none of it from any list, count, search, file link or live event;
Борис gets all of it. Вера is a member for a while and, once removed, must
get nothing posted after.
"""

import json
from dataclasses import dataclass

import pytest
import requests as http

from chalicelib.chat.websocket import on_message
from tests.support.chat_files import png_bytes
from tests.support.row_visibility import (  # noqa: F401 - fixtures
    Company,
    browsable_ids,
    channel_ids,
    chat_search,
    company_fixture,
    followed_threads,
    notification_texts,
    reactions_succeed,
    unread_summary,
)

# Words only the private channel's messages contain: one posted while Вера
# was a member, one only after she was removed.
SECRET_WORD = "обсидиан"
LATER_WORD = "малахит"
FILE_NAME = f"{SECRET_WORD}-схема.png"
PUBLIC_WORD = "витрина"


@dataclass
class Secrets:
    channel_id: str
    root_id: str
    reply_id: str
    deleted_id: str
    attachment_id: str
    public_channel_id: str

    @property
    def message_ids(self) -> list[str]:
        return [self.root_id, self.reply_id, self.deleted_id]


def handle_of(person) -> str:
    return person.email.split("@", 1)[0]


def post(person, channel_id: str, text: str, thread_id=None, files=()) -> dict:
    body: dict = {"text": text}
    if thread_id is not None:
        body["thread_id"] = thread_id
    if files:
        body["attachment_ids"] = list(files)
    response = person.client.post(f"/api/chat/channels/{channel_id}/messages", body)
    assert response.status == 201, response.body
    return response.json["message"]


def create_channel(person, name: str, visibility: str, members) -> str:
    response = person.client.post(
        "/api/chat/channels",
        {"name": name, "visibility": visibility, "member_ids": list(members)},
    )
    assert response.status == 201, response.body
    return response.json["channel"]["id"]


def uploaded_image(person, channel_id: str) -> str:
    content = png_bytes(4, 3)
    started = person.client.post(
        f"/api/chat/channels/{channel_id}/attachments",
        {"file_name": FILE_NAME, "content_type": "image/png", "size": len(content)},
    )
    assert started.status == 201, started.body
    form = started.json["upload"]
    sent = http.post(
        form["url"],
        data=form["fields"],
        files={"file": ("upload", content, "image/png")},
        timeout=10,
    )
    assert sent.status_code in (200, 201, 204), sent.text
    return started.json["attachment"]["id"]


@pytest.fixture(scope="module")
def secrets(company: Company) -> Secrets:
    anna, boris, kira = company.anna, company.boris, company.kira
    channel_id = create_channel(anna, "Тайный совет", "private", [boris.id])
    company.pump.drain()

    root = post(
        anna,
        channel_id,
        f"План «{SECRET_WORD}» на квартал; @{handle_of(kira)} пока не знает.",
    )
    reply = post(boris, channel_id, f"Согласен про {SECRET_WORD}", root["id"])
    attachment_id = uploaded_image(anna, channel_id)
    post(anna, channel_id, f"Схема {SECRET_WORD}", files=[attachment_id])
    post(anna, channel_id, f"@channel {SECRET_WORD}: все смотрят схему")
    deleted = post(anna, channel_id, f"Черновик про {SECRET_WORD}")
    company.pump.drain()

    pinned = anna.client.post(f"/api/chat/messages/{root['id']}/pin")
    assert pinned.status == 200, pinned.body
    reacted = boris.client.post(
        f"/api/chat/messages/{root['id']}/reactions", {"emoji": "👍"}
    )
    assert reacted.status == 200, reacted.body
    edited = boris.client.patch(
        f"/api/chat/messages/{reply['id']}", {"text": f"Правка: {SECRET_WORD}"}
    )
    assert edited.status == 200, edited.body
    removed = anna.client.delete(f"/api/chat/messages/{deleted['id']}")
    assert removed.status == 200, removed.body

    # The other department's own public channel, as a control for its people.
    public_channel_id = create_channel(
        kira, "Витрина контента", "public", [company.gleb.id]
    )
    company.pump.drain()
    post(kira, public_channel_id, f"Новая {PUBLIC_WORD} готова")
    company.pump.drain()
    return Secrets(
        channel_id=channel_id,
        root_id=root["id"],
        reply_id=reply["id"],
        deleted_id=deleted["id"],
        attachment_id=attachment_id,
        public_channel_id=public_channel_id,
    )


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_channel_lists_hide_private(company, secrets, outsider):
    person = company.outsiders[outsider]
    assert secrets.channel_id not in channel_ids(person)
    assert secrets.channel_id not in browsable_ids(person)
    assert person.client.get(f"/api/chat/channels/{secrets.channel_id}").status == 404
    assert secrets.public_channel_id in channel_ids(person)


def test_channel_lists_show_private_to_members(company, secrets):
    for person in (company.anna, company.boris):
        assert secrets.channel_id in channel_ids(person)


def reading_routes(secrets: Secrets) -> list[tuple[str, str]]:
    channel = f"/api/chat/channels/{secrets.channel_id}"
    return [
        ("GET", f"{channel}/messages"),
        ("GET", f"{channel}/messages?after_seq=0"),
        ("GET", f"{channel}/messages?before=01ZZZZZZZZZZZZZZZZZZZZZZZZ"),
        ("GET", f"{channel}/pins"),
        ("GET", f"{channel}/members"),
        ("GET", f"{channel}/notifications"),
        ("GET", f"/api/chat/messages/{secrets.root_id}/thread"),
        ("GET", f"/api/chat/messages/{secrets.root_id}/thread?after_seq=0"),
        ("GET", f"/api/chat/messages/{secrets.reply_id}/thread"),
        ("GET", f"/api/chat/attachments/{secrets.attachment_id}"),
        ("GET", f"/api/chat/attachments/{secrets.attachment_id}/preview"),
        ("GET", f"/api/chat/search?q={SECRET_WORD}&channel_id={secrets.channel_id}"),
        ("POST", f"/api/chat/messages/{secrets.root_id}/follow"),
        ("POST", f"/api/chat/messages/{secrets.root_id}/pin"),
        ("POST", f"{channel}/join"),
    ]


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_reading_routes_refused(company, secrets, outsider):
    person = company.outsiders[outsider]
    for method, path in reading_routes(secrets):
        response = person.client.request(method, path)
        assert response.status in (403, 404), (method, path, response.status)
        assert SECRET_WORD not in response.body.decode(), (method, path)


def test_reading_routes_open_to_members(company, secrets):
    for method, path in reading_routes(secrets):
        if method != "GET":
            continue
        response = company.boris.client.get(path)
        assert response.status == 200, (path, response.body)
    page = company.boris.client.get(
        f"/api/chat/channels/{secrets.channel_id}/messages"
    ).json
    assert any(SECRET_WORD in message["text"] for message in page["messages"])
    pins = company.boris.client.get(f"/api/chat/channels/{secrets.channel_id}/pins")
    assert [pin["id"] for pin in pins.json["pins"]] == [secrets.root_id]
    image = company.boris.client.get(f"/api/chat/attachments/{secrets.attachment_id}")
    assert http.get(image.json["url"], timeout=10).status_code == 200


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_private_ids_useless_elsewhere(company, secrets, outsider):
    person = company.outsiders[outsider]
    public = f"/api/chat/channels/{secrets.public_channel_id}/messages"
    as_reply = person.client.post(
        public, {"text": "ответ", "thread_id": secrets.root_id}
    )
    assert as_reply.status in (400, 404), as_reply.body
    with_file = person.client.post(
        public, {"text": "файл", "attachment_ids": [secrets.attachment_id]}
    )
    assert with_file.status == 400, with_file.body
    for body in (as_reply.body, with_file.body):
        assert SECRET_WORD not in body.decode()

    # A message sent over the WebSocket is refused like one sent over HTTP.
    connection_id = company.connection_of(person)
    frame = {
        "action": "send_message",
        "request_id": "r1",
        "channel_id": secrets.channel_id,
        "text": "пустите",
    }
    on_message(connection_id, json.dumps(frame))
    replies = [
        event
        for event in company.gateway.sent[connection_id]
        if event.get("request_id") == "r1"
    ]
    assert [reply["type"] for reply in replies] == ["error"]
    assert replies[0]["error"]["code"] == "forbidden"


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_search_hides_private(company, secrets, outsider):
    person = company.outsiders[outsider]
    assert chat_search(person, SECRET_WORD)["results"] == []
    by_author = person.client.get(
        f"/api/chat/search?q={SECRET_WORD}&author_id={company.anna.id}"
    )
    assert by_author.status == 200, by_author.body
    assert by_author.json["results"] == []
    # The search works for them: their own channel's message is found.
    found = chat_search(person, PUBLIC_WORD)["results"]
    assert [message["channel_id"] for message in found] == [secrets.public_channel_id]


def test_search_finds_private_for_members(company, secrets):
    found = chat_search(company.boris, SECRET_WORD)["results"]
    found_ids = {message["id"] for message in found}
    assert secrets.root_id in found_ids
    assert secrets.reply_id in found_ids
    assert secrets.deleted_id not in found_ids
    # The @channel notice in Борис's notifications channel matches as well.
    assert secrets.channel_id in {message["channel_id"] for message in found}
    by_file = chat_search(company.boris, "схема")["results"]
    assert any(message["files"] for message in by_file)


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_unread_and_threads_hide_private(company, secrets, outsider):
    person = company.outsiders[outsider]
    summary = unread_summary(person)
    assert secrets.channel_id not in {
        entry["channel_id"] for entry in summary["channels"]
    }
    assert secrets.channel_id not in {
        entry["channel_id"] for entry in summary["threads"]
    }
    threads = followed_threads(person)["threads"]
    assert secrets.root_id not in {entry["root_id"] for entry in threads}


def test_unread_and_threads_count_private_for_members(company, secrets):
    summary = unread_summary(company.boris)
    counts = {entry["channel_id"]: entry["unread"] for entry in summary["channels"]}
    # Анна's image and @channel posts stay unread; the deleted one does not count.
    assert counts[secrets.channel_id] >= 2
    threads = followed_threads(company.anna)["threads"]
    assert secrets.root_id in {entry["root_id"] for entry in threads}


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_mentions_notify_members_only(company, secrets, outsider):
    assert SECRET_WORD not in notification_texts(company.outsiders[outsider])
    assert SECRET_WORD in notification_texts(company.boris)


def test_removed_member_gets_nothing_new(company, secrets):
    anna, vera = company.anna, company.vera
    added = anna.client.post(
        f"/api/chat/channels/{secrets.channel_id}/members", {"user_id": vera.id}
    )
    assert added.status == 201, added.body
    company.pump.drain()
    post(vera, secrets.channel_id, "Вера на связи", secrets.root_id)
    company.pump.drain()
    assert secrets.root_id in {
        entry["root_id"] for entry in followed_threads(vera)["threads"]
    }

    removed = anna.client.delete(
        f"/api/chat/channels/{secrets.channel_id}/members/{vera.id}"
    )
    assert removed.status == 200, removed.body
    company.pump.drain()
    seen_before = len(company.gateway.sent[company.connection_of(vera)])
    post(company.boris, secrets.channel_id, f"Ответ про {LATER_WORD}", secrets.root_id)
    post(anna, secrets.channel_id, f"Новость: {LATER_WORD}")
    company.pump.drain()

    pushed_after = company.gateway.sent[company.connection_of(vera)][seen_before:]
    assert pushed_after == []
    assert chat_search(vera, LATER_WORD)["results"] == []
    assert secrets.channel_id not in {
        entry["channel_id"] for entry in unread_summary(vera)["channels"]
    }
    assert secrets.root_id not in {
        entry["root_id"] for entry in followed_threads(vera)["threads"]
    }
    history = vera.client.get(f"/api/chat/channels/{secrets.channel_id}/messages")
    assert history.status == 403


def test_pushes_reach_members_only(company, secrets):
    for name, person in company.outsiders.items():
        pushed = company.pushed_text(person)
        assert SECRET_WORD not in pushed, name
        assert LATER_WORD not in pushed, name
        assert FILE_NAME not in pushed, name
        assert secrets.channel_id not in pushed, name
        for message_id in secrets.message_ids:
            assert message_id not in pushed, name
        assert PUBLIC_WORD in pushed, name
    for insider in (company.anna, company.boris):
        pushed = company.pushed_text(insider)
        assert SECRET_WORD in pushed
        assert LATER_WORD in pushed
