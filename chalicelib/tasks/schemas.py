"""Request bodies and query parameters of the task routes."""

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from chalicelib.tasks.due import Due, parse_due
from chalicelib.tasks.models import PRIORITIES, STATUSES
from chalicelib.text import CleanLine

MAX_CO_ASSIGNEES = 20
MAX_WATCHERS = 50
MAX_TAGS = 20
MAX_BLOCKERS = 20
MAX_MENTIONS = 20
MAX_CHECKLIST_TEXT = 200

Status = Literal[STATUSES]  # type: ignore[valid-type]
Priority = Literal[PRIORITIES]  # type: ignore[valid-type]
Identifier = Annotated[str, Field(min_length=1, max_length=64)]
Title = Annotated[CleanLine, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=20000)]


def _due(value: object) -> Due:
    try:
        return parse_due(value)
    except ValueError as error:
        raise PydanticCustomError("due", str(error)) from None


def _unique(values: list) -> list:
    """Drop repeats, keeping the first of each; tags compare case-insensitively."""
    seen: set = set()
    unique = []
    for value in values:
        key = value.casefold() if isinstance(value, str) else value
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


# On the wire a due date is a string, which the validator reads into a Due.
DueInput = Annotated[
    Due,
    BeforeValidator(_due),
    WithJsonSchema(
        {
            "type": "string",
            "description": (
                'A date such as "2026-12-15", or a date-time such as '
                '"2026-12-15T18:00" in the company\'s time zone unless it has '
                "an offset."
            ),
        }
    ),
]
Tag = Annotated[CleanLine, Field(min_length=1, max_length=50)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_unique)]
CoAssignees = Annotated[
    list[Identifier], Field(max_length=MAX_CO_ASSIGNEES), AfterValidator(_unique)
]
Watchers = Annotated[
    list[Identifier], Field(max_length=MAX_WATCHERS), AfterValidator(_unique)
]
Blockers = Annotated[
    list[Identifier], Field(max_length=MAX_BLOCKERS), AfterValidator(_unique)
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DueFields(Strict):
    """``due`` is the field's name; ``due_date``, its first name, still works."""

    due: DueInput | None = None
    due_date: DueInput | None = None

    def due_set(self) -> bool:
        return bool({"due", "due_date"} & self.model_fields_set)

    def due_value(self) -> Due | None:
        return self.due if "due" in self.model_fields_set else self.due_date


class TaskCreate(DueFields):
    title: Title
    description: Description | None = None
    assignee_id: Identifier
    co_assignee_ids: CoAssignees = []
    watcher_ids: Watchers = []
    priority: Priority = "normal"
    tags: Tags = []
    department_id: Identifier | None = None
    parent_id: Identifier | None = None
    blocked_by_ids: Blockers = []
    requires_review: StrictBool = False
    reviewer_id: Identifier | None = None


class TaskUpdate(DueFields):
    title: Title | None = None
    description: Description | None = None
    status: Status | None = None
    # Required when a reviewer returns the task (review -> in_progress);
    # allowed with any status change and kept in the history.
    comment: str | None = Field(default=None, min_length=1, max_length=4000)
    assignee_id: Identifier | None = None
    co_assignee_ids: CoAssignees | None = None
    watcher_ids: Watchers | None = None
    priority: Priority | None = None
    tags: Tags | None = None
    department_id: Identifier | None = None
    parent_id: Identifier | None = None
    blocked_by_ids: Blockers | None = None
    requires_review: StrictBool | None = None
    reviewer_id: Identifier | None = None


class CommentCreate(Strict):
    text: str = Field(min_length=1, max_length=4000)
    # People mentioned by user id; the client turns a picked name into an id.
    mentions: Annotated[
        list[Identifier], Field(max_length=MAX_MENTIONS), AfterValidator(_unique)
    ] = []


class ChecklistItemCreate(Strict):
    text: CleanLine = Field(min_length=1, max_length=MAX_CHECKLIST_TEXT)
    assignee_id: Identifier | None = None
    due: DueInput | None = None


class ChecklistItemUpdate(Strict):
    text: CleanLine | None = Field(
        default=None, min_length=1, max_length=MAX_CHECKLIST_TEXT
    )
    done: StrictBool | None = None
    assignee_id: Identifier | None = None
    due: DueInput | None = None


# Query parameters

_ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
# A due-ordered page ends at "<UTC moment>_<task id>", or "~_<task id>" for
# tasks without a due date, which come last.
_DUE_CURSOR = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z|~)"
    r"_[0-9A-HJKMNP-TV-Z]{26}"
)


def _cursor(value: object) -> str:
    if isinstance(value, str) and (
        _ULID.fullmatch(value) or _DUE_CURSOR.fullmatch(value)
    ):
        return value
    raise PydanticCustomError("cursor", "use the next_cursor of an earlier page")


def _limit(value: object) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        if 1 <= int(value) <= 200:
            return int(value)
    raise PydanticCustomError("limit", "use a whole number from 1 to 200")


def _statuses(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = tuple(part.strip() for part in value.split(",") if part.strip())
        if parts and all(part in STATUSES for part in parts):
            return parts
    raise PydanticCustomError(
        "status",
        "use one or more of {statuses}, separated by commas",
        {"statuses": ", ".join(STATUSES)},
    )


View = Literal["mine", "created", "watching", "department", "overdue"]


class ListQuery(Strict):
    view: View
    status: Annotated[tuple[str, ...], BeforeValidator(_statuses)] | None = None
    sort: Literal["created", "due"] | None = None
    cursor: Annotated[str, BeforeValidator(_cursor)] | None = None
    limit: Annotated[int, BeforeValidator(_limit)] = 50
    department_id: Identifier | None = None

    def effective_sort(self) -> str:
        """Overdue tasks are listed by due date; other lists newest first."""
        if self.sort is not None:
            return self.sort
        return "due" if self.view == "overdue" else "created"


def _version(value: object) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        if 0 < int(value) < 10**8:
            return int(value)
    raise PydanticCustomError("cursor", "use the next_cursor of an earlier page")


class HistoryQuery(Strict):
    cursor: Annotated[int, BeforeValidator(_version)] | None = None
    limit: Annotated[int, BeforeValidator(_limit)] = 100
