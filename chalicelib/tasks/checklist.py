"""Checklists inside a task: items with stable ids, ticked off one by one.

The checklist is a list attribute of the task item, so the task carries its
own progress. Every change rewrites the list in a versioned write with its
history entry. Two people ticking items at once is normal, so a change that
lost the race is applied again to the task as it now is, instead of failing.
Each attempt sets the requested values, so the last write of an item wins and
no other write is lost.
"""

import logging

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.tasks import service
from chalicelib.tasks.due import Due, due_json, due_of
from chalicelib.tasks.models import ChecklistItem, Task
from chalicelib.tasks.present import checklist_item_json
from chalicelib.tasks.schemas import (
    ChecklistItemCreate,
    ChecklistItemUpdate,
    TaskCreate,
)
from chalicelib.tasks.store import (
    LinkedWrite,
    commit,
    field_change,
    history_entry,
    retry_stale,
)
from chalicelib.tasks.visibility import TaskViewer, executors, get_visible_task

logger = logging.getLogger(__name__)

MAX_ITEMS = 100


def _require_worker(task: Task, viewer: TaskViewer) -> None:
    if viewer.user_id not in executors(task) and not viewer.owns(task):
        raise Forbidden(
            "Only the responsible person, a co-assignee, the creator or an admin "
            "can change the checklist."
        )


def _index_of(task: Task, item_id: str) -> int:
    for index, item in enumerate(task.checklist or []):
        if item.item_id == item_id:
            return index
    raise NotFound(
        f"Checklist item '{item_id}' not found in this task.", field="item_id"
    )


def _set_due(item: ChecklistItem, due: Due | None) -> None:
    item.due_kind = due.kind if due else None
    item.due_date = due.date if due else None
    item.due_at = due.at if due else None
    item.due_time_zone = due.time_zone if due else None


def _copy(item: ChecklistItem) -> ChecklistItem:
    return ChecklistItem(**item.attribute_values)


def _load(task_id: str, viewer: TaskViewer) -> Task:
    task = get_visible_task(task_id, viewer, consistent=True)
    _require_worker(task, viewer)
    return task


def add_item(
    task_id: str, request: ChecklistItemCreate, viewer: TaskViewer
) -> tuple[Task, ChecklistItem]:
    if request.assignee_id is not None:
        service.active_user(request.assignee_id, "assignee_id")
    item = ChecklistItem(
        item_id=new_id(),
        text=request.text,
        done=False,
        assignee_id=request.assignee_id,
        created_at=utc_now(),
    )
    _set_due(item, request.due)

    def attempt() -> Task:
        task = _load(task_id, viewer)
        items = list(task.checklist or [])
        if len(items) >= MAX_ITEMS:
            raise Conflict(
                f"The checklist already has {MAX_ITEMS} items; delete or convert "
                "some into subtasks first.",
                field="text",
            )
        entry = history_entry(
            task,
            service.actor_of(viewer),
            "checklist",
            [
                field_change(
                    f"checklist.{item.item_id}", None, checklist_item_json(item)
                )
            ],
        )
        return commit(task, [Task.checklist.set([*items, item])], entry)

    task = retry_stale(attempt)
    logger.info("checklist item added task_id=%s item_id=%s", task_id, item.item_id)
    return task, item


