"""Versioned writes of a task: one transaction per change, with its history entry.

Every change is one TransactWriteItems call. It updates the task (or puts a
new one) on the condition that the version is the one read, and puts the
history entry of the next version on the condition that it does not exist.
It also writes or checks the linked tasks the change relies on. Of two
concurrent changes exactly one commits. The other raises ``StaleTask`` (409),
which the checklist operations catch to re-read and apply again.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, NotFound
from chalicelib.storage.connection import transaction_connection
from chalicelib.tasks.models import (
    TASK_SK,
    FieldChange,
    HistoryEntry,
    Task,
    history_sk,
    task_pk,
)

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

# Each attempt of a retried change loses only to a change that committed
# meanwhile, so this many attempts outlast that many concurrent writers.
MAX_ATTEMPTS = 40


class StaleTask(Conflict):
    """The task changed between the read and the write."""


@dataclass(frozen=True)
class Actor:
    user_id: str
    name: str


@dataclass
class LinkedWrite:
    """A write to, or a condition on, another task in the transaction of a change."""

    add_subtasks: set[str] = field(default_factory=set)
    remove_subtasks: set[str] = field(default_factory=set)
    conditions: list = field(default_factory=list)
    # The request field whose value led to this task, named in a 409.
    field: str = "parent_id"

    def require(self, condition) -> None:
        self.conditions.append(condition)

    def actions(self) -> list:
        # One action per attribute: DynamoDB rejects an update expression
        # that names the same attribute twice.
        actions = []
        if self.add_subtasks:
            actions.append(Task.subtask_ids.add(self.add_subtasks))
        if self.remove_subtasks:
            actions.append(Task.subtask_ids.delete(self.remove_subtasks))
        return actions


def get_task(
    task_id: str, *, consistent: bool = False, field: str | None = None
) -> Task:
    try:
        return Task.get(task_pk(task_id), TASK_SK, consistent_read=consistent)
    except DoesNotExist:
        raise NotFound(f"Task '{task_id}' not found.", field=field) from None


def find_task(task_id: str, *, consistent: bool = False) -> Task | None:
    if not task_id or len(task_id) > 64:
        return None
    try:
        return Task.get(task_pk(task_id), TASK_SK, consistent_read=consistent)
    except DoesNotExist:
        return None


def current_version(task: Task) -> int:
    return int(task.version or 0)


def encode(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def decode(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def field_change(name: str, old: Any, new: Any) -> FieldChange:
    return FieldChange(field=name, old=encode(old), new=encode(new))


def history_entry(
    task: Task,
    actor: Actor,
    action: str,
    changes: list[FieldChange],
    *,
    comment: str | None = None,
) -> HistoryEntry:
    version = current_version(task) + 1
    return HistoryEntry(
        task_pk(task.task_id),
        history_sk(version),
        task_id=task.task_id,
        version=version,
        action=action,
        actor_id=actor.user_id,
        actor_name=actor.name,
        changes=changes,
        comment=comment,
        created_at=utc_now(),
    )


def _version_condition(task: Task):
    if task.version is None:
        return Task.version.does_not_exist()
    return Task.version == task.version


def _add_linked(transaction: TransactWrite, linked: dict[str, LinkedWrite]) -> list:
    """Add the linked writes in a fixed order; return their fields in that order."""
    fields = []
    for task_id in sorted(linked):
        write = linked[task_id]
        condition = Task.sk.exists()
        for extra in write.conditions:
            condition &= extra
        actions = write.actions()
        if actions:
            transaction.update(
                Task(task_pk(task_id), TASK_SK), actions=actions, condition=condition
            )
        else:
            transaction.condition_check(
                Task, task_pk(task_id), TASK_SK, condition=condition
            )
        fields.append(write.field)
    return fields


def _raise_conflict(
    error: TransactWriteError, task_id: str, linked_fields: list, first_linked: int
) -> None:
    if error.cause_response_code != "TransactionCanceledException":
        raise error
    reasons = error.cancellation_reasons or []
    for index, reason in enumerate(reasons):
        if reason is None or index < first_linked:
            continue
        linked_field = linked_fields[index - first_linked]
        raise Conflict(
            "A linked task changed at the same time; reload and try again.",
            field=linked_field,
        ) from None
    current = find_task(task_id, consistent=True)
    status = current.status if current else "deleted"
    raise StaleTask(
        f"This task changed meanwhile and is now '{status}'; reload it and try again.",
        status=status,
    ) from None


def commit(
    task: Task,
    actions: list,
    entry: HistoryEntry,
    linked: dict[str, LinkedWrite] | None = None,
    extra_items: list | None = None,
) -> Task:
    """Apply ``actions`` to the task as read and append ``entry``, or raise 409.

    ``extra_items`` are new items (such as a comment) saved in the same
    transaction, conditional on not existing.
    """
    actions = [
        *actions,
        Task.version.set(entry.version),
        Task.updated_at.set(entry.created_at),
        Task.updated_by.set(entry.actor_id),
    ]
    condition = Task.sk.exists() & _version_condition(task)
    items_before_linked = 2 + len(extra_items or [])
    linked_fields: list = []
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(task, actions=actions, condition=condition)
            transaction.save(entry, condition=HistoryEntry.sk.does_not_exist())
            for item in extra_items or []:
                transaction.save(item, condition=type(item).sk.does_not_exist())
            linked_fields = _add_linked(transaction, linked or {})
    except TransactWriteError as error:
        logger.info(
            "task change lost task_id=%s action=%s version=%s",
            task.task_id,
            entry.action,
            task.version,
        )
        _raise_conflict(error, task.task_id, linked_fields, items_before_linked)
    logger.info(
        "task changed task_id=%s action=%s version=%d by=%s",
        task.task_id,
        entry.action,
        entry.version,
        entry.actor_id,
    )
    return get_task(task.task_id, consistent=True)


def insert(
    tasks: list[tuple[Task, HistoryEntry]], linked: dict[str, LinkedWrite]
) -> None:
    """Save new tasks with their first history entries in one transaction."""
    linked_fields: list = []
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            for task, entry in tasks:
                transaction.save(task, condition=Task.pk.does_not_exist())
                transaction.save(entry, condition=HistoryEntry.sk.does_not_exist())
            linked_fields = _add_linked(transaction, linked)
    except TransactWriteError as error:
        _raise_conflict(error, tasks[0][0].task_id, linked_fields, 2 * len(tasks))


def retry_stale(operation: Callable[[], Result]) -> Result:
    """Run ``operation`` again while it loses races, up to MAX_ATTEMPTS times.

    Only for changes that are still meant after someone else's change, such as
    ticking a checklist item; status changes report the race instead.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return operation()
        except StaleTask:
            if attempt == MAX_ATTEMPTS:
                raise
            logger.info("task change retried after a race attempt=%d", attempt)
    raise AssertionError("unreachable")
