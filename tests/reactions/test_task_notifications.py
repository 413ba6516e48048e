"""Task events become notifications in the right person's chat, once each."""

import pytest

from chalicelib.chat.connections import add_connection


def _notifications(person) -> list[dict]:
    channels = person.client.get("/api/chat/channels").json["channels"]
    channel = next(c for c in channels if c["kind"] == "notifications")
    page = person.client.get(f"/api/chat/channels/{channel['id']}/messages").json
    return page["messages"]


@pytest.fixture
def team(company, hire, owner):
    wb = company["positions"]["Wildberries account manager"]
    anna = hire("Анна", wb["id"])
    john = hire("John", wb["id"], locale="en")
    return owner, anna, john


def test_assigned_task_notifies_assignee(team, pump):
    owner, anna, _ = team
    created = owner.client.post(
        "/api/tasks",
        {"title": "Обновить цены", "assignee_id": anna.id, "due_date": "2026-12-10"},
    )
    assert created.status == 201
    pump.drain()

    messages = _notifications(anna)
    assert len(messages) == 1
    assert messages[0]["kind"] == "notification"
    assert "Обновить цены" in messages[0]["text"]
    assert "поставил" in messages[0]["text"]
    assert messages[0]["link"] == f"#/tasks/{created.json['task']['id']}"


def test_notification_in_recipients_language(team, pump):
    owner, _, john = team
    owner.client.post("/api/tasks", {"title": "Check stock", "assignee_id": john.id})
    pump.drain()

    messages = _notifications(john)
    assert len(messages) == 1
    assert messages[0]["text"].startswith("📌 Owner assigned you the task")


def test_self_assigned_task_sends_nothing(team, pump):
    _, anna, _ = team
    anna.client.post("/api/tasks", {"title": "Себе", "assignee_id": anna.id})
    pump.drain()
    assert _notifications(anna) == []


def test_done_and_comment_notify_creator(team, pump):
    owner, anna, _ = team
    task = owner.client.post(
        "/api/tasks", {"title": "Фото", "assignee_id": anna.id}
    ).json["task"]
    pump.drain()

    assert (
        anna.client.patch(f"/api/tasks/{task['id']}", {"status": "done"}).status == 200
    )
    assert (
        anna.client.post(
            f"/api/tasks/{task['id']}/comments", {"text": "Готово, см. папку"}
        ).status
        == 201
    )
    pump.drain()

    texts = [m["text"] for m in _notifications(owner)]
    assert len(texts) == 2
    assert any("выполнил" in text for text in texts)
    assert any("Готово, см. папку" in text for text in texts)


def test_reassignment_notifies_both_assignees(team, pump):
    owner, anna, john = team
    task = owner.client.post(
        "/api/tasks", {"title": "Отчёт", "assignee_id": anna.id}
    ).json["task"]
    owner.client.patch(f"/api/tasks/{task['id']}", {"assignee_id": john.id})
    pump.drain()

    anna_texts = [message["text"] for message in _notifications(anna)]
    assert len(anna_texts) == 2
    assert "поставил" in anna_texts[1]
    assert "другому ответственному: John" in anna_texts[0]
    john_messages = _notifications(john)
    assert len(john_messages) == 1
    assert "reassigned the task" in john_messages[0]["text"]
    assert "to you" in john_messages[0]["text"]
    assert "it was with Анна" in john_messages[0]["text"]


def test_notification_pushed_live(team, pump, gateway):
    owner, anna, _ = team
    add_connection("anna-browser", anna.id)
    owner.client.post("/api/tasks", {"title": "Срочно", "assignee_id": anna.id})
    pump.drain()

    # Anna is also in the task's chat channel, which gets its root message and
    # the event reply; the personal notification is the one outside a thread.
    pushed = [
        event
        for event in gateway.events("anna-browser", "message.created")
        if event["message"]["kind"] == "notification"
        and event["message"]["thread_id"] is None
    ]
    assert len(pushed) == 1
    assert pushed[0]["message"]["link"].startswith("#/tasks/")


