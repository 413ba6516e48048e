"""Thread summaries, replies also sent to the channel, follows and the Threads
view, through the HTTP API with the real stream pump."""

from chalicelib.chat.connections import add_connection
from tests.support.chat_threads import (
    mark,
    post,
    team_fixture,  # noqa: F401 - the ``team`` fixture
    thread_of,
    thread_unread,
    unread,
)


def _threads(person, query=""):
    response = person.client.get(f"/api/chat/threads{query}")
    assert response.status == 200, response.body
    return response.json


def test_summary_counts_replies_and_participants(team, pump):
    root = post(team.anna, team.channel_id, "Кто примет поставку?")
    post(team.boris, team.channel_id, "Я", thread_id=root["id"])
    post(team.owner, team.channel_id, "И я", thread_id=root["id"])
    last = post(team.boris, team.channel_id, "Уже еду", thread_id=root["id"])
    pump.drain()

    summary = thread_of(team.anna, root["id"])["root"]
    assert summary["reply_count"] == 3
    assert summary["thread_participants"] == [team.boris.id, team.owner.id]
    assert summary["reply_user_ids"] == sorted([team.boris.id, team.owner.id])
    assert summary["last_reply_at"] == last["created_at"]
    assert summary["last_reply_seq"] == 3
    assert [r["seq"] for r in thread_of(team.anna, root["id"])["replies"]] == [1, 2, 3]


def test_deleted_reply_lowers_the_summary(team, pump, gateway):
    add_connection("anna-tab", team.anna.id)
    root = post(team.anna, team.channel_id, "Вопрос")
    first = post(team.boris, team.channel_id, "Ответ", thread_id=root["id"])
    second = post(team.owner, team.channel_id, "Ещё ответ", thread_id=root["id"])
    pump.drain()

    deleted = team.owner.client.delete(f"/api/chat/messages/{second['id']}")
    assert deleted.status == 200, deleted.body
    pump.drain()

    summary = thread_of(team.anna, root["id"])["root"]
    assert summary["reply_count"] == 1
    assert summary["thread_participants"] == [team.boris.id]
    assert summary["reply_user_ids"] == [team.boris.id]
    assert summary["last_reply_at"] == first["created_at"]
    events = gateway.events("anna-tab", "thread.updated")
    assert events[-1]["thread"]["reply_count"] == 1
    assert events[-1]["thread"]["participants"] == [team.boris.id]


def test_deletion_counted_once_when_the_step_runs_again(team, pump):
    from chalicelib.chat.messages import find_message
    from chalicelib.chat.threads import count_deletion

    root = post(team.anna, team.channel_id, "Вопрос")
    reply = post(team.boris, team.channel_id, "Ответ", thread_id=root["id"])
    post(team.boris, team.channel_id, "Ещё", thread_id=root["id"])
    team.boris.client.delete(f"/api/chat/messages/{reply['id']}")
    pump.drain()

    assert count_deletion(find_message(reply["id"])) is False
    assert thread_of(team.anna, root["id"])["root"]["reply_count"] == 1


def test_also_sent_reply_shows_in_thread_and_channel(team, pump, gateway):
    add_connection("boris-tab", team.boris.id)
    root = post(team.anna, team.channel_id, "План на неделю")
    reply = post(
        team.boris, team.channel_id, "Добавил пункт", thread_id=root["id"], also=True
    )
    pump.drain()

    assert reply["also_in_channel"] is True
    assert reply["seq"] == 1
    assert reply["channel_seq"] == root["seq"] + 1
    history = team.anna.client.get(
        f"/api/chat/channels/{team.channel_id}/messages"
    ).json["messages"]
    assert [m["id"] for m in history] == [reply["id"], root["id"]]
    assert history[0]["thread_id"] == root["id"]
    assert [r["id"] for r in thread_of(team.anna, root["id"])["replies"]] == [
        reply["id"]
    ]
    created = gateway.events("boris-tab", "message.created")
    assert [event["message"]["id"] for event in created].count(reply["id"]) == 1

    # Edited once, it reads the same in both places.
    edited = team.boris.client.patch(
        f"/api/chat/messages/{reply['id']}", {"text": "Добавил два пункта"}
    )
    assert edited.status == 200, edited.body
    history = team.anna.client.get(
        f"/api/chat/channels/{team.channel_id}/messages"
    ).json["messages"]
    assert history[0]["text"] == "Добавил два пункта"


