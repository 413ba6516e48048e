"""The column mapping: which task field each source column fills.

The proposal maps columns by name, in Russian or English (``ALIASES``). A
request may change it with the ``columns`` query parameter, a JSON object of
source column to field name, where null leaves the column out. Columns the
object does not name keep the proposed field.
"""

import json
import re

from chalicelib.errors import InvalidInput
from chalicelib.tasks.importing.common import (
    ImportedRow,
    Parsed,
    Skipped,
    normalise_due,
    normalise_name,
)
from chalicelib.tasks.importing.source import (
    ChecklistEntry,
    SourcePerson,
    SourceTable,
    SourceValue,
    WholeText,
)

# Fields that take the value of one column; mapping two columns to one of
# them is rejected. The others collect the values of every column mapped.
SINGLE_FIELDS = (
    "title",
    "description",
    "status",
    "due",
    "priority",
    "parent",
    "source_id",
    "creator",
    "archived",
    "draft",
)
LIST_FIELDS = (
    "responsible",
    "co_assignees",
    "watchers",
    "tags",
    "checklist",
    "comments",
)
FIELDS = SINGLE_FIELDS + LIST_FIELDS
PEOPLE_FIELDS = ("responsible", "co_assignees", "watchers", "creator")

# Column names by the field they are proposed for, compared after
# lower-casing and replacing punctuation with spaces. The creator is never
# proposed: the importer is the creator unless the request maps a column.
ALIASES = {
    "title": (
        "title",
        "name",
        "task",
        "summary",
        "subject",
        "card name",
        "название",
        "задача",
        "заголовок",
        "наименование",
    ),
    "description": (
        "description",
        "desc",
        "card description",
        "details",
        "notes",
        "body",
        "описание",
        "подробности",
    ),
    "status": (
        "status",
        "state",
        "state name",
        "list",
        "list name",
        "column",
        "статус",
        "состояние",
        "список",
        "колонка",
    ),
    "due": (
        "due",
        "due date",
        "deadline",
        "target date",
        "срок",
        "дедлайн",
        "срок выполнения",
    ),
    "responsible": (
        "assignee email",
        "assignee",
        "assignees",
        "members",
        "email",
        "owner",
        "responsible",
        "исполнитель",
        "ответственный",
        "email исполнителя",
    ),
    "co_assignees": ("co assignees", "соисполнители"),
    "watchers": ("watchers", "subscribers", "наблюдатели"),
    "tags": ("tags", "tag", "labels", "label", "теги", "метки"),
    "priority": ("priority", "приоритет"),
    "checklist": ("checklist", "checklists", "чек лист", "чеклист"),
    "comments": ("comments", "comment", "комментарии", "комментарий"),
    "parent": (
        "parent",
        "parent id",
        "parent issue",
        "родитель",
        "родительская задача",
    ),
    "source_id": ("issue id", "identifier", "card id", "id", "key", "issue key"),
    "archived": ("archived at", "archived", "архив"),
    "draft": ("is draft", "draft", "черновик"),
}

SHAPE_SOURCES = {
    "trello_json": "Trello",
    "trello_csv": "Trello",
    "jira_csv": "Jira",
    "plane_csv": "Plane",
    "linear_csv": "Linear",
    "csv": "CSV",
}

_PRIORITY_WORDS = (
    ("urgent", ("urgent", "critical", "highest", "срочн", "критич")),
    ("high", ("high", "высок")),
    ("low", ("low", "lowest", "низк")),
    ("normal", ("medium", "normal", "none", "no priority", "средн", "обычн")),
)
# A Jira comment cell: "date;author account id;text".
_JIRA_COMMENT = re.compile(r"([^;\n]{6,30});([^;\n]*);(.*)", re.DOTALL)


