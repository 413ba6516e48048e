"""Importing tasks: read the whole file, check every task, then write.

A file that cannot be read is a 400 and nothing is written. A row that can be
read but not turned into a task (a title Shtab rejects) is skipped and
reported, and the rest are imported. Values that can be dropped without losing
the task are dropped with a warning: a due date that is not a date, or a
person who is not a Shtab user.

The importer is the creator of every task. A task goes to the people the file
names when they are found among active users, otherwise to ``assignee_id``
from the request, otherwise to the importer.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from pydantic import ValidationError

from chalicelib.errors import InvalidInput, PayloadTooLarge
from chalicelib.ids import stable_id
from chalicelib.tasks import service
from chalicelib.tasks.checklist import MAX_ITEMS as MAX_CHECKLIST_ITEMS
from chalicelib.tasks.due import parse_due
from chalicelib.tasks.importing.common import (
    MAX_DESCRIPTION,
    MAX_TAG,
    MAX_TITLE,
    ImportedRow,
    Parsed,
    People,
    Skipped,
    check_mapping,
    cut,
    default_status,
    one_line,
    read_status_mapping,
)
from chalicelib.tasks.importing.csv_import import parse_csv
from chalicelib.tasks.importing.trello import parse_trello
from chalicelib.tasks.models import (
    COMMENT_PREFIX,
    ChecklistItem,
    Comment,
    Task,
    task_pk,
)
from chalicelib.tasks.schemas import (
    MAX_CHECKLIST_TEXT,
    MAX_CO_ASSIGNEES,
    MAX_TAGS,
    TaskCreate,
)
from chalicelib.tasks.store import encode, field_change, insert
from chalicelib.tasks.visibility import TaskViewer
from chalicelib.web import parse

logger = logging.getLogger(__name__)

# API Gateway takes 10 MB and Lambda 6 MB; 5 MB leaves room for the event.
MAX_FILE_BYTES = 5 * 1024 * 1024
# Each task is two transaction items and its comments are written after, so a
# large import is many transactions; this bounds one request's work.
MAX_TASKS = 1000
TASKS_PER_TRANSACTION = 50
FORMATS = {"trello": parse_trello, "csv": parse_csv}


@dataclass
class Prepared:
    task: Task
    entry: object
    comments: list[Comment]


@dataclass
class Report:
    task_ids: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "created": len(self.task_ids),
            "task_ids": self.task_ids,
            "skipped": [item.to_json() for item in self.skipped],
            "warnings": [item.to_json() for item in self.warnings],
        }


def can_import(viewer: TaskViewer) -> bool:
    return viewer.is_admin or viewer.caller.role == "manager"


def _tags(row: ImportedRow, warn) -> list[str]:
    tags: list[str] = []
    seen: set[str] = set()
    for text in row.tags:
        tag, was_cut = one_line(text, MAX_TAG)
        if was_cut:
            warn(f"tag '{tag}' was cut to {MAX_TAG} characters")
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        warn(f"only the first {MAX_TAGS} of {len(tags)} tags were kept")
        tags = tags[:MAX_TAGS]
    return tags


def _people(row: ImportedRow, people: People, default_id: str, warn) -> list[str]:
    found: list[str] = []
    for references in row.assignees:
        matches = (people.find(reference) for reference in references)
        user = next((match for match in matches if match is not None), None)
        if user is None:
            shown = references[-1] if references else "?"
            warn(f"'{shown}' is not an active Shtab user, so they were not assigned")
        elif user.user_id not in found:
            found.append(user.user_id)
    return found or [default_id]


def _due(row: ImportedRow, warn) -> str | None:
    if not row.due:
        return None
    try:
        parse_due(row.due)
    except ValueError as error:
        warn(f"due date '{row.due}' was left out: {error}")
        return None
    return row.due


def _prepare(
    row: ImportedRow,
    status: str,
    people: People,
    default_id: str,
    viewer: TaskViewer,
    warn,
) -> Prepared:
    title, was_cut = one_line(row.title, MAX_TITLE)
    if was_cut:
        warn(f"the title was cut to {MAX_TITLE} characters")
    description = None
    if row.description:
        description, was_cut = cut(row.description, MAX_DESCRIPTION)
        if was_cut:
            warn(f"the description was cut to {MAX_DESCRIPTION} characters")
    assignees = _people(row, people, default_id, warn)
    co_assignees = assignees[1 : 1 + MAX_CO_ASSIGNEES]
    body = {
        "title": title,
        "description": description,
        "assignee_id": assignees[0],
        "co_assignee_ids": co_assignees,
        "tags": _tags(row, warn),
        "priority": row.priority or "normal",
        "requires_review": status == "review",
    }
    due = _due(row, warn)
    if due:
        body["due"] = due
    request = parse(TaskCreate, body)
    task, entry = service.prepare_new_task(request, viewer, {})

    now = task.created_at
    if status != "new":
        task.status = status
        for change in entry.changes:
            if change.field == "status":
                change.new = encode(status)
    if status == "done":
        task.done_at = now
    items = row.checklist
    if len(items) > MAX_CHECKLIST_ITEMS:
        warn(
            f"only the first {MAX_CHECKLIST_ITEMS} of {len(items)} checklist "
            "items were kept"
        )
        items = items[:MAX_CHECKLIST_ITEMS]
    for number, (text, done) in enumerate(items):
        line, _cut = one_line(text, MAX_CHECKLIST_TEXT)
        if not line:
            continue
        item = ChecklistItem(
            item_id=stable_id(now, task.task_id, "checklist", str(number)),
            text=line,
            done=done,
            created_at=now,
            done_at=now if done else None,
            done_by=viewer.user_id if done else None,
        )
        task.checklist.append(item)
    if task.checklist:
        entry.changes.append(
            field_change(
                "checklist",
                None,
                [
                    {"text": item.text, "done": bool(item.done)}
                    for item in task.checklist
                ],
            )
        )
    comments = []
    for number, text in enumerate(row.comments):
        # Ids a millisecond apart keep the file's order, as comments list by id.
        comment_id = stable_id(
            now + timedelta(milliseconds=number), task.task_id, "comment", str(number)
        )
        comments.append(
            Comment(
                task_pk(task.task_id),
                f"{COMMENT_PREFIX}{comment_id}",
                comment_id=comment_id,
                task_id=task.task_id,
                author_id=viewer.user_id,
                author_name=viewer.name,
                text=text,
                kind="comment",
                mention_ids=[],
                created_at=now,
            )
        )
    return Prepared(task, entry, comments)


def _parse(raw: bytes, file_format: str | None) -> Parsed:
    if file_format is None:
        raise InvalidInput(
            "Invalid query parameter 'format': name the file's format, "
            "format=trello or format=csv.",
            field="format",
        )
    parser = FORMATS.get(file_format)
    if parser is None:
        raise InvalidInput(
            f"Invalid query parameter 'format': '{file_format}' is not supported; "
            "use trello or csv.",
            field="format",
        )
    if len(raw) > MAX_FILE_BYTES:
        raise PayloadTooLarge(
            f"The file is {len(raw)} bytes; the limit is {MAX_FILE_BYTES} bytes "
            "(5 MB). Split it into smaller files."
        )
    if not raw.strip():
        raise InvalidInput(
            "The file is empty; send the file as the body.", field="file"
        )
    return parser(raw)


def _default_assignee(assignee_id: str | None, viewer: TaskViewer) -> str:
    if assignee_id is None:
        return viewer.user_id
    service.active_user(assignee_id, "assignee_id")
    return assignee_id


def _write(prepared: list[Prepared]) -> None:
    """Write the tasks, TASKS_PER_TRANSACTION per transaction, then their comments.

    NOTE: a failure part-way leaves the tasks of earlier transactions saved;
    the error names no task, so the importer checks the list before retrying.
    """
    for start in range(0, len(prepared), TASKS_PER_TRANSACTION):
        chunk = prepared[start : start + TASKS_PER_TRANSACTION]
        insert([(item.task, item.entry) for item in chunk], {})
    comments = [comment for item in prepared for comment in item.comments]
    if comments:
        with Comment.batch_write() as batch:
            for comment in comments:
                batch.save(comment)


def import_tasks(
    raw: bytes,
    *,
    file_format: str | None,
    statuses: str | None,
    assignee_id: str | None,
    viewer: TaskViewer,
) -> Report:
    """Import a Trello board or a CSV file; see the module docstring."""
    mapping = read_status_mapping(statuses)
    default_id = _default_assignee(assignee_id, viewer)
    parsed = _parse(raw, file_format)
    check_mapping(mapping, parsed)
    if len(parsed.rows) > MAX_TASKS:
        raise InvalidInput(
            f"The file has {len(parsed.rows)} tasks; one import takes at most "
            f"{MAX_TASKS}. Split the file.",
            field="file",
        )

    report = Report(skipped=list(parsed.skipped))
    people = People()
    prepared: list[Prepared] = []
    for row in parsed.rows:
        warnings = [Skipped(row.row, message) for message in row.warnings]

        def warn(message: str, row_name: str = row.row, found=warnings) -> None:
            found.append(Skipped(row_name, message))

        status = mapping.get(row.status_name or "") or default_status(row.status_name)
        try:
            prepared.append(_prepare(row, status, people, default_id, viewer, warn))
        except (InvalidInput, ValidationError) as error:
            message = getattr(error, "message", str(error))
            report.skipped.append(Skipped(row.row, message))
            continue
        report.warnings.extend(warnings)

    _write(prepared)
    report.task_ids = [item.task.task_id for item in prepared]
    logger.info(
        "tasks imported format=%s created=%d skipped=%d warnings=%d by=%s",
        file_format,
        len(report.task_ids),
        len(report.skipped),
        len(report.warnings),
        viewer.user_id,
    )
    return report