def update_item(
    task_id: str,
    item_id: str,
    request: ChecklistItemUpdate,
    fields_set: set[str],
    viewer: TaskViewer,
) -> tuple[Task, ChecklistItem]:
    if not fields_set:
        raise InvalidInput("Send at least one field to change.")
    for field in ("text", "done"):
        if field in fields_set and getattr(request, field) is None:
            raise InvalidInput(
                f"Invalid field '{field}': must not be null.", field=field
            )
    if "assignee_id" in fields_set and request.assignee_id is not None:
        service.active_user(request.assignee_id, "assignee_id")

    def attempt() -> tuple[Task, ChecklistItem]:
        task = _load(task_id, viewer)
        index = _index_of(task, item_id)
        old = task.checklist[index]
        new = _copy(old)
        changes = []
        prefix = f"checklist.{item_id}"
        if "text" in fields_set and request.text != old.text:
            new.text = request.text
            changes.append(field_change(f"{prefix}.text", old.text, new.text))
        if "done" in fields_set and request.done != bool(old.done):
            new.done = request.done
            new.done_at = utc_now() if request.done else None
            new.done_by = viewer.user_id if request.done else None
            changes.append(field_change(f"{prefix}.done", bool(old.done), new.done))
        if "assignee_id" in fields_set and request.assignee_id != old.assignee_id:
            new.assignee_id = request.assignee_id
            changes.append(
                field_change(f"{prefix}.assignee_id", old.assignee_id, new.assignee_id)
            )
        if "due" in fields_set:
            _set_due(new, request.due)
            old_due, new_due = due_json(due_of(old)), due_json(due_of(new))
            if old_due != new_due:
                changes.append(field_change(f"{prefix}.due", old_due, new_due))
        if not changes:
            return task, old
        items = list(task.checklist)
        items[index] = new
        entry = history_entry(task, service.actor_of(viewer), "checklist", changes)
        return commit(task, [Task.checklist.set(items)], entry), new

    task, item = retry_stale(attempt)
    logger.info("checklist item updated task_id=%s item_id=%s", task_id, item_id)
    return task, item


def delete_item(task_id: str, item_id: str, viewer: TaskViewer) -> Task:
    def attempt() -> Task:
        task = _load(task_id, viewer)
        index = _index_of(task, item_id)
        items = list(task.checklist)
        removed = items.pop(index)
        entry = history_entry(
            task,
            service.actor_of(viewer),
            "checklist",
            [field_change(f"checklist.{item_id}", checklist_item_json(removed), None)],
        )
        return commit(task, [Task.checklist.set(items)], entry)

    task = retry_stale(attempt)
    logger.info("checklist item deleted task_id=%s item_id=%s", task_id, item_id)
    return task


def _due_input(item: ChecklistItem) -> str | None:
    due = due_of(item)
    if due is None:
        return None
    return due.date if due.kind == "date" else iso(due.at)


def convert_to_subtask(task_id: str, item_id: str, viewer: TaskViewer) -> Task:
    """Replace a checklist item with a subtask of the task; return the subtask.

    The subtask takes the item's text as its title, the item's assignee (or
    the task's responsible person) and due date, and the task's priority and
    department. Removing the item and creating the subtask is one transaction.
    """

    def attempt() -> Task:
        task = _load(task_id, viewer)
        index = _index_of(task, item_id)
        item = task.checklist[index]
        request = TaskCreate(
            title=item.text,
            assignee_id=item.assignee_id or task.assignee_id,
            due=_due_input(item),
            parent_id=task.task_id,
            department_id=task.department_id,
            priority=task.priority or "normal",
        )
        linked: dict[str, LinkedWrite] = {}
        subtask, subtask_entry = service.prepare_new_task(request, viewer, linked)
        # The parent is this task, which the versioned write below updates.
        parent_write = linked.pop(task.task_id)
        items = list(task.checklist)
        items.pop(index)
        entry = history_entry(
            task,
            service.actor_of(viewer),
            "subtask",
            [
                field_change(
                    f"checklist.{item_id}",
                    checklist_item_json(item),
                    {"converted_to": subtask.task_id},
                )
            ],
        )
        commit(
            task,
            [Task.checklist.set(items), *parent_write.actions()],
            entry,
            linked,
            extra_items=[subtask, subtask_entry],
        )
        return subtask

    subtask = retry_stale(attempt)
    logger.info(
        "checklist item converted task_id=%s item_id=%s subtask_id=%s",
        task_id,
        item_id,
        subtask.task_id,
    )
    return subtask
