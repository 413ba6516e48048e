"""Unread counts per channel and per followed thread, read markers, and counts
after edits, deletions and removals."""

from chalicelib.chat.connections import add_connection
from tests.support.chat_threads import (
    channel_unread,
    mark,
    post,
    team_fixture,  # noqa: F401 - the ``team`` fixture
    unread,
)


def test_counts_others_messages_not_own(team, pump):
    for number in range(3):
        post(team.anna, team.channel_id, f"сообщение {number}")
    post(team.boris, team.channel_id, "моё")
    pump.drain()

    assert channel_unread(team.boris, team.channel_id) == 0
    assert channel_unread(team.owner, team.channel_id) == 4
    assert unread(team.owner)["total"] >= 4


def test_posting_reads_the_channel(team, pump):
    post(team.anna, team.channel_id, "один")
    post(team.anna, team.channel_id, "два")
    assert channel_unread(team.boris, team.channel_id) == 2

    post(team.boris, team.channel_id, "прочитал")
    assert channel_unread(team.boris, team.channel_id) == 0


def test_read_marker_moves_forward_only(team, pump):
    messages = [post(team.anna, team.channel_id, f"n{n}") for n in range(4)]
    path = f"/api/chat/channels/{team.channel_id}/read"

    body = mark(team.boris, path, messages[2]["id"])
    assert body["channel"]["unread"] == 1
    assert body["channel"]["read_seq"] == messages[2]["seq"]
    # A lagging device sends an older message; the marker stays.
    body = mark(team.boris, path, messages[0]["id"])
    assert body["channel"]["unread"] == 1


def test_mark_unread_moves_marker_back(team, pump):
    first = post(team.anna, team.channel_id, "первое")
    post(team.boris, team.channel_id, "ответ Бориса")
    post(team.anna, team.channel_id, "второе")
    last = post(team.anna, team.channel_id, "третье")
    mark(team.boris, f"/api/chat/channels/{team.channel_id}/read", last["id"])
    assert channel_unread(team.boris, team.channel_id) == 0

    body = mark(team.boris, f"/api/chat/channels/{team.channel_id}/unread", first["id"])
    # Boris's own message after the marker still does not count.
    assert body["channel"]["unread"] == 3
    assert channel_unread(team.boris, team.channel_id) == 3


def test_edit_keeps_count(team, pump):
    message = post(team.anna, team.channel_id, "черновик")
    pump.drain()
    assert channel_unread(team.boris, team.channel_id) == 1

    edited = team.anna.client.patch(
        f"/api/chat/messages/{message['id']}", {"text": "исправлено"}
    )
    assert edited.status == 200, edited.body
    pump.drain()
    assert channel_unread(team.boris, team.channel_id) == 1


def test_deleted_unread_message_stops_counting(team, pump, gateway):
    add_connection("boris-tab", team.boris.id)
    kept = post(team.anna, team.channel_id, "останется")
    gone = post(team.anna, team.channel_id, "удалю")
    pump.drain()
    assert channel_unread(team.boris, team.channel_id) == 2

    deleted = team.anna.client.delete(f"/api/chat/messages/{gone['id']}")
    assert deleted.status == 200, deleted.body
    pump.drain()

    assert channel_unread(team.boris, team.channel_id) == 1
    pushed = [
        event["channel"]
        for event in gateway.events("boris-tab", "unread.updated")
        if "channel" in event
    ]
    assert pushed[-1] == {
        "channel_id": team.channel_id,
        "unread": 1,
        "read_seq": kept["seq"] - 1,
        "last_seq": gone["seq"],
    }
    # Reading past the deleted message leaves nothing unread.
    body = mark(team.boris, f"/api/chat/channels/{team.channel_id}/read", kept["id"])
    assert body["channel"]["unread"] == 0


def test_deleted_reply_stops_counting_in_thread(team, pump):
    root = post(team.anna, team.channel_id, "Корень")
    reply = post(team.boris, team.channel_id, "ответ", thread_id=root["id"])
    post(team.boris, team.channel_id, "второй", thread_id=root["id"])
    pump.drain()
    assert unread(team.anna)["threads"][0]["unread"] == 2

    team.boris.client.delete(f"/api/chat/messages/{reply['id']}")
    pump.drain()
    assert unread(team.anna)["threads"][0]["unread"] == 1


