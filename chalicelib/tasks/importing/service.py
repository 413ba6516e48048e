"""Importing tasks: read the whole file, check every task, then write.

A file that cannot be read, or a mapping that does not fit it, is a 400 and
nothing is written. A row that can be read but not turned into a task (a
title Shtab rejects) is skipped and reported, and the rest are imported.
Values that can be dropped without losing the task are dropped with a
warning, such as a due date that is not a date.

The importer is the creator of every task unless a column maps to the
creator. People the file names become the responsible person, co-assignees
and watchers when they match users (``people.py``), and placeholders
otherwise. A task whose file names no one goes to ``assignee_id`` from the
request, or else to the importer.

Task ids derive from the import's key and start time and from each row's
source id, so writing the same import again (a job run again after a
failure) finds the tasks already saved and adds only what is missing.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from chalicelib.clock import utc_now
from chalicelib.errors import InvalidInput, PayloadTooLarge
from chalicelib.ids import new_id, stable_id
from chalicelib.tasks import service
from chalicelib.tasks.importing.common import (
    ImportedRow,
    Parsed,
    Skipped,
    check_mapping,
    default_status,
    read_status_mapping,
)
from chalicelib.tasks.importing.csv_import import read_csv
from chalicelib.tasks.importing.mapping import SHAPE_SOURCES, apply, read_columns
from chalicelib.tasks.importing.people import (
    PersonMatch,
    match_people,
    people_in,
    read_people_choices,
)
from chalicelib.tasks.importing.placeholders import link_tasks, save_placeholders
from chalicelib.tasks.importing.source import SourceTable
from chalicelib.tasks.importing.task_rows import (
    Prepared,
    RowPeople,
    comments_of,
    prepare_task,
)
from chalicelib.tasks.importing.trello import read_trello
from chalicelib.tasks.models import TASK_SK, Comment, Task, task_pk
from chalicelib.tasks.store import LinkedWrite, insert
from chalicelib.tasks.visibility import TaskViewer

logger = logging.getLogger(__name__)

# API Gateway takes 10 MB and Lambda 6 MB; 5 MB leaves room for the event.
MAX_FILE_BYTES = 5 * 1024 * 1024
# Each task is two transaction items and its comments are written after, so a
# large import is many transactions; this bounds one import's work.
MAX_TASKS = 1000
TASKS_PER_TRANSACTION = 25
READERS = {"trello": read_trello, "csv": read_csv}

ProgressCallback = Callable[[int, int], None]


@dataclass
class ImportRequest:
    """The import's query parameters, as sent."""

    file_format: str | None
    columns: str | None = None
    statuses: str | None = None
    people: str | None = None
    assignee_id: str | None = None


@dataclass
class Plan:
    """The rows an import would write, their mapping, and how people match."""

    table: SourceTable
    mapping: dict[str, str | None]
    parsed: Parsed
    statuses: dict[str, str]
    matches: dict[str, PersonMatch]
    default_id: str

    def status_for(self, status_name: str | None) -> str:
        return self.statuses.get(status_name or "") or default_status(status_name)

    def people_of(self, row: ImportedRow) -> RowPeople:
        def targets(people) -> list[str]:
            found = []
            for person in people:
                target = self.matches[person.key].target_id
                if target is not None and target not in found:
                    found.append(target)
            return found

        assignees = targets([*row.responsible, *row.co_assignees]) or [self.default_id]
        watchers = [
            target for target in targets(row.watchers) if target not in assignees
        ]
        creators = targets([row.creator] if row.creator is not None else [])
        return RowPeople(
            responsible=assignees[0],
            co_assignees=assignees[1:],
            watchers=watchers,
            creator=creators[0] if creators else None,
        )


@dataclass
class Report:
    task_ids: list[str] = field(default_factory=list)
    # Tasks an earlier run of the same import had saved already.
    already_saved: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)
    placeholders: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "created": len(self.task_ids),
            "already_saved": self.already_saved,
            "task_ids": self.task_ids,
            "skipped": [item.to_json() for item in self.skipped],
            "warnings": [item.to_json() for item in self.warnings],
            "placeholders": [
                {"id": placeholder_id, "name": name}
                for placeholder_id, name in sorted(self.placeholders.items())
            ],
        }


def can_import(viewer: TaskViewer) -> bool:
    return viewer.is_admin or viewer.caller.role == "manager"


def check_format(file_format: str | None) -> str:
    if file_format is None:
        raise InvalidInput(
            "Invalid query parameter 'format': name the file's format, "
            "format=trello or format=csv.",
            field="format",
        )
    if file_format not in READERS:
        raise InvalidInput(
            f"Invalid query parameter 'format': '{file_format}' is not supported; "
            "use trello or csv.",
            field="format",
        )
    return file_format


