"""Inbound webhooks end to end: signatures, idempotency and each action.

Every delivery goes through the HTTP route with real signatures, and the
stream pump then runs the reactions that notify people and deliver messages.
"""

import hashlib
import json
import threading
import time
from datetime import timedelta

import pytest

from chalicelib.chat.connections import add_connection
from chalicelib.clock import utc_now
from chalicelib.integrations import hook_actions, hooks
from chalicelib.tasks.models import Task
from shtab_local.dynamodb import serialize_writes
from tests.integrations.hooks_support import (
    build_world,
    create_hook,
    deliver,
    load_example,
    new_delivery_id,
    signed_headers,
)


@pytest.fixture(scope="module")
def world(database, http_gateway, app_module):
    yield from build_world(database, http_gateway, app_module)


def _task_hook(world, **template) -> dict:
    body = {
        "name": "Склад WB",
        "action": "create_task",
        "template": {
            "title": "Пополнить {{ payload.sku }}",
            "assignee_user_id": world.leo.id,
            **template,
        },
    }
    return create_hook(world.owner, body)


def _deliveries(world, hook: dict, query: str = "") -> dict:
    response = world.owner.client.get(
        f"/api/integrations/hooks/{hook['id']}/deliveries{query}"
    )
    assert response.status == 200, response.body
    return response.json


def _notifications(person) -> list[dict]:
    channels = person.client.get("/api/chat/channels").json["channels"]
    channel = next(c for c in channels if c["kind"] == "notifications")
    page = person.client.get(f"/api/chat/channels/{channel['id']}/messages").json
    return page["messages"]


def _created_tasks(world, hook: dict) -> list[Task]:
    """Return the tasks the hook created, read through the creator index."""
    return list(Task.creator_index.query(f"hook:{hook['id']}"))


def _stale_attempt(hook: dict, body: bytes, delivery_id: str, started_at) -> None:
    """Store a claimed delivery whose attempt started at ``started_at``."""
    entry_id = "01JAAAAAAAAAAAAAAAAAAAAAAA"
    entry = hooks.HookDelivery(
        hooks.deliveries_pk(hook["id"]),
        f"{hooks.LOG_PREFIX}{entry_id}",
        entry_id=entry_id,
        hook_id=hook["id"],
        delivery_id=delivery_id,
        body_bytes=len(body),
        received_at=started_at,
        started_at=started_at,
        expires_at=utc_now() + timedelta(days=1),
    )
    entry.save()
    hooks.HookDeliveryClaim(
        hooks.deliveries_pk(hook["id"]),
        f"{hooks.CLAIM_PREFIX}{delivery_id}",
        delivery_id=delivery_id,
        body_sha256=hashlib.sha256(body).hexdigest(),
        log_sk=entry.sk,
        expires_at=utc_now() + timedelta(days=1),
    ).save()


# Managing hooks


def test_secret_shown_only_at_creation(world):
    hook = _task_hook(world)
    assert len(hook["secret"]) == 64
    assert hook["url"].endswith(f"/api/hooks/{hook['id']}")

    read = world.owner.client.get(f"/api/integrations/hooks/{hook['id']}")
    assert read.status == 200
    assert "secret" not in read.json["hook"]
    assert read.json["hook"]["template"]["title"] == "Пополнить {{ payload.sku }}"

    listed = world.owner.client.get("/api/integrations/hooks").json["hooks"]
    assert hook["id"] in [item["id"] for item in listed]
    assert all("secret" not in item for item in listed)


def test_rotated_secret_replaces_old(world):
    hook = _task_hook(world)
    rotated = world.owner.client.post(
        f"/api/integrations/hooks/{hook['id']}/rotate-secret"
    )
    assert rotated.status == 200, rotated.body
    new_secret = rotated.json["hook"]["secret"]
    assert new_secret != hook["secret"]

    old = deliver(world.api, hook, {"sku": "A-1"})
    assert old.status == 401
    fresh = deliver(world.api, {**hook, "secret": new_secret}, {"sku": "A-1"})
    assert fresh.status == 200, fresh.body


