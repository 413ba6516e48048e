"""Helpers for the thread, unread and catch-up tests: a channel of three and
shortcuts for the routes these tests call."""

from dataclasses import dataclass

import pytest

from tests.support.fixtures import Person


@dataclass
class Team:
    """A custom channel created by the owner with Anna and Boris in it."""

    owner: Person
    anna: Person
    boris: Person
    outsider: Person
    channel_id: str


# Named apart from the fixture, so that test parameters called ``team`` do
# not shadow the import.
@pytest.fixture(name="team")
def team_fixture(owner, hire, pump) -> Team:
    anna = hire("Анна")
    boris = hire("Boris", locale="en")
    outsider = hire("Оксана")
    response = owner.client.post(
        "/api/chat/channels", {"name": "Склад", "member_ids": [anna.id, boris.id]}
    )
    assert response.status == 201, response.body
    pump.drain()
    return Team(owner, anna, boris, outsider, response.json["channel"]["id"])


def post(
    person: Person,
    channel_id: str,
    text: str,
    thread_id: str | None = None,
    also: bool = False,
) -> dict:
    body: dict = {"text": text}
    if thread_id is not None:
        body["thread_id"] = thread_id
    if also:
        body["also_send_to_channel"] = True
    response = person.client.post(f"/api/chat/channels/{channel_id}/messages", body)
    assert response.status == 201, response.body
    return response.json["message"]


def unread(person: Person) -> dict:
    response = person.client.get("/api/chat/unread")
    assert response.status == 200, response.body
    return response.json


def channel_unread(person: Person, channel_id: str) -> int:
    channels = unread(person)["channels"]
    return next(c["unread"] for c in channels if c["channel_id"] == channel_id)


def thread_unread(person: Person, root_id: str) -> int:
    threads = unread(person)["threads"]
    return next((t["unread"] for t in threads if t["root_id"] == root_id), 0)


def mark(person: Person, path: str, message_id: str) -> dict:
    response = person.client.post(path, {"message_id": message_id})
    assert response.status == 200, response.body
    return response.json


def catch_up(person: Person, channel_id: str, after_seq: int, limit=50) -> dict:
    response = person.client.get(
        f"/api/chat/channels/{channel_id}/messages?after_seq={after_seq}&limit={limit}"
    )
    assert response.status == 200, response.body
    return response.json


def thread_of(person: Person, root_id: str, query: str = "") -> dict:
    response = person.client.get(f"/api/chat/messages/{root_id}/thread{query}")
    assert response.status == 200, response.body
    return response.json
