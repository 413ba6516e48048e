"""Editing and deleting messages through the HTTP API, with their live events."""

from chalicelib.chat.connections import add_connection
from chalicelib.chat.models import (
    Channel,
    Message,
    channel_pk,
    message_sk,
    thread_pk,
)
from chalicelib.clock import utc_now
from chalicelib.ids import new_id
from tests.support.chat_message_ops import (  # noqa: F401 - room_fixture
    history,
    post,
    react,
    room_fixture,
    thread_of,
)


def test_author_edits_message(room):
    message = post(room.anna, room.channel_id, "Поставка в пятницу")

    response = room.anna.client.patch(
        f"/api/chat/messages/{message['id']}", {"text": "Поставка в субботу"}
    )

    assert response.status == 200, response.body
    edited = response.json["message"]
    assert edited["text"] == "Поставка в субботу"
    assert edited["edited_at"] is not None
    assert history(room.boris, room.channel_id)[0]["text"] == "Поставка в субботу"


def test_edit_of_thread_reply(room):
    root = post(room.anna, room.channel_id, "Кто едет на склад?")
    reply = post(room.boris, room.channel_id, "Я", thread_id=root["id"])

    response = room.boris.client.patch(
        f"/api/chat/messages/{reply['id']}", {"text": "Я, в 10:00"}
    )

    assert response.status == 200, response.body
    replies = thread_of(room.anna, root["id"])["replies"]
    assert [r["text"] for r in replies] == ["Я, в 10:00"]
    assert replies[0]["edited_at"] is not None


def test_edit_by_other_person_forbidden(room):
    message = post(room.anna, room.channel_id, "моё")

    response = room.boris.client.patch(
        f"/api/chat/messages/{message['id']}", {"text": "чужое"}
    )

    assert response.status == 403
    assert history(room.anna, room.channel_id)[0]["text"] == "моё"


def test_admin_cannot_edit_others_message(room):
    message = post(room.anna, room.channel_id, "моё")
    response = room.owner.client.patch(
        f"/api/chat/messages/{message['id']}", {"text": "исправлено"}
    )
    assert response.status == 403


def test_unchanged_text_not_marked_edited(room):
    message = post(room.anna, room.channel_id, "без изменений")
    response = room.anna.client.patch(
        f"/api/chat/messages/{message['id']}", {"text": "  без изменений "}
    )
    assert response.status == 200
    assert response.json["message"]["edited_at"] is None


def test_edit_of_unknown_message_404(room):
    response = room.anna.client.patch(
        "/api/chat/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV", {"text": "x"}
    )
    assert response.status == 404


def test_non_member_cannot_edit_or_delete(room):
    message = post(room.anna, room.channel_id, "секрет")
    path = f"/api/chat/messages/{message['id']}"
    assert room.outsider.client.patch(path, {"text": "x"}).status == 403
    assert room.outsider.client.delete(path).status == 403


def test_delete_leaves_placeholder(room):
    message = post(room.anna, room.channel_id, "ошибка")
    assert react(room.boris, message["id"], "👍").status == 200

    response = room.anna.client.delete(f"/api/chat/messages/{message['id']}")

    assert response.status == 200, response.body
    deleted = response.json["message"]
    assert deleted["text"] == ""
    assert deleted["deleted_at"] is not None
    assert deleted["reactions"] == []
    assert deleted["attachments"] == []
    listed = history(room.boris, room.channel_id)
    assert [m["id"] for m in listed] == [message["id"]]
    assert listed[0]["deleted_at"] is not None


def test_delete_drops_attachments(room):
    message = post(room.anna, room.channel_id, "файл")
    stored = Message.get(channel_pk(room.channel_id), message_sk(message["id"]))
    stored.update(actions=[Message.attachments.set(["files/a.pdf"])])

    room.anna.client.delete(f"/api/chat/messages/{message['id']}")

    stored.refresh(consistent_read=True)
    assert stored.attachments is None
    assert stored.text == ""


def test_delete_twice_is_harmless(room):
    message = post(room.anna, room.channel_id, "дубль")
    path = f"/api/chat/messages/{message['id']}"
    first = room.anna.client.delete(path)
    second = room.anna.client.delete(path)
    assert first.status == 200
    assert second.status == 200
    assert second.json["message"]["deleted_at"] == first.json["message"]["deleted_at"]


def test_edit_of_deleted_message_409(room):
    message = post(room.anna, room.channel_id, "было")
    room.anna.client.delete(f"/api/chat/messages/{message['id']}")

    response = room.anna.client.patch(
        f"/api/chat/messages/{message['id']}", {"text": "стало"}
    )

    assert response.status == 409
    assert history(room.anna, room.channel_id)[0]["text"] == ""


def test_other_member_cannot_delete(room):
    message = post(room.anna, room.channel_id, "моё")
    response = room.boris.client.delete(f"/api/chat/messages/{message['id']}")
    assert response.status == 403
    assert history(room.anna, room.channel_id)[0]["deleted_at"] is None


def test_admin_deletes_any_message(room):
    message = post(room.anna, room.channel_id, "спам")
    response = room.owner.client.delete(f"/api/chat/messages/{message['id']}")
    assert response.status == 200
    assert response.json["message"]["deleted_at"] is not None


