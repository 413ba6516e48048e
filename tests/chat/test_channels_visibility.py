"""Public and private channels: who can list, read and receive them."""

import pytest

from chalicelib.chat.connections import add_connection
from chalicelib.chat.models import Channel, Member, channel_pk, member_sk
from chalicelib.clock import utc_now
from tests.support.chat_conversations import (
    create_channel,
    listed_ids,
    member_ids,
    post,
    stored_channel,
)


@pytest.fixture
def people(owner, hire):
    return {"anna": hire("Анна"), "boris": hire("Борис"), "vera": hire("Вера")}


def test_private_channel_hidden_from_non_members(people):
    anna, boris = people["anna"], people["boris"]
    secret = create_channel(anna, "закупки", "private")

    assert secret["id"] not in listed_ids(boris)
    assert secret["id"] not in listed_ids(boris, "?scope=browse")
    assert boris.client.get(f"/api/chat/channels/{secret['id']}").status == 404
    assert boris.client.post(f"/api/chat/channels/{secret['id']}/join").status == 404
    history = boris.client.get(f"/api/chat/channels/{secret['id']}/messages")
    assert history.status == 403
    assert post(boris, secret["id"], "привет").status == 403


def test_private_channel_visible_to_members(people):
    anna, boris = people["anna"], people["boris"]
    secret = create_channel(anna, "закупки", "private", members=[boris.id])

    assert secret["id"] in listed_ids(boris)
    detail = boris.client.get(f"/api/chat/channels/{secret['id']}").json["channel"]
    assert detail["visibility"] == "private"
    assert detail["is_member"] is True
    assert detail["can_manage"] is False
    assert post(boris, secret["id"], "я здесь").status == 201


def test_admin_sees_private_channel_but_not_history(people, owner):
    secret = create_channel(people["anna"], "закупки", "private")

    detail = owner.client.get(f"/api/chat/channels/{secret['id']}")
    assert detail.status == 200
    assert detail.json["channel"]["can_manage"] is True
    assert detail.json["channel"]["is_member"] is False
    history = owner.client.get(f"/api/chat/channels/{secret['id']}/messages")
    assert history.status == 403


def test_public_channel_browsable_and_joinable(people):
    anna, boris = people["anna"], people["boris"]
    open_channel = create_channel(anna, "идеи", "public")

    browsed = boris.client.get("/api/chat/channels?scope=browse").json["channels"]
    entry = next(channel for channel in browsed if channel["id"] == open_channel["id"])
    assert entry["is_member"] is False
    assert entry["member_count"] == 1
    assert open_channel["id"] not in listed_ids(boris)

    joined = boris.client.post(f"/api/chat/channels/{open_channel['id']}/join")
    assert joined.status == 200
    assert joined.json["joined"] is True
    assert joined.json["channel"]["member_count"] == 2
    assert open_channel["id"] in listed_ids(boris)
    assert member_ids(anna, open_channel["id"]) == sorted([anna.id, boris.id])


def test_browse_pages_with_cursor(people):
    anna, boris = people["anna"], people["boris"]
    created = [create_channel(anna, f"канал {number}")["id"] for number in range(5)]
    create_channel(anna, "тайный", "private")

    first = boris.client.get("/api/chat/channels?scope=browse&limit=3").json
    assert [channel["id"] for channel in first["channels"]] == created[:3]
    assert first["next_cursor"] == created[2]
    second = boris.client.get(
        f"/api/chat/channels?scope=browse&limit=3&after={first['next_cursor']}"
    ).json
    assert [channel["id"] for channel in second["channels"]] == created[3:]
    assert second["next_cursor"] is None