def test_employee_cannot_manage_hooks(world):
    hook = _task_hook(world)
    client = world.anna.client
    assert client.get("/api/integrations/hooks").status == 403
    assert client.get(f"/api/integrations/hooks/{hook['id']}").status == 403
    assert client.delete(f"/api/integrations/hooks/{hook['id']}").status == 403
    created = client.post(
        "/api/integrations/hooks",
        {"name": "x", "action": "post_message", "template": {}},
    )
    assert created.status == 403


def test_unsigned_management_call_is_401(world):
    response = world.api.as_user("").get("/api/integrations/hooks")
    assert response.status == 401


def test_deleted_hook_stops_receiving(world):
    hook = _task_hook(world)
    assert deliver(world.api, hook, {"sku": "B-1"}).status == 200
    deleted = world.owner.client.delete(f"/api/integrations/hooks/{hook['id']}")
    assert deleted.status == 204

    assert deliver(world.api, hook, {"sku": "B-2"}).status == 404
    read = world.owner.client.get(f"/api/integrations/hooks/{hook['id']}")
    assert read.status == 404


# Signatures


def _tamper(hook: dict, body: bytes) -> dict:
    """Return header sets that must each be rejected with 401."""
    now = int(time.time())
    good = signed_headers(hook["secret"], body, new_delivery_id())
    return {
        "missing timestamp": {**good, "X-Shtab-Timestamp": ""},
        "malformed timestamp": {**good, "X-Shtab-Timestamp": "12:00"},
        "missing signature": {**good, "X-Shtab-Signature": ""},
        "malformed signature": {**good, "X-Shtab-Signature": "md5=abc"},
        "uppercase hex": {
            **good,
            "X-Shtab-Signature": good["X-Shtab-Signature"].upper(),
        },
        "wrong secret": signed_headers("0" * 64, body, new_delivery_id()),
        "old timestamp": signed_headers(
            hook["secret"], body, new_delivery_id(), now - 301
        ),
        "future timestamp": signed_headers(
            hook["secret"], body, new_delivery_id(), now + 301
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing timestamp",
        "malformed timestamp",
        "missing signature",
        "malformed signature",
        "uppercase hex",
        "wrong secret",
        "old timestamp",
        "future timestamp",
    ],
)
def test_bad_signature_is_401(world, case):
    hook = _task_hook(world)
    body = json.dumps({"sku": "S-1"}).encode()
    headers = _tamper(hook, body)[case]
    response = deliver(world.api, hook, raw=body, headers=headers)
    assert response.status == 401, response.body
    assert response.json["error"]["code"] == "unauthenticated"
    assert _deliveries(world, hook)["deliveries"] == []


def test_body_changed_by_one_byte_is_401(world):
    hook = _task_hook(world)
    body = json.dumps({"sku": "S-2"}).encode()
    headers = signed_headers(hook["secret"], body, new_delivery_id())
    changed = body.replace(b"S-2", b"S-3")
    assert len(changed) == len(body)
    response = deliver(world.api, hook, raw=changed, headers=headers)
    assert response.status == 401
    assert "does not match" in response.json["error"]["message"]


def test_whitespace_in_body_is_signed_too(world):
    hook = _task_hook(world)
    body = b'{"sku": "S-4"}'
    headers = signed_headers(hook["secret"], body, new_delivery_id())
    spaced = deliver(world.api, hook, raw=b'{"sku":  "S-4"}', headers=headers)
    assert spaced.status == 401
    exact = deliver(world.api, hook, raw=body, headers=headers)
    assert exact.status == 200, exact.body


def test_timestamp_within_five_minutes_accepted(world):
    hook = _task_hook(world)
    body = json.dumps({"sku": "S-5"}).encode()
    for offset in (-290, 290):
        headers = signed_headers(
            hook["secret"], body, new_delivery_id(), int(time.time()) + offset
        )
        response = deliver(world.api, hook, raw=body, headers=headers)
        assert response.status == 200, (offset, response.body)


