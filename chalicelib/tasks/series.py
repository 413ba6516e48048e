"""Recurring tasks: a series keeps the template, and each occurrence is a task.

A series has at most one current occurrence. The next one is created when the
current one becomes done or cancelled: the tasks stream calls
``handle_series_record``. The daily run (``ensure_occurrences``) also creates
it for every active series whose current occurrence is closed or missing, in
case the stream reaction failed. The next occurrence falls on the first date
of the rule after the latest one and not before today, so dates missed while
the current occurrence stayed open are skipped.

Creating an occurrence is one transaction: the task, its first history entry,
the occurrence key of (series, date) on the condition that it does not exist,
and the series on the condition that its version is the one read. Two runs for
the same series therefore create one task between them.

Who gets an occurrence: the series' person, or the active holders of its
position at creation time (the holder with the smallest user id is
responsible, the others are co-assignees). When the position is vacant the
occurrence goes to the first active holder up its ``reports_to`` chain, and
when the whole chain is vacant, or the series' person is deactivated, to the
series' creator. Such a task carries ``series.fallback`` in its JSON, naming
the reason and the position or person it was meant for.
"""

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import iso, utc_now
from chalicelib.errors import ApiError, Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.org.models import Position
from chalicelib.org.service import get_position, list_positions
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.storage.connection import transaction_connection
from chalicelib.streams.records import read_change
from chalicelib.tasks import service
from chalicelib.tasks.due import company_time_zone
from chalicelib.tasks.models import ChecklistItem, HistoryEntry, Task
from chalicelib.tasks.present import checklist_item_json
from chalicelib.tasks.recurrence import Rule, next_date
from chalicelib.tasks.schemas import MAX_CO_ASSIGNEES, TaskCreate, TaskUpdate
from chalicelib.tasks.series_models import (
    OCCURRENCE_PREFIX,
    SERIES_PARTITION,
    OccurrenceKey,
    TaskSeries,
    occurrence_sk,
    occurrences_pk,
)
from chalicelib.tasks.series_schemas import SeriesCreate
from chalicelib.tasks.store import field_change, find_task
from chalicelib.tasks.visibility import TaskViewer, get_visible_task
from chalicelib.web import Caller

logger = logging.getLogger(__name__)

CLOSED_STATUSES = ("done", "cancelled")
# Each attempt loses only to a change of the series that committed meanwhile.
MAX_ATTEMPTS = 5
# Fields of a task PATCH that belong to one occurrence, not to the template.
OCCURRENCE_ONLY_FIELDS = (
    "status",
    "comment",
    "due",
    "due_date",
    "parent_id",
    "blocked_by_ids",
)


def _raise_unless_lost_race(error: UpdateError) -> None:
    if error.cause_response_code != "ConditionalCheckFailedException":
        raise error


def company_today(now: datetime) -> date:
    return now.astimezone(company_time_zone()).date()


def rule_of(series: TaskSeries) -> Rule:
    return Rule.from_json(json.loads(series.rule))


# Reading


def find_series(series_id: str, *, consistent: bool = False) -> TaskSeries | None:
    if not series_id or len(series_id) > 64:
        return None
    try:
        return TaskSeries.get(SERIES_PARTITION, series_id, consistent_read=consistent)
    except DoesNotExist:
        return None


def _holders(position_id: str) -> list[User]:
    holders = [user for user in User.position_index.query(position_id)]
    return sorted(
        (user for user in holders if user.is_active), key=lambda user: user.user_id
    )


def can_see_series(series: TaskSeries, viewer: TaskViewer) -> bool:
    if viewer.is_admin or viewer.user_id == series.creator_id:
        return True
    people = {series.assignee_id, series.reviewer_id}
    people.update(series.co_assignee_ids or [])
    people.update(series.watcher_ids or [])
    if viewer.user_id in people:
        return True
    return bool(series.position_id) and viewer.user.position_id == series.position_id


def get_visible_series(series_id: str, viewer: TaskViewer) -> TaskSeries:
    series = find_series(series_id, consistent=True)
    if series is None or not can_see_series(series, viewer):
        raise NotFound(f"Task series '{series_id}' not found.", field="series_id")
    return series


def list_series(viewer: TaskViewer) -> list[TaskSeries]:
    """Return the series the viewer created, or every series for an admin."""
    rows = TaskSeries.query(SERIES_PARTITION)
    return [
        series
        for series in rows
        if viewer.is_admin or series.creator_id == viewer.user_id
    ]


