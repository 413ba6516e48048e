"""Mentions: parsing, notifications in both languages, levels and non-members."""

import pytest

from chalicelib.chat.mentions import find_handles, mentioned_members
from chalicelib.chat.models import Member, Message, channel_pk, member_sk, message_sk
from chalicelib.people.models import User
from tests.support.chat_message_ops import (  # noqa: F401 - room_fixture
    handle_of,
    notifications_of,
    post,
    room_fixture,
)

HANDLE_CASES = [
    ("@anna посмотри", ["anna"], False),
    ("спроси @Anna.Petrova.", ["anna.petrova"], False),
    ("@anna, @boris и снова @anna", ["anna", "boris"], False),
    ("@channel срочно", [], True),
    ("Внимание, @канал!", [], True),
    ("@CHANNEL", [], True),
    ("пиши на anna@example.com", [], False),
    ("адрес: @anna@shop.ru", ["anna@shop.ru"], False),
    ("email@host and a.@b", [], False),
    ("@ одиночный знак", [], False),
    ("(@boris)", ["boris"], False),
]


@pytest.mark.parametrize(("text", "handles", "whole_channel"), HANDLE_CASES)
def test_handles_found(text, handles, whole_channel):
    assert find_handles(text) == (handles, whole_channel)


def _level(person, channel_id, level):
    response = person.client.request(
        "PUT", f"/api/chat/channels/{channel_id}/notifications", {"level": level}
    )
    assert response.status == 200, response.body
    return response


def test_mention_stored_on_message(room):
    message = post(
        room.anna, room.channel_id, f"@{handle_of(room.boris)} проверь, @channel"
    )
    assert message["mentioned_user_ids"] == [room.boris.id]
    assert message["mentions_channel"] is True


def test_mentioned_member_notified_in_own_language(room, pump):
    post(room.anna, room.channel_id, f"@{handle_of(room.boris)} проверь остатки")
    pump.drain()

    notices = notifications_of(room.boris)
    assert len(notices) == 1
    assert notices[0].startswith('📣 Анна Петрова mentioned you in "Поставки"')
    assert "проверь остатки" in notices[0]


def test_russian_notification_text(room, pump):
    post(room.boris, room.channel_id, f"@{handle_of(room.anna)} hi")
    pump.drain()
    assert notifications_of(room.anna) == [
        "📣 Boris Smith упомянул(а) вас в канале «Поставки»: "
        f"@{handle_of(room.anna)} hi"
    ]


def test_non_member_mention_not_delivered(room, pump):
    message = post(
        room.anna, room.channel_id, f"@{handle_of(room.outsider)} секретная цена"
    )
    pump.drain()

    assert message["mentioned_user_ids"] == [room.outsider.id]
    assert all("секретная" not in text for text in notifications_of(room.outsider))


def test_own_mention_not_notified(room, pump):
    post(room.anna, room.channel_id, f"напоминаю себе @{handle_of(room.anna)}")
    pump.drain()
    assert notifications_of(room.anna) == []


def test_muted_member_still_notified_by_name(room, pump):
    _level(room.boris, room.channel_id, "mute")

    post(room.anna, room.channel_id, f"@{handle_of(room.boris)} срочно")
    pump.drain()

    assert len(notifications_of(room.boris)) == 1


def test_channel_mention_respects_levels(room, pump):
    _level(room.boris, room.channel_id, "mute")
    _level(room.owner, room.channel_id, "mentions")

    post(room.anna, room.channel_id, "@channel собрание в 15:00")
    pump.drain()

    assert notifications_of(room.boris) == []
    assert len(notifications_of(room.owner)) == 1
    assert "обратился(ась) ко всем" in notifications_of(room.owner)[0]
    assert notifications_of(room.anna) == []


def test_edit_adding_mention_notifies_once(room, pump):
    message = post(room.anna, room.channel_id, "кто проверит остатки?")
    pump.drain()
    path = f"/api/chat/messages/{message['id']}"

    room.anna.client.patch(path, {"text": f"@{handle_of(room.boris)} проверь"})
    pump.drain()
    room.anna.client.patch(path, {"text": f"@{handle_of(room.boris)} проверь!"})
    pump.drain()

    assert len(notifications_of(room.boris)) == 1
    edited = room.anna.client.get(f"/api/chat/channels/{room.channel_id}/messages")
    assert edited.json["messages"][0]["mentioned_user_ids"] == [room.boris.id]


def test_edit_removing_mention_clears_it(room):
    message = post(room.anna, room.channel_id, f"@{handle_of(room.boris)} @channel")
    response = room.anna.client.patch(
        f"/api/chat/messages/{message['id']}", {"text": "без упоминаний"}
    )
    assert response.json["message"]["mentioned_user_ids"] == []
    assert response.json["message"]["mentions_channel"] is False


def test_mention_in_thread_reply(room, pump):
    root = post(room.anna, room.channel_id, "Вопрос")
    post(
        room.owner,
        room.channel_id,
        f"@{handle_of(room.boris)} глянь",
        thread_id=root["id"],
    )
    pump.drain()
    notices = notifications_of(room.boris)
    assert len(notices) == 1
    assert "(in a thread)" in notices[0]


def test_ambiguous_handle_needs_full_address(room, hire, pump):
    # Two people whose emails share the local part: only the full address works.
    twin = hire("Двойник")
    User.get(twin.id).update(actions=[User.email.set(f"{handle_of(room.boris)}@b.ru")])

    short = post(room.anna, room.channel_id, f"@{handle_of(room.boris)} привет")
    full = post(room.anna, room.channel_id, f"@{room.boris.email} привет")

    assert short["mentioned_user_ids"] == []
    assert full["mentioned_user_ids"] == [room.boris.id]


def test_level_stored_and_read(room):
    path = f"/api/chat/channels/{room.channel_id}/notifications"
    assert room.anna.client.get(path).json["level"] == "all"

    _level(room.anna, room.channel_id, "mentions")

    assert room.anna.client.get(path).json["level"] == "mentions"
    member = Member.get(channel_pk(room.channel_id), member_sk(room.anna.id))
    assert member.notification_level == "mentions"


def test_level_for_members_only(room):
    path = f"/api/chat/channels/{room.channel_id}/notifications"
    response = room.outsider.client.request("PUT", path, {"level": "mute"})
    assert response.status == 403
    assert room.outsider.client.get(path).status == 403


def test_mentioned_members_excludes_outsiders(room):
    text = (
        f"@{handle_of(room.boris)} @{handle_of(room.outsider)} @{handle_of(room.anna)}"
    )
    message = post(room.anna, room.channel_id, text)
    stored = Message.get(channel_pk(room.channel_id), message_sk(message["id"]))

    assert mentioned_members(stored) == [room.boris.id]
