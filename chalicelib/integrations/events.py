"""Stream steps that turn table changes into outbound webhook events.

Each domain's stream reaction runs its own step first and then the step here
for the same record (see ``then_publish`` and app.py). An event's id is a
ULID derived from what the record changed, never from the stream sequence
number or the record's eventID. So a record read again yields the same event
id and stores no second delivery. The id is derived from:

- task.created:   the task id, from the "created" history entry
- task.done:      the task id and the version of the history entry that set
  the status to done
- task.commented: the task id and the comment id
- finance_request.status_changed: the request id and the history version
- user.hired:     the user id, from the inserted user item
- user.deactivated: the user id and its ``deactivated_at``
- message.posted: the channel id and the message id
- article.published: the article id and the edition that publishing started

The ULID's time part is the change's own time (history entry, comment,
message, edition), so event ids sort by when things happened.
"""

import logging
from collections.abc import Callable

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.chat.models import Message
from chalicelib.clock import iso
from chalicelib.finance.models import FinanceRequest, request_pk
from chalicelib.finance.models import HistoryEntry as FinanceHistoryEntry
from chalicelib.ids import stable_id
from chalicelib.integrations.outbound import fan_out
from chalicelib.kb.models import ANNOUNCED_STATUSES, ARTICLE_SK, Article
from chalicelib.people.models import ACTIVE, DEACTIVATED, User
from chalicelib.streams.records import Change, read_change
from chalicelib.tasks.due import due_json, due_of
from chalicelib.tasks.models import IMPORTED_ACTION, Comment, Task
from chalicelib.tasks.models import HistoryEntry as TaskHistoryEntry
from chalicelib.tasks.store import decode, find_task

logger = logging.getLogger(__name__)

Handler = Callable[[DynamoDBRecord], None]


def then_publish(handle: Handler, publish: Handler) -> Handler:
    """Chain a domain's stream step with its event step, in this order.

    Both are idempotent, so a record retried after the event step fails
    repeats the domain step harmlessly.
    """

    def handle_and_publish(record: DynamoDBRecord) -> None:
        handle(record)
        publish(record)

    handle_and_publish.__name__ = f"{handle.__name__}_then_publish"
    return handle_and_publish


def event_id(change_time, event_type: str, *parts: str) -> str:
    return stable_id(change_time, event_type, *parts)


# Tasks


def _task_data(task: Task | None, task_id: str) -> dict:
    if task is None:
        return {"id": task_id}
    return {
        "id": task.task_id,
        "title": task.title,
        "status": task.status,
        "priority": task.priority,
        "creator_id": task.creator_id,
        "assignee_id": task.assignee_id,
        "co_assignee_ids": list(task.co_assignee_ids or []),
        "department_id": task.department_id,
        "parent_id": task.parent_id,
        "due": due_json(due_of(task)),
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
    }


def publish_task_events(record: DynamoDBRecord) -> None:
    change = read_change(record)
    if change.event_name != "INSERT":
        return
    if change.item_type == "history":
        _task_history_event(TaskHistoryEntry.from_raw_data(change.new_raw))
    elif change.item_type == "comment":
        _task_comment_event(Comment.from_raw_data(change.new_raw))


def _task_history_event(entry: TaskHistoryEntry) -> None:
    changes = {change.field: change for change in entry.changes or []}
    status = changes.get("status")
    # An imported task is new to the systems listening, though not to people.
    if entry.action in ("created", IMPORTED_ACTION):
        event_type, parts = "task.created", (entry.task_id,)
    elif status is not None and decode(status.new) == "done":
        event_type, parts = "task.done", (entry.task_id, str(int(entry.version)))
    else:
        return

    def build() -> dict:
        data = {
            "task": _task_data(find_task(entry.task_id), entry.task_id),
            "actor": {"id": entry.actor_id, "name": entry.actor_name},
            "version": int(entry.version),
        }
        if event_type == "task.done" and status is not None:
            data["previous_status"] = decode(status.old)
        return data

    fan_out(
        event_type,
        event_id(entry.created_at, event_type, *parts),
        entry.created_at,
        build,
    )


def _task_comment_event(comment: Comment) -> None:
    # A reviewer's reason for returning a task is stored as a comment of kind
    # "return"; it is part of the return, not a discussion comment.
    if comment.kind != "comment":
        return

    def build() -> dict:
        return {
            "task": _task_data(find_task(comment.task_id), comment.task_id),
            "comment": {
                "id": comment.comment_id,
                "author_id": comment.author_id,
                "author_name": comment.author_name,
                "text": comment.text,
                "mention_ids": list(comment.mention_ids or []),
                "created_at": iso(comment.created_at),
            },
        }

    fan_out(
        "task.commented",
        event_id(
            comment.created_at, "task.commented", comment.task_id, comment.comment_id
        ),
        comment.created_at,
        build,
    )


