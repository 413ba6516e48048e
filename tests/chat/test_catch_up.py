"""Server order and catch-up: concurrent posts get one order for everyone, and
a client that lost its connection gets what it missed, once."""

import threading

from chalicelib.chat.connections import add_connection
from tests.support.chat_threads import (
    catch_up,
    post,
    team_fixture,  # noqa: F401 - the ``team`` fixture
    thread_of,
)


def _post_at_once(people_and_texts, channel_id, thread_id=None):
    barrier = threading.Barrier(len(people_and_texts))
    results, errors = [], []
    lock = threading.Lock()

    def run(person, text):
        barrier.wait()
        body = {"text": text}
        if thread_id:
            body["thread_id"] = thread_id
        response = person.client.post(f"/api/chat/channels/{channel_id}/messages", body)
        with lock:
            if response.status == 201:
                results.append(response.json["message"])
            else:
                errors.append(response.body)

    threads = [
        threading.Thread(target=run, args=(person, text))
        for person, text in people_and_texts
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_concurrent_posts_get_one_dense_order(team, pump, gateway):
    add_connection("anna-tab", team.anna.id)
    add_connection("boris-tab", team.boris.id)
    people = [team.anna, team.boris, team.owner] * 4
    posted, errors = _post_at_once(
        [(person, f"одновременно {n}") for n, person in enumerate(people)],
        team.channel_id,
    )
    assert errors == []
    assert sorted(m["seq"] for m in posted) == list(range(1, 13))
    pump.drain()

    page = catch_up(team.anna, team.channel_id, 0)
    assert [m["seq"] for m in page["messages"]] == list(range(1, 13))
    assert {m["id"] for m in page["messages"]} == {m["id"] for m in posted}
    assert page["complete"] is True
    # Live events carry the same positions to everyone.
    for connection in ("anna-tab", "boris-tab"):
        events = gateway.events(connection, "message.created")
        by_id = {event["message"]["id"]: event["message"]["seq"] for event in events}
        assert by_id == {m["id"]: m["seq"] for m in posted}


def test_concurrent_replies_keep_thread_summary(team, pump):
    root = post(team.anna, team.channel_id, "Корень")
    people = [team.anna, team.boris, team.owner] * 3
    posted, errors = _post_at_once(
        [(person, f"ответ {n}") for n, person in enumerate(people)],
        team.channel_id,
        thread_id=root["id"],
    )
    assert errors == []
    pump.drain()

    thread = thread_of(team.boris, root["id"])
    assert thread["root"]["reply_count"] == 9
    assert thread["root"]["last_reply_seq"] == 9
    assert sorted(thread["root"]["reply_user_ids"]) == sorted(
        [team.anna.id, team.boris.id, team.owner.id]
    )
    assert sorted(r["seq"] for r in thread["replies"]) == list(range(1, 10))


def test_catch_up_after_lost_connection(team, pump):
    seen = [post(team.anna, team.channel_id, f"до {n}") for n in range(3)]
    last_seen = seen[-1]["seq"]
    missed = [post(team.boris, team.channel_id, f"пропущено {n}") for n in range(5)]
    root = seen[0]
    also = post(team.boris, team.channel_id, "в тред и канал", root["id"], also=True)

    first = catch_up(team.anna, team.channel_id, last_seen, limit=3)
    assert [m["id"] for m in first["messages"]] == [m["id"] for m in missed[:3]]
    assert first["complete"] is False
    second = catch_up(team.anna, team.channel_id, first["next_after_seq"], limit=50)
    assert [m["id"] for m in second["messages"]] == [
        *(m["id"] for m in missed[3:]),
        also["id"],
    ]
    assert second["messages"][-1]["channel_seq"] == second["last_seq"]
    assert second["complete"] is True
    again = catch_up(team.anna, team.channel_id, second["next_after_seq"])
    assert again["messages"] == []
    assert again["complete"] is True


def test_thread_catch_up(team, pump):
    root = post(team.anna, team.channel_id, "Корень")
    replies = [
        post(team.boris, team.channel_id, f"ответ {n}", thread_id=root["id"])
        for n in range(4)
    ]
    page = thread_of(team.anna, root["id"], "?after_seq=2")
    assert [r["id"] for r in page["replies"]] == [r["id"] for r in replies[2:]]
    assert page["last_seq"] == 4
    assert page["complete"] is True


def test_catch_up_keeps_deleted_placeholders(team, pump):
    first = post(team.anna, team.channel_id, "первое")
    gone = post(team.anna, team.channel_id, "удалю")
    post(team.anna, team.channel_id, "третье")
    team.anna.client.delete(f"/api/chat/messages/{gone['id']}")

    page = catch_up(team.boris, team.channel_id, first["seq"])
    assert [m["seq"] for m in page["messages"]] == [gone["seq"], gone["seq"] + 1]
    assert page["messages"][0]["deleted_at"] is not None


def test_catch_up_stops_before_a_position_not_indexed_yet(team, pump, monkeypatch):
    """The position index lags the table a little; a page never skips a gap."""
    from chalicelib.chat import catch_up as catch_up_module
    from chalicelib.chat.models import Message

    messages = [post(team.anna, team.channel_id, f"n{n}") for n in range(4)]
    hidden = messages[1]["seq"]
    real_query = Message.seq_index.query

    def lagging_query(*args, **kwargs):
        return [row for row in real_query(*args, **kwargs) if int(row.seq) != hidden]

    monkeypatch.setattr(Message.seq_index, "query", lagging_query)
    monkeypatch.setattr(catch_up_module, "_INDEX_PAUSE_SECONDS", 0)
    page = catch_up(team.boris, team.channel_id, 0)

    assert [m["seq"] for m in page["messages"]] == [messages[0]["seq"]]
    assert page["next_after_seq"] == messages[0]["seq"]
    assert page["complete"] is False