def read_file(raw: bytes, file_format: str | None) -> SourceTable:
    reader = READERS[check_format(file_format)]
    if len(raw) > MAX_FILE_BYTES:
        raise PayloadTooLarge(
            f"The file is {len(raw)} bytes; the limit is {MAX_FILE_BYTES} bytes "
            "(5 MB). Split it into smaller files.",
            field="file",
        )
    if not raw.strip():
        raise InvalidInput(
            "The file is empty; send the file as the body.", field="file"
        )
    return reader(raw)


def _default_assignee(assignee_id: str | None, viewer: TaskViewer) -> str:
    if assignee_id is None:
        return viewer.user_id
    service.active_user(assignee_id, "assignee_id")
    return assignee_id


def plan_import(raw: bytes, request: ImportRequest, viewer: TaskViewer) -> Plan:
    """Read the file and the request's mappings; raise InvalidInput on the
    first that does not fit. Nothing is written."""
    statuses = read_status_mapping(request.statuses)
    default_id = _default_assignee(request.assignee_id, viewer)
    table = read_file(raw, request.file_format)
    mapping = read_columns(request.columns, table)
    parsed = apply(table, mapping)
    check_mapping(statuses, parsed)
    if len(parsed.rows) > MAX_TASKS:
        raise InvalidInput(
            f"The file has {len(parsed.rows)} tasks; one import takes at most "
            f"{MAX_TASKS}. Split the file.",
            field="file",
        )
    known = people_in(parsed.rows)
    choices = read_people_choices(request.people, known)
    return Plan(
        table=table,
        mapping=mapping,
        parsed=parsed,
        statuses=statuses,
        matches=match_people(known, choices),
        default_id=default_id,
    )


def _task_ids(rows: list[ImportedRow], import_key: str, started_at: datetime, warn):
    """Derive each row's task id; return the ids and the rows by source id."""
    ids: dict[int, str] = {}
    by_source: dict[str, int] = {}
    for index, row in enumerate(rows):
        source = row.source_id
        if source is not None and source in by_source:
            warn(row, f"id '{source}' is used by an earlier row too")
            source = None
        if source is not None:
            by_source[source] = index
        reference = f"id:{source}" if source is not None else f"row:{row.row}"
        ids[index] = stable_id(started_at, "task-import", import_key, reference)
    return ids, by_source


def _levels(rows: list[ImportedRow], by_source: dict[str, int], warn) -> dict:
    """Return each row's parent row index (or None) and its depth.

    Parents are written before their subtasks, one depth after another,
    because a subtask's write checks that its parent exists.
    """
    parents: dict[int, int | None] = {}
    for index, row in enumerate(rows):
        parent = row.parent_source_id
        if parent is not None and parent not in by_source:
            warn(row, f"parent '{parent}' is not in the file, so it was left out")
            parent = None
        parents[index] = by_source[parent] if parent is not None else None
    # A walk that comes back to its start finds a loop and cuts it there, so
    # every loop is cut once each of its rows has been walked from.
    for index, row in enumerate(rows):
        seen = {index}
        current = parents[index]
        while current is not None and current not in seen:
            seen.add(current)
            current = parents[current]
        if current == index:
            warn(row, "the parents form a loop, so this row's parent was left out")
            parents[index] = None
    depths = {}
    for index in range(len(rows)):
        depth, current = 0, parents[index]
        while current is not None:
            depth, current = depth + 1, parents[current]
        depths[index] = depth
    return {"parents": parents, "depths": depths}


def _chunks(depths: dict[int, int]) -> list[list[int]]:
    """Split the row indexes into transactions, one depth after another, so
    that no transaction contains a subtask together with its parent."""
    by_depth: dict[int, list[int]] = {}
    for index in sorted(depths):
        by_depth.setdefault(depths[index], []).append(index)
    chunks = []
    for depth in sorted(by_depth):
        indexes = by_depth[depth]
        for start in range(0, len(indexes), TASKS_PER_TRANSACTION):
            chunks.append(indexes[start : start + TASKS_PER_TRANSACTION])
    return chunks


def _saved_ids(task_ids: list[str]) -> set[str]:
    keys = [(task_pk(task_id), TASK_SK) for task_id in task_ids]
    return {task.task_id for task in Task.batch_get(keys, consistent_read=True)}


def _merged(prepared: list[Prepared]) -> dict[str, LinkedWrite]:
    merged: dict[str, LinkedWrite] = {}
    for item in prepared:
        for task_id, write in item.linked.items():
            target = merged.setdefault(task_id, LinkedWrite(field=write.field))
            target.add_subtasks |= write.add_subtasks
            target.conditions += write.conditions
    return merged


