"""The tasks stream reaction: notify people of assigned, done and commented tasks."""

import logging
from datetime import datetime

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from pynamodb.attributes import UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist

from chalicelib.errors import NotFound
from chalicelib.notifications.service import notify
from chalicelib.people.models import User
from chalicelib.streams.records import Change, read_change
from chalicelib.tasks.service import get_task

logger = logging.getLogger(__name__)


def _name_of(user_id: str) -> str:
    try:
        return User.get(user_id).name
    except DoesNotExist:
        return user_id


def task_link(task_id: str) -> str:
    return f"#/tasks/{task_id}"


def handle_task_record(record: DynamoDBRecord) -> None:
    change = read_change(record)
    if change.item_type == "task":
        _on_task(change)
    elif change.item_type == "comment" and change.event_name == "INSERT":
        _on_comment(change)


def _moment(stored: str | None, change: Change) -> datetime:
    """Return when the change was made, to the microsecond, from the item itself.

    The stream's own timestamp has whole seconds, so two notifications made
    within one second would get ids in random order. The item's time is as
    stable across redelivery as the stream's.
    """
    if stored:
        return UTCDateTimeAttribute().deserialize(stored)
    return change.happened_at


def _task_view(task: dict) -> dict:
    """The task fields templates may use; absent attributes become None."""
    return {
        "task_id": task["task_id"],
        "title": task["title"],
        "due_date": task.get("due_date"),
    }


def _on_task(change: Change) -> None:
    task = change.new
    if change.event_name == "REMOVE" or not task:
        return
    actor_id = task["updated_by"]
    common = {
        "event_id": change.event_id,
        "happened_at": _moment(task.get("updated_at"), change),
        "link": task_link(task["task_id"]),
        "task": _task_view(task),
        "actor_name": _name_of(actor_id),
    }

    if change.event_name == "INSERT":
        if task["assignee_id"] != actor_id:
            notify(task["assignee_id"], "task_assigned", **common)
        return

    if change.changed("assignee_id") and task["assignee_id"] != actor_id:
        notify(task["assignee_id"], "task_reassigned", **common)
    became_done = change.changed("status") and task.get("status") == "done"
    if became_done and task["creator_id"] != actor_id:
        notify(task["creator_id"], "task_done", **common)


def _on_comment(change: Change) -> None:
    comment = change.new
    try:
        task = get_task(comment["task_id"])
    except NotFound:
        logger.warning("comment on missing task_id=%s", comment.get("task_id"))
        return
    recipients = {task.creator_id, task.assignee_id} - {comment["author_id"]}
    task_view = _task_view(
        {"task_id": task.task_id, "title": task.title, "due_date": task.due_date}
    )
    for recipient_id in sorted(recipients):
        notify(
            recipient_id,
            "task_commented",
            event_id=change.event_id,
            happened_at=_moment(comment.get("created_at"), change),
            link=task_link(task.task_id),
            task=task_view,
            comment=comment,
            actor_name=comment["author_name"],
        )