def test_admin_cannot_delete_in_direct_conversation(room):
    direct = room.anna.client.post("/api/chat/direct", {"user_ids": [room.boris.id]})
    assert direct.status in (200, 201), direct.body
    channel_id = direct.json["channel"]["id"]
    message = post(room.anna, channel_id, "личное")

    response = room.owner.client.delete(f"/api/chat/messages/{message['id']}")

    assert response.status == 403
    assert history(room.boris, channel_id)[0]["text"] == "личное"


def test_admin_cannot_delete_in_hidden_private_channel(room):
    created = room.anna.client.post(
        "/api/chat/channels",
        {"name": "без админа", "visibility": "private", "member_ids": [room.boris.id]},
    )
    assert created.status == 201, created.body
    channel_id = created.json["channel"]["id"]
    message = post(room.boris, channel_id, "наше")

    response = room.owner.client.delete(f"/api/chat/messages/{message['id']}")

    assert response.status == 403
    assert history(room.anna, channel_id)[0]["text"] == "наше"


def test_channel_owner_deletes_message(room):
    message = post(room.boris, room.channel_id, "не по теме")
    channel = Channel.get(channel_pk(room.channel_id), "META")
    channel.update(actions=[Channel.owner_ids.add({room.anna.id})])

    response = room.anna.client.delete(f"/api/chat/messages/{message['id']}")

    assert response.status == 200, response.body
    assert response.json["message"]["deleted_at"] is not None


def test_deleted_reply_lowers_reply_count(room, pump):
    root = post(room.anna, room.channel_id, "Вопрос")
    first = post(room.boris, room.channel_id, "Ответ 1", thread_id=root["id"])
    post(room.anna, room.channel_id, "Ответ 2", thread_id=root["id"])

    response = room.boris.client.delete(f"/api/chat/messages/{first['id']}")
    pump.drain()

    assert response.status == 200, response.body
    thread = thread_of(room.anna, root["id"])
    assert thread["root"]["reply_count"] == 1
    # Boris has no reply left, so he no longer counts as a participant.
    assert thread["root"]["reply_user_ids"] == [room.anna.id]
    assert [r["text"] for r in thread["replies"]] == ["", "Ответ 2"]


def test_participant_with_other_reply_stays(room, pump):
    root = post(room.anna, room.channel_id, "Вопрос")
    first = post(room.boris, room.channel_id, "Ответ 1", thread_id=root["id"])
    post(room.boris, room.channel_id, "Ответ 2", thread_id=root["id"])

    room.boris.client.delete(f"/api/chat/messages/{first['id']}")
    pump.drain()

    thread = thread_of(room.anna, root["id"])
    assert thread["root"]["reply_count"] == 1
    assert thread["root"]["reply_user_ids"] == [room.boris.id]


def test_deleted_root_keeps_thread(room):
    root = post(room.anna, room.channel_id, "Вопрос")
    post(room.boris, room.channel_id, "Ответ", thread_id=root["id"])

    room.anna.client.delete(f"/api/chat/messages/{root['id']}")

    thread = thread_of(room.boris, root["id"])
    assert thread["root"]["text"] == ""
    assert thread["root"]["reply_count"] == 1
    assert [r["text"] for r in thread["replies"]] == ["Ответ"]


def test_edit_and_delete_push_events(room, pump, gateway):
    add_connection("boris-tab", room.boris.id)
    message = post(room.anna, room.channel_id, "черновик")
    pump.drain()

    room.anna.client.patch(f"/api/chat/messages/{message['id']}", {"text": "итог"})
    pump.drain()
    room.anna.client.delete(f"/api/chat/messages/{message['id']}")
    pump.drain()

    types = [
        event["type"]
        for event in gateway.events("boris-tab")
        if event["type"].startswith("message.")
    ]
    assert types == ["message.created", "message.edited", "message.deleted"]
    edited = gateway.events("boris-tab", "message.edited")[0]["message"]
    assert edited["text"] == "итог"
    deleted = gateway.events("boris-tab", "message.deleted")[0]["message"]
    assert deleted["text"] == ""
    assert deleted["deleted_at"] is not None


def test_archived_channel_rejects_edit(room):
    message = post(room.anna, room.channel_id, "старое")
    channel = Channel.get(channel_pk(room.channel_id), "META")
    channel.update(actions=[Channel.archived.set(True)])

    response = room.anna.client.patch(
        f"/api/chat/messages/{message['id']}", {"text": "новое"}
    )

    assert response.status == 409


def test_reply_without_position_lowers_count(room):
    """A reply stored before server order has no ``seq``; deletion counts it."""
    root = post(room.anna, room.channel_id, "Старый вопрос")
    reply_id = new_id()
    Message(
        thread_pk(root["id"]),
        message_sk(reply_id),
        message_id=reply_id,
        channel_id=room.channel_id,
        thread_id=root["id"],
        sender_id=room.boris.id,
        sender_name="Boris Smith",
        text="старый ответ",
        created_at=utc_now(),
    ).save()
    stored_root = Message.get(channel_pk(room.channel_id), message_sk(root["id"]))
    stored_root.update(
        actions=[
            Message.reply_count.set(1),
            Message.reply_user_ids.add({room.boris.id}),
            Message.last_reply_at.set(utc_now()),
        ]
    )

    response = room.boris.client.delete(f"/api/chat/messages/{reply_id}")

    assert response.status == 200, response.body
    stored_root.refresh(consistent_read=True)
    assert stored_root.reply_count == 0
    assert stored_root.reply_user_ids is None
