"""Setting tasks, changing them and commenting on them.

Notifications are not sent here, and the lists are not written here: the
tasks stream drives the notification reaction and the view rows.
"""

import logging
from dataclasses import dataclass

from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.org.service import get_department
from chalicelib.people.service import find_user
from chalicelib.tasks import links, transitions
from chalicelib.tasks.due import Due, due_json, due_of
from chalicelib.tasks.models import (
    COMMENT_PREFIX,
    HISTORY_PREFIX,
    TASK_SK,
    Comment,
    HistoryEntry,
    Task,
    history_sk,
    task_pk,
)
from chalicelib.tasks.schemas import (
    MAX_WATCHERS,
    CommentCreate,
    DueFields,
    TaskCreate,
    TaskUpdate,
)
from chalicelib.tasks.store import (
    Actor,
    LinkedWrite,
    commit,
    field_change,
    get_task,
    history_entry,
    insert,
    retry_stale,
)
from chalicelib.tasks.visibility import TaskViewer, get_visible_task, participants

logger = logging.getLogger(__name__)

# Tasks saved per transaction by create_tasks_batch: two items each (the task
# and its first history entry) plus one per parent stays under 100 items.
BATCH_CHUNK = 25

NOT_NULL_FIELDS = (
    "title",
    "status",
    "assignee_id",
    "co_assignee_ids",
    "watcher_ids",
    "priority",
    "tags",
    "blocked_by_ids",
    "requires_review",
)


def actor_of(viewer: TaskViewer) -> Actor:
    return Actor(viewer.user_id, viewer.name)


def active_user(user_id: str, field: str) -> None:
    user = find_user(user_id)
    if user is None:
        raise InvalidInput(
            f"Invalid field '{field}': user '{user_id}' does not exist.", field=field
        )
    if not user.is_active:
        raise InvalidInput(
            f"Invalid field '{field}': user '{user_id}' is deactivated; "
            "choose someone active.",
            field=field,
        )


def _existing_department(department_id: str) -> None:
    try:
        get_department(department_id, field="department_id")
    except NotFound:
        raise InvalidInput(
            f"Invalid field 'department_id': department '{department_id}' does "
            "not exist.",
            field="department_id",
        ) from None


def _one_due_field(request: DueFields) -> None:
    if {"due", "due_date"} <= request.model_fields_set:
        raise InvalidInput(
            "Invalid field 'due': send the due date once, as 'due' or as "
            "'due_date', not both.",
            field="due",
        )


def _due_actions(due: Due | None) -> list:
    if due is None:
        return [
            Task.due_kind.remove(),
            Task.due_date.remove(),
            Task.due_at.remove(),
            Task.due_time_zone.remove(),
        ]
    actions = [
        Task.due_kind.set(due.kind),
        Task.due_date.set(due.date),
        Task.due_at.set(due.at),
    ]
    if due.time_zone:
        actions.append(Task.due_time_zone.set(due.time_zone))
    else:
        actions.append(Task.due_time_zone.remove())
    return actions


@dataclass
class People:
    """The people fields of a task as they will be after a change."""

    assignee_id: str
    co_assignee_ids: list[str]
    watcher_ids: list[str]
    requires_review: bool
    reviewer_id: str | None


def _check_people(people: People, fields_set: set[str]) -> None:
    """Check the rules between the people fields of a task as it will be."""
    if people.assignee_id in people.co_assignee_ids:
        field = "co_assignee_ids" if "co_assignee_ids" in fields_set else "assignee_id"
        raise InvalidInput(
            f"Invalid field '{field}': user '{people.assignee_id}' is the responsible "
            "person, so they cannot also be a co-assignee.",
            field=field,
        )
    if people.reviewer_id is None:
        return
    if not people.requires_review:
        raise InvalidInput(
            "Invalid field 'reviewer_id': a reviewer is named only for a task that "
            "requires review; set 'requires_review' to true.",
            field="reviewer_id",
        )
    if people.reviewer_id not in people.watcher_ids:
        field = "reviewer_id" if "reviewer_id" in fields_set else "watcher_ids"
        raise InvalidInput(
            f"Invalid field '{field}': the reviewer must be a watcher; add "
            f"'{people.reviewer_id}' to watcher_ids.",
            field=field,
        )


def _check_new_people(
    user_ids: list[str], old_ids: list[str] | tuple[str, ...], field: str
) -> None:
    # People already on the task stay even if deactivated since; only
    # newcomers must be active.
    for user_id in user_ids:
        if user_id not in old_ids:
            active_user(user_id, field)


# Creating


