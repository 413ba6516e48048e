"""Saving placeholders during an import, listing them, and mapping them to users.

Mapping a placeholder replaces its id with the user's in every task that
names it, as responsible person, co-assignee, watcher or creator. Each task
changes in its own versioned write with a history entry, so the new
responsible person is notified as on any reassignment. Mapping again to the
same user finds nothing left to change.
"""

import logging

from pynamodb.exceptions import UpdateError

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict, NotFound
from chalicelib.people.service import find_user
from chalicelib.tasks import service
from chalicelib.tasks.importing.placeholder_models import (
    PLACEHOLDERS_PK,
    ImportPlaceholder,
    PlaceholderTask,
    placeholder_sk,
    placeholder_task_sk,
)
from chalicelib.tasks.importing.source import SourcePerson
from chalicelib.tasks.models import Task
from chalicelib.tasks.store import (
    commit,
    field_change,
    find_task,
    history_entry,
    retry_stale,
)
from chalicelib.tasks.visibility import TaskViewer

logger = logging.getLogger(__name__)


def save_placeholders(
    placeholders: dict[str, SourcePerson], source: str, created_by: str
) -> None:
    """Create the placeholders that do not exist yet; existing ones keep their
    name, source and mapping."""
    now = utc_now()
    for placeholder_id, person in sorted(placeholders.items()):
        item = ImportPlaceholder(PLACEHOLDERS_PK, placeholder_sk(placeholder_id))
        actions = [
            ImportPlaceholder.item_type.set("import_placeholder"),
            ImportPlaceholder.placeholder_id.set(placeholder_id),
            ImportPlaceholder.person_key.set(person.key),
            ImportPlaceholder.name.set(ImportPlaceholder.name | person.shown),
            ImportPlaceholder.source.set(ImportPlaceholder.source | source),
            ImportPlaceholder.created_by.set(ImportPlaceholder.created_by | created_by),
            ImportPlaceholder.created_at.set(ImportPlaceholder.created_at | now),
        ]
        if person.email:
            actions.append(
                ImportPlaceholder.email.set(ImportPlaceholder.email | person.email)
            )
        item.update(actions=actions)


def link_tasks(pairs: list[tuple[str, str]]) -> None:
    """Record which tasks name which placeholder; writing a link again is harmless."""
    if not pairs:
        return
    with PlaceholderTask.batch_write() as batch:
        for placeholder_id, task_id in pairs:
            batch.save(
                PlaceholderTask(
                    PLACEHOLDERS_PK,
                    placeholder_task_sk(placeholder_id, task_id),
                    placeholder_id=placeholder_id,
                    task_id=task_id,
                )
            )


def _task_ids(placeholder_id: str) -> list[str]:
    query = PlaceholderTask.query(
        PLACEHOLDERS_PK,
        PlaceholderTask.sk.startswith(placeholder_task_sk(placeholder_id)),
    )
    return [link.task_id for link in query]


def get_placeholder(placeholder_id: str) -> ImportPlaceholder:
    try:
        return ImportPlaceholder.get(
            PLACEHOLDERS_PK, placeholder_sk(placeholder_id), consistent_read=True
        )
    except ImportPlaceholder.DoesNotExist:
        raise NotFound(f"Placeholder '{placeholder_id}' was not found.") from None


def placeholder_json(placeholder: ImportPlaceholder, task_count: int) -> dict:
    return {
        "id": placeholder.placeholder_id,
        "key": placeholder.person_key,
        "name": placeholder.name,
        "email": placeholder.email,
        "source": placeholder.source,
        "created_at": iso(placeholder.created_at),
        "mapped_to": placeholder.mapped_to,
        "mapped_at": iso(placeholder.mapped_at) if placeholder.mapped_at else None,
        "task_count": task_count,
    }