# Finance


def publish_finance_events(record: DynamoDBRecord) -> None:
    change = read_change(record)
    if change.event_name != "INSERT" or change.item_type != "history":
        return
    entry = FinanceHistoryEntry.from_raw_data(change.new_raw)
    # A created draft has no status before it, so it is no status change.
    if entry.from_status is None or entry.from_status == entry.to_status:
        return
    event_type = "finance_request.status_changed"

    def build() -> dict:
        try:
            request = FinanceRequest.get(request_pk(entry.request_id), "REQUEST")
        except FinanceRequest.DoesNotExist:
            request = None
        data = {
            "request": {"id": entry.request_id},
            "action": entry.action,
            "from_status": entry.from_status,
            "to_status": entry.to_status,
            "version": int(entry.version),
            "actor": {"id": entry.actor_id, "name": entry.actor_name},
            "reason": entry.reason,
            "comment": entry.comment,
        }
        if request is not None:
            data["request"] = {
                "id": request.request_id,
                "status": request.status,
                "amount_minor": int(request.amount_minor),
                "currency": request.currency,
                "paid_minor": int(request.paid_minor or 0),
                "category_id": request.category_id,
                "counterparty": request.counterparty,
                "author_id": request.author_id,
                "author_name": request.author_name,
            }
        return data

    fan_out(
        event_type,
        event_id(
            entry.created_at, event_type, entry.request_id, str(int(entry.version))
        ),
        entry.created_at,
        build,
    )


# Users


def _user_data(user: User) -> dict:
    return {
        "id": user.user_id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "status": user.status,
        "position_id": user.position_id,
        "department_id": user.department_id,
        "locale": user.locale,
    }


def publish_user_events(record: DynamoDBRecord) -> None:
    change = read_change(record)
    new = change.new
    if change.event_name == "REMOVE" or not new:
        return
    if change.event_name == "INSERT" and new.get("status") == ACTIVE:
        user = User.from_raw_data(change.new_raw)
        fan_out(
            "user.hired",
            event_id(user.created_at, "user.hired", user.user_id),
            user.created_at,
            lambda: {"user": _user_data(user)},
        )
    elif (
        change.event_name == "MODIFY"
        and new.get("status") == DEACTIVATED
        and change.old.get("status") != DEACTIVATED
    ):
        user = User.from_raw_data(change.new_raw)
        deactivated_at = user.deactivated_at or change.happened_at
        fan_out(
            "user.deactivated",
            event_id(
                deactivated_at, "user.deactivated", user.user_id, iso(deactivated_at)
            ),
            deactivated_at,
            lambda: {"user": _user_data(user)},
        )


# Chat


def publish_chat_events(record: DynamoDBRecord) -> None:
    change = read_change(record)
    if change.event_name != "INSERT" or change.item_type != "message":
        return
    # Imported history is old conversation loaded in bulk, not new posts.
    if change.new.get("kind") == "imported":
        return
    message = Message.from_raw_data(change.new_raw)

    def build() -> dict:
        return {
            "message": {
                "id": message.message_id,
                "channel_id": message.channel_id,
                "thread_id": message.thread_id,
                "sender_id": message.sender_id,
                "sender_name": message.sender_name,
                "kind": message.kind,
                "text": message.text,
                "link": message.link,
                "attachment_count": len(message.attachments or []),
                "created_at": iso(message.created_at),
            }
        }

    fan_out(
        "message.posted",
        event_id(
            message.created_at,
            "message.posted",
            message.channel_id,
            message.message_id,
        ),
        message.created_at,
        build,
        channel_id=message.channel_id,
    )


# Knowledge base


def _starts_published_edition(change: Change) -> bool:
    new, old = change.new, change.old
    return (
        new.get("sk") == ARTICLE_SK
        and new.get("status") in ANNOUNCED_STATUSES
        and new.get("edition_reason") == "published"
        and new.get("edition") is not None
        and old.get("edition") != new.get("edition")
    )


def publish_kb_events(record: DynamoDBRecord) -> None:
    change = read_change(record)
    if change.event_name == "REMOVE" or not _starts_published_edition(change):
        return
    article = Article.from_raw_data(change.new_raw)
    published_at = article.edition_at or change.happened_at
    edition = int(article.edition)

    def build() -> dict:
        return {
            "article": {
                "id": article.article_id,
                "section_id": article.section_id,
                "title": article.title,
                "title_en": article.title_en,
                "kind": article.kind,
                "status": article.status,
                "edition": edition,
                "revision": int(article.revision),
                "author_id": article.author_id,
                "published_by": article.updated_by,
                "published_at": iso(published_at),
            }
        }

    fan_out(
        "article.published",
        event_id(published_at, "article.published", article.article_id, str(edition)),
        published_at,
        build,
    )
