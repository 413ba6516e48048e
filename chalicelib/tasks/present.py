"""The JSON shapes of tasks, checklist items, comments and history entries."""

from chalicelib.clock import iso, utc_now
from chalicelib.tasks.due import due_json, due_of, is_overdue
from chalicelib.tasks.importing.placeholder_models import placeholder_names
from chalicelib.tasks.models import (
    OPEN_STATUSES,
    ChecklistItem,
    Comment,
    HistoryEntry,
    Task,
)
from chalicelib.tasks.store import decode


def checklist_item_json(item: ChecklistItem) -> dict:
    return {
        "id": item.item_id,
        "text": item.text,
        "done": bool(item.done),
        "assignee_id": item.assignee_id,
        "due": due_json(due_of(item)),
        "created_at": iso(item.created_at),
        "done_at": iso(item.done_at) if item.done_at else None,
        "done_by": item.done_by,
    }


def task_json(task: Task) -> dict:
    checklist = list(task.checklist or [])
    due = due_of(task)
    return {
        "id": task.task_id,
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority or "normal",
        "creator_id": task.creator_id,
        "assignee_id": task.assignee_id,
        "co_assignee_ids": list(task.co_assignee_ids or []),
        "watcher_ids": list(task.watcher_ids or []),
        "tags": list(task.tags or []),
        "department_id": task.department_id,
        "parent_id": task.parent_id,
        "subtask_ids": sorted(task.subtask_ids or []),
        "blocked_by_ids": list(task.blocked_by_ids or []),
        "requires_review": bool(task.requires_review),
        "reviewer_id": task.reviewer_id,
        # The first version's field: the calendar date, also for a date-time.
        "due_date": due.date if due else None,
        "due": due_json(due),
        "is_overdue": task.status in OPEN_STATUSES and is_overdue(due, utc_now()),
        "checklist": [checklist_item_json(item) for item in checklist],
        "checklist_progress": {
            "done": sum(1 for item in checklist if item.done),
            "total": len(checklist),
        },
        "version": int(task.version or 0),
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
        "done_at": iso(task.done_at) if task.done_at else None,
        "series": _series_json(task),
        # Names of the import placeholders among the people fields, by id.
        "placeholders": placeholder_names(
            [
                task.assignee_id,
                task.creator_id,
                *(task.co_assignee_ids or []),
                *(task.watcher_ids or []),
            ]
        ),
    }


def _series_json(task: Task) -> dict | None:
    if not task.series_id:
        return None
    fallback = None
    if task.fallback_reason:
        fallback = {"reason": task.fallback_reason, "meant_for": task.fallback_for}
    return {
        "id": task.series_id,
        "occurrence_date": task.occurrence_date,
        "fallback": fallback,
    }


def task_summary_json(task: Task) -> dict:
    return {"id": task.task_id, "title": task.title, "status": task.status}


def comment_json(comment: Comment) -> dict:
    return {
        "id": comment.comment_id,
        "task_id": comment.task_id,
        "author_id": comment.author_id,
        "author_name": comment.author_name,
        "text": comment.text,
        "mentions": list(comment.mention_ids or []),
        "kind": comment.kind or "comment",
        "created_at": iso(comment.created_at),
        "source_message_id": comment.source_message_id,
        "edited_at": iso(comment.edited_at) if comment.edited_at else None,
        "deleted_at": iso(comment.deleted_at) if comment.deleted_at else None,
    }


def history_json(entry: HistoryEntry) -> list[dict]:
    """Return one entry per changed field of a history entry."""
    common = {
        "version": int(entry.version),
        "action": entry.action,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "at": iso(entry.created_at),
    }
    rows = []
    for change in entry.changes or []:
        rows.append(
            {
                **common,
                "field": change.field,
                "from": decode(change.old),
                "to": decode(change.new),
            }
        )
    if entry.comment:
        rows.append({**common, "field": "comment", "from": None, "to": entry.comment})
    return rows
