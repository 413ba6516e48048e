"""Pinned messages: pin, unpin, the list, the limit and its race, and events."""

from chalicelib.chat import pins
from chalicelib.chat.connections import add_connection
from chalicelib.chat.models import Message, channel_pk, message_sk
from chalicelib.errors import Conflict
from tests.support.chat_message_ops import (  # noqa: F401 - room_fixture
    post,
    race,
    room_fixture,
)


def _pins(person, channel_id):
    response = person.client.get(f"/api/chat/channels/{channel_id}/pins")
    assert response.status == 200, response.body
    return response.json["pins"]


def _pin_count(channel_id: str) -> int:
    stored = pins.PinCount.get(
        channel_pk(channel_id), pins.PIN_COUNT_SK, consistent_read=True
    )
    return int(stored.pin_count)


def test_pin_and_list(room):
    first = post(room.anna, room.channel_id, "Реквизиты склада")
    second = post(room.boris, room.channel_id, "График отгрузок")

    response = room.boris.client.post(f"/api/chat/messages/{first['id']}/pin")
    assert response.status == 200, response.body
    assert response.json["message"]["pinned"] is True
    assert response.json["message"]["pinned_by"] == room.boris.id
    room.anna.client.post(f"/api/chat/messages/{second['id']}/pin")

    listed = _pins(room.anna, room.channel_id)
    assert [pin["id"] for pin in listed] == [second["id"], first["id"]]
    assert listed[1]["pinned_by"] == room.boris.id
    assert _pin_count(room.channel_id) == 2


def test_pin_thread_reply(room):
    root = post(room.anna, room.channel_id, "Вопрос")
    reply = post(room.boris, room.channel_id, "Важный ответ", thread_id=root["id"])

    assert room.anna.client.post(f"/api/chat/messages/{reply['id']}/pin").status == 200

    assert [pin["text"] for pin in _pins(room.anna, room.channel_id)] == [
        "Важный ответ"
    ]


def test_pin_twice_counts_once(room):
    message = post(room.anna, room.channel_id, "Реквизиты")
    room.anna.client.post(f"/api/chat/messages/{message['id']}/pin")
    again = room.boris.client.post(f"/api/chat/messages/{message['id']}/pin")
    assert again.status == 200
    assert again.json["message"]["pinned_by"] == room.anna.id
    assert _pin_count(room.channel_id) == 1


def test_unpin(room):
    message = post(room.anna, room.channel_id, "Реквизиты")
    room.anna.client.post(f"/api/chat/messages/{message['id']}/pin")

    response = room.boris.client.delete(f"/api/chat/messages/{message['id']}/pin")

    assert response.status == 200
    assert response.json["message"]["pinned"] is False
    assert _pins(room.anna, room.channel_id) == []
    assert _pin_count(room.channel_id) == 0
    again = room.boris.client.delete(f"/api/chat/messages/{message['id']}/pin")
    assert again.status == 200
    assert _pin_count(room.channel_id) == 0


def test_pins_are_for_members(room):
    message = post(room.anna, room.channel_id, "Реквизиты")
    path = f"/api/chat/messages/{message['id']}/pin"
    assert room.outsider.client.post(path).status == 403
    pins_path = f"/api/chat/channels/{room.channel_id}/pins"
    assert room.outsider.client.get(pins_path).status == 403


def test_deleted_message_leaves_pins(room):
    message = post(room.anna, room.channel_id, "Реквизиты")
    room.anna.client.post(f"/api/chat/messages/{message['id']}/pin")

    room.anna.client.delete(f"/api/chat/messages/{message['id']}")

    assert _pins(room.anna, room.channel_id) == []
    assert _pin_count(room.channel_id) == 0
    again = room.anna.client.post(f"/api/chat/messages/{message['id']}/pin")
    assert again.status == 409


def test_pin_limit(room):
    messages = [
        post(room.anna, room.channel_id, f"Закреп {n}")
        for n in range(pins.MAX_PINS + 1)
    ]
    for message in messages[: pins.MAX_PINS]:
        response = room.anna.client.post(f"/api/chat/messages/{message['id']}/pin")
        assert response.status == 200

    over = room.anna.client.post(f"/api/chat/messages/{messages[-1]['id']}/pin")

    assert over.status == 409
    assert len(_pins(room.anna, room.channel_id)) == pins.MAX_PINS
    room.anna.client.delete(f"/api/chat/messages/{messages[0]['id']}/pin")
    retry = room.anna.client.post(f"/api/chat/messages/{messages[-1]['id']}/pin")
    assert retry.status == 200


def test_limit_holds_for_concurrent_pins(room):
    messages = [
        post(room.anna, room.channel_id, f"Закреп {n}")
        for n in range(pins.MAX_PINS + 4)
    ]
    for message in messages[: pins.MAX_PINS - 2]:
        room.anna.client.post(f"/api/chat/messages/{message['id']}/pin")
    reads = [
        Message.get(channel_pk(room.channel_id), message_sk(message["id"]))
        for message in messages[pins.MAX_PINS - 2 :]
    ]

    results = race(
        [lambda read=read: pins.pin_message(read, room.boris.id) for read in reads]
    )

    assert sorted(type(result).__name__ for result in results) == sorted(
        ["bool", "bool", "Conflict", "Conflict", "Conflict", "Conflict"]
    )
    assert all(isinstance(r, (bool, Conflict)) for r in results)
    assert _pin_count(room.channel_id) == pins.MAX_PINS
    assert len(_pins(room.anna, room.channel_id)) == pins.MAX_PINS


def test_pin_pushes_event(room, pump, gateway):
    add_connection("boris-tab", room.boris.id)
    message = post(room.anna, room.channel_id, "Реквизиты")
    pump.drain()

    room.anna.client.post(f"/api/chat/messages/{message['id']}/pin")
    pump.drain()
    room.anna.client.delete(f"/api/chat/messages/{message['id']}/pin")
    pump.drain()

    events = gateway.events("boris-tab", "message.pinned")
    assert [event["message"]["pinned"] for event in events] == [True, False]
