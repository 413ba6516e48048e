"""Setting tasks, changing them and commenting on them.

Notifications are not sent here: the tasks stream drives the notification
reaction.
"""

import logging

from pynamodb.exceptions import DoesNotExist

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Forbidden, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.people.models import User
from chalicelib.tasks.models import Comment, Task, task_pk
from chalicelib.tasks.schemas import CommentCreate, TaskCreate, TaskUpdate
from chalicelib.web import Caller

logger = logging.getLogger(__name__)


def _active_assignee(user_id: str) -> User:
    try:
        user = User.get(user_id)
    except DoesNotExist:
        raise InvalidInput(
            f"Invalid field 'assignee_id': user '{user_id}' does not exist.",
            field="assignee_id",
        ) from None
    if not user.is_active:
        raise InvalidInput(
            f"Invalid field 'assignee_id': user '{user_id}' is deactivated; "
            "choose someone active.",
            field="assignee_id",
        )
    return user


def get_task(task_id: str) -> Task:
    try:
        return Task.get(task_pk(task_id), "TASK")
    except DoesNotExist:
        raise NotFound(f"Task '{task_id}' not found.") from None


def can_see(task: Task, caller: Caller) -> bool:
    return caller.is_admin or caller.user_id in (task.creator_id, task.assignee_id)


def get_visible_task(task_id: str, caller: Caller) -> Task:
    task = get_task(task_id)
    if not can_see(task, caller):
        raise Forbidden("Only the creator, the assignee or an admin can see this task.")
    return task


def create_task(request: TaskCreate, caller: Caller) -> Task:
    _active_assignee(request.assignee_id)
    now = utc_now()
    task_id = new_id()
    task = Task(
        task_pk(task_id),
        task_id=task_id,
        title=request.title,
        description=request.description,
        creator_id=caller.user_id,
        assignee_id=request.assignee_id,
        due_date=request.due_date.isoformat() if request.due_date else None,
        updated_by=caller.user_id,
        created_at=now,
        updated_at=now,
    )
    task.save()
    logger.info(
        "task created task_id=%s assignee_id=%s by=%s",
        task_id,
        request.assignee_id,
        caller.user_id,
    )
    return task


def update_task(
    task_id: str, request: TaskUpdate, fields_set: set[str], caller: Caller
) -> Task:
    task = get_visible_task(task_id, caller)
    # The assignee moves the task along; what the task is and whose it is
    # stay with the person who set it.
    owns_task = caller.is_admin or caller.user_id == task.creator_id
    if not owns_task and not fields_set <= {"status"}:
        raise Forbidden(
            "As the assignee you can change the status; ask the task's creator "
            "to change anything else."
        )
    now = utc_now()
    actions = [Task.updated_at.set(now), Task.updated_by.set(caller.user_id)]

    for field in ("title", "status", "assignee_id"):
        if field in fields_set and getattr(request, field) is None:
            raise InvalidInput(
                f"Invalid field '{field}': must not be null.", field=field
            )
    if "assignee_id" in fields_set and request.assignee_id != task.assignee_id:
        _active_assignee(request.assignee_id)
        actions.append(Task.assignee_id.set(request.assignee_id))
    if "status" in fields_set and request.status != task.status:
        actions.append(Task.status.set(request.status))
        if request.status == "done":
            actions.append(Task.done_at.set(now))
        elif task.done_at is not None:
            actions.append(Task.done_at.remove())
    if "title" in fields_set:
        actions.append(Task.title.set(request.title))
    if "description" in fields_set:
        if request.description:
            actions.append(Task.description.set(request.description))
        else:
            actions.append(Task.description.remove())
    if "due_date" in fields_set:
        if request.due_date:
            actions.append(Task.due_date.set(request.due_date.isoformat()))
        else:
            actions.append(Task.due_date.remove())

    task.update(actions=actions)
    logger.info("task updated task_id=%s fields=%s", task_id, sorted(fields_set))
    return task


def add_comment(task_id: str, request: CommentCreate, caller: Caller) -> Comment:
    get_visible_task(task_id, caller)
    author = User.get(caller.user_id)
    comment_id = new_id()
    comment = Comment(
        task_pk(task_id),
        f"COMMENT#{comment_id}",
        comment_id=comment_id,
        task_id=task_id,
        author_id=caller.user_id,
        author_name=author.name,
        text=request.text,
        created_at=utc_now(),
    )
    comment.save()
    logger.info("comment added task_id=%s comment_id=%s", task_id, comment_id)
    return comment


def list_comments(
    task_id: str, *, limit: int, after: str | None = None
) -> tuple[list[Comment], str | None]:
    """Return comments oldest first, at most ``limit``, and the next page's cursor."""
    condition = Comment.sk.startswith("COMMENT#")
    if after is not None:
        condition = Comment.sk.between(f"COMMENT#{after}!", "COMMENT#~")
    rows = list(
        Comment.query(task_pk(task_id), range_key_condition=condition, limit=limit + 1)
    )
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, rows[-1].comment_id
    return rows, None


def list_tasks(
    caller: Caller, role: str, limit: int, cursor: str | None
) -> tuple[list[Task], str | None]:
    """List tasks assigned to or set by the caller, newest first."""
    index = Task.assignee_index if role == "assignee" else Task.creator_index
    condition = Task.task_id < cursor if cursor else None
    rows = list(
        index.query(
            caller.user_id,
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


def task_json(task: Task) -> dict:
    return {
        "id": task.task_id,
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "creator_id": task.creator_id,
        "assignee_id": task.assignee_id,
        "due_date": task.due_date,
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
        "done_at": iso(task.done_at) if task.done_at else None,
    }


def comment_json(comment: Comment) -> dict:
    return {
        "id": comment.comment_id,
        "task_id": comment.task_id,
        "author_id": comment.author_id,
        "author_name": comment.author_name,
        "text": comment.text,
        "created_at": iso(comment.created_at),
    }
