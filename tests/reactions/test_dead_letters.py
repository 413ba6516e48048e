"""A record a reaction keeps failing on is parked; an admin lists and replays it.

The real tasks stream drives the real notification reaction through the local
pump. One task's records are poisoned by making the notification step raise
for them, and "fixing the cause" puts the real step back.
"""

import json

import pytest

from chalicelib.streams import dead_letters
from shtab_local import pump as pump_module

POISON_TITLE = "Отравленная задача"
LIST = "/api/admin/dead-letters"


def notification_texts(person) -> list[str]:
    channels = person.client.get("/api/chat/channels").json["channels"]
    channel = next(c for c in channels if c["kind"] == "notifications")
    page = person.client.get(f"/api/chat/channels/{channel['id']}/messages").json
    return [message["text"] for message in page["messages"]]


@pytest.fixture
def poisoned(app_module, monkeypatch):
    """Make the task notification step fail for the poisoned task's records.

    Yields a function that puts the real step back.
    """
    real_step = app_module.handle_task_record
    monkeypatch.setattr(pump_module, "RETRY_DELAYS", (0, 0, 0))

    def failing_step(record):
        if POISON_TITLE in json.dumps(record.raw_event, ensure_ascii=False):
            raise RuntimeError("notification template is missing")
        real_step(record)

    monkeypatch.setattr(app_module, "handle_task_record", failing_step)
    return lambda: monkeypatch.setattr(app_module, "handle_task_record", real_step)


@pytest.fixture
def team(hire, owner):
    # No org template: a notification needs only the assignee's own channel.
    anna = hire("Анна")
    admin = hire("Админ", role="admin")
    return owner, anna, admin


def create_tasks(owner, assignee_id: str, titles: list[str]) -> None:
    for title in titles:
        response = owner.client.post(
            "/api/tasks", {"title": title, "assignee_id": assignee_id}
        )
        assert response.status == 201, response.body


def test_poisoned_record_parked_then_replayed(team, pump, poisoned):
    owner, anna, admin = team
    create_tasks(owner, anna.id, ["Первая", POISON_TITLE, "Третья"])
    pump.drain()

    # The neighbours went through; the poisoned task sent nothing.
    texts = notification_texts(anna)
    assert len(texts) == 2
    assert any("Первая" in text for text in texts)
    assert any("Третья" in text for text in texts)
    assert not any(POISON_TITLE in text for text in texts)
    # Every poisoned record was parked by the reaction, not by the pump.
    assert pump.parked == []

    listed = admin.client.get(LIST)
    assert listed.status == 200, listed.body
    entries = listed.json["dead_letters"]
    assert entries, "nothing was parked"
    assert {entry["reaction"] for entry in entries} == {"notification_reactions"}
    for entry in entries:
        assert entry["attempts"] == dead_letters.MAX_ATTEMPTS
        assert entry["error_type"] == "RuntimeError"
        assert entry["error_message"] == "notification template is missing"
        assert entry["first_failed_at"] <= entry["last_failed_at"]
        assert entry["parked_at"]

    detail = admin.client.get(f"{LIST}/{entries[0]['id']}")
    assert detail.status == 200, detail.body
    record = detail.json["dead_letter"]["record"]
    assert record["table"].endswith("tasks")
    assert record["event_name"] in ("INSERT", "MODIFY")
    assert record["new_attributes"]
    # Names and keys only: the task's text stays out of the admin view.
    assert POISON_TITLE not in detail.body.decode()

    # While the cause is still there, a replay fails and the entry stays.
    first_id = entries[0]["id"]
    again = admin.client.post(f"{LIST}/{first_id}/replay")
    assert again.status == 200, again.body
    assert again.json["replayed"] is False
    assert again.json["dead_letter"]["attempts"] == dead_letters.MAX_ATTEMPTS + 1
    assert again.json["dead_letter"]["replayed_by"] == admin.id

    poisoned()  # the cause is fixed
    replayed = admin.client.post(f"{LIST}/{first_id}/replay")
    assert replayed.status == 200, replayed.body
    assert replayed.json == {"replayed": True, "id": first_id}
    assert admin.client.get(f"{LIST}/{first_id}").status == 404

    rest = admin.client.post(f"{LIST}/replay", {"reaction": "notification_reactions"})
    assert rest.status == 200, rest.body
    assert rest.json["failed"] == []
    assert rest.json["remaining"] is False
    assert len(rest.json["replayed"]) == len(entries) - 1
    pump.drain()

    assert admin.client.get(LIST).json["dead_letters"] == []
    texts = notification_texts(anna)
    assert sum(POISON_TITLE in text for text in texts) == 1
    assert len(texts) == 3


