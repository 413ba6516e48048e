"""Each task's chat thread: events, comments and replies as one discussion.

The tests drive the real stream reactions through the pump, and replay the
recorded stream batches to check that a redelivery posts nothing twice.
"""

import json

import boto3
import pytest

from chalicelib.chat.connections import add_connection
from chalicelib.chat.websocket import on_message
from shtab_local.pump import LocalLambdaContext
from tests.tasks.conftest import new_task, patch_task


def task_page(person, task_id: str) -> dict:
    response = person.client.get(f"/api/tasks/{task_id}")
    assert response.status == 200, response.body
    return response.json


def thread_of(person, task_id: str) -> dict:
    thread = task_page(person, task_id)["thread"]
    assert thread is not None, "the task has no chat thread"
    return thread


def replies(person, task_id: str) -> list[dict]:
    thread = thread_of(person, task_id)
    response = person.client.get(f"/api/chat/messages/{thread['thread_id']}/thread")
    assert response.status == 200, response.body
    return response.json["replies"]


def member_ids(person, task_id: str) -> set[str]:
    thread = thread_of(person, task_id)
    response = person.client.get(f"/api/chat/channels/{thread['channel_id']}/members")
    assert response.status == 200, response.body
    return {member["id"] for member in response.json["members"]}


def comments(person, task_id: str) -> list[dict]:
    return task_page(person, task_id)["comments"]


def notifications(person) -> list[dict]:
    channels = person.client.get("/api/chat/channels").json["channels"]
    channel = next(c for c in channels if c["kind"] == "notifications")
    page = person.client.get(f"/api/chat/channels/{channel['id']}/messages").json
    return page["messages"]


def reply_in_thread(person, task_id: str, text: str) -> dict:
    thread = thread_of(person, task_id)
    response = person.client.post(
        f"/api/chat/channels/{thread['channel_id']}/messages",
        {"text": text, "thread_id": thread["thread_id"]},
    )
    assert response.status == 201, response.body
    return response.json["message"]


def stream_records(tables, table: str) -> list[dict]:
    """Read every record of a table's stream, shaped as Lambda delivers them."""
    description = boto3.client("dynamodb", endpoint_url=tables.endpoint).describe_table(
        TableName=tables.prefix + table
    )["Table"]
    streams = boto3.client("dynamodbstreams", endpoint_url=tables.endpoint)
    shards = streams.describe_stream(StreamArn=description["LatestStreamArn"])[
        "StreamDescription"
    ]["Shards"]
    records = []
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=description["LatestStreamArn"],
            ShardId=shard["ShardId"],
            ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            records.extend(page["Records"])
            iterator = page.get("NextShardIterator") if page["Records"] else None
    for record in records:
        created = record["dynamodb"]["ApproximateCreationDateTime"]
        record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
    return records


def replay(app_module, tables, table: str, function_name: str) -> None:
    """Deliver the table's whole stream to its reaction again, twice."""
    records = stream_records(tables, table)
    reaction = getattr(app_module, function_name)
    for _ in range(2):
        result = reaction({"Records": records}, LocalLambdaContext(function_name))
        assert result == {"batchItemFailures": []}


@pytest.fixture
def task(team, pump) -> dict:
    """A task the owner set for Анна, with John watching."""
    created = new_task(
        team.owner,
        team.anna,
        title="Обновить цены",
        watcher_ids=[team.john.id],
        requires_review=True,
    )
    pump.drain()
    return created


# The thread and its members


def test_thread_made_on_first_event(team, task):
    thread = thread_of(team.anna, task["id"])
    channel = team.anna.client.get(f"/api/chat/channels/{thread['channel_id']}").json
    assert channel["channel"]["kind"] == "task"
    assert channel["channel"]["visibility"] == "private"
    assert channel["channel"]["name"] == "Задача · Обновить цены"

    history = team.anna.client.get(
        f"/api/chat/channels/{thread['channel_id']}/messages"
    ).json["messages"]
    assert [message["id"] for message in history] == [thread["thread_id"]]
    assert history[0]["link"] == f"#/tasks/{task['id']}"


def test_members_are_task_people(team, task):
    assert member_ids(team.anna, task["id"]) == {
        team.owner.id,
        team.anna.id,
        team.john.id,
    }


def test_membership_follows_watchers(team, task, pump):
    katya = team.katya
    added = patch_task(
        team.owner, task["id"], {"watcher_ids": [team.john.id, katya.id]}
    )
    assert added.status == 200, added.body
    pump.drain()
    assert katya.id in member_ids(team.owner, task["id"])

    assert patch_task(team.owner, task["id"], {"watcher_ids": []}).status == 200
    pump.drain()
    assert member_ids(team.owner, task["id"]) == {team.owner.id, team.anna.id}


