"""ISO weeks such as ``2026-W49``, with their bounds in the company time zone.

A week runs from Monday 00:00 to the next Monday 00:00 in the company time
zone (``SHTAB_TIME_ZONE``, the zone due dates are read in).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.errors import InvalidInput
from chalicelib.tasks.due import MAX_YEAR, MIN_YEAR, company_time_zone

_ISO_WEEK = re.compile(r"(?P<year>[0-9]{4})-W(?P<week>[0-9]{2})")
FORMAT_HINT = 'use an ISO week such as "2026-W49"'


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def start(self) -> datetime:
        """The UTC moment the week begins in the company time zone."""
        local = datetime.combine(self.monday, time(), company_time_zone())
        return local.astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The UTC moment the week ends: the start of the next week."""
        return self.next().start

    def next(self) -> "IsoWeek":
        return week_of_date(self.monday + timedelta(days=7))

    def previous(self) -> "IsoWeek":
        return week_of_date(self.monday - timedelta(days=7))

    def weeks_until(self, other: "IsoWeek") -> int:
        return (other.monday - self.monday).days // 7


def week_of_date(day: date) -> IsoWeek:
    year, week, _weekday = day.isocalendar()
    return IsoWeek(year, week)


def week_of_moment(moment: datetime) -> IsoWeek:
    return week_of_date(moment.astimezone(company_time_zone()).date())


def parse_iso_week(text: str, field: str = "iso_week") -> IsoWeek:
    """Read ``YYYY-Www``; raise 400 naming ``field`` for anything else."""
    match = _ISO_WEEK.fullmatch(text or "")
    if match is None:
        raise InvalidInput(
            f"Invalid field '{field}': '{text}' is not an ISO week; {FORMAT_HINT}.",
            field=field,
        )
    year, week = int(match["year"]), int(match["week"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(
            f"Invalid field '{field}': the year must be from {MIN_YEAR} to {MAX_YEAR}.",
            field=field,
        )
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        weeks_in_year = date(year, 12, 28).isocalendar()[1]
        raise InvalidInput(
            f"Invalid field '{field}': {year} has weeks 01 to {weeks_in_year}; "
            f"'{text}' is outside them.",
            field=field,
        ) from None
    return IsoWeek(year, week)
