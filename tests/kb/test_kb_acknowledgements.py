"""Read receipts, «Ознакомлен(а)», and the chat notifications that ask for them."""

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.kb.announcements import announce
from chalicelib.streams.records import read_change
from tests.finance.conftest import stream_records
from tests.kb.conftest import notifications, put


def kb_notifications(person, article_id: str) -> list[dict]:
    return [
        message
        for message in notifications(person)
        if message.get("link") == f"#/kb/articles/{article_id}"
    ]


def readers(person, article_id: str) -> dict:
    response = person.client.get(f"/api/kb/articles/{article_id}/readers")
    assert response.status == 200, response.body
    return response.json


def by_name(report: dict) -> dict[str, dict]:
    return {entry["user"]["name"]: entry for entry in report["readers"]}


def published_for_managers(world, kb, **fields) -> dict:
    article = kb.create(
        world.boris,
        status="published",
        position_ids=[world.positions["wb_manager"], world.positions["ozon_manager"]],
        **fields,
    )
    world.pump.drain()
    return article


def test_publication_notifies_target_holders_once(world, kb):
    article = published_for_managers(world, kb, title="Регламент отгрузок")
    for person in (world.anna, world.oleg):
        messages = kb_notifications(person, article["id"])
        assert len(messages) == 1
        assert "Регламент отгрузок" in messages[0]["text"]
        assert "Ознакомлен(а)" in messages[0]["text"]
        assert messages[0]["kind"] == "notification"
    assert kb_notifications(world.gleb, article["id"]) == []
    assert kb_notifications(world.boris, article["id"]) == []


def test_draft_notifies_nobody_until_published(world, kb):
    draft = kb.create(world.boris, position_ids=[world.positions["wb_manager"]])
    world.pump.drain()
    assert kb_notifications(world.anna, draft["id"]) == []
    kb.save(world.boris, draft, status="published")
    world.pump.drain()
    messages = kb_notifications(world.anna, draft["id"])
    assert len(messages) == 1
    assert "опубликовал(а)" in messages[0]["text"]


def test_minor_edit_sends_nothing_new(world, kb):
    article = published_for_managers(world, kb)
    kb.save(world.boris, article, body="Исправлена опечатка")
    world.pump.drain()
    assert len(kb_notifications(world.anna, article["id"])) == 1


def test_significant_edit_notifies_again(world, kb):
    article = published_for_managers(world, kb)
    kb.save(world.boris, article, body="Новый порядок отгрузки", significant=True)
    world.pump.drain()
    texts = [message["text"] for message in kb_notifications(world.anna, article["id"])]
    assert len(texts) == 2
    assert any("существенно изменил(а)" in text for text in texts)


def test_notification_is_in_recipients_language(world, kb):
    article = kb.create(
        world.owner,
        section_id="general",
        title="Закрытие месяца",
        kind="regulation",
        status="published",
        position_ids=[world.positions["accountant"]],
    )
    world.pump.drain()
    messages = kb_notifications(world.alla, article["id"])
    assert len(messages) == 1
    assert messages[0]["text"].startswith(
        '📘 Owner published the regulation "Закрытие месяца" for your position.'
    )


def test_own_change_is_not_notified(world, kb):
    article = kb.create(
        world.owner,
        section_id="general",
        status="published",
        position_ids=[world.positions["head_of_marketplaces"]],
    )
    world.pump.drain()
    assert len(kb_notifications(world.boris, article["id"])) == 1
    # Борис, a target himself, republishes after a significant edit.
    set_edit = put(
        world.owner,
        f"/api/kb/articles/{article['id']}/access",
        {
            "grants": [
                {
                    "to": "position",
                    "position_id": world.positions["head_of_marketplaces"],
                    "level": "edit",
                }
            ]
        },
    )
    assert set_edit.status == 200
    kb.save(world.boris, article, body="Борис переписал", significant=True)
    world.pump.drain()
    assert len(kb_notifications(world.boris, article["id"])) == 1