def series_json(series: TaskSeries) -> dict:
    return {
        "id": series.series_id,
        "title": series.title,
        "description": series.description,
        "priority": series.priority,
        "creator_id": series.creator_id,
        "assignee_id": series.assignee_id,
        "position_id": series.position_id,
        "co_assignee_ids": list(series.co_assignee_ids or []),
        "watcher_ids": list(series.watcher_ids or []),
        "tags": list(series.tags or []),
        "department_id": series.department_id,
        "requires_review": bool(series.requires_review),
        "reviewer_id": series.reviewer_id,
        "checklist": list(series.checklist or []),
        "due_time": series.due_time,
        "rule": rule_of(series).to_json(),
        "status": series.status,
        "last_date": series.last_date,
        "current_task_id": series.current_task_id,
        "created_count": int(series.created_count or 0),
        "version": int(series.version),
        "created_at": iso(series.created_at),
        "updated_at": iso(series.updated_at),
    }


# Who gets an occurrence


@dataclass
class Assignment:
    assignee_id: str
    co_assignee_ids: list[str]
    department_id: str | None
    fallback_reason: str | None = None
    fallback_for: str | None = None


def _manager_above(position: Position) -> User | None:
    """Return the first active holder up the ``reports_to`` chain of ``position``."""
    positions = {item.position_id: item for item in list_positions()}
    seen = {position.position_id}
    cursor = position.reports_to
    # The org service rejects loops; the seen set stops a bad item anyway.
    while cursor and cursor not in seen:
        seen.add(cursor)
        holders = _holders(cursor)
        if holders:
            return holders[0]
        above = positions.get(cursor)
        cursor = above.reports_to if above else None
    return None


def _active(user_id: str | None) -> bool:
    if not user_id:
        return False
    user = find_user(user_id)
    return user is not None and user.is_active


def _fallback_to_creator(series: TaskSeries, reason: str, meant_for: str) -> Assignment:
    if not _active(series.creator_id):
        raise Conflict(
            f"Task series '{series.series_id}' cannot assign its next occurrence: "
            f"{meant_for} is {reason.replace('_', ' ')} and the series' creator "
            "is deactivated. Name another assignee with scope=future.",
            field="assignee_id",
        )
    return Assignment(series.creator_id, [], series.department_id, reason, meant_for)


def assign(series: TaskSeries) -> Assignment:
    """Decide who gets the next occurrence, as the module docstring describes."""
    if series.assignee_id:
        if _active(series.assignee_id):
            return Assignment(series.assignee_id, [], series.department_id)
        return _fallback_to_creator(series, "inactive_assignee", series.assignee_id)

    try:
        position = get_position(series.position_id)
    except NotFound:
        return _fallback_to_creator(series, "vacant_position", series.position_id)
    department_id = series.department_id or position.department_id
    holders = _holders(position.position_id)
    if holders:
        return Assignment(
            holders[0].user_id,
            [user.user_id for user in holders[1:]],
            department_id,
        )
    manager = _manager_above(position)
    if manager is not None:
        return Assignment(
            manager.user_id, [], department_id, "vacant_position", series.position_id
        )
    fallback = _fallback_to_creator(series, "vacant_position", series.position_id)
    fallback.department_id = department_id
    return fallback


# Building an occurrence


def _creator_viewer(series: TaskSeries) -> TaskViewer:
    user = find_user(series.creator_id)
    if user is None:
        raise Conflict(
            f"Task series '{series.series_id}': its creator no longer exists.",
            field="series_id",
        )
    return TaskViewer(caller=Caller(user_id=user.user_id, role=user.role), user=user)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _task_request(
    series: TaskSeries, day: date, assignment: Assignment, *, strict: bool
) -> TaskCreate:
    """Build the occurrence's TaskCreate; ``strict`` keeps deactivated people in.

    A new series is checked strictly, so a deactivated person in the request
    is a 400. Later occurrences drop people deactivated since.
    """

    def keep(user_id: str) -> bool:
        return strict or _active(user_id)

    co_assignees = [
        user_id
        for user_id in _unique(
            [*assignment.co_assignee_ids, *(series.co_assignee_ids or [])]
        )
        if user_id != assignment.assignee_id and keep(user_id)
    ]
    # NOTE: holders past the co-assignee limit are left off the occurrence.
    co_assignees = co_assignees[:MAX_CO_ASSIGNEES]
    watchers = [user_id for user_id in series.watcher_ids or [] if keep(user_id)]
    reviewer = series.reviewer_id
    if not strict and reviewer and (reviewer not in watchers or not keep(reviewer)):
        reviewer = None
    due = day.isoformat()
    if series.due_time:
        due = f"{due}T{series.due_time}"
    body = {
        "title": series.title,
        "description": series.description,
        "assignee_id": assignment.assignee_id,
        "co_assignee_ids": co_assignees,
        "watcher_ids": watchers,
        "priority": series.priority or "normal",
        "tags": list(series.tags or []),
        "department_id": assignment.department_id,
        "requires_review": bool(series.requires_review),
        "reviewer_id": reviewer,
        "due": due,
    }
    return TaskCreate.model_validate(body)


