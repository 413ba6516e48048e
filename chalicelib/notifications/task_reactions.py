"""The tasks stream reaction: keep the task lists in step and notify people.

For each record of the tasks table:
- a task item written: rewrite its view rows (``chalicelib.tasks.views``),
  and notify from it if it has no version, as the first version wrote it;
- a history entry added: notify the people the change concerns;
- a comment added: notify the people on the task, and the people mentioned
  even if they are not on it. A comment copied from the task's chat thread
  (``chalicelib.tasks.thread_mirror``) skips the people the reply mentions,
  whom the chat reaction has notified.

Notifications, by history entry:
- created: the responsible person and each co-assignee (task_assigned)
- responsible person changed: the new and the previous one (task_reassigned)
- co-assignees added: each new one (task_assigned)
- sent to review: the reviewer, or the creator without one (task_review)
- returned from review: the responsible person, with the comment
  (task_returned)
- done: the creator, the responsible person, the co-assignees and the
  watchers (task_done)

Nobody is told of their own action, and each person gets at most one message
per history entry or comment. A message's id is derived from the entry (or the
comment) and the recipient, so a redelivered record posts nothing twice.
"""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.notifications.service import notify
from chalicelib.people.service import find_user
from chalicelib.streams.records import Change, read_change
from chalicelib.tasks.due import due_of
from chalicelib.tasks.models import (
    IMPORTED_ACTION,
    VIEW_PREFIX,
    Comment,
    HistoryEntry,
    Task,
)
from chalicelib.tasks.store import decode, find_task
from chalicelib.tasks.views import sync_view_rows
from chalicelib.tasks.visibility import participants

logger = logging.getLogger(__name__)


def _name_of(user_id: str | None) -> str:
    if user_id is None:
        return "—"
    user = find_user(user_id)
    return user.name if user else user_id


def task_link(task_id: str) -> str:
    return f"#/tasks/{task_id}"


def is_task_record(record: DynamoDBRecord) -> bool:
    """Select every record but those of view rows, which this reaction writes."""
    keys = record.dynamodb.keys if record.dynamodb else {}
    return not str(keys.get("sk", "")).startswith(VIEW_PREFIX)


def handle_task_record(record: DynamoDBRecord) -> None:
    change = read_change(record)
    item = change.new or change.old
    if change.item_type == "task":
        sync_view_rows(item["task_id"])
        if change.new and change.new.get("version") is None:
            _on_unversioned_task(change)
    elif change.item_type == "history" and change.event_name == "INSERT":
        _on_history(HistoryEntry.from_raw_data(change.new_raw))
    elif change.item_type == "comment" and change.event_name == "INSERT":
        _on_comment(Comment.from_raw_data(change.new_raw))


def _task_view(task: Task, title: str | None = None) -> dict:
    """Return the task fields that templates may use."""
    due = due_of(task)
    due_text = None
    if due is not None:
        due_text = due.date
        if due.kind == "datetime":
            due_text = due.to_json()["local"].replace("T", " ")[:16]
    return {"task_id": task.task_id, "title": title or task.title, "due_date": due_text}


class Recipients:
    """The people to notify, one template each. The first reason found wins."""

    def __init__(self, actor_id: str) -> None:
        self.actor_id = actor_id
        self.chosen: dict[str, tuple[str, dict]] = {}

    def add(self, user_id: str | None, template: str, **context) -> None:
        if user_id is None or user_id == self.actor_id or user_id in self.chosen:
            return
        self.chosen[user_id] = (template, context)


