"""Outbound webhooks end to end: real stream records, a loopback receiver.

Each test changes data through the API, drains the streams so the real
reactions run, and checks what the receiver got. Retries run through the
retry function with a clock moved forward, as the scheduler would call it.
"""

from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.integrations import delivery_attempts, outbound
from chalicelib.integrations.retry_schedule import MAX_ATTEMPTS, RETRY_DELAYS
from shtab_local.pump import LocalLambdaContext
from shtab_local.scheduler import Scheduler, scheduled_event, scheduled_functions
from tests.integrations.webhook_receiver import (
    allow_listed_receiver,
    fake_dns,
    install_guard,
    later,
)

SECRET = "receiver-secret-0123456789-abcdef"


@pytest.fixture
def receiver(monkeypatch):
    yield from allow_listed_receiver(monkeypatch)


@pytest.fixture
def guard(monkeypatch):
    return install_guard(monkeypatch)


def subscribe(owner, url: str, events: list[str], **fields) -> dict:
    body = {"url": url, "events": events, "secret": SECRET, **fields}
    response = owner.client.post("/api/integrations/subscriptions", body)
    assert response.status == 201, response.body
    return response.json["subscription"]


def create_task(owner, pump, title: str = "Отгрузить поставку") -> dict:
    response = owner.client.post(
        "/api/tasks", {"title": title, "assignee_id": owner.id}
    )
    assert response.status == 201, response.body
    pump.drain()
    return response.json["task"]


def deliveries(owner, subscription_id: str) -> list[dict]:
    response = owner.client.get(
        f"/api/integrations/subscriptions/{subscription_id}/deliveries"
    )
    assert response.status == 200, response.body
    return response.json["deliveries"]


def test_task_created_delivered_signed(owner, pump, receiver):
    subscription = subscribe(owner, receiver.url(), ["task.created"])
    task = create_task(owner, pump)

    assert len(receiver.received) == 1
    request = receiver.received[0]
    request.verify(SECRET)
    payload = request.json
    assert payload["type"] == "task.created"
    assert payload["id"] == request.headers["X-Shtab-Event-Id"]
    assert payload["data"]["task"]["id"] == task["id"]
    assert payload["data"]["task"]["title"] == "Отгрузить поставку"
    assert payload["data"]["actor"]["id"] == owner.id
    assert payload["occurred_at"].endswith("Z")
    assert request.headers["Content-Type"].startswith("application/json")

    [delivery] = deliveries(owner, subscription["id"])
    assert delivery["status"] == "delivered"
    assert delivery["event_id"] == payload["id"]
    assert delivery["attempts"][0]["status_code"] == 200
    assert delivery["attempts"][0]["duration_ms"] >= 0
    assert delivery["attempts"][0]["error"] is None


def test_tampered_body_fails_verification(owner, pump, receiver):
    subscribe(owner, receiver.url(), ["task.created"])
    create_task(owner, pump)
    request = receiver.received[0]
    request.body = request.body.replace(b"Z", b"z", 1)
    with pytest.raises(Exception, match="does not match"):
        request.verify(SECRET)


def test_unsubscribed_event_not_sent(owner, pump, receiver):
    subscribe(owner, receiver.url(), ["task.done"])
    create_task(owner, pump)
    assert receiver.received == []


def test_redelivered_record_sends_nothing_twice(owner, pump, receiver):
    subscription = subscribe(owner, receiver.url(), ["task.created"])
    task = create_task(owner, pump)
    history = owner.client.get(f"/api/tasks/{task['id']}/history").json
    created = next(
        entry for entry in history["entries"] if entry["action"] == "created"
    )
    event_id = receiver.received[0].headers["X-Shtab-Event-Id"]

    # The same change seen again (a retried batch) maps to the same event id,
    # so the conditional put stores no second delivery.
    from chalicelib.integrations.events import event_id as derive

    assert event_id == derive(_parse(created["at"]), "task.created", task["id"])
    stored = outbound.fan_out(
        "task.created",
        event_id,
        _parse(created["at"]),
        lambda: {"again": True},
    )
    assert stored == 0
    assert len(receiver.received) == 1
    assert len(deliveries(owner, subscription["id"])) == 1


