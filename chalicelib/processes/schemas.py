"""Request bodies of the process template and launch routes."""

from datetime import date
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
)
from pydantic_core import PydanticCustomError

from chalicelib.tasks.due import MAX_YEAR, MIN_YEAR
from chalicelib.text import CleanLine, CleanText

MAX_STEPS = 60
MAX_CHECKLIST_ITEMS = 30
# Ten years either way; a longer offset is most likely a typing mistake.
MAX_OFFSET_DAYS = 3650
MAX_DURATION_DAYS = 365

Identifier = Annotated[str, Field(min_length=1, max_length=64)]
StepKey = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ShortText(Strict):
    ru: Annotated[CleanLine, Field(min_length=1, max_length=200)]
    en: Annotated[CleanLine, Field(min_length=1, max_length=200)]


class LongText(Strict):
    ru: Annotated[CleanText, Field(min_length=1, max_length=4000)]
    en: Annotated[CleanText, Field(min_length=1, max_length=4000)]


class StepCreate(Strict):
    key: StepKey
    position_id: Identifier
    due_offset_days: Annotated[
        StrictInt, Field(ge=-MAX_OFFSET_DAYS, le=MAX_OFFSET_DAYS)
    ]
    duration_days: Annotated[StrictInt, Field(ge=1, le=MAX_DURATION_DAYS)]
    depends_on: Annotated[list[StepKey], Field(max_length=MAX_STEPS)] = []
    title: ShortText
    description: LongText
    checklist: Annotated[list[ShortText], Field(max_length=MAX_CHECKLIST_ITEMS)] = []


class TemplateCreate(Strict):
    name: ShortText
    description: LongText
    steps: Annotated[list[StepCreate], Field(min_length=1, max_length=MAX_STEPS)]


def _calendar_date(value: object) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None and MIN_YEAR <= day.year <= MAX_YEAR:
            return day
    raise PydanticCustomError(
        "calendar_date",
        'use a calendar date such as "2026-12-15", with a year from '
        f"{MIN_YEAR} to {MAX_YEAR}",
    )


class LaunchCreate(Strict):
    name: Annotated[CleanLine, Field(min_length=1, max_length=150)]
    target_date: Annotated[date, BeforeValidator(_calendar_date)]
    product: Annotated[CleanLine, Field(min_length=1, max_length=200)] | None = None
    allow_vacant: StrictBool = False
    assign_vacant_to: Identifier | None = None
    # Repeating a request with the same key returns the first launch. Without
    # a key, the template, the name and the target date are the key.
    idempotency_key: Annotated[str, Field(min_length=1, max_length=100)] | None = None