def test_also_send_without_thread_rejected(team):
    response = team.anna.client.post(
        f"/api/chat/channels/{team.channel_id}/messages",
        {"text": "Привет", "also_send_to_channel": True},
    )
    assert response.status == 400
    assert response.error_field() == "also_send_to_channel"


def test_author_and_repliers_follow_automatically(team, pump):
    root = post(team.anna, team.channel_id, "Нужна помощь с отгрузкой")
    post(team.boris, team.channel_id, "Помогу", thread_id=root["id"])
    pump.drain()

    assert [t["root"]["id"] for t in _threads(team.anna)["threads"]] == [root["id"]]
    assert [t["root"]["id"] for t in _threads(team.boris)["threads"]] == [root["id"]]
    assert _threads(team.owner)["threads"] == []
    # The author has not read Boris's reply; Boris's own reply is not unread.
    assert thread_unread(team.anna, root["id"]) == 1
    assert thread_unread(team.boris, root["id"]) == 0


def test_mentioned_person_follows(team, pump):
    owner_handle = team.owner.email.split("@")[0]
    root = post(team.anna, team.channel_id, "Отгрузка")
    post(team.boris, team.channel_id, f"@{owner_handle} посмотри", root["id"])
    pump.drain()

    threads = _threads(team.owner)["threads"]
    assert [t["root"]["id"] for t in threads] == [root["id"]]
    assert threads[0]["unread"] == 1


def test_follow_and_unfollow(team, pump, gateway):
    root = post(team.anna, team.channel_id, "Инвентаризация")
    post(team.boris, team.channel_id, "Когда?", thread_id=root["id"])
    pump.drain()

    followed = team.owner.client.post(f"/api/chat/messages/{root['id']}/follow")
    assert followed.status == 200, followed.body
    assert followed.json["thread"]["following"] is True
    # Following starts from the thread as it is now.
    assert followed.json["thread"]["unread"] == 0
    post(team.anna, team.channel_id, "В пятницу", thread_id=root["id"])
    pump.drain()
    assert thread_unread(team.owner, root["id"]) == 1

    add_connection("anna-tab", team.anna.id)
    left = team.anna.client.delete(f"/api/chat/messages/{root['id']}/follow")
    assert left.status == 200, left.body
    assert left.json["thread"]["following"] is False
    post(team.boris, team.channel_id, "Понял", thread_id=root["id"])
    pump.drain()
    # An unfollow holds: the author's automatic follow does not come back.
    assert _threads(team.anna)["threads"] == []
    assert thread_unread(team.anna, root["id"]) == 0


def test_follow_requires_membership(team):
    root = post(team.anna, team.channel_id, "Закрытое обсуждение")
    response = team.outsider.client.post(f"/api/chat/messages/{root['id']}/follow")
    assert response.status == 403


def test_threads_view_newest_activity_first_with_pages(team, pump):
    roots = [post(team.anna, team.channel_id, f"Тема {n}") for n in range(3)]
    for root in roots:
        post(team.boris, team.channel_id, "ответ", thread_id=root["id"])
    # The oldest thread gets the newest reply.
    post(team.boris, team.channel_id, "ещё ответ", thread_id=roots[0]["id"])
    pump.drain()

    first = _threads(team.anna, "?limit=2")
    assert [t["root"]["id"] for t in first["threads"]] == [
        roots[0]["id"],
        roots[2]["id"],
    ]
    assert first["threads"][0]["unread"] == 2
    second = _threads(team.anna, f"?limit=2&cursor={first['next_cursor']}")
    assert [t["root"]["id"] for t in second["threads"]] == [roots[1]["id"]]
    assert second["next_cursor"] is None


def test_thread_read_marker(team, pump, gateway):
    add_connection("anna-phone", team.anna.id)
    root = post(team.anna, team.channel_id, "Цены")
    replies = [
        post(team.boris, team.channel_id, f"цена {n}", thread_id=root["id"])
        for n in range(3)
    ]
    pump.drain()
    assert thread_unread(team.anna, root["id"]) == 3

    body = mark(
        team.anna, f"/api/chat/messages/{root['id']}/thread/read", replies[1]["id"]
    )
    assert body["thread"]["unread"] == 1
    pump.drain()
    pushed = gateway.events("anna-phone", "unread.updated")
    assert pushed[-1]["thread"]["unread"] == 1

    body = mark(
        team.anna, f"/api/chat/messages/{root['id']}/thread/unread", replies[0]["id"]
    )
    assert body["thread"]["unread"] == 3
    assert unread(team.anna)["threads_total"] == 3