def test_removed_person_cannot_read_thread(team, task, pump):
    thread = thread_of(team.john, task["id"])
    assert patch_task(team.owner, task["id"], {"watcher_ids": []}).status == 200
    pump.drain()

    history = team.john.client.get(
        f"/api/chat/channels/{thread['channel_id']}/messages"
    )
    assert history.status == 403
    replies_page = team.john.client.get(
        f"/api/chat/messages/{thread['thread_id']}/thread"
    )
    assert replies_page.status == 403
    posted = team.john.client.post(
        f"/api/chat/channels/{thread['channel_id']}/messages",
        {"text": "Я ещё тут?", "thread_id": thread["thread_id"]},
    )
    assert posted.status == 403


def test_outsider_cannot_read_thread(team, task):
    thread = thread_of(team.anna, task["id"])
    outsider = team.katya
    history = outsider.client.get(f"/api/chat/channels/{thread['channel_id']}/messages")
    assert history.status == 403
    assert outsider.client.get(f"/api/tasks/{task['id']}").status == 404


# Notifications


def test_notifications_land_in_thread(team, task, pump):
    assert patch_task(team.anna, task["id"], {"status": "review"}).status == 200
    assert patch_task(team.owner, task["id"], {"status": "done"}).status == 200
    pump.drain()

    texts = [reply["text"] for reply in replies(team.anna, task["id"])]
    assert len(texts) == 3
    assert texts[0].startswith("📌 Owner поставил(а) задачу; ответственный — Анна")
    assert texts[1].startswith("👀 Анна отправил(а) задачу на проверку")
    assert texts[2] == "✅ Owner принял(а) и закрыл(а) задачу."
    kinds = {reply["kind"] for reply in replies(team.anna, task["id"])}
    assert kinds == {"notification"}


def test_personal_notices_still_sent(team, task, pump):
    assert patch_task(team.anna, task["id"], {"status": "review"}).status == 200
    pump.drain()

    anna_notices = notifications(team.anna)
    assert len(anna_notices) == 1
    assert "поставил(а) вам задачу" in anna_notices[0]["text"]
    owner_notices = notifications(team.owner)
    assert len(owner_notices) == 1
    assert "на проверку" in owner_notices[0]["text"]


def test_return_comment_posted_once(team, task, pump):
    assert patch_task(team.anna, task["id"], {"status": "review"}).status == 200
    returned = patch_task(
        team.owner,
        task["id"],
        {"status": "in_progress", "comment": "Нет фото на белом фоне"},
    )
    assert returned.status == 200
    pump.drain()

    texts = [reply["text"] for reply in replies(team.anna, task["id"])]
    matching = [text for text in texts if "Нет фото на белом фоне" in text]
    assert len(matching) == 1
    assert matching[0].startswith("↩️ Owner вернул(а) задачу на доработку")


# Comments into the thread


def test_comment_posted_in_thread_once(team, task, pump, app_module, tables):
    posted = team.owner.client.post(
        f"/api/tasks/{task['id']}/comments", {"text": "Цены сверить с WB"}
    )
    assert posted.status == 201
    pump.drain()
    replay(app_module, tables, "tasks", "notification_reactions")
    pump.drain()

    thread_replies = [
        reply for reply in replies(team.anna, task["id"]) if reply["kind"] == "user"
    ]
    assert len(thread_replies) == 1
    assert thread_replies[0]["text"] == "Цены сверить с WB"
    assert thread_replies[0]["sender_id"] == team.owner.id
    assert thread_replies[0]["sender_name"] == "Owner"
    assert len(comments(team.owner, task["id"])) == 1


def test_comment_mentions_carry_to_thread(team, task, pump):
    boris = team.boris
    posted = team.owner.client.post(
        f"/api/tasks/{task['id']}/comments",
        {"text": "@Борис посмотри", "mentions": [boris.id]},
    )
    assert posted.status == 201
    pump.drain()

    reply = next(
        reply for reply in replies(team.anna, task["id"]) if reply["kind"] == "user"
    )
    assert reply["mentioned_user_ids"] == [boris.id]
    assert boris.id in member_ids(team.owner, task["id"])
    # One notice for the mention, from the task, and none from the chat copy.
    notices = notifications(boris)
    assert len(notices) == 1
    assert "упомянул(а) вас в задаче" in notices[0]["text"]


# Replies into the task


def test_thread_reply_becomes_comment_once(team, task, pump, app_module, tables):
    message = reply_in_thread(team.anna, task["id"], "Начала, к обеду будет")
    pump.drain()
    replay(app_module, tables, "chat", "delivery_reactions")
    pump.drain()

    task_comments = comments(team.owner, task["id"])
    assert len(task_comments) == 1
    assert task_comments[0]["text"] == "Начала, к обеду будет"
    assert task_comments[0]["author_id"] == team.anna.id
    assert task_comments[0]["source_message_id"] == message["id"]


def test_thread_reply_not_posted_back(team, task, pump, app_module, tables):
    reply_in_thread(team.anna, task["id"], "Без петель")
    pump.drain()
    replay(app_module, tables, "tasks", "notification_reactions")
    pump.drain()

    texts = [reply["text"] for reply in replies(team.owner, task["id"])]
    assert texts.count("Без петель") == 1
    assert len(comments(team.owner, task["id"])) == 1