def prepare_new_task(
    request: TaskCreate,
    viewer: TaskViewer,
    linked: dict[str, LinkedWrite],
    task_id: str | None = None,
) -> tuple[Task, object]:
    """Check a new task and build it with its first history entry, unsaved.

    ``task_id`` is for callers that derive ids, so that redoing their work
    finds the tasks already saved; by default the id is new.
    """
    _one_due_field(request)
    active_user(request.assignee_id, "assignee_id")
    _check_new_people(request.co_assignee_ids, (), "co_assignee_ids")
    _check_new_people(request.watcher_ids, (), "watcher_ids")
    people = People(
        request.assignee_id,
        list(request.co_assignee_ids),
        list(request.watcher_ids),
        request.requires_review,
        request.reviewer_id,
    )
    _check_people(people, request.model_fields_set)
    department_id = request.department_id
    if department_id is not None:
        _existing_department(department_id)
    else:
        # A task belongs to the responsible person's department unless set.
        department_id = find_user(request.assignee_id).department_id

    task_id = task_id or new_id()
    links.link_parent(task_id, request.parent_id, None, viewer, linked, is_new=True)
    links.link_blockers(
        task_id, request.blocked_by_ids, [], viewer, linked, is_new=True
    )

    now = utc_now()
    due = request.due_value()
    task = Task(
        task_pk(task_id),
        task_id=task_id,
        title=request.title,
        description=request.description or None,
        status="new",
        priority=request.priority,
        creator_id=viewer.user_id,
        assignee_id=request.assignee_id,
        co_assignee_ids=people.co_assignee_ids,
        watcher_ids=people.watcher_ids,
        tags=list(request.tags),
        department_id=department_id,
        parent_id=request.parent_id,
        blocked_by_ids=list(request.blocked_by_ids),
        requires_review=request.requires_review,
        reviewer_id=request.reviewer_id,
        due_kind=due.kind if due else None,
        due_date=due.date if due else None,
        due_at=due.at if due else None,
        due_time_zone=due.time_zone if due else None,
        checklist=[],
        version=1,
        updated_by=viewer.user_id,
        created_at=now,
        updated_at=now,
    )
    changes = [
        field_change(name, None, value)
        for name, value in _snapshot(task).items()
        if value not in (None, [], False)
    ]
    # The entry is built against the state before the task existed: version 0.
    blank = Task(task_pk(task_id), task_id=task_id, version=0)
    entry = history_entry(blank, actor_of(viewer), "created", changes)
    entry.created_at = now
    return task, entry


def _snapshot(task: Task) -> dict:
    """Return the fields that a history entry records, as JSON values."""
    return {
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "assignee_id": task.assignee_id,
        "co_assignee_ids": list(task.co_assignee_ids or []),
        "watcher_ids": list(task.watcher_ids or []),
        "tags": list(task.tags or []),
        "department_id": task.department_id,
        "parent_id": task.parent_id,
        "blocked_by_ids": list(task.blocked_by_ids or []),
        "requires_review": bool(task.requires_review),
        "reviewer_id": task.reviewer_id,
        "due": due_json(due_of(task)),
    }


def create_task(request: TaskCreate, viewer: TaskViewer) -> Task:
    linked: dict[str, LinkedWrite] = {}
    task, entry = prepare_new_task(request, viewer, linked)
    insert([(task, entry)], linked)
    logger.info(
        "task created task_id=%s assignee_id=%s by=%s",
        task.task_id,
        task.assignee_id,
        viewer.user_id,
    )
    return task


def create_tasks_batch(requests: list[TaskCreate], viewer: TaskViewer) -> list[Task]:
    """Create many tasks set by ``viewer``, each checked as ``create_task`` does.

    Every request is checked before anything is written. The tasks are then
    saved BATCH_CHUNK at a time, each chunk in one transaction, so a failure
    part-way leaves the earlier chunks saved. A parent must exist before the
    batch: a task cannot name a parent created in the same batch.
    """
    prepared = []
    for request in requests:
        linked: dict[str, LinkedWrite] = {}
        task, entry = prepare_new_task(request, viewer, linked)
        prepared.append((task, entry, linked))

    tasks = []
    for start in range(0, len(prepared), BATCH_CHUNK):
        chunk = prepared[start : start + BATCH_CHUNK]
        merged: dict[str, LinkedWrite] = {}
        for _task, _entry, linked in chunk:
            for task_id, write in linked.items():
                target = merged.setdefault(task_id, LinkedWrite(field=write.field))
                target.add_subtasks |= write.add_subtasks
                target.conditions += write.conditions
        insert([(task, entry) for task, entry, _linked in chunk], merged)
        tasks += [task for task, _entry, _linked in chunk]
    logger.info("tasks created in a batch count=%d by=%s", len(tasks), viewer.user_id)
    return tasks


# Changing


