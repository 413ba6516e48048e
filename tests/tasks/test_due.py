"""Due dates: a calendar date or a moment, read in the company time zone."""

from datetime import UTC, datetime

import pytest

from chalicelib.tasks.due import end_of_day, is_overdue, parse_due


def test_date_ends_at_company_midnight():
    due = parse_due("2026-12-15")
    assert due.kind == "date"
    assert due.date == "2026-12-15"
    # Moscow is UTC+3, so its 16 December starts at 21:00 UTC on the 15th.
    assert due.at == datetime(2026, 12, 15, 21, 0, tzinfo=UTC)
    assert due.to_json() == {"kind": "date", "date": "2026-12-15"}


def test_naive_date_time_is_company_time():
    due = parse_due("2026-12-15T18:00")
    assert due.kind == "datetime"
    assert due.at == datetime(2026, 12, 15, 15, 0, tzinfo=UTC)
    assert due.time_zone == "Europe/Moscow"
    assert due.to_json()["local"] == "2026-12-15T18:00+03:00"


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("2026-12-15T18:00:30Z", datetime(2026, 12, 15, 18, 0, 30, tzinfo=UTC)),
        ("2026-12-15T18:00+05:00", datetime(2026, 12, 15, 13, 0, tzinfo=UTC)),
        ("2026-12-15 09:15:00.5", datetime(2026, 12, 15, 6, 15, 0, 500000, tzinfo=UTC)),
    ],
)
def test_date_time_with_offset(text, at):
    assert parse_due(text).at == at


@pytest.mark.parametrize(
    "value",
    [
        "",
        "15.12.2026",
        "2026-13-01",
        "2026-02-30",
        "1999-12-31",
        "3000-01-01",
        "2026-12-15T24:00",
        "2026-12-15T18",
        20261215,
        None,
        "tomorrow",
    ],
)
def test_invalid_due_rejected(value):
    with pytest.raises(ValueError):
        parse_due(value)


def test_time_zone_from_environment(monkeypatch):
    from chalicelib.tasks import due

    monkeypatch.setenv("SHTAB_TIME_ZONE", "Asia/Yekaterinburg")
    due.company_time_zone.cache_clear()
    try:
        assert parse_due("2026-12-15T18:00").at == datetime(
            2026, 12, 15, 13, 0, tzinfo=UTC
        )
    finally:
        due.company_time_zone.cache_clear()


def test_overdue_after_the_day_ends():
    due = parse_due("2026-12-15")
    assert not is_overdue(due, datetime(2026, 12, 15, 20, 59, tzinfo=UTC))
    assert is_overdue(due, datetime(2026, 12, 15, 21, 0, tzinfo=UTC))
    assert not is_overdue(None, datetime(2999, 1, 1, tzinfo=UTC))
    assert end_of_day(datetime(2026, 1, 1).date()) == datetime(
        2026, 1, 1, 21, 0, tzinfo=UTC
    )