def propose(columns: list[str]) -> dict[str, str | None]:
    """Propose a field for each column; the first column with a field's alias wins.

    A list field takes every column with one of its aliases.
    """
    names = {column: normalise_name(column) for column in columns}
    proposed: dict[str, str | None] = {column: None for column in columns}
    for field_name, aliases in ALIASES.items():
        for alias in aliases:
            matches = [
                column
                for column in columns
                if names[column] == alias and proposed[column] is None
            ]
            if not matches:
                continue
            if field_name in SINGLE_FIELDS:
                matches = matches[:1]
            for column in matches:
                proposed[column] = field_name
            if field_name in SINGLE_FIELDS:
                break
    return proposed


def read_columns(raw: str | None, table: SourceTable) -> dict[str, str | None]:
    """Apply the ``columns`` query parameter to the proposal and check the result."""
    mapping = dict(table.proposed)
    if raw is not None:
        try:
            changes = json.loads(raw)
        except ValueError:
            changes = None
        if not isinstance(changes, dict) or not all(
            isinstance(value, str | None) for value in changes.values()
        ):
            raise InvalidInput(
                "Invalid query parameter 'columns': send a JSON object of source "
                'columns to task fields, such as {"Summary": "title", "Epic": null}.',
                field="columns",
            )
        for column, field_name in changes.items():
            if column not in mapping:
                known = ", ".join(repr(name) for name in table.columns)
                raise InvalidInput(
                    f"Invalid query parameter 'columns': the file has no column "
                    f"'{column}'; its columns are {known}.",
                    field="columns",
                )
            if field_name is not None and field_name not in FIELDS:
                raise InvalidInput(
                    f"Invalid query parameter 'columns': '{column}' maps to unknown "
                    f"field '{field_name}'; use one of {', '.join(FIELDS)}, or null "
                    "to leave the column out.",
                    field="columns",
                )
            mapping[column] = field_name or None
    _check_single_fields(mapping)
    return mapping


def _check_single_fields(mapping: dict[str, str | None]) -> None:
    for field_name in SINGLE_FIELDS:
        columns = [column for column, name in mapping.items() if name == field_name]
        if len(columns) > 1:
            raise InvalidInput(
                f"Invalid query parameter 'columns': columns '{columns[0]}' and "
                f"'{columns[1]}' both map to '{field_name}', which takes one "
                "column; map one of them to null.",
                field="columns",
            )
    if "title" not in mapping.values():
        raise InvalidInput(
            "Invalid query parameter 'columns': no column maps to 'title'; map the "
            "column of task names to title.",
            field="columns",
        )


def split_cell(value: str) -> list[str]:
    """Read a cell holding several values: a JSON list, or text split by , or ;."""
    value = value.strip()
    if not value:
        return []
    if value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            items = None
        if isinstance(items, list):
            return [str(item).strip() for item in items if str(item).strip()]
    separator = ";" if ";" in value else ","
    return [part.strip() for part in value.split(separator) if part.strip()]


def priority_of(value: str) -> str | None:
    normalised = normalise_name(value)
    if not normalised:
        return None
    for priority, words in _PRIORITY_WORDS:
        if any(word in normalised for word in words):
            return priority
    return None


def _flag(value: str) -> bool:
    """Read an archived or draft cell: any text but a "no" means yes."""
    normalised = normalise_name(value)
    return bool(normalised) and normalised not in ("false", "no", "0", "нет")


def _text(values: list[SourceValue]) -> str:
    parts = []
    for value in values:
        if isinstance(value, SourcePerson):
            parts.append(value.shown)
        elif isinstance(value, ChecklistEntry | WholeText):
            parts.append(value.text)
        else:
            parts.append(value)
    return "\n".join(part for part in parts if part.strip()).strip()


def _list(values: list[SourceValue]) -> list[str]:
    items = []
    for value in values:
        if isinstance(value, str):
            items += split_cell(value)
        else:
            items.append(_text([value]))
    return [item for item in items if item]


def people_of(values: list[SourceValue]) -> list[SourcePerson]:
    people = []
    for value in values:
        if isinstance(value, SourcePerson):
            people.append(value)
            continue
        references = [value.text] if isinstance(value, WholeText) else _list([value])
        for reference in references:
            if "@" in reference:
                people.append(SourcePerson(name="", email=reference))
            else:
                people.append(SourcePerson(name=reference))
    return [person for person in people if person.key]


