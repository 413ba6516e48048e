"""Task comments and replies in the task's chat thread, kept as one discussion.

- A task comment (the tasks stream) becomes a reply in the thread under its
  author's name. The reply's id is derived from the comment, and it carries
  ``source_ref`` ``task-comment:<comment_id>``.
- A person's reply in the thread (the chat stream) becomes a task comment.
  The comment's id is derived from the message, and it stores the message id
  in ``source_message_id``.

Derived ids make a redelivered record write nothing twice, and the two markers
stop a copy from being copied back. Mentions carry over as user ids. A reply
that mentions someone who is not on the task stays a chat mention only,
because a chat mention of a non-member reaches no one. The comment's mentions
keep only the people on the task.

Editing a reply in the chat changes the comment's text and mentions, and
deleting it empties the comment and sets ``deleted_at``. Both apply to the
copy of a comment too, since its author edits or deletes it in the chat. The
tasks API has no comment edit, so nothing flows the other way.
"""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.chat.messages import post_message
from chalicelib.chat.models import Message, channel_pk, message_sk
from chalicelib.ids import stable_id
from chalicelib.streams.records import Change, read_change
from chalicelib.tasks import thread
from chalicelib.tasks.models import COMMENT_PREFIX, Comment, Task, task_pk
from chalicelib.tasks.store import find_task
from chalicelib.tasks.visibility import participants

logger = logging.getLogger(__name__)

COMMENT_SOURCE_PREFIX = "task-comment:"


def reply_id_for(comment: Comment) -> str:
    return stable_id(comment.created_at, comment.comment_id, "task-thread-reply")


def comment_id_for(message: Message) -> str:
    return stable_id(message.created_at, message.message_id, "task-comment")


# Comments to replies (the tasks stream)


def post_comment_reply(comment: Comment) -> bool:
    """Post a task comment in the task thread.

    Returns False when the comment needs no reply or has one already.

    A comment copied from the thread is not posted back, and a reviewer's
    return reason is in the return's event reply already.
    """
    if comment.source_message_id or comment.kind != "comment":
        return False
    task = find_task(comment.task_id)
    if task is None:
        logger.warning("comment on missing task_id=%s", comment.task_id)
        return False
    channel, root_id = thread.ensure_thread(task)
    reply = post_message(
        channel,
        sender_id=comment.author_id,
        sender_name=comment.author_name,
        text=comment.text,
        thread_id=root_id,
        message_id=reply_id_for(comment),
        created_at=comment.created_at,
        mentioned_user_ids=set(comment.mention_ids or []),
        source_ref=f"{COMMENT_SOURCE_PREFIX}{comment.comment_id}",
    )
    if reply is None:
        logger.info(
            "task comment already in thread task_id=%s comment_id=%s",
            comment.task_id,
            comment.comment_id,
        )
        return False
    logger.info(
        "task comment posted in thread task_id=%s comment_id=%s message_id=%s",
        comment.task_id,
        comment.comment_id,
        reply.message_id,
    )
    return True


# Replies to comments (the chat stream)


def handle_chat_reply_record(record: DynamoDBRecord) -> None:
    """Copy a new, edited or deleted reply in a task thread to the task."""
    change = read_change(record)
    if change.item_type != "message" or change.event_name == "REMOVE":
        return
    new = change.new or {}
    if new.get("kind") != "user" or not new.get("thread_id"):
        return
    if change.event_name == "INSERT":
        if new.get("source_ref") or new.get("deleted_at"):
            return
        _on_new_reply(Message.from_raw_data(change.new_raw))
    elif _edited_or_deleted(change):
        _on_changed_reply(Message.from_raw_data(change.new_raw))


def _edited_or_deleted(change: Change) -> bool:
    if change.new.get("deleted_at") and not change.old.get("deleted_at"):
        return True
    return change.changed("text") or change.changed("mentioned_user_ids")


def _task_of(reply: Message) -> Task | None:
    """Return the task whose thread the reply is in, or None for other threads."""
    try:
        root = Message.get(channel_pk(reply.channel_id), message_sk(reply.thread_id))
    except DoesNotExist:
        return None
    task_id = thread.task_id_of_root(root)
    if task_id is None:
        return None
    task = find_task(task_id)
    if task is None:
        logger.warning(
            "reply in the thread of a missing task_id=%s message_id=%s",
            task_id,
            reply.message_id,
        )
    return task


def _mentions_on_task(reply: Message, task: Task) -> list[str]:
    people = participants(task)
    return sorted(set(reply.mentioned_user_ids or ()) & people)


def _on_new_reply(reply: Message) -> None:
    task = _task_of(reply)
    if task is None:
        return
    # Membership follows the task through the stream, so a person just taken
    # off the task may still post for a moment. Their reply stays chat only.
    if reply.sender_id not in participants(task):
        logger.info(
            "reply not copied, sender is not on the task task_id=%s user_id=%s",
            task.task_id,
            reply.sender_id,
        )
        return
    # NOTE: files sent with the reply stay in the chat only, because task
    # comments have no files.
    comment_id = comment_id_for(reply)
    comment = Comment(
        task_pk(task.task_id),
        f"{COMMENT_PREFIX}{comment_id}",
        comment_id=comment_id,
        task_id=task.task_id,
        author_id=reply.sender_id,
        author_name=reply.sender_name,
        text=reply.text,
        kind="comment",
        mention_ids=_mentions_on_task(reply, task),
        created_at=reply.created_at,
        source_message_id=reply.message_id,
    )
    try:
        comment.save(condition=Comment.sk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.info(
            "thread reply already a comment task_id=%s message_id=%s",
            task.task_id,
            reply.message_id,
        )
        return
    logger.info(
        "thread reply copied to task_id=%s message_id=%s comment_id=%s",
        task.task_id,
        reply.message_id,
        comment_id,
    )


def _on_changed_reply(reply: Message) -> None:
    source = reply.source_ref or ""
    if source.startswith(COMMENT_SOURCE_PREFIX):
        comment_id = source[len(COMMENT_SOURCE_PREFIX) :]
    elif not source:
        comment_id = comment_id_for(reply)
    else:
        return
    task = _task_of(reply)
    if task is None:
        return
    comment = Comment(task_pk(task.task_id), f"{COMMENT_PREFIX}{comment_id}")
    if reply.deleted_at is not None:
        actions = [
            Comment.text.set(""),
            Comment.mention_ids.set([]),
            Comment.deleted_at.set(reply.deleted_at),
        ]
    else:
        actions = [
            Comment.text.set(reply.text),
            Comment.mention_ids.set(_mentions_on_task(reply, task)),
            Comment.edited_at.set(reply.edited_at or reply.created_at),
        ]
    try:
        # A deleted comment stays deleted, even if an older edit arrives late.
        comment.update(
            actions=actions,
            condition=Comment.sk.exists() & Comment.deleted_at.does_not_exist(),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.info(
            "no comment to change task_id=%s comment_id=%s",
            task.task_id,
            comment_id,
        )
        return
    logger.info(
        "comment changed from thread task_id=%s comment_id=%s deleted=%s",
        task.task_id,
        comment_id,
        reply.deleted_at is not None,
    )
