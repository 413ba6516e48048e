"""The task lists: view rows in the tasks table, read through the view index.

A GSI cannot index the members of a list attribute, and a task appears in the
lists of several people (the responsible person, each co-assignee, each
watcher). So each task has one small row per list it belongs to, in its own
partition, keyed for the ``view-index``:

- ``mine#<user_id>#<order>``: the responsible person and each co-assignee
- ``created#<user_id>#<order>``: the creator
- ``watching#<user_id>#<order>``: each watcher
- ``department#<department_id>#<order>``: the task's department
- ``open#due``: open tasks that have a due date; overdue ones sort first
- ``open#person#<user_id>``: the same, for each person on the task (creator,
  responsible person, co-assignees, watchers, reviewer)
- ``open#department#<department_id>``: the same, for the task's department

``<order>`` is ``created``, where view_sort is the task id (a ULID), or
``due``, where view_sort is ``<due moment>_<task id>``. A task without a due
date sorts as ``~``, after every moment. The ``_`` needs no escaping when a
cursor goes into a URL. Each list is one Query of one index partition, except
the overdue list: admins read ``open#due``, everyone else their own
``open#person#`` partition merged with the ``open#department#`` partitions of
the departments where their reports' positions sit. So an employee reads only
rows of tasks they are on, however many tasks the company has.

The tasks stream reaction writes the rows from the stored task after every
change, so a list shows a new member a moment after the change. On AWS that
is the stream mapping's batching window (one second) plus the reaction's run
time, an estimate that has not been measured. Lists read the tasks themselves
and drop any row the task no longer matches, so a task that has left a list
is not shown in it, and every field shown is current.
"""

import heapq
import logging
from collections.abc import Iterator
from datetime import datetime
from itertools import islice

from chalicelib.clock import iso, utc_now
from chalicelib.errors import InvalidInput
from chalicelib.tasks.due import due_of, is_overdue
from chalicelib.tasks.models import (
    OPEN_STATUSES,
    TASK_SK,
    VIEW_PREFIX,
    Task,
    ViewRow,
    task_pk,
)
from chalicelib.tasks.schemas import ListQuery
from chalicelib.tasks.store import find_task
from chalicelib.tasks.visibility import TaskViewer, executors, participants

logger = logging.getLogger(__name__)

NO_DUE = "~"
OPEN_KEY = "open#due"
OPEN_PREFIX = "open#"
# Rows read per Query page; a filtered list reads on until its page is full.
QUERY_PAGE_SIZE = 100


def due_sort(task: Task) -> str:
    due = due_of(task)
    return f"{iso(due.at) if due else NO_DUE}_{task.task_id}"


def view_rows_of(task: Task) -> dict[str, str]:
    """Return the view rows the task belongs in, as view_key -> view_sort."""
    subjects = [("mine", user_id) for user_id in sorted(executors(task))]
    subjects.append(("created", task.creator_id))
    subjects += [("watching", user_id) for user_id in task.watcher_ids or []]
    if task.department_id:
        subjects.append(("department", task.department_id))

    by_due = due_sort(task)
    rows = {}
    for view, subject in subjects:
        rows[f"{view}#{subject}#created"] = task.task_id
        rows[f"{view}#{subject}#due"] = by_due
    if task.status in OPEN_STATUSES and task.due_date:
        rows[OPEN_KEY] = by_due
        for user_id in sorted(participants(task)):
            rows[f"{OPEN_PREFIX}person#{user_id}"] = by_due
        if task.department_id:
            rows[f"{OPEN_PREFIX}department#{task.department_id}"] = by_due
    return rows


def sync_view_rows(task_id: str) -> int:
    """Bring the task's view rows in step with the stored task; return the writes.

    Safe to repeat: it compares what is stored with what should be, so a
    redelivered or late stream record writes nothing or converges again.
    NOTE: tasks stored before view rows existed get them at their next change;
    nothing backfills the others, so they show only in assignee=me/creator=me.
    """
    task = find_task(task_id, consistent=True)
    wanted = view_rows_of(task) if task is not None else {}
    stored = {
        row.view_key: row
        for row in ViewRow.query(
            task_pk(task_id),
            range_key_condition=ViewRow.sk.startswith(VIEW_PREFIX),
            consistent_read=True,
        )
    }
    writes = 0
    with ViewRow.batch_write() as batch:
        for key, sort in wanted.items():
            row = stored.get(key)
            if row is not None and row.view_sort == sort:
                continue
            batch.save(
                ViewRow(
                    task_pk(task_id),
                    f"{VIEW_PREFIX}{key}",
                    task_id=task_id,
                    view_key=key,
                    view_sort=sort,
                )
            )
            writes += 1
        for key, row in stored.items():
            if key not in wanted:
                batch.delete(row)
                writes += 1
    if writes:
        logger.info("task view rows synced task_id=%s writes=%d", task_id, writes)
    return writes


