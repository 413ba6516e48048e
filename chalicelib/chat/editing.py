"""Editing and deleting messages.

Only the author edits a message. The author, an owner of the channel or an
admin who can see the channel deletes it (``can_moderate``). A deleted message
keeps its item as a placeholder: the text becomes "", ``deleted_at`` is set,
and attachments (the uploaded files too), reactions, mentions and its pin
go, so a thread under a deleted root stays readable.
"""

import logging

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.chat import attachments, channels
from chalicelib.chat.mentions import parse_mentions
from chalicelib.chat.messages import check_text, find_message
from chalicelib.chat.models import Channel, Message, channel_pk, message_sk, thread_pk
from chalicelib.chat.pins import add_unpin_to
from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, Forbidden
from chalicelib.storage.connection import transaction_connection
from chalicelib.web import Caller

logger = logging.getLogger(__name__)

# Each attempt loses only to a write that committed meanwhile (a pin, a reply
# counted on the root), so a few attempts are enough.
MAX_DELETE_ATTEMPTS = 5


def writable_message(message_id: str, user_id: str) -> tuple[Message, Channel]:
    """Return a message and its channel for a member to change, or raise.

    Raises NotFound for an unknown message, Forbidden for a non-member and
    Conflict in an archived channel.
    """
    message = find_message(message_id)
    channel = channels.require_member(message.channel_id, user_id)
    if channel.archived:
        raise Conflict("This channel is archived and read-only.")
    return message, channel


def is_author(message: Message, user_id: str) -> bool:
    return message.kind == "user" and message.sender_id == user_id


# Conversations between people, and channels that belong to one person, one
# payment request or one task, have no moderators: only authors delete there.
# A reply in a task's thread is also a task comment, which nobody else removes.
UNMODERATED_KINDS = ("direct", "group", "notifications", "finance", "task")


def can_moderate(channel: Channel, caller: Caller) -> bool:
    """Tell whether the caller may delete other people's messages here.

    An owner of the channel may. An admin may in public channels and in the
    private ones they belong to, never in channels hidden from them.
    """
    if channel.kind in UNMODERATED_KINDS:
        return False
    if caller.user_id in channels.owners_of(channel):
        return True
    if not caller.is_admin:
        return False
    if channels.visibility_of(channel) == "public":
        return True
    return channels.is_member(channel.channel_id, caller.user_id)


def edit_message(message_id: str, caller: Caller, text: str) -> Message:
    message, _channel = writable_message(message_id, caller.user_id)
    if not is_author(message, caller.user_id):
        raise Forbidden("Only the author can edit a message.")
    if message.deleted_at is not None:
        raise Conflict("This message was deleted and cannot be edited.")
    text = check_text(text)
    if text == message.text:
        return message

    mentions = parse_mentions(text)
    actions = [Message.text.set(text), Message.edited_at.set(utc_now())]
    if mentions.user_ids:
        actions.append(Message.mentioned_user_ids.set(mentions.user_ids))
    else:
        actions.append(Message.mentioned_user_ids.remove())
    if mentions.channel:
        actions.append(Message.mentions_channel.set(True))
    else:
        actions.append(Message.mentions_channel.remove())
    try:
        message.update(
            actions=actions,
            condition=Message.sk.exists()
            & Message.deleted_at.does_not_exist()
            & (Message.sender_id == caller.user_id),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict("This message was deleted and cannot be edited.") from None
    logger.info("message edited message_id=%s", message.message_id)
    return message


def delete_message(message_id: str, caller: Caller) -> Message:
    """Turn a message into a placeholder; deleting it again changes nothing."""
    message = find_message(message_id)
    channel = channels.get_channel(message.channel_id)
    author = is_author(message, caller.user_id)
    if author:
        channels.require_member(channel.channel_id, caller.user_id)
    elif not can_moderate(channel, caller):
        raise Forbidden(
            "Only the author, an owner of the channel or an admin who can see "
            "the channel can delete this message."
        )
    if channel.archived:
        raise Conflict("This channel is archived and read-only.")

    for _attempt in range(MAX_DELETE_ATTEMPTS):
        if message.deleted_at is not None:
            return message
        if _try_delete(message):
            logger.info(
                "message deleted message_id=%s by=%s",
                message.message_id,
                caller.user_id,
            )
            if message.thread_id and message.seq is None:
                _forget_participant(message)
            attachments.hide_files_of(message)
            return Message.get(message.pk, message.sk, consistent_read=True)
        message = Message.get(message.pk, message.sk, consistent_read=True)
    raise Conflict("This message keeps changing; try deleting it again.")


def _try_delete(message: Message) -> bool:
    """Delete in one transaction with the writes that depend on the message.

    A reply with a position in server order (``seq``) leaves its root's summary
    to the thread counter's stream step (``threads.count_deletion``), which
    sets the summary from the counter. A reply from before server order lowers
    the root's count here.

    Returns False when the message, its pin or its thread root changed since
    it was read, for the caller to read again and retry.
    """
    root = _root_of(message) if message.seq is None else None
    pinned = message.pinned_at is not None
    condition = Message.sk.exists() & Message.deleted_at.does_not_exist()
    if pinned:
        condition &= Message.pinned_at.exists()
    else:
        condition &= Message.pinned_at.does_not_exist()
    actions = [
        Message.text.set(""),
        Message.deleted_at.set(utc_now()),
        Message.attachments.remove(),
        Message.files.remove(),
        Message.reactions.remove(),
        Message.mentioned_user_ids.remove(),
        Message.mentions_channel.remove(),
        Message.pinned_at.remove(),
        Message.pinned_by.remove(),
    ]
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(message, actions=actions, condition=condition)
            if pinned:
                add_unpin_to(transaction, message)
            if root is not None and root.reply_count > 0:
                transaction.update(
                    root,
                    actions=[Message.reply_count.add(-1)],
                    condition=Message.reply_count > 0,
                )
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        return False
    return True


def _root_of(message: Message) -> Message | None:
    if not message.thread_id:
        return None
    try:
        return Message.get(
            channel_pk(message.channel_id),
            message_sk(message.thread_id),
            consistent_read=True,
        )
    except DoesNotExist:
        return None


def _forget_participant(reply: Message) -> None:
    """Drop the reply's author from the root's participants if this was their
    last remaining reply.

    The removal is conditional on ``last_reply_at`` as read, so a reply that the
    same person posts meanwhile keeps them listed.
    """
    root = _root_of(reply)
    if root is None or reply.sender_id not in (root.reply_user_ids or set()):
        return
    replies = Message.query(
        thread_pk(root.message_id),
        Message.sk.startswith("MSG#"),
        filter_condition=(Message.sender_id == reply.sender_id)
        & Message.deleted_at.does_not_exist(),
        consistent_read=True,
    )
    if any(True for _ in replies):
        return
    condition = Message.sk.exists()
    if root.last_reply_at is None:
        condition &= Message.last_reply_at.does_not_exist()
    else:
        condition &= Message.last_reply_at == root.last_reply_at
    try:
        root.update(
            actions=[Message.reply_user_ids.delete({reply.sender_id})],
            condition=condition,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.info(
            "participant kept, thread changed meanwhile root_id=%s", root.message_id
        )
