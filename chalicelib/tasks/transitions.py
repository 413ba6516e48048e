"""Status transitions of a task and who may make each.

Three roles act on a status:
- executor: the responsible person and the co-assignees;
- owner: the creator and admins;
- reviewer: the creator and the named reviewer, who close a task that
  requires review or return it with a comment.

A task that requires review reaches done only from review. The executors send
it to review; the reviewer closes it (review -> done) or returns it
(review -> in_progress, with a required comment).
"""

from chalicelib.errors import Conflict, Forbidden, InvalidInput
from chalicelib.tasks.models import Task
from chalicelib.tasks.visibility import TaskViewer, executors

EXECUTOR = "executor"
OWNER = "owner"
REVIEWER = "reviewer"

# (from, to) -> the roles that may make the change.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("new", "in_progress"): frozenset({EXECUTOR, OWNER}),
    ("new", "review"): frozenset({EXECUTOR, OWNER}),
    ("new", "done"): frozenset({EXECUTOR, OWNER}),
    ("new", "postponed"): frozenset({EXECUTOR, OWNER}),
    ("new", "cancelled"): frozenset({OWNER}),
    ("in_progress", "new"): frozenset({EXECUTOR, OWNER}),
    ("in_progress", "review"): frozenset({EXECUTOR, OWNER}),
    ("in_progress", "done"): frozenset({EXECUTOR, OWNER}),
    ("in_progress", "postponed"): frozenset({EXECUTOR, OWNER}),
    ("in_progress", "cancelled"): frozenset({OWNER}),
    ("review", "done"): frozenset({REVIEWER}),
    ("review", "in_progress"): frozenset({REVIEWER}),
    ("review", "cancelled"): frozenset({OWNER}),
    ("postponed", "new"): frozenset({EXECUTOR, OWNER}),
    ("postponed", "in_progress"): frozenset({EXECUTOR, OWNER}),
    ("postponed", "cancelled"): frozenset({OWNER}),
    ("done", "in_progress"): frozenset({OWNER}),
    ("cancelled", "new"): frozenset({OWNER}),
}

ROLE_NAMES = {
    EXECUTOR: "the responsible person or a co-assignee",
    OWNER: "the creator or an admin",
    REVIEWER: "the creator or the reviewer",
}


def roles_of(task: Task, viewer: TaskViewer) -> set[str]:
    roles = set()
    if viewer.user_id in executors(task):
        roles.add(EXECUTOR)
    if viewer.owns(task):
        roles.add(OWNER)
    if viewer.user_id in (task.creator_id, task.reviewer_id):
        roles.add(REVIEWER)
    return roles


def allowed_targets(task: Task) -> list[str]:
    return [to for (start, to) in TRANSITIONS if start == task.status]


def is_return(task: Task, to_status: str) -> bool:
    return task.status == "review" and to_status == "in_progress"


def check_transition(
    task: Task, viewer: TaskViewer, to_status: str, comment: str | None
) -> None:
    """Raise unless ``viewer`` may move the task to ``to_status`` now."""
    allowed = TRANSITIONS.get((task.status, to_status))
    if allowed is None:
        targets = ", ".join(repr(status) for status in allowed_targets(task))
        raise Conflict(
            f"Invalid field 'status': a task that is '{task.status}' cannot become "
            f"'{to_status}'; it can become {targets}.",
            field="status",
            status=task.status,
        )
    if task.requires_review and to_status == "done" and task.status != "review":
        raise Conflict(
            "Invalid field 'status': this task requires review; send it to "
            "'review' and the reviewer closes it.",
            field="status",
            status=task.status,
        )
    if not task.requires_review and to_status == "review":
        raise Conflict(
            "Invalid field 'status': this task does not require review; the creator "
            "can turn on 'requires_review' first.",
            field="status",
            status=task.status,
        )
    if not allowed & roles_of(task, viewer):
        names = " or ".join(ROLE_NAMES[role] for role in sorted(allowed))
        raise Forbidden(
            f"Only {names} can move this task from '{task.status}' to '{to_status}'.",
            field="status",
        )
    if is_return(task, to_status) and not comment:
        raise InvalidInput(
            "Invalid field 'comment': say what to rework when returning a task "
            "from review.",
            field="comment",
        )
