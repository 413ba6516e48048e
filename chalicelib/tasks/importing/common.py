"""Rows that every import format produces, and the rules shared between formats.

A parser turns a file into ``ImportedRow`` items and a list of rows it skipped
on purpose (archived cards, rows without a title). It raises ``InvalidInput``
when the file as a whole cannot be read, before anything is written.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from chalicelib.errors import InvalidInput
from chalicelib.people.models import User
from chalicelib.people.service import list_users
from chalicelib.tasks.models import STATUSES

MAX_TITLE = 200
MAX_DESCRIPTION = 20000
MAX_TAG = 50
MAX_COMMENT = 4000


@dataclass
class ImportedRow:
    """One task as read from a file, before it is checked against Shtab."""

    # The row's name in the report: a CSV line number or a Trello card name.
    row: str
    title: str
    description: str | None = None
    # The status name as the file has it: a Trello list or a CSV cell.
    status_name: str | None = None
    due: str | None = None
    priority: str | None = None
    tags: list[str] = field(default_factory=list)
    # The people the file names, in order: the first responsible person is
    # responsible for the task and the rest become co-assignees.
    responsible: list = field(default_factory=list)
    co_assignees: list = field(default_factory=list)
    watchers: list = field(default_factory=list)
    creator: object = None
    # (text, done) pairs.
    checklist: list[tuple[str, bool]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    # The row's id in the source tracker, and its parent's id there.
    source_id: str | None = None
    parent_source_id: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Skipped:
    row: str
    reason: str

    def to_json(self) -> dict:
        return {"row": self.row, "reason": self.reason}


@dataclass
class Parsed:
    rows: list[ImportedRow]
    skipped: list[Skipped]
    # Every status name the file uses, so that a mapping can be checked.
    status_names: set[str] = field(default_factory=set)


def normalise_name(name: str) -> str:
    letters = [
        character if character.isalnum() else " "
        for character in unicodedata.normalize("NFKC", name).casefold()
    ]
    return " ".join("".join(letters).split())


# Checked in this order, so "not done" style names are not read as done.
_STATUS_WORDS = (
    ("cancelled", ("cancel", "отмен", "wont do", "won t do", "rejected")),
    ("done", ("done", "complete", "finished", "closed", "готов", "выполн", "сделан")),
    ("review", ("review", "провер", "ревью", "согласован")),
    (
        "in_progress",
        ("doing", "progress", "started", "testing", "в работе", "делаем", "тест"),
    ),
    ("postponed", ("postpone", "on hold", "later", "someday", "отлож", "пауз")),
)


def default_status(name: str | None) -> str:
    """Guess a Shtab status from a list or status name; "new" when nothing fits."""
    if not name:
        return "new"
    normalised = normalise_name(name)
    for status, words in _STATUS_WORDS:
        if any(word in normalised for word in words):
            return status
    return "new"


def read_status_mapping(raw: str | None) -> dict[str, str]:
    """Read the ``statuses`` query parameter: a JSON object of name to status."""
    if raw is None:
        return {}
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(
        isinstance(name, str) and isinstance(status, str)
        for name, status in mapping.items()
    ):
        raise InvalidInput(
            "Invalid query parameter 'statuses': send a JSON object of list or "
            'status names to Shtab statuses, such as {"Doing": "in_progress"}.',
            field="statuses",
        )
    for name, status in mapping.items():
        if status not in STATUSES:
            raise InvalidInput(
                f"Invalid query parameter 'statuses': '{name}' maps to '{status}'; "
                f"use one of {', '.join(STATUSES)}.",
                field="statuses",
            )
    return mapping


def check_mapping(mapping: dict[str, str], parsed: Parsed) -> None:
    unknown = sorted(set(mapping) - parsed.status_names)
    if unknown:
        known = ", ".join(repr(name) for name in sorted(parsed.status_names)) or "none"
        raise InvalidInput(
            f"Invalid query parameter 'statuses': the file has no status or list "
            f"named '{unknown[0]}'; the names in the file are {known}.",
            field="statuses",
        )


def one_line(text: str, limit: int) -> tuple[str, bool]:
    """Collapse whitespace to single spaces and cut to ``limit`` characters.

    Returns the text and whether it was cut.
    """
    line = " ".join(text.split())
    if len(line) <= limit:
        return line, False
    return line[: limit - 1].rstrip() + "…", True


def cut(text: str, limit: int) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    return text[: limit - 1] + "…", True


_RUSSIAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")


def normalise_due(text: str) -> str:
    """Turn "31.12.2026" into "2026-12-31"; other text is returned stripped."""
    text = text.strip()
    match = _RUSSIAN_DATE.fullmatch(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return text
    return text


class People:
    """Active Shtab users, found by email or by name, case-insensitively."""

    def __init__(self, users: list[User] | None = None) -> None:
        users = list_users() if users is None else users
        self.by_email = {user.email.casefold(): user for user in users}
        self.by_name: dict[str, list[User]] = {}
        for user in users:
            self.by_name.setdefault(normalise_name(user.name), []).append(user)

    def find(self, reference: str) -> User | None:
        """Return the user an email or a name refers to, or None.

        A name shared by several users matches no one, because guessing
        would give the task to the wrong person.
        """
        reference = reference.strip()
        if not reference:
            return None
        if "@" in reference:
            return self.by_email.get(reference.casefold())
        matches = self.by_name.get(normalise_name(reference), [])
        return matches[0] if len(matches) == 1 else None
