"""Concurrent joins and leaves keep one membership per person and a true count.

The threads call the channel functions directly, because Chalice keeps the
current request on the app object, so one in-process app cannot serve two
requests at once.
"""

import pytest

from chalicelib.chat import channel_management, channels
from chalicelib.chat.models import Member, channel_pk
from shtab_local.dynamodb import serialize_writes
from tests.support.chat_conversations import (
    caller,
    create_channel,
    race,
    stored_channel,
)

THREADS = 20


@pytest.fixture(autouse=True)
def serialized_writes():
    """Make moto apply one write at a time, as DynamoDB does for each item.

    The embedded DynamoDB installs this when it starts; calling it again names
    the dependency and is harmless.
    """
    serialize_writes()


@pytest.fixture
def anna(owner, hire):
    return hire("Анна")


def memberships(channel_id: str) -> list[str]:
    rows = Member.query(channel_pk(channel_id), Member.sk.startswith("MEMBER#"))
    return sorted(row.member_user_id for row in rows)


def test_simultaneous_joins_of_one_person(owner, anna):
    channel = create_channel(owner, "идеи")

    results = race(
        [lambda: channel_management.join(channel["id"], caller(anna))] * THREADS
    )

    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert sum(1 for _, joined in results if joined) == 1
    assert memberships(channel["id"]) == sorted([owner.id, anna.id])
    assert stored_channel(channel["id"]).member_count == 2


def test_simultaneous_joins_of_many_people(owner, hire):
    channel = create_channel(owner, "идеи")
    user_ids = [f"01JRACEUSER{number:015d}" for number in range(THREADS)]

    results = race(
        [
            lambda user_id=user_id: channels.add_member(channel["id"], user_id)
            for user_id in user_ids
        ]
    )

    assert results == [True] * THREADS
    assert stored_channel(channel["id"]).member_count == THREADS + 1
    assert len(memberships(channel["id"])) == THREADS + 1


def test_joins_and_leaves_interleaved(owner, anna):
    channel = create_channel(owner, "идеи")
    actions = [
        lambda: channel_management.join(channel["id"], caller(anna)),
        lambda: channel_management.leave(channel["id"], caller(anna)),
    ] * (THREADS // 2)

    results = race(actions)

    assert [result for result in results if isinstance(result, Exception)] == []
    stored = stored_channel(channel["id"])
    assert stored.member_count == len(memberships(channel["id"]))


def test_count_backfilled_once_under_concurrency(owner, anna):
    """Joins racing on a channel stored without a count store it exactly once."""
    channel = create_channel(owner, "идеи")
    stored_channel(channel["id"]).update(
        actions=[channels.Channel.member_count.remove()]
    )
    user_ids = [f"01JBACKFILL{number:015d}" for number in range(THREADS)]

    results = race(
        [
            lambda user_id=user_id: channels.add_member(channel["id"], user_id)
            for user_id in user_ids
        ]
    )

    assert results == [True] * THREADS
    assert stored_channel(channel["id"]).member_count == THREADS + 1
