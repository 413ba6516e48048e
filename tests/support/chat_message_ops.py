"""Helpers for the message operation tests: a channel of three, posting, reading
notifications and running actions at the same moment."""

import threading
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from tests.support.fixtures import Person


@dataclass
class Room:
    """A custom channel created by the owner with Anna and Boris in it."""

    owner: Person
    anna: Person
    boris: Person
    outsider: Person
    channel_id: str


@pytest.fixture(name="room")
def room_fixture(owner, hire, pump) -> Room:
    anna = hire("Анна Петрова")
    boris = hire("Boris Smith", locale="en")
    outsider = hire("Оксана")
    response = owner.client.post(
        "/api/chat/channels",
        {"name": "Поставки", "member_ids": [anna.id, boris.id]},
    )
    assert response.status == 201, response.body
    pump.drain()
    return Room(owner, anna, boris, outsider, response.json["channel"]["id"])


def handle_of(person: Person) -> str:
    return person.email.split("@", 1)[0]


def post(person: Person, channel_id: str, text: str, thread_id: str | None = None):
    body = {"text": text}
    if thread_id is not None:
        body["thread_id"] = thread_id
    response = person.client.post(f"/api/chat/channels/{channel_id}/messages", body)
    assert response.status == 201, response.body
    return response.json["message"]


def react(person: Person, message_id: str, emoji: str):
    return person.client.post(
        f"/api/chat/messages/{message_id}/reactions", {"emoji": emoji}
    )


def unreact(person: Person, message_id: str, emoji: str):
    return person.client.delete(
        f"/api/chat/messages/{message_id}/reactions/{quote(emoji, safe='')}"
    )


def history(person: Person, channel_id: str) -> list[dict]:
    response = person.client.get(f"/api/chat/channels/{channel_id}/messages")
    assert response.status == 200, response.body
    return response.json["messages"]


def thread_of(person: Person, message_id: str) -> dict:
    response = person.client.get(f"/api/chat/messages/{message_id}/thread")
    assert response.status == 200, response.body
    return response.json


def notifications_of(person: Person) -> list[str]:
    """Return the texts in the person's notifications channel, oldest first."""
    channels = person.client.get("/api/chat/channels").json["channels"]
    found = [channel for channel in channels if channel["kind"] == "notifications"]
    if not found:
        return []
    response = person.client.get(f"/api/chat/channels/{found[0]['id']}/messages")
    return [message["text"] for message in reversed(response.json["messages"])]


def race(actions) -> list:
    """Run each action in its own thread at once; return results or exceptions."""
    barrier = threading.Barrier(len(actions))
    results: list = []
    lock = threading.Lock()

    def run(action):
        barrier.wait()
        try:
            outcome = action()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome = error
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
