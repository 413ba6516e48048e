"""Owners and admins manage custom channels: settings, members, owners, archive."""

import pytest

from chalicelib.chat.connections import add_connection
from tests.support.chat_conversations import (
    create_channel,
    listed_ids,
    member_ids,
    post,
    stored_channel,
)


@pytest.fixture
def people(owner, hire):
    return {
        "anna": hire("Анна"),
        "boris": hire("Борис"),
        "vera": hire("Вера"),
        "admin": hire("Галина", role="admin"),
    }


def path(channel: dict, suffix: str = "") -> str:
    return f"/api/chat/channels/{channel['id']}{suffix}"


def test_creator_is_owner_and_member(people):
    anna = people["anna"]
    channel = create_channel(anna, "идеи")
    assert channel["owner_ids"] == [anna.id]
    assert channel["visibility"] == "public"
    assert channel["member_count"] == 1
    assert stored_channel(channel["id"]).member_count == 1


def test_owner_renames_and_describes(people, pump, gateway):
    anna, boris = people["anna"], people["boris"]
    channel = create_channel(anna, "идеи", members=[boris.id])
    pump.drain()
    add_connection("boris-tab", boris.id)

    response = anna.client.patch(
        path(channel), {"name": "Идеи 2026", "description": "Что пробуем"}
    )
    assert response.status == 200
    assert response.json["channel"]["name"] == "Идеи 2026"
    assert response.json["channel"]["description"] == "Что пробуем"
    pump.drain()
    updated = gateway.events("boris-tab", "channel.updated")
    assert updated[-1]["channel"]["name"] == "Идеи 2026"

    cleared = anna.client.patch(path(channel), {"description": None})
    assert cleared.json["channel"]["description"] is None
    assert cleared.json["channel"]["name"] == "Идеи 2026"


def test_member_who_is_not_owner_cannot_manage(people):
    anna, boris, vera = people["anna"], people["boris"], people["vera"]
    channel = create_channel(anna, "идеи", members=[boris.id])

    assert boris.client.patch(path(channel), {"name": "моё"}).status == 403
    assert boris.client.post(path(channel, "/archive")).status == 403
    add = boris.client.post(path(channel, "/members"), {"user_id": vera.id})
    assert add.status == 403
    remove = boris.client.delete(path(channel, f"/members/{anna.id}"))
    assert remove.status == 403
    owner_add = boris.client.post(path(channel, "/owners"), {"user_id": boris.id})
    assert owner_add.status == 403
    assert member_ids(anna, channel["id"]) == sorted([anna.id, boris.id])


def test_admin_manages_channel_without_membership(people):
    anna, vera, admin = people["anna"], people["vera"], people["admin"]
    channel = create_channel(anna, "закупки", "private")

    assert admin.client.patch(path(channel), {"name": "Закупки"}).status == 200
    added = admin.client.post(path(channel, "/members"), {"user_id": vera.id})
    assert added.status == 201
    assert channel["id"] in listed_ids(vera)
    assert admin.client.delete(path(channel, f"/members/{vera.id}")).status == 200
    assert channel["id"] not in listed_ids(vera)


def test_owner_adds_and_removes_owner(people):
    anna, boris = people["anna"], people["boris"]
    channel = create_channel(anna, "идеи", members=[boris.id])

    made = anna.client.post(path(channel, "/owners"), {"user_id": boris.id})
    assert made.status == 200
    assert made.json["channel"]["owner_ids"] == sorted([anna.id, boris.id])
    # The new owner can now manage, including taking ownership from the creator.
    taken = boris.client.delete(path(channel, f"/owners/{anna.id}"))
    assert taken.status == 200
    assert taken.json["channel"]["owner_ids"] == [boris.id]
    assert anna.client.patch(path(channel), {"name": "x"}).status == 403
    assert member_ids(boris, channel["id"]) == sorted([anna.id, boris.id])


def test_owner_must_be_member(people):
    anna, vera = people["anna"], people["vera"]
    channel = create_channel(anna, "идеи")
    response = anna.client.post(path(channel, "/owners"), {"user_id": vera.id})
    assert response.status == 400
    assert response.error_field() == "user_id"
    not_owner = anna.client.delete(path(channel, f"/owners/{vera.id}"))
    assert not_owner.status == 404
    assert not_owner.error_field() == "user_id"