def test_redelivered_batch_notifies_once(team, pump, app_module, tables):
    """Replaying the same stream records adds no second notification."""
    owner, anna, _ = team
    owner.client.post("/api/tasks", {"title": "Один раз", "assignee_id": anna.id})

    import boto3

    streams = boto3.client("dynamodbstreams", endpoint_url=tables.endpoint)
    table = boto3.client("dynamodb", endpoint_url=tables.endpoint).describe_table(
        TableName=tables.prefix + "tasks"
    )["Table"]
    shard = streams.describe_stream(StreamArn=table["LatestStreamArn"])[
        "StreamDescription"
    ]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=table["LatestStreamArn"],
        ShardId=shard["ShardId"],
        ShardIteratorType="TRIM_HORIZON",
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    for record in records:
        created = record["dynamodb"]["ApproximateCreationDateTime"]
        record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
    pump.drain()

    from shtab_local.pump import LocalLambdaContext

    context = LocalLambdaContext("notification_reactions")
    first = app_module.notification_reactions({"Records": records}, context)
    second = app_module.notification_reactions({"Records": records}, context)
    pump.drain()

    assert first == {"batchItemFailures": []}
    assert second == {"batchItemFailures": []}
    assert len(_notifications(anna)) == 1


def test_repeated_notify_posts_once(team, pump):
    """Without the idempotency record, the derived message id still blocks a repost."""
    from datetime import UTC, datetime

    from chalicelib.notifications.service import notify

    _, anna, _ = team
    moment = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    task = {"task_id": "t1", "title": "X", "due_date": None}
    first = notify(
        anna.id,
        "task_assigned",
        event_id="e1",
        happened_at=moment,
        task=task,
        actor_name="A",
    )
    second = notify(
        anna.id,
        "task_assigned",
        event_id="e1",
        happened_at=moment,
        task=task,
        actor_name="A",
    )
    assert first is True
    assert second is False


def test_notifications_sorted_within_one_second(team, pump):
    owner, anna, _ = team
    task = owner.client.post(
        "/api/tasks", {"title": "Порядок", "assignee_id": anna.id}
    ).json["task"]
    owner.client.post(f"/api/tasks/{task['id']}/comments", {"text": "Первый коммент"})
    pump.drain()

    texts = [message["text"] for message in _notifications(anna)]
    assert len(texts) == 2
    assert "Первый коммент" in texts[0]
    assert "поставил" in texts[1]


@pytest.fixture
def people(team, hire, company):
    """The team plus Борис, who manages marketplaces, and Катя from content."""
    owner, anna, john = team
    boris = hire(
        "Борис", company["positions"]["Head of marketplaces"]["id"], role="manager"
    )
    katya = hire("Катя", company["positions"]["Content manager"]["id"])
    return owner, anna, john, boris, katya


def _texts(person) -> list[str]:
    return [message["text"] for message in _notifications(person)]


def test_co_assignees_notified_on_create(people, pump):
    owner, anna, john, _, _ = people
    owner.client.post(
        "/api/tasks",
        {"title": "Акция", "assignee_id": anna.id, "co_assignee_ids": [john.id]},
    )
    pump.drain()
    assert len(_texts(anna)) == 1
    john_texts = _texts(john)
    assert len(john_texts) == 1
    assert "as a co-assignee" in john_texts[0]


def test_review_and_return_notify(people, pump):
    owner, anna, _, boris, _ = people
    task = owner.client.post(
        "/api/tasks",
        {
            "title": "Карточки",
            "assignee_id": anna.id,
            "requires_review": True,
            "reviewer_id": boris.id,
            "watcher_ids": [boris.id],
        },
    ).json["task"]
    anna.client.patch(f"/api/tasks/{task['id']}", {"status": "review"})
    pump.drain()
    boris_texts = _texts(boris)
    assert len(boris_texts) == 1
    assert "на проверку" in boris_texts[0]
    # The creator is not the reviewer here, so the review request is Борис's.
    assert _texts(owner) == []

    boris.client.patch(
        f"/api/tasks/{task['id']}",
        {"status": "in_progress", "comment": "Нет фото на белом фоне"},
    )
    pump.drain()
    anna_texts = _texts(anna)
    assert len(anna_texts) == 2
    assert "вернул(а) на доработку" in anna_texts[0]
    assert "Нет фото на белом фоне" in anna_texts[0]
    # The return's comment is posted once, as the return, not again as a comment.
    assert len(_texts(owner)) == 0

    anna.client.patch(f"/api/tasks/{task['id']}", {"status": "review"})
    boris.client.patch(f"/api/tasks/{task['id']}", {"status": "done"})
    pump.drain()
    assert "принял(а) и закрыл(а)" in _texts(anna)[0]
    owner_texts = _texts(owner)
    assert len(owner_texts) == 1
    assert "принял(а) и закрыл(а)" in owner_texts[0]
    # Борис closed it himself, so the done message skips him.
    assert len(_texts(boris)) == 2