def overdue_keys(viewer: TaskViewer) -> list[str]:
    """Return the partitions that contain every overdue task the viewer may see.

    An admin sees every task, so reads the company partition. Anyone else sees
    the tasks they are on and the tasks of the people whose positions report to
    theirs. Those are found through the departments of the reporting positions.
    NOTE: a report's task filed under a department that holds none of the
    viewer's reports, and that the viewer is not on, is visible to them but
    missing from their overdue list.
    """
    if viewer.is_admin:
        return [OPEN_KEY]
    keys = [f"{OPEN_PREFIX}person#{viewer.user_id}"]
    for department_id in sorted(viewer.report_departments):
        keys.append(f"{OPEN_PREFIX}department#{department_id}")
    return keys


def _list_keys(query: ListQuery, viewer: TaskViewer, order: str) -> list[str]:
    if query.view == "overdue":
        return overdue_keys(viewer)
    return [_list_key(query, viewer, order)]


def _list_key(query: ListQuery, viewer: TaskViewer, order: str) -> str:
    if query.view == "department":
        department_id = query.department_id or viewer.user.department_id
        if department_id is None:
            raise InvalidInput(
                "Invalid query parameter 'department_id': you are in no department; "
                "name one with department_id.",
                field="department_id",
            )
        return f"department#{department_id}#{order}"
    if query.department_id is not None:
        raise InvalidInput(
            "Invalid query parameter 'department_id': it applies only to "
            "view=department.",
            field="department_id",
        )
    return f"{query.view}#{viewer.user_id}#{order}"


def _rows(key: str, order: str, cursor: str | None, now: datetime) -> Iterator[ViewRow]:
    ascending = order == "due"
    condition = None
    if key.startswith(OPEN_PREFIX):
        # Overdue: due before now. The cursor row itself is skipped below.
        upper = iso(now)
        if cursor is not None and cursor >= upper:
            return
        condition = (
            ViewRow.view_sort.between(cursor, upper)
            if cursor
            else ViewRow.view_sort < upper
        )
    elif cursor:
        condition = (
            ViewRow.view_sort > cursor if ascending else ViewRow.view_sort < cursor
        )
    for row in ViewRow.view_index.query(
        key,
        range_key_condition=condition,
        scan_index_forward=ascending,
        page_size=QUERY_PAGE_SIZE,
    ):
        if row.view_sort != cursor:
            yield row


def _merged_rows(
    keys: list[str], order: str, cursor: str | None, now: datetime
) -> Iterator[ViewRow]:
    """Merge the partitions in view_sort order, each task once.

    A task's rows share one view_sort in every partition, so the copies of a
    task that sits in several partitions arrive next to each other.
    """
    if len(keys) == 1:
        yield from _rows(keys[0], order, cursor, now)
        return
    previous = None
    streams = [_rows(key, order, cursor, now) for key in keys]
    for row in heapq.merge(*streams, key=lambda row: row.view_sort):
        if row.view_sort != previous:
            previous = row.view_sort
            yield row


def _tasks_by_id(task_ids: list[str]) -> dict[str, Task]:
    keys = [(task_pk(task_id), TASK_SK) for task_id in dict.fromkeys(task_ids)]
    return {task.task_id: task for task in Task.batch_get(keys)}


def list_view(query: ListQuery, viewer: TaskViewer) -> tuple[list[Task], str | None]:
    """Return one page of a list and the cursor of the next page, if any."""
    order = query.effective_sort()
    if query.view == "overdue" and order != "due":
        raise InvalidInput(
            "Invalid query parameter 'sort': overdue tasks are listed by due date; "
            "use sort=due or leave it out.",
            field="sort",
        )
    if query.cursor is not None and (order == "due") != ("_" in query.cursor):
        raise InvalidInput(
            "Invalid query parameter 'cursor': this cursor belongs to a list in "
            "another order; use the next_cursor of an earlier page of this list.",
            field="cursor",
        )
    keys = _list_keys(query, viewer, order)
    now = utc_now()

    def matches(task: Task) -> bool:
        if not any(key in view_rows_of(task) for key in keys):
            return False
        if query.status is not None and task.status not in query.status:
            return False
        if query.view == "overdue" and not is_overdue(due_of(task), now):
            return False
        return viewer.can_see(task)

    rows = _merged_rows(keys, order, query.cursor, now)
    found: list[tuple[ViewRow, Task]] = []
    while len(found) <= query.limit:
        chunk = list(islice(rows, query.limit + 1 - len(found)))
        if not chunk:
            break
        tasks = _tasks_by_id([row.task_id for row in chunk])
        for row in chunk:
            task = tasks.get(row.task_id)
            if task is not None and matches(task):
                found.append((row, task))

    next_cursor = None
    if len(found) > query.limit:
        found = found[: query.limit]
        next_cursor = found[-1][0].view_sort
    return [task for _row, task in found], next_cursor


def list_legacy(
    viewer: TaskViewer, role: str, limit: int, cursor: str | None
) -> tuple[list[Task], str | None]:
    """List tasks whose responsible person or creator is the viewer, newest first.

    These are the ``assignee=me`` and ``creator=me`` lists of the first
    version, read straight from the task items' own indexes.
    """
    index = Task.assignee_index if role == "assignee" else Task.creator_index
    condition = Task.task_id < cursor if cursor else None
    rows = list(
        index.query(
            viewer.user_id,
            range_key_condition=condition,
            scan_index_forward=False,
            limit=limit + 1,
        )
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = rows[-1].task_id
    return rows, next_cursor
