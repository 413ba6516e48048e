"""The local scheduler that runs @app.schedule functions, as EventBridge does."""

from datetime import UTC, datetime

import pytest

from shtab_local.scheduler import (
    ScheduledFunction,
    Scheduler,
    schedule_matcher,
    scheduled_functions,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_rate_every_minute():
    matches = schedule_matcher("rate(1 minute)")
    assert matches(at("2026-12-04 21:17:00"))
    assert matches(at("2026-12-04 21:18:00"))


def test_rate_every_five_minutes():
    matches = schedule_matcher("rate(5 minutes)")
    assert matches(at("2026-12-04 21:15:00"))
    assert not matches(at("2026-12-04 21:16:00"))


def test_rate_hours_on_the_hour():
    matches = schedule_matcher("rate(2 hours)")
    assert matches(at("2026-12-04 20:00:00"))
    assert not matches(at("2026-12-04 21:00:00"))
    assert not matches(at("2026-12-04 20:01:00"))


def test_cron_daily_at_one():
    matches = schedule_matcher("cron(0 1 * * ? *)")
    assert matches(at("2026-12-04 01:00:00"))
    assert not matches(at("2026-12-04 01:01:00"))
    assert not matches(at("2026-12-04 02:00:00"))


def test_cron_weekday_names():
    # 2026-12-07 is a Monday.
    matches = schedule_matcher("cron(30 9 ? * MON,FRI *)")
    assert matches(at("2026-12-07 09:30:00"))
    assert not matches(at("2026-12-08 09:30:00"))


@pytest.mark.parametrize(
    "expression", ["rate(0 minutes)", "cron(0/5 * * * ? *)", "cron(0 1 * *)", "at(x)"]
)
def test_unsupported_expression_rejected(expression):
    with pytest.raises(ValueError):
        schedule_matcher(expression)


def test_app_functions_found(app_module):
    names = {
        function.name for function in scheduled_functions(app_module.app, app_module)
    }
    assert "retry_webhook_deliveries" in names


def test_failing_function_logged_not_raised(caplog):
    calls = []

    def broken(event, context):
        calls.append(event["detail-type"])
        raise RuntimeError("boom")

    def working(event, context):
        calls.append(context.function_name)

    scheduler = Scheduler(
        [
            ScheduledFunction("broken", broken, lambda moment: True),
            ScheduledFunction("working", working, lambda moment: True),
            ScheduledFunction("idle", working, lambda moment: False),
        ]
    )
    ran = scheduler.run_due(at("2026-12-04 21:17:42"))
    assert ran == ["broken", "working"]
    assert calls == ["Scheduled Event", "working"]
    assert "scheduled function broken failed" in caplog.text