def test_done_notifies_everyone_on_task(people, pump):
    owner, anna, john, boris, katya = people
    task = owner.client.post(
        "/api/tasks",
        {
            "title": "Инвентаризация",
            "assignee_id": anna.id,
            "co_assignee_ids": [john.id],
            "watcher_ids": [boris.id],
        },
    ).json["task"]
    pump.drain()
    anna.client.patch(f"/api/tasks/{task['id']}", {"status": "done"})
    pump.drain()
    assert any("выполнил" in text for text in _texts(owner))
    assert any("completed the task" in text for text in _texts(john))
    assert any("выполнил" in text for text in _texts(boris))
    assert not any("выполнил" in text for text in _texts(anna))
    assert _texts(katya) == []


def test_mention_notifies_outsider_once(people, pump):
    owner, anna, john, _, katya = people
    task = owner.client.post(
        "/api/tasks",
        {"title": "Фото", "assignee_id": anna.id, "co_assignee_ids": [john.id]},
    ).json["task"]
    pump.drain()
    response = anna.client.post(
        f"/api/tasks/{task['id']}/comments",
        {"text": "Катя и John, посмотрите", "mentions": [katya.id, john.id]},
    )
    assert response.status == 201
    pump.drain()

    katya_texts = _texts(katya)
    assert len(katya_texts) == 1
    assert "упомянул(а) вас" in katya_texts[0]
    john_texts = _texts(john)
    # John is on the task and mentioned: one message, the mention.
    assert len(john_texts) == 2
    assert "mentioned you" in john_texts[0]
    owner_texts = _texts(owner)
    assert len(owner_texts) == 1
    assert "прокомментировал(а)" in owner_texts[0]
    assert all("посмотрите" not in text for text in _texts(anna))


def test_replayed_history_and_comments_post_once(people, pump, app_module, tables):
    """Every record of a busy task, delivered twice more, adds no message."""
    owner, anna, john, boris, katya = people
    task = owner.client.post(
        "/api/tasks",
        {
            "title": "Повтор",
            "assignee_id": anna.id,
            "requires_review": True,
            "watcher_ids": [boris.id],
        },
    ).json["task"]
    owner.client.patch(f"/api/tasks/{task['id']}", {"assignee_id": john.id})
    john.client.patch(f"/api/tasks/{task['id']}", {"status": "review"})
    owner.client.patch(
        f"/api/tasks/{task['id']}", {"status": "in_progress", "comment": "Ещё раз"}
    )
    john.client.post(
        f"/api/tasks/{task['id']}/comments",
        {"text": "Катя, помоги", "mentions": [katya.id]},
    )
    pump.drain()
    before = {person.id: _texts(person) for person in people}

    import boto3

    from shtab_local.pump import LocalLambdaContext

    streams = boto3.client("dynamodbstreams", endpoint_url=tables.endpoint)
    table = boto3.client("dynamodb", endpoint_url=tables.endpoint).describe_table(
        TableName=tables.prefix + "tasks"
    )["Table"]
    shard = streams.describe_stream(StreamArn=table["LatestStreamArn"])[
        "StreamDescription"
    ]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=table["LatestStreamArn"],
        ShardId=shard["ShardId"],
        ShardIteratorType="TRIM_HORIZON",
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    for record in records:
        created = record["dynamodb"]["ApproximateCreationDateTime"]
        record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
        # A new event id defeats the idempotency record, so only the derived
        # message ids stand between a replay and a second message.
        record["eventID"] = "replay-" + record["eventID"]
    context = LocalLambdaContext("notification_reactions")
    for _ in range(2):
        result = app_module.notification_reactions({"Records": records}, context)
        assert result == {"batchItemFailures": []}
    pump.drain()

    after = {person.id: _texts(person) for person in people}
    assert after == before
    assert len(before[anna.id]) == 2  # assigned, then reassigned away
    assert len(before[katya.id]) == 1  # mentioned
