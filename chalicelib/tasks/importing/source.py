"""A file as read before any mapping: its shape, columns and records.

Each reader (Trello JSON, CSV) turns a file into a ``SourceTable``. A record
holds, per source column, the values found there: text cells, people, or
checklist items. The column mapping then decides which task field each column
fills (``chalicelib.tasks.importing.mapping``).
"""

from dataclasses import dataclass, field

from chalicelib.tasks.importing.common import Skipped, normalise_name

SHAPES = ("trello_json", "trello_csv", "jira_csv", "plane_csv", "linear_csv", "csv")


@dataclass(frozen=True)
class SourcePerson:
    """A person as the file names them: an email, a full name or a username."""

    name: str
    email: str | None = None
    username: str | None = None

    @property
    def key(self) -> str:
        """Return the identity used for matching and for placeholders.

        Two files that name the same person by the same email, or by the same
        name when no email is given, give the same key.
        """
        if self.email:
            return self.email.strip().casefold()
        return normalise_name(self.name or self.username or "")

    @property
    def shown(self) -> str:
        return self.name or self.username or self.email or "?"


@dataclass(frozen=True)
class ChecklistEntry:
    text: str
    done: bool = False


@dataclass(frozen=True)
class WholeText:
    """Text that is one value as it is: a Trello label or comment.

    A plain text cell may hold a list ("a, b" or a JSON list) and is split
    where a field takes several values, but this one never is.
    """

    text: str


# One value read from a cell or a card attribute.
SourceValue = str | WholeText | SourcePerson | ChecklistEntry


@dataclass
class SourceRecord:
    # The row's name in reports: "line 3" or "card 2: Title".
    row: str
    values: dict[str, list[SourceValue]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, column: str, value: SourceValue) -> None:
        self.values.setdefault(column, []).append(value)


@dataclass
class SourceTable:
    shape: str
    # Source columns in file order; a name repeated in the header is listed once.
    columns: list[str]
    records: list[SourceRecord]
    # Rows the reader left out whatever the mapping (archived Trello cards).
    skipped: list[Skipped] = field(default_factory=list)
    # Proposed task field per column, before the request's changes.
    proposed: dict[str, str | None] = field(default_factory=dict)
    # Status names the file defines even if no row uses them (Trello lists).
    status_names: set[str] = field(default_factory=set)
