"""Helpers for the channel and direct conversation tests."""

import threading

from chalicelib.chat.models import Channel, channel_pk
from chalicelib.web import Caller


def create_channel(person, name: str, visibility: str = "public", members=()) -> dict:
    body = {"name": name, "visibility": visibility, "member_ids": list(members)}
    response = person.client.post("/api/chat/channels", body)
    assert response.status == 201, response.body
    return response.json["channel"]


def listed_ids(person, query: str = "") -> list[str]:
    response = person.client.get(f"/api/chat/channels{query}")
    assert response.status == 200, response.body
    return [channel["id"] for channel in response.json["channels"]]


def member_ids(person, channel_id: str) -> list[str]:
    response = person.client.get(f"/api/chat/channels/{channel_id}/members")
    assert response.status == 200, response.body
    return sorted(member["id"] for member in response.json["members"])


def post(person, channel_id: str, text: str, thread_id: str | None = None):
    body = {"text": text}
    if thread_id is not None:
        body["thread_id"] = thread_id
    return person.client.post(f"/api/chat/channels/{channel_id}/messages", body)


def stored_channel(channel_id: str) -> Channel:
    return Channel.get(channel_pk(channel_id), "META", consistent_read=True)


def caller(person, role: str = "employee") -> Caller:
    return Caller(user_id=person.id, role=role)


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