def _build_occurrence(
    series: TaskSeries, day: date, *, strict: bool = False
) -> tuple[Task, HistoryEntry, OccurrenceKey]:
    assignment = assign(series)
    request = _task_request(series, day, assignment, strict=strict)
    task, entry = service.prepare_new_task(request, _creator_viewer(series), {})

    task.series_id = series.series_id
    task.occurrence_date = day.isoformat()
    task.fallback_reason = assignment.fallback_reason
    task.fallback_for = assignment.fallback_for
    entry.changes.append(field_change("series_id", None, series.series_id))
    if assignment.fallback_reason:
        entry.changes.append(
            field_change(
                "series_fallback",
                None,
                {
                    "reason": assignment.fallback_reason,
                    "meant_for": assignment.fallback_for,
                },
            )
        )

    for text in series.checklist or []:
        item = ChecklistItem(
            item_id=new_id(), text=text, done=False, created_at=task.created_at
        )
        task.checklist.append(item)
        entry.changes.append(
            field_change(f"checklist.{item.item_id}", None, checklist_item_json(item))
        )

    key = OccurrenceKey(
        occurrences_pk(series.series_id),
        occurrence_sk(day.isoformat()),
        series_id=series.series_id,
        occurrence_date=day.isoformat(),
        task_id=task.task_id,
        created_at=task.created_at,
    )
    return task, entry, key


def _series_after(series: TaskSeries, task: Task, day: date) -> dict:
    """Return the series fields after it gains the occurrence ``task`` on ``day``."""
    count = int(series.created_count or 0) + 1
    rule = rule_of(series)
    finished = rule.count is not None and count >= rule.count
    return {
        "last_date": day.isoformat(),
        "current_task_id": task.task_id,
        "created_count": count,
        "status": "finished" if finished else series.status,
        "version": int(series.version) + 1,
        "updated_at": task.created_at,
    }


def _write_occurrence(
    series: TaskSeries,
    task: Task,
    entry: HistoryEntry,
    key: OccurrenceKey,
    *,
    is_new: bool,
) -> None:
    after = _series_after(series, task, date.fromisoformat(key.occurrence_date))
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(key, condition=OccurrenceKey.sk.does_not_exist())
        if is_new:
            for name, value in after.items():
                setattr(series, name, value)
            transaction.save(series, condition=TaskSeries.sk.does_not_exist())
        else:
            actions = [
                getattr(TaskSeries, name).set(value) for name, value in after.items()
            ]
            transaction.update(
                series,
                actions=actions,
                condition=(TaskSeries.version == series.version)
                & (TaskSeries.status == "active"),
            )
        transaction.save(task, condition=Task.pk.does_not_exist())
        transaction.save(entry, condition=HistoryEntry.sk.does_not_exist())


def _finish(series: TaskSeries) -> None:
    try:
        series.update(
            actions=[
                TaskSeries.status.set("finished"),
                TaskSeries.version.set(int(series.version) + 1),
                TaskSeries.updated_at.set(utc_now()),
            ],
            condition=TaskSeries.version == series.version,
        )
    except UpdateError as error:
        _raise_unless_lost_race(error)
        # The caller reads the series again and decides anew.
        logger.info(
            "series finish lost a race series_id=%s error=%s",
            series.series_id,
            error,
        )
        return
    logger.info("series finished series_id=%s", series.series_id)


# Creating occurrences


def _needs_next(series: TaskSeries) -> bool:
    if series.status != "active":
        return False
    if not series.current_task_id:
        return True
    current = find_task(series.current_task_id, consistent=True)
    return current is None or current.status in CLOSED_STATUSES


