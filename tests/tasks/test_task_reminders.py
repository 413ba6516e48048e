"""Due reminders: "due tomorrow" and "overdue" notifications, each sent once."""

from datetime import UTC, datetime

from chalicelib.tasks.reminders import send_due_reminders
from shtab_local.scheduler import scheduled_functions
from tests.support.chat_message_ops import notifications_of
from tests.tasks.conftest import new_task, patch_task

# 12:00 in Moscow on 14 December: "tomorrow" is the 15th.
NOON = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
# 23:30 in Moscow on the 14th, but already 20:30 UTC.
LATE_EVENING = datetime(2026, 12, 14, 20, 30, tzinfo=UTC)
# 00:30 in Moscow on the 15th, while UTC is still on the 14th.
AFTER_MIDNIGHT = datetime(2026, 12, 14, 21, 30, tzinfo=UTC)
# 09:00 in Moscow on the 16th: the 15th has ended there.
NEXT_MORNING = datetime(2026, 12, 16, 6, 0, tzinfo=UTC)


def run(pump, now: datetime) -> dict:
    result = send_due_reminders(now)
    pump.drain()
    return result


def reminders_of(person, title: str, mark: str) -> list[str]:
    return [text for text in notifications_of(person) if title in text and mark in text]


def due_tomorrow_texts(person, title: str) -> list[str]:
    return reminders_of(person, title, "⏰")


def overdue_texts(person, title: str) -> list[str]:
    return reminders_of(person, title, "⚠️")


def test_date_due_tomorrow_reminded(team, pump):
    new_task(
        team.owner,
        team.anna,
        title="Сверить остатки",
        due="2026-12-15",
        co_assignee_ids=[team.john.id],
    )
    new_task(team.owner, team.anna, title="Послезавтра", due="2026-12-16")
    pump.drain()

    run(pump, NOON)

    texts = due_tomorrow_texts(team.anna, "Сверить остатки")
    assert texts == ["⏰ Завтра срок задачи «Сверить остатки»."]
    assert due_tomorrow_texts(team.john, "Сверить остатки") == [
        '⏰ The task "Сверить остатки" is due tomorrow.'
    ]
    # The creator is not told that a task is due tomorrow.
    assert due_tomorrow_texts(team.owner, "Сверить остатки") == []
    assert due_tomorrow_texts(team.anna, "Послезавтра") == []


def test_datetime_due_tomorrow_reminded(team, pump):
    new_task(team.owner, team.anna, title="Созвон", due="2026-12-15T18:00")
    # 00:30 on the 16th in Moscow is the 16th, though UTC says the 15th.
    new_task(team.owner, team.anna, title="Ночная выгрузка", due="2026-12-16T00:30")
    pump.drain()

    run(pump, NOON)

    assert due_tomorrow_texts(team.anna, "Созвон") == [
        "⏰ Завтра срок задачи «Созвон»: 2026-12-15 18:00."
    ]
    assert due_tomorrow_texts(team.anna, "Ночная выгрузка") == []


def test_tomorrow_follows_company_time_zone(team, pump):
    new_task(team.owner, team.anna, title="Пятнадцатое", due="2026-12-15")
    new_task(team.owner, team.anna, title="Шестнадцатое", due="2026-12-16")
    pump.drain()

    run(pump, LATE_EVENING)
    assert len(due_tomorrow_texts(team.anna, "Пятнадцатое")) == 1
    assert due_tomorrow_texts(team.anna, "Шестнадцатое") == []

    # Past midnight in Moscow the 16th is tomorrow, but reminders wait for
    # the morning.
    run(pump, AFTER_MIDNIGHT)
    assert due_tomorrow_texts(team.anna, "Шестнадцатое") == []
    run(pump, datetime(2026, 12, 15, 6, 0, tzinfo=UTC))
    assert len(due_tomorrow_texts(team.anna, "Шестнадцатое")) == 1
    assert len(due_tomorrow_texts(team.anna, "Пятнадцатое")) == 1


