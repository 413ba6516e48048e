"""Emoji reactions: the emoji check, the aggregated form, events and races."""

import pytest

from chalicelib.chat import emoji_reactions
from chalicelib.chat.connections import add_connection
from chalicelib.chat.emoji import normalize_emoji
from chalicelib.chat.models import Message, channel_pk, message_sk
from chalicelib.errors import Conflict
from tests.support.chat_message_ops import (  # noqa: F401 - room_fixture
    history,
    post,
    race,
    react,
    room_fixture,
    unreact,
)

SINGLE_EMOJI = [
    ("👍", "👍"),
    ("👍🏽", "👍🏽"),
    ("❤", "❤️"),
    ("❤️", "❤️"),
    ("❤︎", "❤️"),
    ("🇷🇺", "🇷🇺"),
    ("1⃣", "1️⃣"),
    ("#️⃣", "#️⃣"),
    ("🏳️‍🌈", "🏳️‍🌈"),
    ("👨‍👩‍👧‍👦", "👨‍👩‍👧‍👦"),
    ("🧑🏽‍💻", "🧑🏽‍💻"),
    ("❤️‍🔥", "❤️‍🔥"),
    ("🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", None),
]
NOT_ONE_EMOJI = [
    "",
    " ",
    "a",
    "1",
    "ok",
    "👍👍",
    "👍 ",
    "🇷",
    "\u200d",
    "👍\u200d",
    "\u200d👍",
    "🏽",
    "👍🏽🏽",
    "🏴\U000e0067",
    "😀" * 17,
]


@pytest.mark.parametrize(("value", "expected"), SINGLE_EMOJI)
def test_single_emoji_accepted(value, expected):
    assert normalize_emoji(value) == (expected or value)


@pytest.mark.parametrize("value", NOT_ONE_EMOJI)
def test_other_text_rejected(value):
    assert normalize_emoji(value) is None


def _stored(channel_id: str, message_id: str) -> Message:
    return Message.get(channel_pk(channel_id), message_sk(message_id))


def test_reactions_aggregate_with_mine(room):
    message = post(room.anna, room.channel_id, "Отгрузили!")

    assert react(room.anna, message["id"], "👍").status == 200
    assert react(room.boris, message["id"], "👍").status == 200
    response = react(room.boris, message["id"], "🎉")
    assert response.status == 200

    assert response.json["message"]["reactions"] == [
        {
            "emoji": "👍",
            "count": 2,
            "user_ids": [room.anna.id, room.boris.id],
            "mine": True,
        },
        {"emoji": "🎉", "count": 1, "user_ids": [room.boris.id], "mine": True},
    ]
    seen_by_anna = history(room.anna, room.channel_id)[0]["reactions"]
    assert [(r["emoji"], r["mine"]) for r in seen_by_anna] == [
        ("👍", True),
        ("🎉", False),
    ]


def test_same_reaction_twice_counts_once(room):
    message = post(room.anna, room.channel_id, "Отгрузили!")
    react(room.boris, message["id"], "❤")
    response = react(room.boris, message["id"], "❤️")
    assert response.json["message"]["reactions"] == [
        {"emoji": "❤️", "count": 1, "user_ids": [room.boris.id], "mine": True}
    ]


def test_remove_reaction_by_encoded_path(room):
    message = post(room.anna, room.channel_id, "Отгрузили!")
    react(room.anna, message["id"], "👨‍👩‍👧")
    react(room.boris, message["id"], "👨‍👩‍👧")

    response = unreact(room.anna, message["id"], "👨‍👩‍👧")

    assert response.status == 200, response.body
    assert response.json["message"]["reactions"] == [
        {"emoji": "👨‍👩‍👧", "count": 1, "user_ids": [room.boris.id], "mine": False}
    ]


def test_remove_last_reaction_drops_emoji(room):
    message = post(room.anna, room.channel_id, "Отгрузили!")
    react(room.anna, message["id"], "👍")

    response = unreact(room.anna, message["id"], "👍")

    assert response.json["message"]["reactions"] == []
    stored = _stored(room.channel_id, message["id"])
    assert "👍" not in stored.reactions.as_dict()


def test_remove_reaction_not_there(room):
    message = post(room.anna, room.channel_id, "Отгрузили!")
    response = unreact(room.anna, message["id"], "👍")
    assert response.status == 200
    assert response.json["message"]["reactions"] == []


def test_unencoded_path_emoji_accepted(room):
    message = post(room.anna, room.channel_id, "Отгрузили!")
    react(room.anna, message["id"], "👍")
    response = room.anna.client.delete(
        f"/api/chat/messages/{message['id']}/reactions/👍"
    )
    assert response.status == 200
    assert response.json["message"]["reactions"] == []


def test_non_member_cannot_react(room):
    message = post(room.anna, room.channel_id, "Отгрузили!")
    assert react(room.outsider, message["id"], "👍").status == 403
    assert unreact(room.outsider, message["id"], "👍").status == 403


def test_deleted_message_takes_no_reactions(room):
    message = post(room.anna, room.channel_id, "Отгрузили!")
    room.anna.client.delete(f"/api/chat/messages/{message['id']}")
    assert react(room.boris, message["id"], "👍").status == 409