def advance(series_id: str, now: datetime) -> Task | None:
    """Create the next occurrence if the series needs one; return it or None.

    Safe to run any number of times and at the same time: see the module
    docstring for the transaction that makes creation idempotent.
    """
    today = company_today(now)
    for _attempt in range(MAX_ATTEMPTS):
        series = find_series(series_id, consistent=True)
        if series is None or not _needs_next(series):
            return None
        rule = rule_of(series)
        if rule.count is not None and int(series.created_count or 0) >= rule.count:
            _finish(series)
            return None
        last = date.fromisoformat(series.last_date) if series.last_date else None
        day = next_date(rule, last, today)
        if day is None:
            _finish(series)
            return None
        task, entry, key = _build_occurrence(series, day)
        try:
            _write_occurrence(series, task, entry, key, is_new=False)
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            logger.info(
                "series occurrence lost a race series_id=%s date=%s", series_id, day
            )
            continue
        logger.info(
            "series occurrence created series_id=%s date=%s task_id=%s assignee_id=%s",
            series_id,
            day,
            task.task_id,
            task.assignee_id,
        )
        return task
    logger.warning("series occurrence gave up after races series_id=%s", series_id)
    return None


def ensure_occurrences(now: datetime) -> dict:
    """Give every active series its next occurrence if it needs one.

    The daily scheduled function calls this. A series that cannot get an occurrence (no
    one to assign it to) is logged and skipped, so it does not stop the rest.
    """
    checked = created = failed = 0
    for series in TaskSeries.query(SERIES_PARTITION):
        if series.status != "active":
            continue
        checked += 1
        try:
            if advance(series.series_id, now) is not None:
                created += 1
        except ApiError as error:
            failed += 1
            logger.error(
                "series occurrence failed series_id=%s error=%s",
                series.series_id,
                error.message,
            )
    logger.info(
        "series run done checked=%d created=%d failed=%d", checked, created, failed
    )
    return {"checked": checked, "created": created, "failed": failed}


def handle_series_record(record: DynamoDBRecord) -> None:
    """Create the next occurrence when an occurrence becomes done or cancelled."""
    change = read_change(record)
    if change.item_type != "task" or change.event_name != "MODIFY":
        return
    series_id = change.new.get("series_id")
    status = change.new.get("status")
    if not series_id or status not in CLOSED_STATUSES:
        return
    if change.old.get("status") == status:
        return
    try:
        advance(series_id, utc_now())
    except ApiError as error:
        # Retrying would fail the same way; the daily run tries again.
        logger.error(
            "series occurrence failed series_id=%s task_id=%s error=%s",
            series_id,
            change.new.get("task_id"),
            error.message,
        )


# Changing series


def _check_series_request(request: SeriesCreate) -> None:
    request.rule.check()
    if (request.assignee_id is None) == (request.position_id is None):
        raise InvalidInput(
            "Invalid field 'assignee_id': name either a person (assignee_id) or a "
            "position (position_id) that the occurrences go to.",
            field="assignee_id",
        )
    if request.assignee_id is not None:
        # Checked here, because a later occurrence would fall back to the
        # creator instead of rejecting the person.
        service.active_user(request.assignee_id, "assignee_id")
    if request.position_id is not None:
        try:
            get_position(request.position_id)
        except NotFound:
            raise InvalidInput(
                f"Invalid field 'position_id': position '{request.position_id}' "
                "does not exist.",
                field="position_id",
            ) from None


def create_series(request: SeriesCreate, viewer: TaskViewer) -> tuple[TaskSeries, Task]:
    """Save a series together with its first occurrence, or raise without writing."""
    _check_series_request(request)
    rule = request.rule.to_rule()
    now = utc_now()
    day = next_date(rule, None, company_today(now))
    if day is None:
        raise InvalidInput(
            "Invalid field 'rule.until': the rule has no dates from today on; "
            "move until later.",
            field="rule.until",
        )
    series = TaskSeries(
        SERIES_PARTITION,
        new_id(),
        title=request.title,
        description=request.description or None,
        priority=request.priority,
        creator_id=viewer.user_id,
        assignee_id=request.assignee_id,
        position_id=request.position_id,
        co_assignee_ids=list(request.co_assignee_ids),
        watcher_ids=list(request.watcher_ids),
        tags=list(request.tags),
        department_id=request.department_id,
        requires_review=request.requires_review,
        reviewer_id=request.reviewer_id,
        checklist=list(request.checklist),
        due_time=request.due_time,
        rule=json.dumps(rule.to_json()),
        status="active",
        created_count=0,
        version=0,
        created_at=now,
        updated_at=now,
    )
    task, entry, key = _build_occurrence(series, day, strict=True)
    _write_occurrence(series, task, entry, key, is_new=True)
    logger.info(
        "series created series_id=%s first=%s task_id=%s by=%s",
        series.series_id,
        day,
        task.task_id,
        viewer.user_id,
    )
    return series, task