def _checklist(values: list[SourceValue]) -> list[ChecklistEntry]:
    items = []
    for value in values:
        if isinstance(value, ChecklistEntry):
            items.append(value)
            continue
        if isinstance(value, WholeText):
            items.append(ChecklistEntry(value.text.strip()))
            continue
        lines = split_cell(value) if value.strip().startswith('["') else None
        for line in lines or _text([value]).splitlines():
            line = line.strip()
            done = line.lower().startswith(("[x]", "[х]"))
            if line.startswith("[") and "]" in line[:4]:
                line = line.split("]", 1)[1].strip()
            if line:
                items.append(ChecklistEntry(line, done))
    return items


def _comments(values: list[SourceValue], source: str, jira: bool) -> list[str]:
    comments = []
    for value in values:
        text = _text([value])
        if not text:
            continue
        if isinstance(value, WholeText):
            comments.append(text)
            continue
        items = None
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError:
                items = None
        if isinstance(items, list):
            comments += [_comment_object(item, source) for item in items if item]
            continue
        parts = _JIRA_COMMENT.fullmatch(text) if jira else None
        if parts and any(character.isdigit() for character in parts.group(1)):
            comments.append(f"{parts.group(1).strip()} ({source}):\n{parts.group(3)}")
        else:
            comments.append(text)
    return [comment for comment in comments if comment.strip()]


def _comment_object(item: object, source: str) -> str:
    if not isinstance(item, dict):
        return str(item)
    text = next(
        (str(item[key]) for key in ("comment", "body", "text") if item.get(key)), ""
    )
    author = str(item.get("created_by") or item.get("author") or "").strip()
    day = str(item.get("created_at") or item.get("date") or "")[:10]
    heading = ", ".join(part for part in (author, day) if part)
    return f"{heading} ({source}):\n{text}" if heading else text


def apply(table: SourceTable, mapping: dict[str, str | None]) -> Parsed:
    """Turn every record into an ``ImportedRow`` with the mapping's fields."""
    source = SHAPE_SOURCES.get(table.shape, "CSV")
    parsed = Parsed(
        rows=[], skipped=list(table.skipped), status_names=set(table.status_names)
    )
    for record in table.records:
        by_field: dict[str, list[SourceValue]] = {}
        for column, field_name in mapping.items():
            if field_name is not None and column in record.values:
                by_field.setdefault(field_name, []).extend(record.values[column])

        def text(name: str, found=by_field) -> str:
            return _text(found.get(name, []))

        if _flag(text("archived")):
            parsed.skipped.append(Skipped(record.row, "the row is archived"))
            continue
        if normalise_name(text("draft")) in ("true", "yes", "1", "да"):
            parsed.skipped.append(Skipped(record.row, "the row is a draft"))
            continue
        title = text("title")
        if not title:
            parsed.skipped.append(Skipped(record.row, "the title cell is empty"))
            continue
        status_name = text("status") or None
        if status_name:
            parsed.status_names.add(status_name)
        creators = people_of(by_field.get("creator", []))
        row = ImportedRow(
            row=record.row,
            title=title,
            description=text("description") or None,
            status_name=status_name,
            due=normalise_due(text("due")) or None,
            tags=_list(by_field.get("tags", [])),
            responsible=people_of(by_field.get("responsible", [])),
            co_assignees=people_of(by_field.get("co_assignees", [])),
            watchers=people_of(by_field.get("watchers", [])),
            creator=creators[0] if creators else None,
            checklist=[
                (item.text, item.done)
                for item in _checklist(by_field.get("checklist", []))
            ],
            comments=_comments(
                by_field.get("comments", []), source, table.shape == "jira_csv"
            ),
            source_id=text("source_id") or None,
            parent_source_id=text("parent") or None,
            warnings=list(record.warnings),
        )
        priority_text = text("priority")
        if priority_text:
            row.priority = priority_of(priority_text)
            if row.priority is None:
                row.warnings.append(
                    f"priority '{priority_text}' is not known; the task is normal"
                )
        parsed.rows.append(row)
    return parsed