def test_comment_copy_not_turned_back(team, task, pump, app_module, tables):
    team.owner.client.post(f"/api/tasks/{task['id']}/comments", {"text": "Один раз"})
    pump.drain()
    replay(app_module, tables, "chat", "delivery_reactions")
    pump.drain()

    assert [comment["text"] for comment in comments(team.owner, task["id"])] == [
        "Один раз"
    ]


def test_thread_reply_notifies_task_people(team, task, pump):
    reply_in_thread(team.anna, task["id"], "Вопрос по ценам")
    pump.drain()

    owner_texts = [notice["text"] for notice in notifications(team.owner)]
    assert len(owner_texts) == 1
    assert "Вопрос по ценам" in owner_texts[0]
    assert "прокомментировал(а)" in owner_texts[0]
    # Анна wrote it, so she hears nothing beyond her own assignment.
    assert len(notifications(team.anna)) == 1


def test_reply_mention_carries_to_comment(team, task, pump):
    handle = team.john.email.split("@", 1)[0]
    reply_in_thread(team.anna, task["id"], f"@{handle} глянь")
    pump.drain()

    task_comments = comments(team.owner, task["id"])
    assert task_comments[0]["mentions"] == [team.john.id]
    # John gets one notice, from the chat mention, and none for the comment.
    john_notices = notifications(team.john)
    assert len(john_notices) == 1
    assert "mentioned you" in john_notices[0]["text"]


def test_socket_reply_becomes_comment(team, task, pump, gateway):
    thread = thread_of(team.anna, task["id"])
    add_connection("anna-tab", team.anna.id)
    frame = {
        "action": "send_message",
        "channel_id": thread["channel_id"],
        "thread_id": thread["thread_id"],
        "text": "С телефона",
        "request_id": "r1",
    }
    on_message("anna-tab", json.dumps(frame))
    assert gateway.events("anna-tab", "ack")
    pump.drain()

    assert [comment["text"] for comment in comments(team.owner, task["id"])] == [
        "С телефона"
    ]


def test_edit_and_delete_reply_change_comment(team, task, pump):
    message = reply_in_thread(team.anna, task["id"], "Черновик")
    pump.drain()

    edited = team.anna.client.patch(
        f"/api/chat/messages/{message['id']}", {"text": "Исправлено"}
    )
    assert edited.status == 200, edited.body
    pump.drain()
    comment = comments(team.owner, task["id"])[0]
    assert comment["text"] == "Исправлено"
    assert comment["edited_at"] is not None

    deleted = team.anna.client.delete(f"/api/chat/messages/{message['id']}")
    assert deleted.status == 200, deleted.body
    pump.drain()
    comment = comments(team.owner, task["id"])[0]
    assert comment["text"] == ""
    assert comment["deleted_at"] is not None


def test_reply_in_other_thread_is_not_comment(team, task, pump):
    thread = thread_of(team.anna, task["id"])
    # A plain message in the task's channel starts a thread of its own, which
    # is not the task's thread.
    root = team.anna.client.post(
        f"/api/chat/channels/{thread['channel_id']}/messages", {"text": "Отдельно"}
    ).json["message"]
    team.owner.client.post(
        f"/api/chat/channels/{thread['channel_id']}/messages",
        {"text": "Ответ не о задаче", "thread_id": root["id"]},
    )
    pump.drain()

    assert comments(team.owner, task["id"]) == []


# Imported tasks


def test_imported_task_is_quiet_until_someone_acts(team, pump):
    raw = (
        "Название;Email исполнителя;Комментарий\n"
        f"Сверить остатки;{team.anna.email};Старое обсуждение из Trello\n"
    ).encode()
    response = team.owner.client.post(
        "/api/tasks/import?format=csv",
        raw=raw,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status == 201, response.body
    (task_id,) = response.json["task_ids"]
    pump.drain()

    # Nobody is told about work that already existed, and no thread opens.
    imported = comments(team.anna, task_id)
    assert [(c["kind"], c["text"]) for c in imported] == [
        ("imported", "Старое обсуждение из Trello")
    ]
    assert notifications(team.anna) == []
    assert task_page(team.anna, task_id)["thread"] is None
    channels = team.anna.client.get("/api/chat/channels").json["channels"]
    assert [channel for channel in channels if channel["kind"] == "task"] == []

    # The first comment opens the thread with the task's people in it.
    comment = team.owner.client.post(
        f"/api/tasks/{task_id}/comments", {"text": "Проверь до пятницы"}
    )
    assert comment.status == 201, comment.body
    pump.drain()
    assert member_ids(team.anna, task_id) == {team.owner.id, team.anna.id}
    assert [reply["text"] for reply in replies(team.anna, task_id)] == [
        "Проверь до пятницы"
    ]
