"""Channels, history paging and threads through the HTTP API."""

import pytest

from chalicelib.chat.connections import add_connection
from chalicelib.chat.messages import MAX_MESSAGE_LENGTH


def _general(person) -> dict:
    channels = person.client.get("/api/chat/channels").json["channels"]
    return next(channel for channel in channels if channel["kind"] == "general")


def _post(person, channel_id, text, thread_id=None):
    body = {"text": text}
    if thread_id:
        body["thread_id"] = thread_id
    return person.client.post(f"/api/chat/channels/{channel_id}/messages", body)


@pytest.fixture
def two_people(company, hire):
    wb = company["positions"]["Wildberries account manager"]
    ozon = company["positions"]["Ozon account manager"]
    return hire("Анна", wb["id"]), hire("Борис", ozon["id"])


def test_history_is_newest_first_with_cursor(two_people):
    anna, _ = two_people
    channel_id = _general(anna)["id"]
    for number in range(5):
        assert _post(anna, channel_id, f"сообщение {number}").status == 201

    first = anna.client.get(f"/api/chat/channels/{channel_id}/messages?limit=3").json
    texts = [message["text"] for message in first["messages"]]
    assert texts == ["сообщение 4", "сообщение 3", "сообщение 2"]
    assert first["next_cursor"] == first["messages"][-1]["id"]

    cursor = first["next_cursor"]
    second = anna.client.get(
        f"/api/chat/channels/{channel_id}/messages?limit=3&before={cursor}"
    ).json
    assert [m["text"] for m in second["messages"]] == ["сообщение 1", "сообщение 0"]
    assert second["next_cursor"] is None


def test_history_after_cursor_catches_up_oldest_first(two_people):
    anna, _ = two_people
    channel_id = _general(anna)["id"]
    first = _post(anna, channel_id, "до обрыва").json["message"]
    _post(anna, channel_id, "после 1")
    _post(anna, channel_id, "после 2")

    page = anna.client.get(
        f"/api/chat/channels/{channel_id}/messages?after={first['id']}"
    ).json
    assert [m["text"] for m in page["messages"]] == ["после 1", "после 2"]


def test_thread_reply_counts_on_root(two_people):
    anna, boris = two_people
    channel_id = _general(anna)["id"]
    root = _post(anna, channel_id, "Кто проверит остатки?").json["message"]

    reply = _post(boris, channel_id, "Я проверю", thread_id=root["id"])
    assert reply.status == 201
    assert reply.json["message"]["thread_id"] == root["id"]

    thread = anna.client.get(f"/api/chat/messages/{root['id']}/thread").json
    assert thread["root"]["reply_count"] == 1
    assert thread["root"]["reply_user_ids"] == [boris.id]
    assert [r["text"] for r in thread["replies"]] == ["Я проверю"]

    history = anna.client.get(f"/api/chat/channels/{channel_id}/messages").json
    assert [m["text"] for m in history["messages"]] == ["Кто проверит остатки?"]


def test_thread_of_a_reply_returns_its_root(two_people):
    anna, boris = two_people
    channel_id = _general(anna)["id"]
    root = _post(anna, channel_id, "корень").json["message"]
    reply = _post(boris, channel_id, "ответ", thread_id=root["id"]).json["message"]

    thread = anna.client.get(f"/api/chat/messages/{reply['id']}/thread").json
    assert thread["root"]["id"] == root["id"]