def test_closed_tasks_not_reminded(team, pump):
    for status in ("done", "cancelled", "postponed"):
        task = new_task(
            team.owner, team.anna, title=f"Статус {status}", due="2026-12-15"
        )
        response = patch_task(team.owner, task["id"], {"status": status})
        assert response.status == 200, response.body
    pump.drain()

    run(pump, NOON)
    run(pump, NEXT_MORNING)

    for status in ("done", "cancelled", "postponed"):
        assert due_tomorrow_texts(team.anna, f"Статус {status}") == [], status
        assert overdue_texts(team.anna, f"Статус {status}") == [], status
        assert overdue_texts(team.owner, f"Статус {status}") == [], status


def test_second_run_posts_nothing(team, pump):
    new_task(team.owner, team.anna, title="Один раз", due="2026-12-15")
    pump.drain()

    first = run(pump, NOON)
    second = run(pump, NOON.replace(hour=10))

    assert first["posted"] == 1
    assert second["found"] == 1
    assert second["posted"] == 0
    assert len(due_tomorrow_texts(team.anna, "Один раз")) == 1


def test_redated_task_reminded_again(team, pump):
    task = new_task(team.owner, team.anna, title="Перенос", due="2026-12-15")
    pump.drain()
    run(pump, NOON)
    assert len(due_tomorrow_texts(team.anna, "Перенос")) == 1

    response = patch_task(team.owner, task["id"], {"due": "2026-12-16"})
    assert response.status == 200, response.body
    pump.drain()
    run(pump, datetime(2026, 12, 15, 9, 0, tzinfo=UTC))

    assert len(due_tomorrow_texts(team.anna, "Перенос")) == 2


def test_overdue_reminded_once(team, pump):
    new_task(team.owner, team.anna, title="Отчёт", due="2026-12-15")
    new_task(team.anna, team.anna, title="Своя задача", due="2026-12-15")
    pump.drain()

    # The 15th ended at 21:00 UTC, but the reminder waits for the morning.
    run(pump, AFTER_MIDNIGHT.replace(day=15))
    assert overdue_texts(team.anna, "Отчёт") == []
    run(pump, NEXT_MORNING)
    run(pump, NEXT_MORNING.replace(hour=7))

    assert overdue_texts(team.anna, "Отчёт") == [
        "⚠️ Задача «Отчёт» просрочена: срок был 2026-12-15."
    ]
    assert len(overdue_texts(team.owner, "Отчёт")) == 1
    # The creator is also the responsible person, so one message.
    assert len(overdue_texts(team.anna, "Своя задача")) == 1


def test_datetime_overdue_reminded_after_due(team, pump):
    new_task(team.owner, team.anna, title="Отгрузка", due="2026-12-15T18:00")
    pump.drain()

    run(pump, datetime(2026, 12, 15, 14, 30, tzinfo=UTC))
    assert overdue_texts(team.anna, "Отгрузка") == []
    run(pump, datetime(2026, 12, 15, 15, 5, tzinfo=UTC))
    assert overdue_texts(team.anna, "Отгрузка") == [
        "⚠️ Задача «Отгрузка» просрочена: срок был 2026-12-15 18:00."
    ]


def test_long_overdue_not_announced(team, pump):
    new_task(team.owner, team.anna, title="Давно", due="2026-12-01")
    pump.drain()

    result = run(pump, NEXT_MORNING)

    assert overdue_texts(team.anna, "Давно") == []
    assert result["found"] == 0


def test_schedule_runs_hourly(app_module):
    functions = {
        item.name: item for item in scheduled_functions(app_module.app, app_module)
    }
    reminders = functions["task_due_reminders"]
    assert reminders.matches(datetime(2026, 12, 4, 5, 5, tzinfo=UTC))
    assert reminders.matches(datetime(2026, 12, 4, 17, 5, tzinfo=UTC))
    assert not reminders.matches(datetime(2026, 12, 4, 5, 6, tzinfo=UTC))