def _parse(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_failure_then_success_keeps_event_id(owner, pump, receiver):
    receiver.answers = [(500, {})]
    subscription = subscribe(owner, receiver.url(), ["task.created"])
    create_task(owner, pump)

    [delivery] = deliveries(owner, subscription["id"])
    assert delivery["status"] == "pending"
    first = delivery["attempts"][0]
    assert first["status_code"] == 500
    assert "HTTP 500" in first["error"]
    assert first["next_attempt_at"] == delivery["next_attempt_at"]

    # Not due yet: nothing is sent.
    assert outbound.retry_due(now=later(RETRY_DELAYS[0].seconds - 5)) == {}
    assert len(receiver.received) == 1

    assert outbound.retry_due(now=later(RETRY_DELAYS[0].seconds + 1)) == {
        "delivered": 1
    }
    assert len(receiver.received) == 2
    first_request, second_request = receiver.received
    assert (
        first_request.headers["X-Shtab-Event-Id"]
        == second_request.headers["X-Shtab-Event-Id"]
    )
    assert first_request.body == second_request.body
    second_request.verify(SECRET)

    [delivery] = deliveries(owner, subscription["id"])
    assert delivery["status"] == "delivered"
    assert [attempt["status_code"] for attempt in delivery["attempts"]] == [500, 200]
    assert delivery["next_attempt_at"] is None


def test_scheduled_function_runs_retries(
    owner, pump, receiver, monkeypatch, app_module
):
    receiver.answers = [(503, {})]
    subscribe(owner, receiver.url(), ["task.created"])
    create_task(owner, pump)
    assert len(receiver.received) == 1

    moved = later(RETRY_DELAYS[0].seconds + 1)
    monkeypatch.setattr(clock, "utc_now", lambda: moved)
    functions = {
        function.name: function
        for function in scheduled_functions(app_module.app, app_module)
    }
    retry = functions["retry_webhook_deliveries"]
    minute = moved.replace(second=0, microsecond=0)
    assert retry.matches(minute)
    assert "retry_webhook_deliveries" in Scheduler([retry]).run_due(minute)
    assert len(receiver.received) == 2

    # The handler as Lambda calls it, with an EventBridge event.
    result = app_module.retry_webhook_deliveries(
        scheduled_event("retry_webhook_deliveries", minute),
        LocalLambdaContext("retry_webhook_deliveries"),
    )
    assert result == {}


def test_exhausted_delivery_parked_then_replayed(owner, pump, receiver):
    receiver.default_answer = (503, {})
    subscription = subscribe(owner, receiver.url(), ["task.created"])
    create_task(owner, pump)

    moment = clock.utc_now()
    for delay in RETRY_DELAYS:
        moment += delay + timedelta(seconds=1)
        outbound.retry_due(now=moment)
    assert len(receiver.received) == MAX_ATTEMPTS
    # Nothing more is ever due.
    assert outbound.retry_due(now=moment + timedelta(days=2)) == {}
    assert len(receiver.received) == MAX_ATTEMPTS

    [delivery] = deliveries(owner, subscription["id"])
    assert delivery["status"] == "dead"
    assert delivery["attempt_count"] == MAX_ATTEMPTS
    assert delivery["attempts"][-1]["next_attempt_at"] is None

    letters = owner.client.get("/api/integrations/dead-letters").json
    [letter] = letters["dead_letters"]
    assert letter["delivery_id"] == delivery["id"]
    assert letter["event_id"] == delivery["event_id"]
    assert letter["last_status_code"] == 503
    assert letter["attempt_count"] == MAX_ATTEMPTS

    receiver.default_answer = (204, {})
    replayed = owner.client.post(
        f"/api/integrations/deliveries/{delivery['id']}/replay"
    )
    assert replayed.status == 200, replayed.body
    assert replayed.json["delivery"]["status"] == "delivered"
    assert replayed.json["delivery"]["attempts"][-1]["replayed_by"] == owner.id
    assert len(receiver.received) == MAX_ATTEMPTS + 1
    assert {item.headers["X-Shtab-Event-Id"] for item in receiver.received} == {
        delivery["event_id"]
    }
    receiver.received[-1].verify(SECRET)
    assert owner.client.get("/api/integrations/dead-letters").json["dead_letters"] == []


def test_replay_of_delivered_sends_again(owner, pump, receiver):
    subscription = subscribe(owner, receiver.url(), ["task.created"])
    create_task(owner, pump)
    [delivery] = deliveries(owner, subscription["id"])
    response = owner.client.post(
        f"/api/integrations/deliveries/{delivery['id']}/replay", {}
    )
    assert response.status == 200, response.body
    assert len(receiver.received) == 2
    assert response.json["delivery"]["attempt_count"] == 2


def test_replay_needs_active_subscription(owner, pump, receiver):
    subscription = subscribe(owner, receiver.url(), ["task.created"])
    create_task(owner, pump)
    [delivery] = deliveries(owner, subscription["id"])
    paused = owner.client.patch(
        f"/api/integrations/subscriptions/{subscription['id']}", {"active": False}
    )
    assert paused.status == 200, paused.body
    response = owner.client.post(
        f"/api/integrations/deliveries/{delivery['id']}/replay"
    )
    assert response.status == 409
    assert "paused" in response.json["error"]["message"]

    owner.client.delete(f"/api/integrations/subscriptions/{subscription['id']}")
    response = owner.client.post(
        f"/api/integrations/deliveries/{delivery['id']}/replay"
    )
    assert response.status == 409
    assert "deleted" in response.json["error"]["message"]
    assert len(receiver.received) == 1


def test_paused_subscription_cancels_pending(owner, pump, receiver):
    receiver.answers = [(500, {})]
    subscription = subscribe(owner, receiver.url(), ["task.created"])
    create_task(owner, pump)
    owner.client.patch(
        f"/api/integrations/subscriptions/{subscription['id']}", {"active": False}
    )
    assert outbound.retry_due(now=later(3600)) == {"cancelled": 1}
    assert len(receiver.received) == 1
    [delivery] = deliveries(owner, subscription["id"])
    assert delivery["status"] == "cancelled"

    create_task(owner, pump, "Ещё задача")
    assert len(receiver.received) == 1


def test_redirect_to_private_blocked_at_delivery(owner, pump, receiver, guard):
    receiver.default_answer = (
        302,
        {"Location": "http://169.254.169.254/latest/meta-data/iam"},
    )
    subscription = subscribe(owner, receiver.url(), ["task.created"])
    create_task(owner, pump)

    assert len(receiver.received) == 1
    assert "169.254.169.254" not in guard.targets()
    [delivery] = deliveries(owner, subscription["id"])
    attempt = delivery["attempts"][0]
    assert attempt["status_code"] is None
    assert "blocked" in attempt["error"]
    assert "metadata" in attempt["error"]
    assert attempt["url"] == "http://169.254.169.254/latest/meta-data/iam"
    assert delivery["status"] == "pending"


def test_dns_checked_again_at_delivery(owner, pump, monkeypatch, guard):
    fake_dns(monkeypatch, {"hooks.example.test": ["93.184.216.34"]})
    subscription = subscribe(owner, "http://hooks.example.test/in", ["task.created"])

    # The name now points inside the network, as in DNS rebinding.
    fake_dns(monkeypatch, {"hooks.example.test": ["10.0.0.7"]})
    create_task(owner, pump)

    [delivery] = deliveries(owner, subscription["id"])
    error = delivery["attempts"][0]["error"]
    assert "hooks.example.test resolves to 10.0.0.7" in error
    assert "10.0.0.7" not in guard.targets()
    assert "93.184.216.34" not in guard.targets()


def test_task_done_and_commented(owner, pump, receiver):
    subscribe(owner, receiver.url(), ["task.done", "task.commented"])
    task = create_task(owner, pump)
    comment = owner.client.post(
        f"/api/tasks/{task['id']}/comments", {"text": "Коробки заказаны"}
    )
    assert comment.status == 201, comment.body
    done = owner.client.patch(f"/api/tasks/{task['id']}", {"status": "done"})
    assert done.status == 200, done.body
    pump.drain()

    by_type = {item.json["type"]: item.json for item in receiver.received}
    assert sorted(by_type) == ["task.commented", "task.done"]
    assert by_type["task.commented"]["data"]["comment"]["text"] == "Коробки заказаны"
    assert by_type["task.done"]["data"]["task"]["status"] == "done"
    assert by_type["task.done"]["data"]["previous_status"] == "new"


def test_user_hired_and_deactivated(owner, pump, receiver, hire):
    # The owner's own hire is still in the stream; it goes before subscribing.
    pump.drain()
    subscribe(owner, receiver.url(), ["user.hired", "user.deactivated"])
    person = hire("Вера")
    response = owner.client.delete(f"/api/users/{person.id}")
    assert response.status in (200, 204), response.body
    pump.drain()

    events = [item.json for item in receiver.received]
    assert [event["type"] for event in events] == ["user.hired", "user.deactivated"]
    assert {event["data"]["user"]["id"] for event in events} == {person.id}
    assert events[1]["data"]["user"]["status"] == "deactivated"
    assert events[0]["id"] != events[1]["id"]


def test_message_posted_only_for_its_channel(owner, pump, receiver):
    pump.drain()
    channels = owner.client.get("/api/chat/channels").json["channels"]
    created = owner.client.post("/api/chat/channels", {"name": "Вебхуки"})
    assert created.status == 201, created.body
    watched = created.json["channel"]["id"]
    other = next(channel["id"] for channel in channels if channel["id"] != watched)
    subscribe(owner, receiver.url(), ["message.posted"], channel_id=watched)

    for channel_id, text in ((other, "не сюда"), (watched, "сюда")):
        posted = owner.client.post(
            f"/api/chat/channels/{channel_id}/messages", {"text": text}
        )
        assert posted.status == 201, posted.body
    pump.drain()

    [request] = receiver.received
    message = request.json["data"]["message"]
    assert message["text"] == "сюда"
    assert message["channel_id"] == watched


def test_finance_status_change_delivered(owner, pump, receiver, company):
    subscribe(owner, receiver.url(), ["finance_request.status_changed"])
    body = {
        "amount": "100.00",
        "category_id": "purchase-of-goods",
        "counterparty": "ООО «Ромашка»",
        "problem": "Нужны коробки",
        "solution": "Купить 500 коробок",
        "pay_by": "2026-12-15",
        "period": "2026-12",
    }
    created = owner.client.post("/api/finance/requests", body)
    assert created.status == 201, created.body
    request_id = created.json["request"]["id"]
    submitted = owner.client.post(f"/api/finance/requests/{request_id}/submit")
    assert submitted.status == 200, submitted.body
    pump.drain()

    # Creating the draft is no status change; submitting is.
    changes = [item.json["data"] for item in receiver.received]
    assert changes, "no status change was delivered"
    assert changes[0]["request"]["id"] == request_id
    assert changes[0]["action"] == "submitted"
    assert changes[0]["from_status"] == "draft"
    assert changes[0]["to_status"] != "draft"
    assert changes[0]["request"]["amount_minor"] == 10000


def test_article_published_delivered(owner, pump, receiver, company):
    subscribe(owner, receiver.url(), ["article.published"])
    department = company["departments"]["Management"]["id"]
    created = owner.client.post(
        "/api/kb/articles",
        {
            "section_id": f"dept-{department}-instructions",
            "title": "Как отгрузить поставку",
            "body": "Шаги.",
            "status": "published",
        },
    )
    assert created.status == 201, created.body
    pump.drain()

    article_id = created.json["article"]["id"]
    [request] = [
        item
        for item in receiver.received
        if item.json["data"]["article"]["id"] == article_id
    ]
    assert request.json["type"] == "article.published"
    assert request.json["data"]["article"]["edition"] >= 1
    assert request.json["data"]["article"]["title"] == "Как отгрузить поставку"


def test_due_index_lists_only_pending(owner, pump, receiver):
    receiver.answers = [(500, {})]
    subscription = subscribe(owner, receiver.url(), ["task.created"])
    create_task(owner, pump)
    [delivery] = deliveries(owner, subscription["id"])
    assert delivery_attempts.due_delivery_ids(later(3600), 10) == [delivery["id"]]
    outbound.retry_due(now=later(3600))
    assert delivery_attempts.due_delivery_ids(later(7200), 10) == []