def list_placeholders() -> list[dict]:
    """Return every placeholder with the number of tasks that named it."""
    placeholders: list[ImportPlaceholder] = []
    counts: dict[str, int] = {}
    for item in ImportPlaceholder.query(PLACEHOLDERS_PK):
        if item.item_type == "import_placeholder":
            placeholders.append(item)
        else:
            counts[item.placeholder_id] = counts.get(item.placeholder_id, 0) + 1
    placeholders.sort(key=lambda item: (item.mapped_to is not None, item.name))
    return [
        placeholder_json(item, counts.get(item.placeholder_id, 0))
        for item in placeholders
    ]


def _replaced(values: list[str], placeholder_id: str, user_id: str) -> list[str]:
    result: list[str] = []
    for value in values:
        value = user_id if value == placeholder_id else value
        if value not in result:
            result.append(value)
    return result


def _reassign_task(
    task_id: str, placeholder_id: str, user_id: str, viewer: TaskViewer
) -> bool:
    """Put ``user_id`` in place of the placeholder in one task; return whether
    the task changed."""

    def attempt() -> bool:
        task = find_task(task_id, consistent=True)
        if task is None:
            return False

        assignee_id = (
            user_id if task.assignee_id == placeholder_id else task.assignee_id
        )
        co_assignee_ids = [
            value
            for value in _replaced(
                list(task.co_assignee_ids or []), placeholder_id, user_id
            )
            if value != assignee_id
        ]
        values = {
            "assignee_id": assignee_id,
            "co_assignee_ids": co_assignee_ids,
            "watcher_ids": _replaced(
                list(task.watcher_ids or []), placeholder_id, user_id
            ),
            "creator_id": user_id
            if task.creator_id == placeholder_id
            else task.creator_id,
        }
        if assignee_id != task.assignee_id and task.department_id is None:
            values["department_id"] = find_user(user_id).department_id

        actions, changes = [], []
        for name, value in values.items():
            old = getattr(task, name)
            old = list(old or []) if isinstance(value, list) else old
            if value == old:
                continue
            attribute = getattr(Task, name)
            actions.append(
                attribute.set(value) if value is not None else attribute.remove()
            )
            changes.append(field_change(name, old, value))
        if not changes:
            return False

        entry = history_entry(task, service.actor_of(viewer), "edited", changes)
        commit(task, actions, entry)
        return True

    return retry_stale(attempt)


def map_placeholder(placeholder_id: str, user_id: str, viewer: TaskViewer) -> dict:
    """Map a placeholder to an active user; see the module docstring."""
    placeholder = get_placeholder(placeholder_id)
    service.active_user(user_id, "user_id")
    if placeholder.mapped_to not in (None, user_id):
        raise Conflict(
            f"Placeholder '{placeholder_id}' is already mapped to user "
            f"'{placeholder.mapped_to}'; reassign its tasks one by one instead.",
            field="user_id",
        )

    task_ids = _task_ids(placeholder_id)
    changed = sum(
        1
        for task_id in task_ids
        if _reassign_task(task_id, placeholder_id, user_id, viewer)
    )
    now = utc_now()
    try:
        placeholder.update(
            actions=[
                ImportPlaceholder.mapped_to.set(user_id),
                ImportPlaceholder.mapped_by.set(viewer.user_id),
                ImportPlaceholder.mapped_at.set(ImportPlaceholder.mapped_at | now),
                ImportPlaceholder.mapped_tasks.add(changed),
            ],
            condition=ImportPlaceholder.mapped_to.does_not_exist()
            | (ImportPlaceholder.mapped_to == user_id),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict(
            f"Placeholder '{placeholder_id}' was mapped to someone else meanwhile; "
            "reload the list.",
            field="user_id",
        ) from None
    logger.info(
        "import placeholder mapped placeholder_id=%s user_id=%s tasks=%d changed=%d "
        "by=%s",
        placeholder_id,
        user_id,
        len(task_ids),
        changed,
        viewer.user_id,
    )
    result = placeholder_json(placeholder, len(task_ids))
    result["changed_tasks"] = changed
    return result