def test_leave_drops_ownership(people):
    anna, boris = people["anna"], people["boris"]
    channel = create_channel(anna, "идеи", members=[boris.id])
    anna.client.post(path(channel, "/owners"), {"user_id": boris.id})

    left = boris.client.post(path(channel, "/leave"))
    assert left.status == 200
    assert left.json["left"] is True
    assert left.json["channel"]["owner_ids"] == [anna.id]
    assert left.json["channel"]["member_count"] == 1
    again = boris.client.post(path(channel, "/leave"))
    assert again.status == 200
    assert again.json["left"] is False


def test_join_twice_counts_once(people):
    anna, boris = people["anna"], people["boris"]
    channel = create_channel(anna, "идеи")
    first = boris.client.post(path(channel, "/join"))
    second = boris.client.post(path(channel, "/join"))
    assert first.json["joined"] is True
    assert second.json["joined"] is False
    assert second.json["channel"]["member_count"] == 2


def test_private_channel_cannot_be_joined_by_admin(people):
    anna, admin = people["anna"], people["admin"]
    channel = create_channel(anna, "закупки", "private")
    response = admin.client.post(path(channel, "/join"))
    assert response.status == 403
    assert "private" in response.json["error"]["message"]


def test_remove_someone_not_in_channel_is_404(people):
    anna, vera = people["anna"], people["vera"]
    channel = create_channel(anna, "идеи")
    response = anna.client.delete(path(channel, f"/members/{vera.id}"))
    assert response.status == 404
    assert response.error_field() == "user_id"


def test_remove_self_is_leave(people):
    anna, boris = people["anna"], people["boris"]
    channel = create_channel(anna, "идеи", members=[boris.id])
    response = boris.client.delete(path(channel, f"/members/{boris.id}"))
    assert response.status == 200
    assert member_ids(anna, channel["id"]) == [anna.id]


def test_archived_channel_is_read_only(people):
    anna, boris, vera = people["anna"], people["boris"], people["vera"]
    channel = create_channel(anna, "идеи", members=[boris.id])
    root = post(boris, channel["id"], "до архива").json["message"]

    archived = anna.client.post(path(channel, "/archive"))
    assert archived.status == 200
    assert archived.json["channel"]["archived"] is True

    for response in (
        post(boris, channel["id"], "после"),
        post(boris, channel["id"], "ответ", thread_id=root["id"]),
        anna.client.patch(path(channel), {"name": "новое"}),
        anna.client.post(path(channel, "/members"), {"user_id": vera.id}),
        anna.client.post(path(channel, "/owners"), {"user_id": boris.id}),
        vera.client.post(path(channel, "/join")),
    ):
        assert response.status == 409, response.body
        assert "archived" in response.json["error"]["message"]

    assert channel["id"] in listed_ids(boris)
    assert channel["id"] not in listed_ids(vera, "?scope=browse")
    history = boris.client.get(path(channel, "/messages")).json["messages"]
    assert [message["text"] for message in history] == ["до архива"]
    thread = boris.client.get(f"/api/chat/messages/{root['id']}/thread")
    assert thread.status == 200


def test_unarchive_restores_posting_and_browse(people):
    anna, vera = people["anna"], people["vera"]
    channel = create_channel(anna, "идеи")
    anna.client.post(path(channel, "/archive"))
    again = anna.client.post(path(channel, "/archive"))
    assert again.status == 200

    restored = anna.client.post(path(channel, "/unarchive"))
    assert restored.status == 200
    assert restored.json["channel"]["archived"] is False
    assert post(anna, channel["id"], "снова здесь").status == 201
    assert channel["id"] in listed_ids(vera, "?scope=browse")


def test_members_can_leave_archived_channel(people):
    anna, boris = people["anna"], people["boris"]
    channel = create_channel(anna, "идеи", members=[boris.id])
    anna.client.post(path(channel, "/archive"))
    assert boris.client.post(path(channel, "/leave")).json["left"] is True


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"name": "Новое"}),
        ("POST", "/archive", None),
        ("POST", "/unarchive", None),
        ("POST", "/leave", None),
        ("POST", "/owners", {"user_id": "{self}"}),
    ],
)
def test_general_channel_follows_org(people, owner, method, suffix, body):
    general = next(
        channel
        for channel in owner.client.get("/api/chat/channels").json["channels"]
        if channel["kind"] == "general"
    )
    if body is not None:
        body = {key: owner.id for key in body}
    response = owner.client.request(method, path(general, suffix), body)
    assert response.status == 403, response.body
    assert "org structure" in response.json["error"]["message"]
