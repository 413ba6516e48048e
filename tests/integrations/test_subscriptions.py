"""Webhook subscriptions: create, read, change and delete; admins only."""

import pytest

from tests.integrations.webhook_receiver import fake_dns, install_guard

SUBSCRIPTIONS = "/api/integrations/subscriptions"
URL = "https://93.184.216.34/hooks/shtab"


@pytest.fixture
def guard(monkeypatch):
    return install_guard(monkeypatch)


def test_secret_shown_once(owner):
    created = owner.client.post(
        SUBSCRIPTIONS, {"url": URL, "events": ["task.created", "task.done"]}
    )
    assert created.status == 201, created.body
    subscription = created.json["subscription"]
    assert len(subscription["secret"]) >= 40
    assert subscription["active"] is True
    assert subscription["events"] == ["task.created", "task.done"]

    listed = owner.client.get(SUBSCRIPTIONS).json["subscriptions"]
    assert [item["id"] for item in listed] == [subscription["id"]]
    assert "secret" not in listed[0]
    one = owner.client.get(f"{SUBSCRIPTIONS}/{subscription['id']}").json
    assert "secret" not in one["subscription"]
    assert one["subscription"]["url"] == URL


def test_chosen_secret_kept(owner):
    secret = "my-own-secret-0123456789abcdef"
    created = owner.client.post(
        SUBSCRIPTIONS, {"url": URL, "events": ["user.hired"], "secret": secret}
    )
    assert created.status == 201, created.body
    assert created.json["subscription"]["secret"] == secret


def test_update_events_and_pause(owner):
    created = owner.client.post(SUBSCRIPTIONS, {"url": URL, "events": ["task.done"]})
    subscription_id = created.json["subscription"]["id"]
    changed = owner.client.patch(
        f"{SUBSCRIPTIONS}/{subscription_id}",
        {"events": ["task.commented", "user.hired"], "active": False},
    )
    assert changed.status == 200, changed.body
    body = changed.json["subscription"]
    assert body["events"] == ["task.commented", "user.hired"]
    assert body["active"] is False
    assert "secret" not in body
    stored = owner.client.get(f"{SUBSCRIPTIONS}/{subscription_id}").json
    assert stored["subscription"]["active"] is False


def test_message_posted_needs_channel(owner, pump):
    pump.drain()
    channel_id = owner.client.get("/api/chat/channels").json["channels"][0]["id"]
    created = owner.client.post(
        SUBSCRIPTIONS,
        {"url": URL, "events": ["message.posted"], "channel_id": channel_id},
    )
    assert created.status == 201, created.body
    subscription_id = created.json["subscription"]["id"]
    # Clearing the channel while message.posted is subscribed is rejected.
    cleared = owner.client.patch(
        f"{SUBSCRIPTIONS}/{subscription_id}", {"channel_id": None}
    )
    assert cleared.status == 400
    assert cleared.json["error"]["field"] == "channel_id"
    switched = owner.client.patch(
        f"{SUBSCRIPTIONS}/{subscription_id}",
        {"events": ["task.done"], "channel_id": None},
    )
    assert switched.status == 200, switched.body
    assert switched.json["subscription"]["channel_id"] is None


def test_delete_removes(owner):
    created = owner.client.post(SUBSCRIPTIONS, {"url": URL, "events": ["task.done"]})
    subscription_id = created.json["subscription"]["id"]
    assert owner.client.delete(f"{SUBSCRIPTIONS}/{subscription_id}").status == 204
    assert owner.client.get(f"{SUBSCRIPTIONS}/{subscription_id}").status == 404
    assert owner.client.get(SUBSCRIPTIONS).json["subscriptions"] == []


def test_name_resolved_at_subscription_time(owner, monkeypatch, guard):
    fake_dns(monkeypatch, {"hooks.example.test": ["192.168.10.10"]})
    refused = owner.client.post(
        SUBSCRIPTIONS, {"url": "https://hooks.example.test/in", "events": ["task.done"]}
    )
    assert refused.status == 400
    assert refused.json["error"]["field"] == "url"
    assert "192.168.10.10" in refused.json["error"]["message"]
    assert "192.168.10.10" not in guard.targets()

    fake_dns(monkeypatch, {"hooks.example.test": ["93.184.216.34"]})
    accepted = owner.client.post(
        SUBSCRIPTIONS, {"url": "https://hooks.example.test/in", "events": ["task.done"]}
    )
    assert accepted.status == 201, accepted.body
    assert "93.184.216.34" not in guard.targets()


def test_employees_and_managers_rejected(owner, hire):
    created = owner.client.post(SUBSCRIPTIONS, {"url": URL, "events": ["task.done"]})
    subscription_id = created.json["subscription"]["id"]
    for role in ("employee", "manager"):
        person = hire(f"Сотрудник {role}", role=role)
        calls = [
            ("GET", SUBSCRIPTIONS, None),
            ("POST", SUBSCRIPTIONS, {"url": URL, "events": ["task.done"]}),
            ("GET", f"{SUBSCRIPTIONS}/{subscription_id}", None),
            ("PATCH", f"{SUBSCRIPTIONS}/{subscription_id}", {"active": False}),
            ("DELETE", f"{SUBSCRIPTIONS}/{subscription_id}", None),
            ("GET", f"{SUBSCRIPTIONS}/{subscription_id}/deliveries", None),
            ("GET", "/api/integrations/dead-letters", None),
            ("POST", f"/api/integrations/deliveries/{subscription_id}/replay", None),
        ]
        for method, path, body in calls:
            response = person.client.request(method, path, body)
            assert response.status == 403, (role, method, path, response.body)
    stored = owner.client.get(f"{SUBSCRIPTIONS}/{subscription_id}").json
    assert stored["subscription"]["active"] is True


def test_admin_allowed(owner, hire):
    admin = hire("Админ", role="admin")
    created = admin.client.post(SUBSCRIPTIONS, {"url": URL, "events": ["task.done"]})
    assert created.status == 201, created.body
    assert created.json["subscription"]["created_by"] == admin.id


def test_signed_out_rejected(api):
    response = api.get(SUBSCRIPTIONS)
    assert response.status == 401
