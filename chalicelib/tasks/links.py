"""Links between tasks: the parent of a subtask and the tasks that block a task.

Neither may form a cycle. A check followed by a write cannot see a link that
another request writes in between. So the transaction that writes a link also
pins what the check read. For a parent, that is the parent_id of every task up
the new parent's chain. For blockers, it is the version of every task that the
blocked-by walk went through. If one of them changed meanwhile, the
transaction fails with 409 and nothing is written.
"""

from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.tasks.models import Task
from chalicelib.tasks.store import LinkedWrite, find_task
from chalicelib.tasks.visibility import TaskViewer, get_visible_task

# Subtasks nest at most this deep, which also bounds the transaction size.
MAX_DEPTH = 10
# The blocked-by walk checks at most this many tasks; with the parent chain
# and the task's own items a transaction stays under DynamoDB's 100 items.
MAX_BLOCKER_WALK = 60


def _linked(linked: dict[str, LinkedWrite], task_id: str, field: str) -> LinkedWrite:
    if task_id not in linked:
        linked[task_id] = LinkedWrite(field=field)
    return linked[task_id]


def _pinned(attribute, value):
    return attribute.does_not_exist() if value is None else attribute == value


def _linked_task(task_id: str, viewer: TaskViewer, field: str) -> Task:
    try:
        return get_visible_task(task_id, viewer, consistent=True, field=field)
    except NotFound:
        raise InvalidInput(
            f"Invalid field '{field}': task '{task_id}' does not exist or you "
            "cannot see it.",
            field=field,
        ) from None


def link_parent(
    task_id: str,
    new_parent_id: str | None,
    old_parent_id: str | None,
    viewer: TaskViewer,
    linked: dict[str, LinkedWrite],
    *,
    is_new: bool,
) -> None:
    """Add the writes that move the task under ``new_parent_id`` to ``linked``."""
    if new_parent_id == old_parent_id:
        return
    if old_parent_id is not None:
        old = _linked(linked, old_parent_id, "parent_id")
        old.remove_subtasks.add(task_id)
    if new_parent_id is None:
        return
    if new_parent_id == task_id:
        raise Conflict(
            "Invalid field 'parent_id': a task cannot be its own parent.",
            field="parent_id",
        )
    parent = _linked_task(new_parent_id, viewer, "parent_id")
    write = _linked(linked, parent.task_id, "parent_id")
    write.add_subtasks.add(task_id)

    chain = [parent]
    while True:
        current = chain[-1]
        if not is_new:
            _linked(linked, current.task_id, "parent_id").require(
                _pinned(Task.parent_id, current.parent_id)
            )
        if current.parent_id is None:
            break
        if current.parent_id == task_id:
            raise Conflict(
                f"Invalid field 'parent_id': task '{new_parent_id}' is a subtask of "
                "this task, so it cannot be its parent.",
                field="parent_id",
            )
        if len(chain) >= MAX_DEPTH:
            raise InvalidInput(
                f"Invalid field 'parent_id': subtasks nest at most {MAX_DEPTH} "
                "levels deep; choose a parent higher up.",
                field="parent_id",
            )
        above = find_task(current.parent_id, consistent=True)
        if above is None:
            break
        chain.append(above)


def link_blockers(
    task_id: str,
    new_ids: list[str],
    old_ids: list[str],
    viewer: TaskViewer,
    linked: dict[str, LinkedWrite],
    *,
    is_new: bool,
) -> None:
    """Check the blocked-by links of the task and pin what the cycle check read."""
    if task_id in new_ids:
        raise Conflict(
            "Invalid field 'blocked_by_ids': a task cannot block itself.",
            field="blocked_by_ids",
        )
    added = [blocker_id for blocker_id in new_ids if blocker_id not in old_ids]
    blockers = [
        _linked_task(blocker_id, viewer, "blocked_by_ids") for blocker_id in added
    ]
    # A new task has no task waiting on it yet, so it cannot close a cycle.
    if is_new or not blockers:
        return
    visited: dict[str, Task] = {}
    for blocker in blockers:
        stack = [blocker]
        while stack:
            current = stack.pop()
            if current.task_id in visited:
                continue
            visited[current.task_id] = current
            if len(visited) > MAX_BLOCKER_WALK:
                raise InvalidInput(
                    "Invalid field 'blocked_by_ids': the tasks these depend on form "
                    f"a chain of more than {MAX_BLOCKER_WALK} tasks; link fewer.",
                    field="blocked_by_ids",
                )
            for next_id in current.blocked_by_ids or []:
                if next_id == task_id:
                    raise Conflict(
                        f"Invalid field 'blocked_by_ids': task '{blocker.task_id}' "
                        "already waits for this task, directly or through other "
                        "tasks, so it cannot block it.",
                        field="blocked_by_ids",
                    )
                if next_id not in visited:
                    found = find_task(next_id, consistent=True)
                    if found is not None:
                        stack.append(found)
    for current in visited.values():
        _linked(linked, current.task_id, "blocked_by_ids").require(
            _pinned(Task.version, current.version)
        )