def _require_owner(series: TaskSeries, viewer: TaskViewer) -> None:
    if not (viewer.is_admin or series.creator_id == viewer.user_id):
        raise Forbidden("Only the series' creator or an admin can change the series.")


def stop_series(series_id: str, viewer: TaskViewer) -> TaskSeries:
    """Stop a series; its open occurrences stay as they are."""
    series = get_visible_series(series_id, viewer)
    _require_owner(series, viewer)
    if series.status != "active":
        return series
    try:
        series.update(
            actions=[
                TaskSeries.status.set("stopped"),
                TaskSeries.version.set(int(series.version) + 1),
                TaskSeries.updated_at.set(utc_now()),
            ],
            condition=TaskSeries.version == series.version,
        )
    except UpdateError as error:
        _raise_unless_lost_race(error)
        logger.info("series stop lost a race series_id=%s: %s", series_id, error)
        raise Conflict(
            "The series changed meanwhile; reload it and try again.",
            field="series_id",
        ) from None
    logger.info("series stopped series_id=%s by=%s", series_id, viewer.user_id)
    return find_series(series_id, consistent=True)


def _open_future_occurrences(series_id: str, after: str, skip: str) -> list[Task]:
    keys = OccurrenceKey.query(
        occurrences_pk(series_id),
        range_key_condition=OccurrenceKey.sk.between(
            f"{OCCURRENCE_PREFIX}{after}", f"{OCCURRENCE_PREFIX}~"
        ),
    )
    tasks = []
    for key in keys:
        if key.task_id == skip:
            continue
        task = find_task(key.task_id, consistent=True)
        if task is not None and task.status not in CLOSED_STATUSES:
            tasks.append(task)
    return tasks


def _template_actions(request: TaskUpdate, fields_set: set[str]) -> list:
    actions = []
    simple = ("title", "priority", "co_assignee_ids", "watcher_ids", "tags")
    for name in simple:
        if name in fields_set:
            actions.append(getattr(TaskSeries, name).set(getattr(request, name)))
    nullable = ("description", "department_id", "reviewer_id")
    for name in nullable:
        if name in fields_set:
            value = getattr(request, name) or None
            attribute = getattr(TaskSeries, name)
            actions.append(attribute.set(value) if value else attribute.remove())
    if "requires_review" in fields_set:
        actions.append(TaskSeries.requires_review.set(request.requires_review))
    if "assignee_id" in fields_set:
        # Naming a person turns a position series into a series for that person.
        actions.append(TaskSeries.assignee_id.set(request.assignee_id))
        actions.append(TaskSeries.position_id.remove())
    return actions


def update_future(
    task_id: str, request: TaskUpdate, fields_set: set[str], viewer: TaskViewer
) -> Task:
    """Change an occurrence, its series' template and the later open occurrences.

    The occurrence itself is changed first, with every check of a task
    change, so a bad request fails before the series is touched.
    """
    for name in OCCURRENCE_ONLY_FIELDS:
        if name in fields_set:
            raise InvalidInput(
                f"Invalid field '{name}': it applies to one occurrence only; send "
                "it with scope=this.",
                field=name,
            )
    task = get_visible_task(task_id, viewer, consistent=True)
    if not task.series_id:
        raise InvalidInput(
            "Invalid query parameter 'scope': this task is not part of a series; "
            "leave scope out.",
            field="scope",
        )
    series = find_series(task.series_id, consistent=True)
    if series is None:
        raise NotFound(f"Task series '{task.series_id}' not found.", field="scope")
    _require_owner(series, viewer)

    updated = service.update_task(task_id, request, fields_set, viewer)
    actions = _template_actions(request, fields_set)
    actions += [
        TaskSeries.version.set(int(series.version) + 1),
        TaskSeries.updated_at.set(utc_now()),
    ]
    try:
        series.update(actions=actions, condition=TaskSeries.version == series.version)
    except UpdateError as error:
        _raise_unless_lost_race(error)
        logger.info("series edit lost a race series_id=%s: %s", series.series_id, error)
        raise Conflict(
            "The series changed meanwhile, so only this occurrence was changed; "
            "reload and repeat the change for the future ones.",
            field="scope",
        ) from None
    later = _open_future_occurrences(
        series.series_id, task.occurrence_date or "", skip=task_id
    )
    for occurrence in later:
        service.update_task(occurrence.task_id, request, fields_set, viewer)
    logger.info(
        "series edited series_id=%s from_task_id=%s occurrences=%d by=%s",
        series.series_id,
        task_id,
        1 + len(later),
        viewer.user_id,
    )
    return updated