def test_reply_to_unknown_root_is_404(two_people):
    anna, _ = two_people
    channel_id = _general(anna)["id"]
    response = _post(anna, channel_id, "ответ", thread_id="01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert response.status == 404
    assert response.error_field() == "thread_id"


def test_message_length_limit_in_code_points(two_people):
    anna, _ = two_people
    channel_id = _general(anna)["id"]
    # Each emoji is one code point but two UTF-16 units; the limit counts code points.
    at_limit = "😀" * MAX_MESSAGE_LENGTH
    assert _post(anna, channel_id, at_limit).status == 201

    over = _post(anna, channel_id, at_limit + "!")
    assert over.status == 400
    assert over.error_field() == "text"


def test_empty_message_rejected(two_people):
    anna, _ = two_people
    response = _post(anna, _general(anna)["id"], "   ")
    assert response.status == 400
    assert response.error_field() == "text"


def test_non_member_gets_403_on_history(company, hire, owner):
    anna = hire("Анна", company["positions"]["Wildberries account manager"]["id"])
    created = owner.client.post("/api/chat/channels", {"name": "закупки-секрет"})
    assert created.status == 201
    channel_id = created.json["channel"]["id"]

    assert anna.client.get(f"/api/chat/channels/{channel_id}/messages").status == 403
    assert _post(anna, channel_id, "привет").status == 403


def test_unknown_channel_is_404(owner):
    response = owner.client.get(
        "/api/chat/channels/01ARZ3NDEKTSV4RRFFQ69G5FAV/messages"
    )
    assert response.status == 404


def test_bad_cursor_rejected(two_people):
    anna, _ = two_people
    channel_id = _general(anna)["id"]
    response = anna.client.get(f"/api/chat/channels/{channel_id}/messages?before=../x")
    assert response.status == 400
    assert response.error_field() == "before"


def test_create_channel_with_members(owner, company, hire):
    anna = hire("Анна", company["positions"]["Wildberries account manager"]["id"])
    response = owner.client.post(
        "/api/chat/channels", {"name": "новинки", "member_ids": [anna.id]}
    )
    assert response.status == 201
    channel_id = response.json["channel"]["id"]

    members = owner.client.get(f"/api/chat/channels/{channel_id}/members").json
    assert sorted(m["id"] for m in members["members"]) == sorted([owner.id, anna.id])


def test_create_channel_with_unknown_member_rejected(owner):
    response = owner.client.post(
        "/api/chat/channels", {"name": "x", "member_ids": ["nobody"]}
    )
    assert response.status == 400
    assert response.error_field() == "member_ids.0"


def test_delivery_reaches_every_member_connection(two_people, pump, gateway):
    anna, boris = two_people
    add_connection("anna-tab-1", anna.id)
    add_connection("anna-tab-2", anna.id)
    add_connection("boris-phone", boris.id)
    channel_id = _general(anna)["id"]

    message = _post(anna, channel_id, "всем привет").json["message"]
    pump.drain()

    for connection_id in ("anna-tab-1", "anna-tab-2", "boris-phone"):
        created = gateway.events(connection_id, "message.created")
        assert [event["message"]["id"] for event in created] == [message["id"]]


def test_gone_connection_removed_and_others_served(
    two_people, pump, gateway, monkeypatch
):
    from chalicelib.chat import delivery
    from chalicelib.chat.connections import connections_of_user

    # The connections below are new; without this they would count as opening.
    monkeypatch.setattr(delivery, "OPENING_GRACE_SECONDS", 0)
    anna, boris = two_people
    add_connection("stale", anna.id)
    add_connection("alive", boris.id)
    gateway.gone.add("stale")

    _post(anna, _general(anna)["id"], "проверка")
    pump.drain()

    assert connections_of_user(anna.id) == []
    assert len(gateway.events("alive", "message.created")) == 1


def test_opening_connection_kept_on_gone(two_people, pump, gateway):
    """A send during $connect gets Gone on API Gateway; the socket opens next."""
    from chalicelib.chat.connections import connections_of_user

    anna, _ = two_people
    add_connection("opening", anna.id)
    gateway.gone.add("opening")

    _post(anna, _general(anna)["id"], "пока открывается")
    pump.drain()

    assert connections_of_user(anna.id) == ["opening"]


def test_post_message_call_budget(two_people):
    """Posting a message costs a fixed number of DynamoDB calls."""
    from tests.conftest import DYNAMODB_CALLS

    anna, _ = two_people
    channel_id = _general(anna)["id"]
    with DYNAMODB_CALLS.measure() as calls:
        assert _post(anna, channel_id, "счёт").status == 201
    # authorizer GetItem user, channel GetItem, member GetItem, sender GetItem,
    # the channel's counter GetItem and one TransactWriteItems (message, counter
    # and the sender's read marker together, chalicelib/chat/threads.py)
    assert sum(calls.values()) <= 6, dict(calls)
    assert calls["TransactWriteItems"] == 1, dict(calls)
