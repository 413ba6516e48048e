"""Re-review reminders: overdue articles are marked and authors notified once."""

from datetime import UTC, datetime

import pytest

from chalicelib.kb.models import (
    ARTICLE_SK,
    REVIEW_QUEUE,
    SEED_PARTITION,
    Article,
    SeedMarker,
    article_pk,
)
from chalicelib.kb.review_reminders import BACKFILL_KEY, send_review_reminders
from shtab_local.scheduler import scheduled_functions
from tests.kb.conftest import Kb, notifications

# 06:00 UTC is 09:00 in Moscow, the company's default time zone.
NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
PAST = "2026-11-30"
FUTURE = "2027-01-15"


@pytest.fixture
def section(kb: Kb) -> str:
    return kb.section_id("marketplaces")


def written_by(world, kb: Kb, person, section_id: str, title: str, **fields) -> dict:
    """Have ``person`` write and save an article through a writing assignment."""
    response = world.owner.client.post(
        f"/api/kb/sections/{section_id}/assignments",
        {"title": title, "assignee_user_id": person.id},
    )
    assert response.status == 201, response.body
    draft = kb.get(person, response.json["article"]["id"])
    saved = kb.save(person, draft, **fields)
    world.pump.drain()
    return saved


def reminders_of(person, title: str) -> list[str]:
    return [
        message["text"]
        for message in notifications(person)
        if title in message["text"] and "🔁" in message["text"]
    ]


def indexed_ids() -> set[str]:
    return {
        item.pk.removeprefix("ARTICLE#")
        for item in Article.review_index.query(REVIEW_QUEUE)
    }


def run(world) -> dict:
    result = send_review_reminders(NOW)
    world.pump.drain()
    return result


def test_overdue_article_marked_and_notified(world, kb, section):
    title = "Маркировка коробов"
    article = written_by(
        world, kb, world.anna, section, title, status="published", review_at=PAST
    )
    run(world)
    marked = kb.get(world.owner, article["id"])
    assert marked["status"] == "needs_review"
    assert marked["revision"] == article["revision"] + 1
    texts = reminders_of(world.anna, title)
    assert len(texts) == 1
    assert "Пора пересмотреть инструкцию «Маркировка коробов»" in texts[0]
    assert PAST in texts[0]


def test_second_run_changes_nothing(world, kb, section):
    title = "Пломбы на паллетах"
    article = written_by(
        world, kb, world.anna, section, title, status="published", review_at=PAST
    )
    run(world)
    again = run(world)
    assert kb.get(world.owner, article["id"])["revision"] == article["revision"] + 1
    assert len(reminders_of(world.anna, title)) == 1
    assert article["id"] not in indexed_ids()
    assert again["marked"] == 0


def test_republished_same_date_not_marked_again(world, kb, section):
    title = "Сроки годности"
    article = written_by(
        world, kb, world.anna, section, title, status="published", review_at=PAST
    )
    run(world)
    reviewed = kb.save(
        world.anna, kb.get(world.anna, article["id"]), status="published"
    )
    world.pump.drain()
    assert article["id"] in indexed_ids()
    run(world)
    assert kb.get(world.owner, article["id"])["status"] == "published"
    assert len(reminders_of(world.anna, title)) == 1
    # A new date that has passed as well is a new reminder.
    kb.save(world.anna, reviewed, review_at="2026-12-01")
    world.pump.drain()
    run(world)
    assert kb.get(world.owner, article["id"])["status"] == "needs_review"
    assert len(reminders_of(world.anna, title)) == 2


def test_due_today_is_marked(world, kb, section):
    title = "Инвентаризация"
    article = written_by(
        world,
        kb,
        world.anna,
        section,
        title,
        status="published",
        review_at="2026-12-04",
    )
    run(world)
    assert kb.get(world.owner, article["id"])["status"] == "needs_review"


def test_future_and_draft_untouched(world, kb, section):
    future = written_by(
        world,
        kb,
        world.anna,
        section,
        "Новогодние поставки",
        status="published",
        review_at=FUTURE,
    )
    draft = written_by(
        world, kb, world.anna, section, "Черновик о складе", review_at=PAST
    )
    assert future["id"] in indexed_ids()
    assert draft["id"] not in indexed_ids()
    run(world)
    assert kb.get(world.owner, future["id"])["status"] == "published"
    assert kb.get(world.owner, draft["id"])["status"] == "draft"
    assert reminders_of(world.anna, "Новогодние поставки") == []
    assert reminders_of(world.anna, "Черновик о складе") == []


def test_english_author_gets_english_text(world, kb, section):
    title = "Returns from Ozon"
    written_by(
        world, kb, world.alla, section, title, status="published", review_at=PAST
    )
    run(world)
    texts = reminders_of(world.alla, title)
    assert len(texts) == 1
    assert 'The instruction "Returns from Ozon" is due for review' in texts[0]


def test_edit_between_runs_not_lost(world, kb, section):
    title = "Приёмка возвратов"
    article = written_by(
        world, kb, world.anna, section, title, status="published", review_at=PAST
    )
    edited = kb.save(world.anna, article, body="Свежий текст.")
    run(world)
    marked = kb.get(world.owner, article["id"])
    assert marked["status"] == "needs_review"
    assert marked["body"] == "Свежий текст."
    assert marked["revision"] == edited["revision"] + 1


def test_schedule_runs_daily_at_five_utc(app_module):
    functions = {
        item.name: item for item in scheduled_functions(app_module.app, app_module)
    }
    reminder = functions["kb_review_reminders"]
    assert reminder.matches(datetime(2026, 12, 4, 5, 0, tzinfo=UTC))
    assert not reminder.matches(datetime(2026, 12, 4, 6, 0, tzinfo=UTC))


def test_article_saved_before_index_found(world, kb, section):
    title = "Старые правила приёмки"
    article = written_by(
        world, kb, world.anna, section, title, status="published", review_at=PAST
    )
    # An article saved before the index existed has no review_queue.
    Article(article_pk(article["id"]), ARTICLE_SK).update(
        actions=[Article.review_queue.remove()]
    )
    world.pump.drain()
    for marker in SeedMarker.query(SEED_PARTITION):
        if marker.sk == BACKFILL_KEY:
            marker.delete()
    assert article["id"] not in indexed_ids()
    run(world)
    assert kb.get(world.owner, article["id"])["status"] == "needs_review"
    assert len(reminders_of(world.anna, title)) == 1
    assert SeedMarker.get(SEED_PARTITION, BACKFILL_KEY).sk == BACKFILL_KEY