def _require_not_null(request: TaskUpdate, fields_set: set[str]) -> None:
    for field in NOT_NULL_FIELDS:
        if field in fields_set and getattr(request, field) is None:
            hint = " Send [] to clear the list." if field.endswith("_ids") else ""
            if field == "tags":
                hint = " Send [] to clear the list."
            raise InvalidInput(
                f"Invalid field '{field}': must not be null.{hint}", field=field
            )


def update_task(
    task_id: str, request: TaskUpdate, fields_set: set[str], viewer: TaskViewer
) -> Task:
    """Change fields and the status of a task in one versioned write."""
    if not fields_set:
        raise InvalidInput("Send at least one field to change.")
    _one_due_field(request)
    _require_not_null(request, fields_set)
    if "comment" in fields_set and "status" not in fields_set:
        raise InvalidInput(
            "Invalid field 'comment': a comment goes with a status change; post "
            "other comments to /comments.",
            field="comment",
        )
    task = get_visible_task(task_id, viewer, consistent=True)
    edits = (fields_set - {"status", "comment"}) | (
        {"due"} if request.due_set() else set()
    )
    edits -= {"due_date"}
    if edits and not viewer.owns(task):
        raise Forbidden(
            "As the assignee you can change the status; ask the task's creator "
            "to change anything else."
        )

    old = _snapshot(task)
    actions: list = []
    changes: list = []
    linked: dict[str, LinkedWrite] = {}
    extra_items: list = []
    action = "edited"

    def record(field: str, new_value, attribute_actions: list) -> None:
        if old[field] != new_value:
            actions.extend(attribute_actions)
            changes.append(field_change(field, old[field], new_value))

    new_assignee = task.assignee_id
    if "assignee_id" in fields_set and request.assignee_id != task.assignee_id:
        active_user(request.assignee_id, "assignee_id")
        new_assignee = request.assignee_id
    co_assignees = list(task.co_assignee_ids or [])
    if "co_assignee_ids" in fields_set:
        _check_new_people(request.co_assignee_ids, co_assignees, "co_assignee_ids")
        co_assignees = list(request.co_assignee_ids)
    elif new_assignee in co_assignees:
        # Handing the task to a co-assignee makes them the responsible person.
        co_assignees.remove(new_assignee)
    watchers = list(task.watcher_ids or [])
    if "watcher_ids" in fields_set:
        _check_new_people(request.watcher_ids, watchers, "watcher_ids")
        watchers = list(request.watcher_ids)
    requires_review = bool(task.requires_review)
    if "requires_review" in fields_set:
        requires_review = request.requires_review
    reviewer_id = task.reviewer_id
    if "reviewer_id" in fields_set:
        reviewer_id = request.reviewer_id
        if reviewer_id is not None and reviewer_id != task.reviewer_id:
            active_user(reviewer_id, "reviewer_id")
    _check_people(
        People(new_assignee, co_assignees, watchers, requires_review, reviewer_id),
        fields_set,
    )

    record("assignee_id", new_assignee, [Task.assignee_id.set(new_assignee)])
    record("co_assignee_ids", co_assignees, [Task.co_assignee_ids.set(co_assignees)])
    record("watcher_ids", watchers, [Task.watcher_ids.set(watchers)])
    record(
        "requires_review",
        requires_review,
        [Task.requires_review.set(requires_review)],
    )
    record(
        "reviewer_id",
        reviewer_id,
        [
            Task.reviewer_id.set(reviewer_id)
            if reviewer_id
            else Task.reviewer_id.remove()
        ],
    )
    if "title" in fields_set:
        record("title", request.title, [Task.title.set(request.title)])
    if "description" in fields_set:
        description = request.description or None
        record(
            "description",
            description,
            [
                Task.description.set(description)
                if description
                else Task.description.remove()
            ],
        )
    if "priority" in fields_set:
        record("priority", request.priority, [Task.priority.set(request.priority)])
    if "tags" in fields_set:
        record("tags", list(request.tags), [Task.tags.set(list(request.tags))])
    if "department_id" in fields_set and request.department_id != task.department_id:
        if request.department_id is not None:
            _existing_department(request.department_id)
        record(
            "department_id",
            request.department_id,
            [
                Task.department_id.set(request.department_id)
                if request.department_id
                else Task.department_id.remove()
            ],
        )
    if request.due_set():
        due = request.due_value()
        record("due", due_json(due), _due_actions(due))
    if "parent_id" in fields_set and request.parent_id != task.parent_id:
        links.link_parent(
            task.task_id,
            request.parent_id,
            task.parent_id,
            viewer,
            linked,
            is_new=False,
        )
        record(
            "parent_id",
            request.parent_id,
            [
                Task.parent_id.set(request.parent_id)
                if request.parent_id
                else Task.parent_id.remove()
            ],
        )
    if "blocked_by_ids" in fields_set:
        blockers = list(request.blocked_by_ids)
        links.link_blockers(
            task.task_id,
            blockers,
            list(task.blocked_by_ids or []),
            viewer,
            linked,
            is_new=False,
        )
        record("blocked_by_ids", blockers, [Task.blocked_by_ids.set(blockers)])

    comment = request.comment
    if "status" in fields_set and request.status != task.status:
        transitions.check_transition(task, viewer, request.status, comment)
        now = utc_now()
        record("status", request.status, [Task.status.set(request.status)])
        if request.status == "done":
            actions.append(Task.done_at.set(now))
        elif task.done_at is not None:
            actions.append(Task.done_at.remove())
        if transitions.is_return(task, request.status):
            action = "returned"
            extra_items.append(_comment_item(task.task_id, viewer, comment, "return"))
        elif not edits:
            action = "status"

    if not changes:
        # Nothing differs from what is stored, so there is nothing to record.
        return task
    entry = history_entry(task, actor_of(viewer), action, changes, comment=comment)
    updated = commit(task, actions, entry, linked, extra_items)
    logger.info(
        "task updated task_id=%s fields=%s",
        task_id,
        sorted(change.field for change in changes),
    )
    return updated