def import_tasks(
    raw: bytes,
    request: ImportRequest,
    viewer: TaskViewer,
    *,
    import_key: str | None = None,
    started_at: datetime | None = None,
    progress: ProgressCallback | None = None,
) -> Report:
    """Import a Trello board or a CSV file; see the module docstring.

    A job passes the same ``import_key`` and ``started_at`` on every run.
    """
    plan = plan_import(raw, request, viewer)
    return write_plan(
        plan,
        viewer,
        import_key=import_key or new_id(),
        started_at=started_at or utc_now(),
        progress=progress,
    )


def write_plan(
    plan: Plan,
    viewer: TaskViewer,
    *,
    import_key: str,
    started_at: datetime,
    progress: ProgressCallback | None,
) -> Report:
    rows = plan.parsed.rows
    report = Report(skipped=list(plan.parsed.skipped))
    row_warnings: dict[int, list[Skipped]] = {
        index: [Skipped(row.row, text) for text in row.warnings]
        for index, row in enumerate(rows)
    }
    index_of = {id(row): index for index, row in enumerate(rows)}

    def warn(row: ImportedRow, message: str) -> None:
        row_warnings[index_of[id(row)]].append(Skipped(row.row, message))

    task_ids, by_source = _task_ids(rows, import_key, started_at, warn)
    links = _levels(rows, by_source, warn)
    people = {index: plan.people_of(row) for index, row in enumerate(rows)}
    placeholders = {
        match.placeholder_id: match.person
        for match in plan.matches.values()
        if match.user is None and match.placeholder_id
    }
    save_placeholders(
        placeholders, SHAPE_SOURCES.get(plan.table.shape, "CSV"), viewer.user_id
    )

    written: set[str] = set()
    done = 0
    for chunk in _chunks(links["depths"]):
        saved = _saved_ids([task_ids[index] for index in chunk])
        prepared: list[Prepared] = []
        kept: list[int] = []
        for index in chunk:
            row = rows[index]
            if task_ids[index] in saved:
                kept.append(index)
                continue
            parent = links["parents"][index]
            parent_id = task_ids[parent] if parent is not None else None
            if parent_id is not None and parent_id not in written:
                warn(row, "its parent row was skipped, so it has no parent")
                parent_id = None
            try:
                prepared.append(
                    prepare_task(
                        row,
                        task_id=task_ids[index],
                        status=plan.status_for(row.status_name),
                        people=people[index],
                        parent_id=parent_id,
                        viewer=viewer,
                        warn=lambda message, row=row: warn(row, message),
                    )
                )
            except (InvalidInput, ValidationError) as error:
                message = getattr(error, "message", str(error))
                report.skipped.append(Skipped(row.row, message))
                row_warnings[index] = []
                continue
            kept.append(index)
        if prepared:
            insert([(item.task, item.entry) for item in prepared], _merged(prepared))
        _write_extras(rows, kept, task_ids, people, started_at, viewer)
        report.already_saved += sum(1 for index in kept if task_ids[index] in saved)
        written.update(task_ids[index] for index in kept)
        done += len(chunk)
        if progress is not None:
            progress(done, len(rows))

    for index in range(len(rows)):
        if task_ids[index] in written:
            report.task_ids.append(task_ids[index])
            report.warnings.extend(row_warnings[index])
            for placeholder_id in people[index].placeholder_ids():
                report.placeholders[placeholder_id] = placeholders[placeholder_id].shown
    logger.info(
        "tasks imported import_key=%s created=%d already_saved=%d skipped=%d "
        "placeholders=%d by=%s",
        import_key,
        len(report.task_ids),
        report.already_saved,
        len(report.skipped),
        len(report.placeholders),
        viewer.user_id,
    )
    return report


def _write_extras(
    rows: list[ImportedRow],
    kept: list[int],
    task_ids: dict[int, str],
    people: dict[int, RowPeople],
    started_at: datetime,
    viewer: TaskViewer,
) -> None:
    """Write the comments and placeholder links of the chunk's tasks.

    Both have derived keys, so writing them again for a task saved by an
    earlier run overwrites the same items.
    """
    comments = [
        comment
        for index in kept
        for comment in comments_of(rows[index], task_ids[index], started_at, viewer)
    ]
    if comments:
        with Comment.batch_write() as batch:
            for comment in comments:
                batch.save(comment)
    link_tasks(
        [
            (placeholder_id, task_ids[index])
            for index in kept
            for placeholder_id in sorted(people[index].placeholder_ids())
        ]
    )
