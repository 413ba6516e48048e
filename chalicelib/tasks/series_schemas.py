"""Request bodies of the task series routes."""

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
)
from pydantic_core import PydanticCustomError

from chalicelib.errors import InvalidInput
from chalicelib.tasks.due import MAX_YEAR, MIN_YEAR
from chalicelib.tasks.recurrence import MAX_COUNT, MAX_INTERVAL, Rule
from chalicelib.tasks.schemas import (
    MAX_CHECKLIST_TEXT,
    CoAssignees,
    Description,
    Identifier,
    Priority,
    Strict,
    Tags,
    Title,
)
from chalicelib.text import CleanLine

MAX_SERIES_CHECKLIST = 50
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _calendar_date(value: object) -> date:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None and MIN_YEAR <= day.year <= MAX_YEAR:
            return day
    raise PydanticCustomError(
        "date",
        'use a real calendar date such as "2026-12-15", years {low} to {high}',
        {"low": MIN_YEAR, "high": MAX_YEAR},
    )


def _time(value: object) -> str:
    if isinstance(value, str) and _TIME.fullmatch(value):
        return value
    raise PydanticCustomError("time", 'use a time of day such as "18:00"')


def _reject(name: str, message: str) -> None:
    field = f"rule.{name}"
    raise InvalidInput(f"Invalid field '{field}': {message}.", field=field)


def _weekdays(values: list[int]) -> list[int]:
    return sorted(set(values))


CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]
Weekday = Annotated[StrictInt, Field(ge=1, le=7)]
ChecklistText = Annotated[CleanLine, Field(min_length=1, max_length=MAX_CHECKLIST_TEXT)]
Watchers = Annotated[list[Identifier], Field(max_length=50)]


class RuleInput(Strict):
    frequency: Literal["daily", "workdays", "weekly", "monthly"]
    start: CalendarDate
    interval: Annotated[StrictInt, Field(ge=1, le=MAX_INTERVAL)] = 1
    weekdays: Annotated[
        list[Weekday], Field(max_length=7), AfterValidator(_weekdays)
    ] = []
    day_of_month: Annotated[StrictInt, Field(ge=1, le=31)] | None = None
    until: CalendarDate | None = None
    count: Annotated[StrictInt, Field(ge=1, le=MAX_COUNT)] | None = None

    def check(self) -> None:
        """Raise InvalidInput naming the field when the rule's parts disagree."""
        if self.frequency == "weekly" and not self.weekdays:
            _reject(
                "weekdays",
                "a weekly rule needs weekdays as ISO numbers, 1 is Monday and 7 "
                "is Sunday",
            )
        if self.frequency != "weekly" and self.weekdays:
            _reject("weekdays", "weekdays apply only to a weekly rule; remove them")
        if self.frequency != "monthly" and self.day_of_month is not None:
            _reject("day_of_month", "it applies only to a monthly rule; remove it")
        if self.frequency == "workdays" and self.interval != 1:
            _reject("interval", "a workdays rule repeats every working day; remove it")
        if self.until is not None and self.count is not None:
            _reject("until", "end the rule by until or by count, not both")
        if self.until is not None and self.until < self.start:
            _reject("until", "it must not be before start")

    def to_rule(self) -> Rule:
        return Rule(
            frequency=self.frequency,
            start=self.start,
            interval=self.interval,
            weekdays=tuple(self.weekdays),
            day_of_month=(
                self.day_of_month or self.start.day
                if self.frequency == "monthly"
                else None
            ),
            until=self.until,
            count=self.count,
        )


class SeriesCreate(Strict):
    title: Title
    description: Description | None = None
    assignee_id: Identifier | None = None
    position_id: Identifier | None = None
    co_assignee_ids: CoAssignees = []
    watcher_ids: Watchers = []
    priority: Priority = "normal"
    tags: Tags = []
    department_id: Identifier | None = None
    requires_review: StrictBool = False
    reviewer_id: Identifier | None = None
    checklist: Annotated[
        list[ChecklistText], Field(max_length=MAX_SERIES_CHECKLIST)
    ] = []
    due_time: Annotated[str, BeforeValidator(_time)] | None = None
    rule: RuleInput
