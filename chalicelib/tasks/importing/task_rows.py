"""Turning one imported row into a task, its first history entry and comments.

The task is checked as ``POST /api/tasks`` checks a new task, with the real
users only. Placeholders are put into the people fields after the check,
because they are not users: the responsible person, co-assignees, watchers
and the creator may each be a placeholder id.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.ids import stable_id
from chalicelib.tasks import service
from chalicelib.tasks.checklist import MAX_ITEMS as MAX_CHECKLIST_ITEMS
from chalicelib.tasks.due import parse_due
from chalicelib.tasks.importing.common import (
    MAX_COMMENT,
    MAX_DESCRIPTION,
    MAX_TAG,
    MAX_TITLE,
    ImportedRow,
    cut,
    one_line,
)
from chalicelib.tasks.importing.placeholder_models import is_placeholder_id
from chalicelib.tasks.models import (
    COMMENT_PREFIX,
    IMPORTED_ACTION,
    ChecklistItem,
    Comment,
    task_pk,
)
from chalicelib.tasks.schemas import (
    MAX_CHECKLIST_TEXT,
    MAX_CO_ASSIGNEES,
    MAX_TAGS,
    MAX_WATCHERS,
    TaskCreate,
)
from chalicelib.tasks.store import LinkedWrite, encode, field_change
from chalicelib.tasks.visibility import TaskViewer
from chalicelib.web import parse


@dataclass
class RowPeople:
    """A row's people as user or placeholder ids, already matched."""

    responsible: str
    co_assignees: list[str] = field(default_factory=list)
    watchers: list[str] = field(default_factory=list)
    creator: str | None = None

    def placeholder_ids(self) -> set[str]:
        ids = {self.responsible, *self.co_assignees, *self.watchers, self.creator}
        return {value for value in ids if is_placeholder_id(value)}


@dataclass
class Prepared:
    task: object
    entry: object
    linked: dict[str, LinkedWrite]


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


def _due(row: ImportedRow, warn) -> str | None:
    if not row.due:
        return None
    try:
        parse_due(row.due)
    except ValueError as error:
        warn(f"due date '{row.due}' was left out: {error}")
        return None
    return row.due


def _limited(ids: list[str], limit: int, role: str, warn) -> list[str]:
    if len(ids) > limit:
        warn(f"only the first {limit} of {len(ids)} {role} were kept")
    return ids[:limit]


def _set_change(entry, name: str, value) -> None:
    """Record ``value`` as the created task's ``name`` in its first history entry."""
    entry.changes = [change for change in entry.changes if change.field != name]
    if value not in (None, [], False):
        entry.changes.append(field_change(name, None, value))


def prepare_task(
    row: ImportedRow,
    *,
    task_id: str,
    status: str,
    people: RowPeople,
    parent_id: str | None,
    viewer: TaskViewer,
    warn,
) -> Prepared:
    """Build the task of ``row``; raise InvalidInput or ValidationError if the
    task breaks a rule no warning can fix, such as an invalid title."""
    title, was_cut = one_line(row.title, MAX_TITLE)
    if was_cut:
        warn(f"the title was cut to {MAX_TITLE} characters")
    description = None
    if row.description:
        description, was_cut = cut(row.description, MAX_DESCRIPTION)
        if was_cut:
            warn(f"the description was cut to {MAX_DESCRIPTION} characters")
    co_assignees = _limited(people.co_assignees, MAX_CO_ASSIGNEES, "co-assignees", warn)
    watchers = _limited(people.watchers, MAX_WATCHERS, "watchers", warn)

    # The checks run with the real users only; a placeholder responsible
    # person is checked as the importer and put in place afterwards.
    checked_assignee = people.responsible
    if is_placeholder_id(checked_assignee):
        checked_assignee = viewer.user_id
    body = {
        "title": title,
        "description": description,
        "assignee_id": checked_assignee,
        "co_assignee_ids": [
            user_id
            for user_id in co_assignees
            if not is_placeholder_id(user_id) and user_id != checked_assignee
        ],
        "watcher_ids": [
            user_id for user_id in watchers if not is_placeholder_id(user_id)
        ],
        "tags": _tags(row, warn),
        "priority": row.priority or "normal",
        "requires_review": status == "review",
        "parent_id": parent_id,
    }
    due = _due(row, warn)
    if due:
        body["due"] = due
    request = parse(TaskCreate, body)
    linked: dict[str, LinkedWrite] = {}
    task, entry = service.prepare_new_task(request, viewer, linked, task_id=task_id)
    # An import brings in work that already exists: nobody is told they were
    # assigned hundreds of tasks at once, and no thread opens until someone
    # acts on the task.
    entry.action = IMPORTED_ACTION

    task.assignee_id = people.responsible
    task.co_assignee_ids = co_assignees
    task.watcher_ids = watchers
    if is_placeholder_id(people.responsible):
        # The department follows the responsible person, known once mapped.
        task.department_id = None
    if people.creator is not None:
        task.creator_id = people.creator
    for name, value in (
        ("assignee_id", task.assignee_id),
        ("co_assignee_ids", list(co_assignees)),
        ("watcher_ids", list(watchers)),
        ("department_id", task.department_id),
    ):
        _set_change(entry, name, value)

    now = task.created_at
    if status != "new":
        task.status = status
        for change in entry.changes:
            if change.field == "status":
                change.new = encode(status)
    if status == "done":
        task.done_at = now
    _add_checklist(task, row, viewer, warn)
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
    return Prepared(task, entry, linked)


def _add_checklist(task, row: ImportedRow, viewer: TaskViewer, warn) -> None:
    now = task.created_at
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
        task.checklist.append(
            ChecklistItem(
                item_id=stable_id(now, task.task_id, "checklist", str(number)),
                text=line,
                done=done,
                created_at=now,
                done_at=now if done else None,
                done_by=viewer.user_id if done else None,
            )
        )


def comments_of(
    row: ImportedRow, task_id: str, started_at: datetime, viewer: TaskViewer
) -> list[Comment]:
    """Build the row's comments with ids derived from the task and the import
    start, so that writing them again overwrites the same items."""
    comments = []
    for number, full_text in enumerate(row.comments):
        text, _cut = cut(full_text, MAX_COMMENT)
        # Ids a millisecond apart keep the file's order, as comments list by id.
        moment = started_at + timedelta(milliseconds=number)
        comment_id = stable_id(moment, task_id, "comment", str(number))
        comments.append(
            Comment(
                task_pk(task_id),
                f"{COMMENT_PREFIX}{comment_id}",
                comment_id=comment_id,
                task_id=task_id,
                author_id=viewer.user_id,
                author_name=viewer.name,
                text=text,
                kind=IMPORTED_ACTION,
                mention_ids=[],
                created_at=moment,
            )
        )
    return comments
