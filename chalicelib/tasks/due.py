"""Due dates: a calendar date or a moment, read in the company time zone.

A date such as ``2026-12-15`` is the same calendar day for everyone and is
overdue once that day has ended in the company time zone. A date-time such as
``2026-12-15T18:00`` without an offset is read in the company time zone. One
with an offset (``+03:00`` or ``Z``) is taken as given.
"""

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Europe/Moscow"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)
# Years outside this range are typing mistakes, and year 1 or 9999 would
# overflow when moved between time zones.
MIN_YEAR = 2000
MAX_YEAR = 2999

FORMAT_HINT = (
    'use a date such as "2026-12-15" or a date-time such as "2026-12-15T18:00"'
)


# NOTE: a date's end-of-day moment is stored when the due date is set, so a
# task keeps the zone in force then until its due date is set again.
@lru_cache(maxsize=1)
def company_time_zone() -> ZoneInfo:
    """Return the zone of ``SHTAB_TIME_ZONE``, Europe/Moscow unless set."""
    return ZoneInfo(os.environ.get("SHTAB_TIME_ZONE") or DEFAULT_TIME_ZONE)


@dataclass(frozen=True)
class Due:
    kind: str  # "date" or "datetime"
    date: str  # the calendar date, in the company time zone for a date-time
    at: datetime  # UTC: the moment, or for a date the end of that day
    time_zone: str | None = None  # for a date-time, the zone it was set in

    def to_json(self) -> dict:
        from chalicelib.clock import iso

        if self.kind == "date":
            return {"kind": "date", "date": self.date}
        zone = ZoneInfo(self.time_zone) if self.time_zone else company_time_zone()
        return {
            "kind": "datetime",
            "date": self.date,
            "at": iso(self.at),
            "local": self.at.astimezone(zone).isoformat(timespec="minutes"),
            "time_zone": self.time_zone,
        }


def end_of_day(day: date) -> datetime:
    """Return the UTC moment the company's ``day`` ends."""
    next_day = datetime.combine(day + timedelta(days=1), time(), company_time_zone())
    return next_day.astimezone(UTC)


def parse_due(value: object) -> Due:
    """Read a due date or date-time; raise ValueError with the fix otherwise."""
    if not isinstance(value, str):
        raise ValueError(FORMAT_HINT)
    text = value.strip()
    if _DATE.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a real date; {FORMAT_HINT}") from None
        _check_year(day.year)
        return Due("date", day.isoformat(), end_of_day(day))
    if _DATE_TIME.fullmatch(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"'{text}' is not a real date-time; {FORMAT_HINT}"
            ) from None
        _check_year(moment.year)
        zone = company_time_zone()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        local = moment.astimezone(zone)
        return Due(
            "datetime", local.date().isoformat(), moment.astimezone(UTC), zone.key
        )
    raise ValueError(FORMAT_HINT)


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"the year must be from {MIN_YEAR} to {MAX_YEAR}")


def due_of(item) -> Due | None:
    """Rebuild the Due stored on a task or a checklist item.

    Tasks of the first version stored a date only, without a kind or a moment.
    """
    day = item.due_date
    if not day:
        return None
    if item.due_kind == "datetime" and item.due_at is not None:
        return Due("datetime", day, item.due_at, item.due_time_zone)
    return Due("date", day, item.due_at or end_of_day(date.fromisoformat(day)))


def due_json(due: Due | None) -> dict | None:
    return due.to_json() if due is not None else None


def is_overdue(due: Due | None, now: datetime) -> bool:
    return due is not None and due.at <= now
