"""Recurrence rules of task series: which calendar dates a series falls on.

A rule counts from its start date, a calendar date in the company time zone:
- ``daily``: every ``interval`` days from the start;
- ``workdays``: every Monday to Friday;
- ``weekly``: on the ISO ``weekdays`` (1 is Monday, 7 is Sunday) of every
  ``interval``-th week, counting from the week of the start;
- ``monthly``: on ``day_of_month`` of every ``interval``-th month, counting
  from the month of the start. A day past the end of a shorter month falls on
  its last day, so 31 means the last day of every month.

A rule ends on ``until`` (the last date it may fall on) or after ``count``
occurrences, or never.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

FREQUENCIES = ("daily", "workdays", "weekly", "monthly")
MAX_INTERVAL = 99
MAX_COUNT = 1000


@dataclass(frozen=True)
class Rule:
    frequency: str
    start: date
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    day_of_month: int | None = None
    until: date | None = None
    count: int | None = None

    def to_json(self) -> dict:
        return {
            "frequency": self.frequency,
            "start": self.start.isoformat(),
            "interval": self.interval,
            "weekdays": list(self.weekdays),
            "day_of_month": self.day_of_month,
            "until": self.until.isoformat() if self.until else None,
            "count": self.count,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Rule":
        return cls(
            frequency=data["frequency"],
            start=date.fromisoformat(data["start"]),
            interval=int(data.get("interval") or 1),
            weekdays=tuple(data.get("weekdays") or ()),
            day_of_month=data.get("day_of_month"),
            until=date.fromisoformat(data["until"]) if data.get("until") else None,
            count=data.get("count"),
        )


def _month_day(year: int, month: int, day_of_month: int) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day_of_month, last))


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _first_daily(rule: Rule, lower: date) -> date:
    offset = (lower - rule.start).days
    steps = -(-offset // rule.interval)  # ceiling division
    return rule.start + timedelta(days=steps * rule.interval)


def _first_workday(lower: date) -> date:
    day = lower
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def _first_weekly(rule: Rule, lower: date) -> date:
    start_monday = rule.start - timedelta(days=rule.start.isoweekday() - 1)
    day = lower
    # Within interval + 1 weeks of any date there is a week of the rule, and
    # each week of the rule contains at least one of its weekdays.
    for _ in range(7 * (rule.interval + 1)):
        weeks = (day - start_monday).days // 7
        if weeks % rule.interval == 0 and day.isoweekday() in rule.weekdays:
            return day
        day += timedelta(days=1)
    raise AssertionError("a weekly rule without weekdays")


def _first_monthly(rule: Rule, lower: date) -> date:
    months = (lower.year - rule.start.year) * 12 + lower.month - rule.start.month
    steps = max(0, -(-months // rule.interval))
    while True:
        year, month = _add_months(
            rule.start.year, rule.start.month, steps * rule.interval
        )
        day = _month_day(year, month, rule.day_of_month or rule.start.day)
        if day >= lower:
            return day
        steps += 1


def next_date(rule: Rule, after: date | None, not_before: date) -> date | None:
    """Return the first date of the rule after ``after`` and not before ``not_before``.

    ``after`` is the date of the latest occurrence, or None before the first.
    Dates between ``after`` and ``not_before`` are skipped, so a series that
    was left for a while resumes from today instead of catching up. Returns
    None once the rule has ended by ``until``; the caller checks ``count``.
    """
    lower = max(rule.start, not_before)
    if after is not None:
        lower = max(lower, after + timedelta(days=1))
    if rule.frequency == "daily":
        day = _first_daily(rule, lower)
    elif rule.frequency == "workdays":
        day = _first_workday(lower)
    elif rule.frequency == "weekly":
        day = _first_weekly(rule, lower)
    elif rule.frequency == "monthly":
        day = _first_monthly(rule, lower)
    else:
        raise ValueError(f"unknown frequency {rule.frequency!r}")
    if rule.until is not None and day > rule.until:
        return None
    return day