def test_added_position_is_notified_once(world, kb):
    article = published_for_managers(world, kb)
    saved = kb.save(
        world.boris,
        article,
        position_ids=[
            world.positions["wb_manager"],
            world.positions["ozon_manager"],
            world.positions["head_of_content"],
        ],
    )
    world.pump.drain()
    assert len(kb_notifications(world.gleb, article["id"])) == 1
    assert len(kb_notifications(world.anna, article["id"])) == 1
    kb.save(world.boris, saved, title="Переименовано")
    world.pump.drain()
    assert len(kb_notifications(world.gleb, article["id"])) == 1


def test_redelivered_record_posts_nothing_twice(world, kb, database):
    article = published_for_managers(world, kb)
    records = [
        record
        for record in stream_records(database, "kb")
        if record["dynamodb"]["Keys"]["pk"]["S"] == f"ARTICLE#{article['id']}"
        and record["dynamodb"]["Keys"]["sk"]["S"] == "ARTICLE"
    ]
    assert records[0]["eventName"] == "INSERT"
    assert announce(read_change(DynamoDBRecord(records[0]))) == 0
    assert len(kb_notifications(world.anna, article["id"])) == 1


def test_readers_track_reading_and_acknowledging(world, kb):
    article = published_for_managers(world, kb)
    report = readers(world.boris, article["id"])
    assert report["total"] == 2
    assert report["read"] == 0
    assert report["confirmed"] == 0
    assert set(by_name(report)) == {"Анна", "Олег"}

    opened = kb.get(world.anna, article["id"])
    assert opened["acknowledgement"]["required"] is True
    assert opened["acknowledgement"]["confirmed"] is False
    report = by_name(readers(world.boris, article["id"]))
    assert report["Анна"]["read"] is True
    assert report["Анна"]["confirmed"] is False
    assert report["Олег"]["read"] is False

    response = world.anna.client.post(f"/api/kb/articles/{article['id']}/acknowledge")
    assert response.status == 200, response.body
    assert response.json["acknowledgement"]["confirmed"] is True
    first_time = response.json["acknowledgement"]["confirmed_at"]
    again = world.anna.client.post(f"/api/kb/articles/{article['id']}/acknowledge")
    assert again.json["acknowledgement"]["confirmed_at"] == first_time

    report = readers(world.boris, article["id"])
    assert report["confirmed"] == 1
    assert by_name(report)["Анна"]["confirmed"] is True
    assert kb.get(world.anna, article["id"])["acknowledgement"]["confirmed"] is True


def test_significant_edit_resets_acknowledgements(world, kb):
    article = published_for_managers(world, kb)
    world.anna.client.post(f"/api/kb/articles/{article['id']}/acknowledge")
    minor = kb.save(world.boris, article, body="Запятая")
    assert by_name(readers(world.boris, article["id"]))["Анна"]["confirmed"] is True

    kb.save(world.boris, minor, body="Новое правило", significant=True)
    report = readers(world.boris, article["id"])
    assert report["edition"] == 3
    assert by_name(report)["Анна"]["confirmed"] is False
    assert by_name(report)["Анна"]["read"] is False
    world.anna.client.post(f"/api/kb/articles/{article['id']}/acknowledge")
    assert by_name(readers(world.boris, article["id"]))["Анна"]["confirmed"] is True


def test_readers_report_is_for_editors(world, kb):
    article = published_for_managers(world, kb)
    response = world.anna.client.get(f"/api/kb/articles/{article['id']}/readers")
    assert response.status == 403


def test_draft_cannot_be_acknowledged(world, kb):
    draft = kb.create(world.boris)
    response = world.boris.client.post(f"/api/kb/articles/{draft['id']}/acknowledge")
    assert response.status == 409
    bad_body = world.boris.client.post(
        f"/api/kb/articles/{draft['id']}/acknowledge", {"really": True}
    )
    assert bad_body.status == 400
    assert bad_body.error_field() == "really"