def test_visibility_change_moves_channel_in_browse(people):
    anna, boris = people["anna"], people["boris"]
    channel = create_channel(anna, "идеи", "public")

    hidden = anna.client.patch(
        f"/api/chat/channels/{channel['id']}", {"visibility": "private"}
    )
    assert hidden.status == 200
    assert channel["id"] not in listed_ids(boris, "?scope=browse")
    assert boris.client.get(f"/api/chat/channels/{channel['id']}").status == 404

    anna.client.patch(f"/api/chat/channels/{channel['id']}", {"visibility": "public"})
    assert channel["id"] in listed_ids(boris, "?scope=browse")


def test_removed_member_loses_live_messages_and_history(people, pump, gateway):
    anna, boris = people["anna"], people["boris"]
    channel = create_channel(anna, "идеи", "public", members=[boris.id])
    posted = post(boris, channel["id"], "моё сообщение").json["message"]
    pump.drain()
    add_connection("boris-tab", boris.id)

    removed = anna.client.delete(
        f"/api/chat/channels/{channel['id']}/members/{boris.id}"
    )
    assert removed.status == 200
    assert removed.json["channel"]["member_count"] == 1
    post(anna, channel["id"], "после удаления")
    pump.drain()

    assert gateway.events("boris-tab", "message.created") == []
    left = gateway.events("boris-tab", "channel.left")
    assert [event["channel_id"] for event in left] == [channel["id"]]
    history = boris.client.get(f"/api/chat/channels/{channel['id']}/messages")
    assert history.status == 403
    history_page = anna.client.get(f"/api/chat/channels/{channel['id']}/messages").json
    mine = [m for m in history_page["messages"] if m["id"] == posted["id"]]
    assert len(mine) == 1
    assert mine[0]["sender_name"] == "Борис"


def test_removal_announced_to_remaining_members(people, pump, gateway):
    anna, boris, vera = people["anna"], people["boris"], people["vera"]
    channel = create_channel(anna, "идеи", "public", members=[boris.id, vera.id])
    pump.drain()
    add_connection("vera-tab", vera.id)

    anna.client.delete(f"/api/chat/channels/{channel['id']}/members/{boris.id}")
    pump.drain()

    removed = gateway.events("vera-tab", "member.removed")
    assert removed == [
        {"type": "member.removed", "channel_id": channel["id"], "user_id": boris.id}
    ]
    updated = gateway.events("vera-tab", "channel.updated")
    assert updated[-1]["channel"]["member_count"] == 2


def test_channel_stored_before_visibility_is_private(people):
    """A custom channel written by an earlier version has no visibility, owners
    or member count."""
    anna, boris, vera = people["anna"], people["boris"], people["vera"]
    channel_id = "01JLEGACYCHANNE00000000000"
    now = utc_now()
    Channel(
        channel_pk(channel_id),
        channel_id=channel_id,
        name="старый",
        kind="custom",
        created_by=anna.id,
        created_at=now,
        updated_at=now,
    ).save()
    for person in (anna, boris):
        Member(
            channel_pk(channel_id),
            member_sk(person.id),
            member_user_id=person.id,
            channel_id=channel_id,
            joined_at=now,
        ).save()

    assert vera.client.get(f"/api/chat/channels/{channel_id}").status == 404
    detail = anna.client.get(f"/api/chat/channels/{channel_id}").json["channel"]
    assert detail["visibility"] == "private"
    assert detail["owner_ids"] == [anna.id]
    assert detail["can_manage"] is True
    assert detail["member_count"] is None
    renamed = boris.client.patch(f"/api/chat/channels/{channel_id}", {"name": "x"})
    assert renamed.status == 403

    added = anna.client.post(
        f"/api/chat/channels/{channel_id}/members", {"user_id": vera.id}
    )
    assert added.status == 201
    assert stored_channel(channel_id).member_count == 3
    renamed = anna.client.patch(f"/api/chat/channels/{channel_id}", {"name": "новый"})
    assert renamed.status == 200
    assert renamed.json["channel"]["owner_ids"] == [anna.id]
    assert renamed.json["channel"]["visibility"] == "private"