def test_json_with_charset_accepted(world):
    hook = _task_hook(world)
    response = deliver(
        world.api,
        hook,
        {"sku": "CS-1"},
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status == 200, response.body


def test_unknown_hook_is_404(world):
    hook = {"id": "01JZZZZZZZZZZZZZZZZZZZZZZZ", "secret": "0" * 64}
    response = deliver(world.api, hook, {"sku": "X"})
    assert response.status == 404
    assert response.json["error"]["field"] == "hook_id"


@pytest.mark.parametrize(
    "raw",
    [b"[1, 2]", b'"text"', b"{not json", b"", b"   ", b'{"a": "\\ud800"}'],
    ids=["array", "string", "broken", "empty", "blank", "lone surrogate"],
)
def test_body_not_json_object_is_400(world, raw):
    hook = _task_hook(world)
    response = deliver(world.api, hook, raw=raw)
    assert response.status == 400, response.body
    assert response.json["error"]["code"] == "invalid_input"
    assert _deliveries(world, hook)["deliveries"] == []


@pytest.mark.parametrize(
    "delivery_id",
    ["", "has space", "x" * 101, "évt-1", "a/b", "a#b"],
    ids=["empty", "space", "too long", "non-ascii", "slash", "hash"],
)
def test_bad_delivery_id_is_400(world, delivery_id):
    hook = _task_hook(world)
    body = json.dumps({"sku": "D-1"}).encode()
    headers = signed_headers(hook["secret"], body, new_delivery_id())
    headers["X-Shtab-Delivery"] = delivery_id
    response = deliver(world.api, hook, raw=body, headers=headers)
    assert response.status == 400, response.body
    assert response.json["error"]["field"] == "X-Shtab-Delivery"


# Idempotency


def test_retry_returns_stored_result(world):
    hook = _task_hook(world)
    body = json.dumps({"sku": "R-1"}).encode()
    delivery_id = new_delivery_id()

    first = deliver(world.api, hook, raw=body, delivery_id=delivery_id)
    assert first.status == 200, first.body
    assert first.json["duplicate"] is False
    assert first.headers["X-Shtab-Duplicate"] == "false"

    # A retry is signed again, with a later timestamp, as senders do.
    time.sleep(1)
    retry = deliver(world.api, hook, raw=body, delivery_id=delivery_id)
    assert retry.status == 200, retry.body
    assert retry.json["duplicate"] is True
    assert retry.headers["X-Shtab-Duplicate"] == "true"
    first_result = first.json["delivery"]["result"]
    assert retry.json["delivery"]["result"] == first_result
    assert len(_created_tasks(world, hook)) == 1
    assert len(_deliveries(world, hook)["deliveries"]) == 1


def test_same_delivery_other_body_is_409(world):
    hook = _task_hook(world)
    delivery_id = new_delivery_id()
    first = deliver(world.api, hook, {"sku": "C-1"}, delivery_id=delivery_id)
    assert first.status == 200
    other = deliver(world.api, hook, {"sku": "C-2"}, delivery_id=delivery_id)
    assert other.status == 409
    assert other.json["error"]["field"] == "X-Shtab-Delivery"
    assert len(_created_tasks(world, hook)) == 1


def test_same_delivery_id_on_two_hooks_is_independent(world):
    first_hook, second_hook = _task_hook(world), _task_hook(world)
    delivery_id = new_delivery_id()
    for hook in (first_hook, second_hook):
        response = deliver(world.api, hook, {"sku": "I-1"}, delivery_id=delivery_id)
        assert response.status == 200
        assert response.json["duplicate"] is False


def test_replayed_capture_rejected_after_five_minutes(world):
    hook = _task_hook(world)
    body = json.dumps({"sku": "P-1"}).encode()
    delivery_id = new_delivery_id()
    captured_at = int(time.time()) - 6 * 60
    headers = signed_headers(hook["secret"], body, delivery_id, captured_at)
    replay = deliver(world.api, hook, raw=body, headers=headers)
    assert replay.status == 401
    assert "seconds old" in replay.json["error"]["message"]
    assert _created_tasks(world, hook) == []


def test_concurrent_retries_create_one_task(world):
    # Makes moto apply one write at a time, as DynamoDB does for each item.
    serialize_writes()
    hook = _task_hook(world)
    body = json.dumps({"sku": "RACE-1"}).encode()
    headers = signed_headers(hook["secret"], body, new_delivery_id())
    responses = []
    start = threading.Barrier(10)

    def send() -> None:
        start.wait()
        responses.append(deliver(world.api, hook, raw=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(response.status for response in responses)
    assert len(statuses) == 10
    assert set(statuses) <= {200, 409}, [r.body for r in responses]
    fresh = [r for r in responses if r.status == 200 and not r.json["duplicate"]]
    assert len(fresh) == 1
    assert len(_created_tasks(world, hook)) == 1
    assert len(_deliveries(world, hook)["deliveries"]) == 1


def test_dead_attempt_taken_over_by_retry(world):
    hook = _task_hook(world)
    body = json.dumps({"sku": "T-1"}).encode()
    delivery_id = new_delivery_id()
    # A first attempt that claimed the delivery and then died part-way.
    long_ago = utc_now() - timedelta(seconds=hooks.PROCESSING_TIMEOUT_SECONDS + 5)
    _stale_attempt(hook, body, delivery_id, long_ago)

    retry = deliver(world.api, hook, raw=body, delivery_id=delivery_id)
    assert retry.status == 200, retry.body
    assert retry.json["delivery"]["attempts"] == 2
    assert retry.json["delivery"]["status"] == "succeeded"
    assert len(_created_tasks(world, hook)) == 1


def test_attempt_in_progress_is_409(world):
    hook = _task_hook(world)
    body = json.dumps({"sku": "T-2"}).encode()
    delivery_id = new_delivery_id()
    _stale_attempt(hook, body, delivery_id, utc_now())

    response = deliver(world.api, hook, raw=body, delivery_id=delivery_id)
    assert response.status == 409
    assert "still being processed" in response.json["error"]["message"]
    assert _created_tasks(world, hook) == []


def test_server_error_lets_retry_run(world, monkeypatch):
    hook = _task_hook(world)
    delivery_id = new_delivery_id()

    def broken(template, delivery):
        raise RuntimeError("database unavailable")

    monkeypatch.setitem(hook_actions.RUNNERS, "create_task", broken)
    failed = deliver(world.api, hook, {"sku": "E-1"}, delivery_id=delivery_id)
    assert failed.status == 500
    monkeypatch.undo()

    retry = deliver(world.api, hook, {"sku": "E-1"}, delivery_id=delivery_id)
    assert retry.status == 200, retry.body
    assert retry.json["duplicate"] is False
    statuses = [d["status"] for d in _deliveries(world, hook)["deliveries"]]
    assert statuses == ["succeeded", "error"]
    assert len(_created_tasks(world, hook)) == 1


# Actions, through the stream pump


def test_low_stock_example_task_for_logistician(world):
    example = load_example("low_stock_task")
    for locale in ("ru", "en"):
        hook = create_hook(world.owner, example["hooks"][locale])
        response = deliver(world.api, hook, example["sample_payload"])
        assert response.status == 200, response.body
        world.pump.drain()
        assert world.pump.parked == []

        task_id = response.json["delivery"]["result"]["task_id"]
        assert response.json["delivery"]["result"]["assignee_id"] == world.leo.id
        read = world.leo.client.get(f"/api/tasks/{task_id}")
        assert read.status == 200, read.body
        task = read.json["task"]
        assert "WB-123456" in task["title"]
        assert "Коледино" in task["title"]
        assert task["priority"] == "urgent"
        assert task["creator_id"] == f"hook:{hook['id']}"
        assert "**4" in task["description"]

        notes = [m for m in _notifications(world.leo) if task_id in m["link"]]
        assert len(notes) == 1
        assert hook["name"] in notes[0]["text"]


def test_position_with_two_holders(world):
    second = world.hire("Мила", "Logistician")
    hook = create_hook(
        world.owner,
        {
            "name": "Склад Ozon",
            "action": "create_task",
            "template": {
                "title": "Пополнить {{ payload.sku }}",
                "position_id": world.positions["Logistician"],
            },
        },
    )
    response = deliver(world.api, hook, {"sku": "H-2"})
    assert response.status == 200, response.body
    task_id = response.json["delivery"]["result"]["task_id"]
    task = world.leo.client.get(f"/api/tasks/{task_id}").json["task"]
    # Holders come sorted by name: Лев before Мила.
    assert task["assignee_id"] == world.leo.id
    assert task["co_assignee_ids"] == [second.id]


def test_vacant_position_fails_delivery(world):
    hook = create_hook(
        world.owner,
        {
            "name": "Водителю",
            "action": "create_task",
            "template": {"title": "Рейс {{ payload.n }}", "position_key": "driver"},
        },
    )
    response = deliver(world.api, hook, {"n": 1})
    assert response.status == 422, response.body
    assert response.json["error"]["code"] == "action_failed"
    assert response.json["error"]["field"] == "template.position_key"
    assert "vacant" in response.json["error"]["message"]


def test_negative_review_example_posts_message(world):
    example = load_example("negative_review_message")
    add_connection("anna-laptop", world.anna.id)
    for locale in ("ru", "en"):
        definition = json.loads(json.dumps(example["hooks"][locale]))
        definition["template"]["channel_id"] = world.reviews_channel_id
        hook = create_hook(world.owner, definition)
        response = deliver(world.api, hook, example["sample_payload"])
        assert response.status == 200, response.body
        world.pump.drain()
        assert world.pump.parked == []

        message_id = response.json["delivery"]["result"]["message_id"]
        live = [
            event["message"]
            for event in world.gateway.events("anna-laptop", "message.created")
            if event["message"]["id"] == message_id
        ]
        assert len(live) == 1
        assert live[0]["sender_name"] == definition["name"]
        assert live[0]["kind"] == "system"
        assert "OZ-987654" in live[0]["text"]
        assert "Крышка протекает" in live[0]["text"]
        assert live[0]["text"] in _channel_texts(world)
    ru_text = _channel_texts(world)[-2]
    assert ru_text.startswith("Новый отзыв ★★☆☆☆ на Ozon")


def _channel_texts(world) -> list[str]:
    page = world.anna.client.get(
        f"/api/chat/channels/{world.reviews_channel_id}/messages?limit=200"
    ).json
    return [message["text"] for message in reversed(page["messages"])]


def test_unknown_channel_fails_delivery(world):
    hook = create_hook(
        world.owner,
        {
            "name": "Отзывы",
            "action": "post_message",
            "template": {"channel_id": "{{ payload.channel }}", "text": "Привет"},
        },
    )
    response = deliver(world.api, hook, {"channel": "no-such-channel"})
    assert response.status == 422
    assert response.json["error"]["field"] == "template.channel_id"


def test_finance_draft_from_payload(world):
    hook = create_hook(
        world.owner,
        {
            "name": "Счёт поставщика",
            "action": "create_finance_request",
            "template": {
                "author_user_id": world.anna.id,
                "amount": "{{ payload.total }}",
                "category_id": "software",
                "counterparty": "{{ payload.supplier }}",
                "problem": "Счёт {{ payload.invoice }} от {{ payload.supplier }}",
                "solution": "Оплатить счёт {{ payload.invoice }}",
                "pay_by": "{{ payload.due }}",
                "period": "{{ payload.due[:7] }}",
            },
        },
    )
    payload = {
        "total": "15400.00",
        "supplier": "ООО «Софт»",
        "invoice": "№ 118",
        "due": "2026-12-20",
    }
    response = deliver(world.api, hook, payload)
    assert response.status == 200, response.body
    world.pump.drain()
    assert world.pump.parked == []

    request_id = response.json["delivery"]["result"]["request_id"]
    read = world.anna.client.get(f"/api/finance/requests/{request_id}")
    assert read.status == 200, read.body
    request = read.json["request"]
    assert request["status"] == "draft"
    assert request["amount"] == "15400.00"
    assert request["counterparty"] == "ООО «Софт»"
    assert request["pay_by"] == "2026-12-20"


def test_finance_draft_bad_amount_names_field(world):
    hook = create_hook(
        world.owner,
        {
            "name": "Счёт",
            "action": "create_finance_request",
            "template": {
                "author_user_id": world.anna.id,
                "amount": "{{ payload.total }}",
                "category_id": "software",
                "counterparty": "ООО «Софт»",
                "problem": "Счёт",
                "solution": "Оплатить",
                "pay_by": "2026-12-20",
                "period": "2026-12",
            },
        },
    )
    response = deliver(world.api, hook, {"total": "-5"})
    assert response.status == 422, response.body
    assert response.json["error"]["field"] == "template.amount"


# Failures and the delivery log


def test_missing_payload_field_fails_and_is_logged(world):
    hook = _task_hook(world)
    delivery_id = new_delivery_id()
    response = deliver(world.api, hook, {"name": "no sku"}, delivery_id=delivery_id)
    assert response.status == 422, response.body
    error = response.json["error"]
    assert error["field"] == "template.title"
    assert "sku" in error["message"]
    assert error["duplicate"] is False

    retry = deliver(world.api, hook, {"name": "no sku"}, delivery_id=delivery_id)
    assert retry.status == 422
    assert retry.json["error"]["duplicate"] is True
    assert retry.headers["X-Shtab-Duplicate"] == "true"

    logged = _deliveries(world, hook)["deliveries"]
    assert [entry["status"] for entry in logged] == ["failed"]
    assert logged[0]["error"]["field"] == "template.title"
    assert logged[0]["delivery_id"] == delivery_id
    assert _created_tasks(world, hook) == []


def test_sandbox_blocks_unsafe_template(world):
    hook = _task_hook(world, title="{{ payload.__class__.__mro__ }}")
    response = deliver(world.api, hook, {"sku": "U-1"})
    assert response.status == 422
    assert "sandbox" in response.json["error"]["message"]


def test_huge_repeat_stopped(world):
    hook = _task_hook(world, title="{{ 'x' * payload.n }}")
    response = deliver(world.api, hook, {"n": 10**9})
    assert response.status == 422
    assert response.json["error"]["field"] == "template.title"


def test_long_title_fails_with_limit(world):
    hook = _task_hook(world, title="{{ payload.sku }}")
    response = deliver(world.api, hook, {"sku": "ж" * 201})
    assert response.status == 422
    assert response.json["error"]["field"] == "template.title"


def test_admin_test_send_uses_same_path(world):
    hook = _task_hook(world)
    response = world.owner.client.post(
        f"/api/integrations/hooks/{hook['id']}/test", {"payload": {"sku": "TEST-1"}}
    )
    assert response.status == 200, response.body
    delivery = response.json["delivery"]
    assert delivery["test"] is True
    assert delivery["delivery_id"].startswith("test-")
    tasks = _created_tasks(world, hook)
    assert [task.title for task in tasks] == ["Пополнить TEST-1"]

    failed = world.owner.client.post(
        f"/api/integrations/hooks/{hook['id']}/test", {"payload": {}}
    )
    assert failed.status == 422
    assert failed.json["error"]["field"] == "template.title"


def test_delivery_log_newest_first_with_cursor(world):
    hook = _task_hook(world)
    sent = []
    for number in range(5):
        delivery_id = new_delivery_id()
        sent.append(delivery_id)
        response = deliver(
            world.api, hook, {"sku": f"L-{number}"}, delivery_id=delivery_id
        )
        assert response.status == 200

    newest_first = sent[::-1]
    first = _deliveries(world, hook, "?limit=2")
    assert [d["delivery_id"] for d in first["deliveries"]] == newest_first[:2]
    assert first["next_cursor"] == first["deliveries"][-1]["id"]
    second = _deliveries(world, hook, f"?limit=2&before={first['next_cursor']}")
    assert [d["delivery_id"] for d in second["deliveries"]] == newest_first[2:4]
    assert second["next_cursor"] == second["deliveries"][-1]["id"]
    third = _deliveries(world, hook, f"?limit=2&before={second['next_cursor']}")
    assert [d["delivery_id"] for d in third["deliveries"]] == newest_first[4:]
    assert third["next_cursor"] is None
    assert all(d["status"] == "succeeded" for d in first["deliveries"])
    assert first["deliveries"][0]["result"]["task_id"]
    assert first["deliveries"][0]["finished_at"] is not None
