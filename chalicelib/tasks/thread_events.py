"""Task events as replies in the task's chat thread.

One reply per history entry that notifies someone: the task set, a new
responsible person, co-assignees added, sent to review, returned from review
and done. It is written once, for everyone in the thread, in the task
creator's language. Each person concerned also gets a personal notification
(``chalicelib.notifications.task_reactions``), so nobody has to watch the
thread to learn about a change. The reply's id is derived from the entry, so a
redelivered record posts it once.
"""

import logging

from chalicelib.chat.messages import post_message
from chalicelib.chat.models import SYSTEM_SENDER_ID
from chalicelib.ids import stable_id
from chalicelib.notifications.render import render
from chalicelib.notifications.service import SYSTEM_SENDER_NAME
from chalicelib.people.service import find_user
from chalicelib.tasks import thread
from chalicelib.tasks.due import due_of
from chalicelib.tasks.models import IMPORTED_ACTION, HistoryEntry, Task
from chalicelib.tasks.store import decode

logger = logging.getLogger(__name__)


def _name_of(user_id: str | None) -> str:
    if user_id is None:
        return "—"
    user = find_user(user_id)
    return user.name if user else user_id


def events_of(entry: HistoryEntry, task: Task) -> list[dict]:
    """Return the changes in the entry that notify people, in order."""
    changes = {
        change.field: (decode(change.old), decode(change.new))
        for change in entry.changes or []
    }
    events: list[dict] = []
    if entry.action == IMPORTED_ACTION:
        return events
    if entry.action == "created":
        assignee_id = changes.get("assignee_id", (None, task.assignee_id))[1]
        co_assignee_ids = changes.get("co_assignee_ids", (None, []))[1] or []
        events.append(
            {
                "kind": "created",
                "assignee_name": _name_of(assignee_id),
                "co_assignee_names": [_name_of(user_id) for user_id in co_assignee_ids],
            }
        )
    else:
        if "assignee_id" in changes:
            previous, current = changes["assignee_id"]
            events.append(
                {
                    "kind": "reassigned",
                    "assignee_name": _name_of(current),
                    "previous_name": _name_of(previous),
                }
            )
        if "co_assignee_ids" in changes:
            before, after = changes["co_assignee_ids"]
            added = [
                user_id for user_id in after or [] if user_id not in (before or [])
            ]
            if added:
                events.append(
                    {
                        "kind": "co_assignees_added",
                        "names": [_name_of(user_id) for user_id in added],
                    }
                )

    status = changes.get("status")
    if entry.action == "returned":
        events.append({"kind": "returned", "comment": entry.comment or ""})
    elif status is not None and status[1] == "review":
        events.append(
            {
                "kind": "review",
                "reviewer_name": _name_of(task.reviewer_id or task.creator_id),
            }
        )
    if status is not None and status[1] == "done":
        events.append({"kind": "done", "accepted": status[0] == "review"})
    return events


def post_history_event(entry: HistoryEntry, task: Task) -> bool:
    """Post the entry's events as one reply in the task thread.

    Returns False when the entry has no such event or the reply exists already.
    """
    events = events_of(entry, task)
    if not events:
        return False
    channel, root_id = thread.ensure_thread(task)
    locale = thread.thread_locale(task)
    due = due_of(task)
    lines = [
        render(
            "task_thread_event",
            locale,
            event=event,
            actor_name=entry.actor_name,
            due_date=due.date if due is not None else None,
        )
        for event in events
    ]
    message = post_message(
        channel,
        sender_id=SYSTEM_SENDER_ID,
        sender_name=SYSTEM_SENDER_NAME,
        text="\n".join(lines),
        thread_id=root_id,
        kind="notification",
        link=thread.task_link(task.task_id),
        message_id=stable_id(
            entry.created_at, entry.task_id, str(entry.version), "task-thread-event"
        ),
        created_at=entry.created_at,
    )
    if message is None:
        logger.info(
            "task thread event already posted task_id=%s version=%s",
            entry.task_id,
            entry.version,
        )
        return False
    logger.info(
        "task thread event posted task_id=%s version=%s events=%s",
        entry.task_id,
        entry.version,
        ",".join(event["kind"] for event in events),
    )
    return True