def _on_history(entry: HistoryEntry) -> None:
    if entry.action == IMPORTED_ACTION:
        return
    task = find_task(entry.task_id)
    if task is None:
        logger.warning("history of a missing task_id=%s", entry.task_id)
        return
    changes = {
        change.field: (decode(change.old), decode(change.new))
        for change in entry.changes or []
    }
    recipients = Recipients(entry.actor_id)

    status = changes.get("status")
    if entry.action == "returned":
        recipients.add(task.assignee_id, "task_returned", comment=entry.comment)
    elif status is not None and status[1] == "review":
        recipients.add(task.reviewer_id or task.creator_id, "task_review")

    if entry.action == "created":
        # The people as the task was created; a later change notifies on its own.
        first_assignee = changes.get("assignee_id", (None, task.assignee_id))[1]
        recipients.add(first_assignee, "task_assigned", co_assignee=False)
        for user_id in changes.get("co_assignee_ids", (None, []))[1] or []:
            recipients.add(user_id, "task_assigned", co_assignee=True)
    else:
        if "assignee_id" in changes:
            previous, current = changes["assignee_id"]
            recipients.add(
                current,
                "task_reassigned",
                to_recipient=True,
                other_name=_name_of(previous),
            )
            recipients.add(
                previous,
                "task_reassigned",
                to_recipient=False,
                other_name=_name_of(current),
            )
        if "co_assignee_ids" in changes:
            before, after = changes["co_assignee_ids"]
            for user_id in after or []:
                if user_id not in (before or []):
                    recipients.add(user_id, "task_assigned", co_assignee=True)

    if status is not None and status[1] == "done":
        for user_id in sorted(participants(task)):
            recipients.add(user_id, "task_done", accepted=status[0] == "review")

    title = changes.get("title", (None, None))[1]
    for recipient_id, (template, context) in recipients.chosen.items():
        notify(
            recipient_id,
            template,
            event_id=f"task:{entry.task_id}:v{entry.version}",
            happened_at=entry.created_at,
            link=task_link(entry.task_id),
            task=_task_view(task, title),
            actor_name=entry.actor_name,
            **context,
        )


def _on_unversioned_task(change: Change) -> None:
    """Notify from a task written before history entries existed.

    Such a record has no history entry to notify from: it was written by the
    first version and still waited in the stream when this version started.
    """
    task = Task.from_raw_data(change.new_raw)
    common = {
        "event_id": change.event_id,
        "happened_at": task.updated_at,
        "link": task_link(task.task_id),
        "task": _task_view(task),
        "actor_name": _name_of(task.updated_by),
    }
    recipients = Recipients(task.updated_by)
    if change.event_name == "INSERT":
        recipients.add(task.assignee_id, "task_assigned")
    else:
        if change.changed("assignee_id"):
            recipients.add(task.assignee_id, "task_reassigned")
        if change.changed("status") and task.status == "done":
            recipients.add(task.creator_id, "task_done")
    for recipient_id, (template, context) in recipients.chosen.items():
        notify(recipient_id, template, **common, **context)


def _on_comment(comment: Comment) -> None:
    # A returned task's comment is announced by the return's history entry,
    # and an imported one is old news.
    if comment.kind in ("return", IMPORTED_ACTION):
        return
    task = find_task(comment.task_id)
    if task is None:
        logger.warning("comment on missing task_id=%s", comment.task_id)
        return
    recipients = Recipients(comment.author_id)
    mentioned = set(comment.mention_ids or [])
    # A reply in the task's chat thread: the chat reaction has notified the
    # people it mentions, so only the others get a notice here.
    from_thread = comment.source_message_id is not None
    if not from_thread:
        for user_id in comment.mention_ids or []:
            recipients.add(user_id, "task_mentioned")
    for user_id in sorted(participants(task)):
        if from_thread and user_id in mentioned:
            continue
        recipients.add(user_id, "task_commented")

    for recipient_id, (template, context) in recipients.chosen.items():
        notify(
            recipient_id,
            template,
            event_id=f"comment:{comment.comment_id}",
            happened_at=comment.created_at,
            link=task_link(task.task_id),
            task=_task_view(task),
            comment={"text": comment.text},
            actor_name=comment.author_name,
            **context,
        )