def test_removed_member_loses_channel_and_threads(team, pump):
    root = post(team.anna, team.channel_id, "Корень")
    post(team.boris, team.channel_id, "ответ", thread_id=root["id"])
    post(team.anna, team.channel_id, "ещё")
    pump.drain()
    # Boris replied in the thread, which leaves the channel's two messages unread.
    assert channel_unread(team.boris, team.channel_id) == 2

    removed = team.owner.client.delete(
        f"/api/chat/channels/{team.channel_id}/members/{team.boris.id}"
    )
    assert removed.status in (200, 204), removed.body
    pump.drain()
    post(team.anna, team.channel_id, "после ухода", thread_id=root["id"])
    pump.drain()

    counts = unread(team.boris)
    assert team.channel_id not in [c["channel_id"] for c in counts["channels"]]
    assert counts["threads"] == []


def test_new_member_counts_from_joining(team, pump):
    post(team.anna, team.channel_id, "до прихода")
    pump.drain()
    added = team.owner.client.post(
        f"/api/chat/channels/{team.channel_id}/members", {"user_id": team.outsider.id}
    )
    assert added.status == 201, added.body
    pump.drain()
    assert channel_unread(team.outsider, team.channel_id) == 0

    post(team.anna, team.channel_id, "после прихода")
    assert channel_unread(team.outsider, team.channel_id) == 1


def test_also_sent_reply_counts_in_channel(team, pump):
    root = post(team.anna, team.channel_id, "Корень")
    mark(team.boris, f"/api/chat/channels/{team.channel_id}/read", root["id"])
    reply = post(team.anna, team.channel_id, "и в канал", root["id"], also=True)
    assert channel_unread(team.boris, team.channel_id) == 1

    body = mark(team.boris, f"/api/chat/channels/{team.channel_id}/read", reply["id"])
    assert body["channel"]["unread"] == 0


def test_marker_change_pushed_to_other_devices(team, pump, gateway):
    add_connection("boris-phone", team.boris.id)
    message = post(team.anna, team.channel_id, "привет")
    mark(team.boris, f"/api/chat/channels/{team.channel_id}/read", message["id"])
    pump.drain()

    pushed = [
        event["channel"]
        for event in gateway.events("boris-phone", "unread.updated")
        if "channel" in event
    ]
    assert pushed[-1]["channel_id"] == team.channel_id
    assert pushed[-1]["unread"] == 0


def test_two_hundred_channels_without_reading_messages(team, pump):
    """Counts for 200 channels take BatchGetItem calls and no message Query."""
    from chalicelib.chat import channels
    from chalicelib.chat.messages import post_message
    from chalicelib.chat.read_state import start_channel_state
    from chalicelib.chat.unread import unread_of
    from chalicelib.clock import utc_now
    from tests.conftest import DYNAMODB_CALLS

    created = []
    for number in range(200):
        channel = channels.create_channel(f"канал {number}", None, team.anna.id)
        channels.add_member(channel.channel_id, team.boris.id)
        # The stream step that starts a member's marker, run here directly:
        # pumping 600 records takes longer than the rest of the test.
        start_channel_state(channel.channel_id, team.boris.id, utc_now())
        created.append(channel)
    for channel in created[:3]:
        post_message(channel, sender_id=team.anna.id, sender_name="Анна", text="x")

    with DYNAMODB_CALLS.measure() as calls:
        counts = unread_of(team.boris.id)

    by_channel = {entry["channel_id"]: entry["unread"] for entry in counts["channels"]}
    assert [by_channel[c.channel_id] for c in created[:4]] == [1, 1, 1, 0]
    # Counters and markers, 100 keys a call; Boris is in 203 channels.
    batches = -(-len(counts["channels"]) // 100)
    assert batches == 3
    assert calls["BatchGetItem"] == 2 * batches
    assert calls["GetItem"] == 0
    # The memberships index and the follows index, each in one or two pages.
    assert calls["Query"] <= 4


def test_new_member_counts_early_message(team, pump):
    """The marker starts where the channel stood at joining, not at the stream step."""
    from chalicelib.chat import channels

    channel = channels.create_channel("новый канал", None, team.anna.id)
    channels.add_member(channel.channel_id, team.anna.id)
    channels.add_member(channel.channel_id, team.boris.id)
    # Posted before the pump runs the step that starts Boris's marker.
    post(team.anna, channel.channel_id, "сразу после добавления")
    pump.drain()

    assert channel_unread(team.boris, channel.channel_id) == 1
    assert channel_unread(team.anna, channel.channel_id) == 0