# Comments


def _comment_item(task_id: str, viewer: TaskViewer, text: str, kind: str) -> Comment:
    comment_id = new_id()
    return Comment(
        task_pk(task_id),
        f"{COMMENT_PREFIX}{comment_id}",
        comment_id=comment_id,
        task_id=task_id,
        author_id=viewer.user_id,
        author_name=viewer.name,
        text=text,
        kind=kind,
        mention_ids=[],
        created_at=utc_now(),
    )


def add_comment(task_id: str, request: CommentCreate, viewer: TaskViewer) -> Comment:
    """Post a comment; people mentioned who are not on the task become watchers.

    A mentioned person has to be able to open the task the notification links
    to, so the comment and the watchers change are one versioned write.
    """
    get_visible_task(task_id, viewer)
    mentions = list(request.mentions)
    for user_id in mentions:
        active_user(user_id, "mentions")
    comment = _comment_item(task_id, viewer, request.text, "comment")
    comment.mention_ids = mentions

    def attempt() -> None:
        task = get_task(task_id, consistent=True)
        newcomers = [
            user_id for user_id in mentions if user_id not in participants(task)
        ]
        if not newcomers:
            comment.save(condition=Comment.sk.does_not_exist())
            return
        watchers = [*(task.watcher_ids or []), *newcomers]
        if len(watchers) > MAX_WATCHERS:
            raise Conflict(
                f"Invalid field 'mentions': mentioning them would make more than "
                f"{MAX_WATCHERS} watchers; mention people already on the task.",
                field="mentions",
            )
        entry = history_entry(
            task,
            actor_of(viewer),
            "mentioned",
            [field_change("watcher_ids", list(task.watcher_ids or []), watchers)],
        )
        commit(task, [Task.watcher_ids.set(watchers)], entry, extra_items=[comment])

    retry_stale(attempt)
    logger.info(
        "comment added task_id=%s comment_id=%s mentions=%d",
        task_id,
        comment.comment_id,
        len(mentions),
    )
    return comment


def list_comments(
    task_id: str, *, limit: int, after: str | None = None
) -> tuple[list[Comment], str | None]:
    """Return comments oldest first, at most ``limit``, and the next page's cursor."""
    condition = Comment.sk.startswith(COMMENT_PREFIX)
    if after is not None:
        condition = Comment.sk.between(
            f"{COMMENT_PREFIX}{after}!", f"{COMMENT_PREFIX}~"
        )
    rows = list(
        Comment.query(task_pk(task_id), range_key_condition=condition, limit=limit + 1)
    )
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, rows[-1].comment_id
    return rows, None


# History


def list_history(
    task_id: str, viewer: TaskViewer, *, limit: int, after: int | None = None
) -> tuple[list[HistoryEntry], int | None]:
    """Return history entries oldest first, at most ``limit``, and the next cursor."""
    get_visible_task(task_id, viewer)
    lower = history_sk(after + 1) if after is not None else HISTORY_PREFIX
    rows = list(
        HistoryEntry.query(
            task_pk(task_id),
            range_key_condition=HistoryEntry.sk.between(lower, f"{HISTORY_PREFIX}~"),
            limit=limit + 1,
        )
    )
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, int(rows[-1].version)
    return rows, None


def visible_subtasks(task: Task, viewer: TaskViewer) -> list[Task]:
    """Return the subtasks of ``task`` that ``viewer`` may see, oldest first."""
    keys = [(task_pk(task_id), TASK_SK) for task_id in sorted(task.subtask_ids or [])]
    children = [child for child in Task.batch_get(keys) if viewer.can_see(child)]
    return sorted(children, key=lambda child: child.task_id)
