"""Every stream batch delivered twice changes nothing the first delivery did not.

Lambda delivers a stream batch at least once: a timeout or a failed neighbour
sends the same records again, and a dead-letter replay runs a record once
more. The scenario below (people hired and removed, a task created, done and
commented, a payment request submitted and approved, a chat message) runs
through the real reactions while each batch is recorded. Then every recorded
batch goes to its reaction again, first with the idempotency records in place
and then with them cleared, as after their 24-hour window. The counts of
stored items by type (chat messages and notifications, memberships, webhook
deliveries, ...) and of webhook requests received stay as they were.
"""

import copy
from collections import Counter

import pytest

from chalicelib.auth.service import bootstrap_owner
from shtab_local.pump import LocalLambdaContext, StreamPump
from tests.integrations.webhook_receiver import allow_listed_receiver
from tests.support.api import ApiClient
from tests.support.fixtures import OWNER_EMAIL, OWNER_PASSWORD

SECRET = "redelivery-secret-0123456789-abcdef"
EVENTS = [
    "task.created",
    "task.done",
    "task.commented",
    "finance_request.status_changed",
    "user.hired",
    "user.deactivated",
]
# Tables whose items only bookkeep a delivery rather than its effects.
BOOKKEEPING_TABLES = ("idempotency", "deadletters")


class RecordingReactions:
    """Wraps each reaction to keep a copy of every batch it is given."""

    def __init__(self, reactions: dict) -> None:
        # (function name, reaction, batch)
        self.batches: list[tuple[str, object, dict]] = []
        self.recording = True
        self.reactions = {
            table: self._wrap(table, reaction) for table, reaction in reactions.items()
        }

    def _wrap(self, table: str, reaction):
        # Chalice wraps a Lambda function in an object without a __name__; the
        # pump then names the context after the table, and so does this.
        name = getattr(reaction, "__name__", table)

        def recorded(event, context):
            if self.recording:
                self.batches.append((name, reaction, copy.deepcopy(event)))
            return reaction(event, context)

        recorded.__name__ = name
        return recorded

    def redeliver(self) -> int:
        """Send every recorded batch to its reaction again; count the records."""
        self.recording = False
        records = 0
        for name, reaction, event in self.batches:
            result = reaction(copy.deepcopy(event), LocalLambdaContext(name))
            assert result["batchItemFailures"] == [], result
            records += len(event["Records"])
        return records


@pytest.fixture
def receiver(monkeypatch):
    yield from allow_listed_receiver(monkeypatch)


def item_counts(database) -> Counter:
    """Count the stored items of every table by table and item type.

    The Scan is test bookkeeping on its own client, outside the request paths
    that ``no_scans`` watches.
    """
    client = database.client()
    counts: Counter = Counter()
    for name in database.table_names():
        short = name.removeprefix(database.prefix)
        if short in BOOKKEEPING_TABLES:
            continue
        for page in client.get_paginator("scan").paginate(TableName=name):
            for item in page["Items"]:
                item_type = item.get("item_type", {}).get("S", "-")
                counts[f"{short}:{item_type}"] += 1
    return counts


def clear_idempotency(database) -> int:
    client = database.client()
    table = database.prefix + "idempotency"
    keys = [
        {"id": item["id"]}
        for page in client.get_paginator("scan").paginate(TableName=table)
        for item in page["Items"]
    ]
    for key in keys:
        client.delete_item(TableName=table, Key=key)
    return len(keys)


def test_every_batch_twice_duplicates_nothing(
    tables, http_gateway, gateway, app_module, receiver
):
    recording = RecordingReactions(app_module.STREAM_REACTIONS)
    pump = StreamPump(tables.endpoint, recording.reactions, tables.prefix)
    pump.attach()
    api = ApiClient(http_gateway)

    def sign_in(email: str, password: str) -> ApiClient:
        response = api.post("/api/auth/login", {"email": email, "password": password})
        assert response.status == 200, response.body
        return api.as_user(response.json["token"])

    bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
    owner = sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    assert owner.post("/api/org/templates/marketplace-business/apply").status == 200
    pump.drain()
    positions = {
        item["name_en"]: item["id"]
        for item in owner.get("/api/org/positions").json["positions"]
    }
    subscribed = owner.post(
        "/api/integrations/subscriptions",
        {"url": receiver.url(), "events": EVENTS, "secret": SECRET},
    )
    assert subscribed.status == 201, subscribed.body

    def hire(number: int, name: str, position: str, role: str = "employee"):
        email, password = f"redelivery{number}@example.com", f"password-{number}-long"
        body = {
            "email": email,
            "name": name,
            "role": role,
            "password": password,
            "position_id": positions[position],
        }
        response = owner.post("/api/users", body)
        assert response.status == 201, response.body
        pump.drain()
        return response.json["user"]["id"], sign_in(email, password)

    anna_id, anna = hire(1, "Анна", "Wildberries account manager")
    _, boris = hire(2, "Борис", "Head of marketplaces", role="manager")
    petr_id, _ = hire(3, "Пётр", "Ozon account manager")

    task = owner.post(
        "/api/tasks", {"title": "Сверить остатки", "assignee_id": anna_id}
    )
    assert task.status == 201, task.body
    task_id = task.json["task"]["id"]
    pump.drain()
    assert anna.patch(f"/api/tasks/{task_id}", {"status": "done"}).status == 200
    comment = anna.post(f"/api/tasks/{task_id}/comments", {"text": "Сверено"})
    assert comment.status == 201, comment.body

    request = anna.post(
        "/api/finance/requests",
        {
            "amount": "4200.00",
            "currency": "RUB",
            "category_id": "purchase-of-goods",
            "counterparty": "ООО «Коробка»",
            "problem": "Нет коробок",
            "solution": "Купить коробки",
            "pay_by": "2026-12-15",
            "period": "2026-12",
        },
    )
    assert request.status == 201, request.body
    request_id = request.json["request"]["id"]
    assert anna.post(f"/api/finance/requests/{request_id}/submit").status == 200
    pump.drain()
    approved = boris.post(f"/api/finance/requests/{request_id}/approve")
    assert approved.status == 200, approved.body

    channels = owner.get("/api/chat/channels").json["channels"]
    general = next(channel for channel in channels if channel["kind"] == "general")
    posted = owner.post(
        f"/api/chat/channels/{general['id']}/messages", {"text": "Всем привет"}
    )
    assert posted.status == 201, posted.body
    assert owner.delete(f"/api/users/{petr_id}").status in (200, 204)
    pump.drain()

    once = item_counts(tables)
    received_once = len(receiver.received)
    assert once["chat:message"] > 0
    assert once["chat:member"] > 0
    assert once["integrations:delivery"] >= 6
    assert received_once == once["integrations:delivery"]

    # Again, with the idempotency records of the first delivery in place.
    records = recording.redeliver()
    pump.drain()
    assert item_counts(tables) == once
    assert len(receiver.received) == received_once

    # Again, with them gone: the reactions' own checks must hold.
    assert clear_idempotency(tables) > 0
    assert recording.redeliver() == records
    pump.drain()
    # Nothing is sent twice, and an event from before the subscription was
    # made (the owner's user.hired) is not sent late either.
    assert receiver.received[received_once:] == []
    assert item_counts(tables) == once
    event_ids = [request.headers["X-Shtab-Event-Id"] for request in receiver.received]
    assert len(set(event_ids)) == len(event_ids)
    assert records > 50
