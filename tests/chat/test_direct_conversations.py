"""Direct and group conversations: one per set of people, named per viewer."""

import pytest

from chalicelib.chat import channels, conversations
from chalicelib.chat.connections import add_connection
from tests.support.chat_conversations import listed_ids, post, race, stored_channel


@pytest.fixture
def people(owner, hire):
    names = ["Анна", "Борис", "Вера", "Глеб", "Дарья", "Егор", "Жанна", "Зоя", "Иван"]
    return [hire(name) for name in names]


def open_direct(person, user_ids):
    return person.client.post("/api/chat/direct", {"user_ids": user_ids})


def test_direct_is_same_on_every_call(people):
    anna, boris = people[0], people[1]
    first = open_direct(anna, [boris.id])
    assert first.status == 201
    channel = first.json["channel"]
    assert channel["kind"] == "direct"
    assert channel["name"] == "Борис"
    assert channel["participant_ids"] == sorted([anna.id, boris.id])
    assert channel["member_count"] == 2

    again = open_direct(anna, [boris.id])
    assert again.status == 200
    assert again.json["channel"]["id"] == channel["id"]
    # The other person requests the same two people, from their side.
    theirs = open_direct(boris, [anna.id])
    assert theirs.status == 200
    assert theirs.json["channel"]["id"] == channel["id"]
    assert theirs.json["channel"]["name"] == "Анна"


def test_caller_may_name_themselves(people):
    anna, boris = people[0], people[1]
    first = open_direct(anna, [boris.id]).json["channel"]
    named = open_direct(anna, [anna.id, boris.id, boris.id])
    assert named.status == 200
    assert named.json["channel"]["id"] == first["id"]


def test_group_named_after_others_per_viewer(people):
    anna, boris, vera = people[0], people[1], people[2]
    group = open_direct(anna, [vera.id, boris.id]).json["channel"]
    assert group["kind"] == "group"
    assert group["name"] == "Борис, Вера"

    listed = boris.client.get("/api/chat/channels").json["channels"]
    seen = next(channel for channel in listed if channel["id"] == group["id"])
    assert seen["name"] == "Анна, Вера"
    detail = vera.client.get(f"/api/chat/channels/{group['id']}").json["channel"]
    assert detail["name"] == "Анна, Борис"
    # Order does not matter, and a subset is another conversation.
    same = open_direct(vera, [boris.id, anna.id]).json["channel"]
    assert same["id"] == group["id"]
    pair = open_direct(anna, [boris.id]).json["channel"]
    assert pair["id"] != group["id"]


def test_eight_people_at_most(people):
    anna = people[0]
    seven_others = [person.id for person in people[1:8]]
    assert open_direct(anna, seven_others).status == 201

    too_many = open_direct(anna, [person.id for person in people[1:9]])
    assert too_many.status == 400
    assert too_many.error_field() == "user_ids"
    alone = open_direct(anna, [anna.id])
    assert alone.status == 400
    assert alone.error_field() == "user_ids"
    assert "2 to 8" in alone.json["error"]["message"]


def test_unknown_or_deactivated_person_rejected(people, owner, pump):
    anna, boris, vera = people[0], people[1], people[2]
    unknown = open_direct(anna, [boris.id, "01ARZ3NDEKTSV4RRFFQ69G5FAV"])
    assert unknown.status == 400
    assert unknown.error_field() == "user_ids.1"

    assert owner.client.delete(f"/api/users/{vera.id}").status in (200, 204)
    pump.drain()
    deactivated = open_direct(anna, [vera.id])
    assert deactivated.status == 400
    assert deactivated.error_field() == "user_ids.0"
    assert "deactivated" in deactivated.json["error"]["message"]
    key = conversations.conversation_key([anna.id, vera.id])
    assert channels.find_channel_by_key(key) is None


def test_conversation_hidden_from_others_and_admins(people, owner):
    anna, boris, vera = people[0], people[1], people[2]
    channel = open_direct(anna, [boris.id]).json["channel"]
    for outsider in (vera, owner):
        assert outsider.client.get(f"/api/chat/channels/{channel['id']}").status == 404
        history = outsider.client.get(f"/api/chat/channels/{channel['id']}/messages")
        assert history.status == 403
        assert channel["id"] not in listed_ids(outsider)
    join = vera.client.post(f"/api/chat/channels/{channel['id']}/join")
    assert join.status == 404


def test_conversation_keeps_its_people(people, owner):
    anna, boris, vera = people[0], people[1], people[2]
    channel = open_direct(anna, [boris.id, vera.id]).json["channel"]
    base = f"/api/chat/channels/{channel['id']}"
    assert anna.client.post(f"{base}/leave").status == 403
    add = anna.client.post(f"{base}/members", {"user_id": people[3].id})
    assert add.status == 403
    assert owner.client.patch(base, {"name": "чат"}).status == 404
    assert anna.client.patch(base, {"name": "чат"}).status == 403
    assert anna.client.post(f"{base}/archive").status == 403


def test_messages_delivered_to_participants(people, pump, gateway):
    anna, boris, vera = people[0], people[1], people[2]
    channel = open_direct(anna, [boris.id]).json["channel"]
    pump.drain()
    add_connection("boris-tab", boris.id)
    add_connection("vera-tab", vera.id)

    message = post(anna, channel["id"], "привет").json["message"]
    pump.drain()
    created = gateway.events("boris-tab", "message.created")
    assert [event["message"]["id"] for event in created] == [message["id"]]
    assert gateway.events("vera-tab") == []


def test_deactivated_participant_keeps_name_and_messages(people, owner, pump):
    anna, boris = people[0], people[1]
    channel = open_direct(anna, [boris.id]).json["channel"]
    post(boris, channel["id"], "до свидания")
    owner.client.delete(f"/api/users/{boris.id}")
    pump.drain()

    listed = anna.client.get("/api/chat/channels").json["channels"]
    seen = next(item for item in listed if item["id"] == channel["id"])
    assert seen["name"] == "Борис"
    assert seen["member_count"] == 1
    history = anna.client.get(f"/api/chat/channels/{channel['id']}/messages").json
    assert [m["sender_name"] for m in history["messages"]] == ["Борис"]


def test_concurrent_opens_agree_on_one_channel(people):
    anna, boris = people[0], people[1]
    results = race(
        [
            lambda: conversations.open_conversation(anna.id, [boris.id]),
            lambda: conversations.open_conversation(boris.id, [anna.id]),
        ]
        * 5
    )
    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    channel_ids = {channel.channel_id for channel, _ in results}
    assert len(channel_ids) == 1
    assert sum(1 for _, created in results if created) == 1
    assert stored_channel(channel_ids.pop()).member_count == 2
