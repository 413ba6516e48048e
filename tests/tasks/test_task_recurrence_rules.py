"""Recurrence rules: which dates daily, workday, weekly and monthly rules fall on."""

from datetime import date, timedelta

import pytest

from chalicelib.tasks.recurrence import Rule, next_date


def dates(rule: Rule, first_day: date, count: int) -> list[str]:
    """Return the first ``count`` dates of ``rule`` on or after ``first_day``."""
    found = []
    after = None
    for _ in range(count):
        day = next_date(rule, after, first_day)
        if day is None:
            break
        found.append(day.isoformat())
        after = day
    return found


def test_daily_every_second_day():
    rule = Rule("daily", date(2026, 12, 1), interval=2)
    assert dates(rule, date(2026, 12, 1), 3) == [
        "2026-12-01",
        "2026-12-03",
        "2026-12-05",
    ]


def test_daily_counts_from_start_not_today():
    rule = Rule("daily", date(2026, 12, 1), interval=3)
    # 2026-12-05 is not on the rule (1, 4, 7, ...), so the next date is the 7th.
    assert next_date(rule, None, date(2026, 12, 5)) == date(2026, 12, 7)


def test_workdays_skip_the_weekend():
    # 2026-12-04 is a Friday.
    rule = Rule("workdays", date(2026, 12, 4))
    assert dates(rule, date(2026, 12, 4), 3) == [
        "2026-12-04",
        "2026-12-07",
        "2026-12-08",
    ]


def test_weekly_on_chosen_weekdays():
    # 2026-12-07 is a Monday; Monday and Thursday every week.
    rule = Rule("weekly", date(2026, 12, 7), weekdays=(1, 4))
    assert dates(rule, date(2026, 12, 7), 4) == [
        "2026-12-07",
        "2026-12-10",
        "2026-12-14",
        "2026-12-17",
    ]


def test_weekly_every_second_week():
    # Starting on a Wednesday: the rest of that week counts as week 0.
    rule = Rule("weekly", date(2026, 12, 9), interval=2, weekdays=(1, 5))
    assert dates(rule, date(2026, 12, 9), 4) == [
        "2026-12-11",
        "2026-12-21",
        "2026-12-25",
        "2027-01-04",
    ]


def test_monthly_31st_is_last_day_of_short_months():
    rule = Rule("monthly", date(2027, 1, 31), day_of_month=31)
    assert dates(rule, date(2027, 1, 1), 4) == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
        "2027-04-30",
    ]


def test_monthly_leap_february():
    rule = Rule("monthly", date(2028, 1, 30), day_of_month=30)
    assert dates(rule, date(2028, 1, 1), 2) == ["2028-01-30", "2028-02-29"]


def test_monthly_every_third_month_over_year_end():
    rule = Rule("monthly", date(2026, 11, 15), interval=3, day_of_month=15)
    assert dates(rule, date(2026, 11, 1), 3) == [
        "2026-11-15",
        "2027-02-15",
        "2027-05-15",
    ]


def test_until_ends_the_rule():
    rule = Rule("daily", date(2026, 12, 1), until=date(2026, 12, 3))
    assert dates(rule, date(2026, 12, 1), 10) == [
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
    ]


def test_missed_dates_are_skipped():
    rule = Rule("daily", date(2026, 12, 1))
    # The latest occurrence was the 2nd and today is the 10th: resume today.
    assert next_date(rule, date(2026, 12, 2), date(2026, 12, 10)) == date(2026, 12, 10)


def test_start_in_the_future_waits():
    rule = Rule("workdays", date(2027, 1, 9))
    # 2027-01-09 is a Saturday, so the first date is Monday the 11th.
    assert next_date(rule, None, date(2026, 12, 4)) == date(2027, 1, 11)


@pytest.mark.parametrize("interval", [1, 2, 7, 99])
def test_weekly_finds_a_date_for_any_interval(interval):
    rule = Rule("weekly", date(2026, 12, 6), interval=interval, weekdays=(7,))
    first = next_date(rule, None, date(2026, 12, 6))
    second = next_date(rule, first, first)
    assert first == date(2026, 12, 6)
    assert second == first + timedelta(weeks=interval)


def test_rule_json_round_trip():
    rule = Rule("monthly", date(2026, 12, 31), interval=2, day_of_month=31, count=5)
    assert Rule.from_json(rule.to_json()) == rule