def test_record_that_recovers_is_not_parked(team, pump, app_module, monkeypatch):
    owner, anna, admin = team
    monkeypatch.setattr(pump_module, "RETRY_DELAYS", (0, 0, 0))
    real_step = app_module.handle_task_record
    failures = {"left": dead_letters.MAX_ATTEMPTS - 1}

    def flaky_step(record):
        if POISON_TITLE in json.dumps(record.raw_event, ensure_ascii=False):
            if failures["left"] > 0:
                failures["left"] -= 1
                raise TimeoutError("chat table timed out")
        real_step(record)

    monkeypatch.setattr(app_module, "handle_task_record", flaky_step)
    create_tasks(owner, anna.id, [POISON_TITLE])
    pump.drain()

    assert failures["left"] == 0
    assert admin.client.get(LIST).json["dead_letters"] == []
    assert sum(POISON_TITLE in text for text in notification_texts(anna)) == 1


def test_only_admins_see_and_replay(team, pump, poisoned):
    owner, anna, admin = team
    create_tasks(owner, anna.id, [POISON_TITLE])
    pump.drain()
    entry_id = admin.client.get(LIST).json["dead_letters"][0]["id"]
    assert owner.client.get(f"{LIST}/{entry_id}").status == 200

    for method, path, body in (
        ("GET", LIST, None),
        ("GET", f"{LIST}/{entry_id}", None),
        ("POST", f"{LIST}/{entry_id}/replay", None),
        ("POST", f"{LIST}/replay", {}),
    ):
        response = anna.client.request(method, path, body)
        assert response.status == 403, (method, path, response.body)
        assert response.json["error"]["code"] == "forbidden"
    assert owner.client.get(f"{LIST}/{entry_id}").json["dead_letter"]["attempts"] == (
        dead_letters.MAX_ATTEMPTS
    )


def test_pages_and_bad_input(team, pump, poisoned):
    owner, anna, admin = team
    create_tasks(owner, anna.id, [f"{POISON_TITLE} {n}" for n in range(3)])
    pump.drain()

    everything = admin.client.get(LIST).json["dead_letters"]
    assert len(everything) >= 3
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&before={cursor}" if cursor else "")
        page = admin.client.get(LIST + query).json
        assert len(page["dead_letters"]) <= 2
        seen += [entry["id"] for entry in page["dead_letters"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [entry["id"] for entry in everything]
    assert admin.client.get(f"{LIST}?reaction=org_reactions").json == {
        "dead_letters": [],
        "next_cursor": None,
    }

    for query, field in (
        ("?limit=0", "limit"),
        ("?limit=abc", "limit"),
        ("?before=not-a-cursor", "before"),
        ("?reaction=nope", "reaction"),
    ):
        response = admin.client.get(LIST + query)
        assert response.status == 400, query
        assert response.json["error"]["field"] == field, query

    missing = admin.client.get(f"{LIST}/{'0' * 32}")
    assert missing.status == 404
    assert missing.json["error"]["field"] == "dead_letter_id"
    assert admin.client.post(f"{LIST}/{'0' * 32}/replay").status == 404

    entry_id = everything[0]["id"]
    extra = admin.client.post(f"{LIST}/{entry_id}/replay", {"force": True})
    assert extra.status == 400
    assert extra.json["error"]["field"] == "force"
    for body, field in (
        ({"limit": 100}, "limit"),
        ({"reaction": "nope"}, "reaction"),
        ({"reaction": 3}, "reaction"),
    ):
        response = admin.client.post(f"{LIST}/replay", body)
        assert response.status == 400, body
        assert response.json["error"]["field"] == field, body
    # Nothing above replayed anything.
    assert len(admin.client.get(LIST).json["dead_letters"]) == len(everything)