def test_distinct_emoji_limit(room):
    message = post(room.anna, room.channel_id, "Голосуем")
    emoji = [chr(code) for code in range(0x1F600, 0x1F600 + 21)]
    for value in emoji[: emoji_reactions.MAX_EMOJI_PER_MESSAGE]:
        assert react(room.anna, message["id"], value).status == 200

    over = react(room.boris, message["id"], emoji[-1])
    assert over.status == 409
    assert over.error_field() == "emoji"
    # An emoji already there can still be added by another person.
    assert react(room.boris, message["id"], emoji[0]).status == 200


def test_reaction_event_has_mine_per_person(room, pump, gateway):
    add_connection("anna-tab", room.anna.id)
    add_connection("boris-tab", room.boris.id)
    message = post(room.anna, room.channel_id, "Отгрузили!")
    pump.drain()

    react(room.boris, message["id"], "🔥")
    pump.drain()

    for connection_id, mine in (("anna-tab", False), ("boris-tab", True)):
        events = gateway.events(connection_id, "reaction.updated")
        assert len(events) == 1, connection_id
        reactions = events[0]["message"]["reactions"]
        assert reactions == [
            {"emoji": "🔥", "count": 1, "user_ids": [room.boris.id], "mine": mine}
        ]


def test_twenty_people_react_at_once(room):
    message = post(room.anna, room.channel_id, "Отгрузили!")
    # Each thread reads the message before any writes, as twenty browsers would.
    reads = [_stored(room.channel_id, message["id"]) for _ in range(20)]
    people = [f"person-{number:02d}" for number in range(20)]

    results = race(
        [
            lambda read=read, person=person: emoji_reactions.add_reaction(
                read, "👍", person
            )
            for read, person in zip(reads, people, strict=True)
        ]
    )

    assert not [result for result in results if isinstance(result, Exception)]
    stored = _stored(room.channel_id, message["id"])
    assert sorted(stored.reactions.as_dict()["👍"]) == people


def test_twenty_different_emoji_at_once(room):
    message = post(room.anna, room.channel_id, "Голосуем")
    reads = [_stored(room.channel_id, message["id"]) for _ in range(20)]
    emoji = [chr(code) for code in range(0x1F600, 0x1F600 + 20)]

    results = race(
        [
            lambda read=read, value=value, n=n: emoji_reactions.add_reaction(
                read, value, f"person-{n:02d}"
            )
            for n, (read, value) in enumerate(zip(reads, emoji, strict=True))
        ]
    )

    assert not [result for result in results if isinstance(result, Exception)]
    stored = _stored(room.channel_id, message["id"]).reactions.as_dict()
    assert sorted(stored) == sorted(emoji)


def test_limit_holds_under_concurrency(room):
    message = post(room.anna, room.channel_id, "Голосуем")
    limit = emoji_reactions.MAX_EMOJI_PER_MESSAGE
    first = [chr(code) for code in range(0x1F600, 0x1F600 + limit - 2)]
    for value in first:
        react(room.anna, message["id"], value)
    reads = [_stored(room.channel_id, message["id"]) for _ in range(6)]
    extra = [chr(code) for code in range(0x1F680, 0x1F686)]

    results = race(
        [
            lambda read=read, value=value: emoji_reactions.add_reaction(
                read, value, room.boris.id
            )
            for read, value in zip(reads, extra, strict=True)
        ]
    )

    conflicts = [result for result in results if isinstance(result, Conflict)]
    assert len(conflicts) == 4
    stored = _stored(room.channel_id, message["id"]).reactions.as_dict()
    assert len(stored) == limit


def test_concurrent_add_and_remove_keep_others(room):
    message = post(room.anna, room.channel_id, "Отгрузили!")
    react(room.anna, message["id"], "👍")
    reads = [_stored(room.channel_id, message["id"]) for _ in range(11)]

    actions = [
        lambda read=reads[0]: emoji_reactions.remove_reaction(read, "👍", room.anna.id)
    ]
    actions += [
        lambda read=read, n=n: emoji_reactions.add_reaction(read, "👍", f"p-{n}")
        for n, read in enumerate(reads[1:])
    ]
    results = race(actions)

    assert not [result for result in results if isinstance(result, Exception)]
    stored = _stored(room.channel_id, message["id"]).reactions.as_dict()
    assert sorted(stored["👍"]) == sorted(f"p-{n}" for n in range(10))


def test_empty_leftovers_do_not_count(room):
    """A removal that lost its cleanup leaves an empty map; it must not block."""
    message = post(room.anna, room.channel_id, "Голосуем")
    stored = _stored(room.channel_id, message["id"])
    leftovers = [chr(code) for code in range(0x1F600, 0x1F600 + 20)]
    stored.update(actions=[Message.reactions.set({value: {} for value in leftovers})])

    response = react(room.boris, message["id"], "🚀")

    assert response.status == 200, response.body
    assert [r["emoji"] for r in response.json["message"]["reactions"]] == ["🚀"]
    assert list(_stored(room.channel_id, message["id"]).reactions.as_dict()) == ["🚀"]
