"""Read markers: how far a person has read a channel or a followed thread.

Marking a message read only ever moves the marker forward, so a device that
lags behind cannot undo what another device read. Marking a message unread
moves the marker to just before it, and records the person's own messages
after the new marker so that they still never count.
"""

import logging
from datetime import datetime

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError

from chalicelib.chat.models import Message, channel_pk, message_sk, thread_pk
from chalicelib.chat.thread_models import ReadState, ThreadFollow, follow_sk, read_sk
from chalicelib.chat.threads import (
    MAX_ATTEMPTS,
    pause,
    read_sequence,
    resolve_refs,
    too_busy,
)
from chalicelib.chat.unread import channel_entry, thread_entry
from chalicelib.errors import InvalidInput, NotFound

logger = logging.getLogger(__name__)

# Own messages are looked up this many positions at a time when a marker moves
# back.
_PAGE = 100


def _failed_condition(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == (
        "ConditionalCheckFailedException"
    )


# Channels


def channel_position(channel_id: str, message_id: str) -> int | None:
    """Return the message's position in the channel; None for imported history.

    The message is a root message of the channel or a reply also sent to it.
    """
    try:
        row = Message.get(
            channel_pk(channel_id), message_sk(message_id), consistent_read=True
        )
    except DoesNotExist:
        raise NotFound(
            f"Invalid field 'message_id': no message '{message_id}' in this "
            "channel's history; send the id of a message shown in the channel.",
            field="message_id",
        ) from None
    return int(row.seq) if row.seq is not None else None


def get_channel_state(channel_id: str, user_id: str) -> ReadState | None:
    try:
        return ReadState.get(
            channel_pk(channel_id), read_sk(user_id), consistent_read=True
        )
    except DoesNotExist:
        return None


def channel_unread(channel_id: str, user_id: str) -> dict:
    counter = read_sequence(channel_pk(channel_id), channel_id)
    return channel_entry(channel_id, counter, get_channel_state(channel_id, user_id))


def mark_channel_read(channel_id: str, user_id: str, message_id: str) -> dict:
    seq = channel_position(channel_id, message_id)
    if seq is not None:
        try:
            ReadState(channel_pk(channel_id), read_sk(user_id)).update(
                actions=[
                    ReadState.item_type.set("read_state"),
                    ReadState.user_id.set(user_id),
                    ReadState.channel_id.set(channel_id),
                    ReadState.read_seq.set(seq),
                ],
                condition=ReadState.read_seq.does_not_exist()
                | (ReadState.read_seq < seq),
            )
        except UpdateError as error:
            if not _failed_condition(error):
                raise
    return channel_unread(channel_id, user_id)


def mark_channel_unread(channel_id: str, user_id: str, message_id: str) -> dict:
    """Make ``message_id`` and everything after it in the channel unread."""
    seq = channel_position(channel_id, message_id)
    if seq is None:
        return channel_unread(channel_id, user_id)
    target = seq - 1
    pk = channel_pk(channel_id)
    for attempt in range(MAX_ATTEMPTS):
        state = get_channel_state(channel_id, user_id)
        own = own_positions(pk, target, user_id)
        actions = [
            ReadState.item_type.set("read_state"),
            ReadState.user_id.set(user_id),
            ReadState.channel_id.set(channel_id),
            ReadState.read_seq.set(target),
            ReadState.own_seqs.set(own) if own else ReadState.own_seqs.remove(),
        ]
        # A post or a read on another device in between changes the marker;
        # then the own messages are looked up again.
        if state is None:
            condition = ReadState.pk.does_not_exist()
        else:
            condition = ReadState.read_seq == int(state.read_seq)
        try:
            ReadState(pk, read_sk(user_id)).update(actions=actions, condition=condition)
            return channel_unread(channel_id, user_id)
        except UpdateError as error:
            if not _failed_condition(error):
                raise
        pause(attempt)
    raise too_busy("channel")


def own_positions(scope: str, after: int, user_id: str) -> set[int]:
    """Positions in ``scope`` after ``after`` of messages ``user_id`` sent."""
    own: set[int] = set()
    last_key = None
    while True:
        page = Message.seq_index.query(
            scope,
            Message.seq > after,
            limit=_PAGE,
            last_evaluated_key=last_key,
        )
        keys = [(row.pk, row.sk) for row in page]
        last_key = page.last_evaluated_key
        if keys:
            rows = list(Message.batch_get(keys, consistent_read=True))
            positions = {(row.pk, row.sk): int(row.seq) for row in rows}
            for row in resolve_refs(rows):
                if row.sender_id != user_id:
                    continue
                key = (
                    (channel_pk(row.channel_id), row.sk)
                    if scope.startswith("CHANNEL#") and row.thread_id
                    else (row.pk, row.sk)
                )
                if key in positions:
                    own.add(positions[key])
        if not last_key or not keys:
            return own


def start_channel_state(
    channel_id: str,
    user_id: str,
    joined_at: datetime,
    joined_seq: int | None = None,
) -> bool:
    """Start a new member's marker where the channel stood when they joined.

    ``joined_seq`` comes from the membership; without it (memberships written
    before it was recorded) the marker starts at the channel's current end.
    Safe to repeat for the same membership: only a state from an earlier
    membership is replaced, and a state their first post created is kept.
    """
    if joined_seq is None:
        joined_seq = int(read_sequence(channel_pk(channel_id), channel_id).last_seq)
    state = ReadState(
        channel_pk(channel_id),
        read_sk(user_id),
        user_id=user_id,
        channel_id=channel_id,
        read_seq=joined_seq,
        joined_at=joined_at,
    )
    try:
        state.save(
            condition=ReadState.pk.does_not_exist() | (ReadState.joined_at < joined_at)
        )
    except PutError as error:
        if not _failed_condition(error):
            raise
        return False
    return True


def drop_channel_state(channel_id: str, user_id: str) -> None:
    try:
        ReadState(channel_pk(channel_id), read_sk(user_id)).delete()
    except DeleteError as error:
        if not _failed_condition(error):
            raise


# Threads


def thread_position(root: Message, message_id: str) -> int:
    """Return a reply's position in the thread of ``root``; the root is 0."""
    if message_id == root.message_id:
        return 0
    try:
        row = Message.get(
            thread_pk(root.message_id), message_sk(message_id), consistent_read=True
        )
    except DoesNotExist:
        raise NotFound(
            f"Invalid field 'message_id': no reply '{message_id}' in this thread; "
            "send the id of a reply shown in the thread.",
            field="message_id",
        ) from None
    if row.seq is None:
        raise InvalidInput(
            "Invalid field 'message_id': this reply is imported history and "
            "has no place in the thread's order; send a newer reply.",
            field="message_id",
        )
    return int(row.seq)


def get_follow(root_id: str, user_id: str) -> ThreadFollow | None:
    try:
        return ThreadFollow.get(
            thread_pk(root_id), follow_sk(user_id), consistent_read=True
        )
    except DoesNotExist:
        return None


def thread_unread(root: Message, user_id: str) -> dict:
    follow = get_follow(root.message_id, user_id)
    if follow is None or not follow.following:
        return {
            "root_id": root.message_id,
            "channel_id": root.channel_id,
            "following": False,
            "unread": 0,
        }
    counter = read_sequence(thread_pk(root.message_id), root.channel_id)
    return {**thread_entry(follow, counter), "following": True}


def mark_thread_read(root: Message, user_id: str, message_id: str) -> dict:
    """Move the thread marker forward; without a follow item nothing is stored."""
    seq = thread_position(root, message_id)
    try:
        ThreadFollow(thread_pk(root.message_id), follow_sk(user_id)).update(
            actions=[ThreadFollow.read_seq.set(seq)],
            condition=ThreadFollow.pk.exists() & (ThreadFollow.read_seq < seq),
        )
    except UpdateError as error:
        if not _failed_condition(error):
            raise
    return thread_unread(root, user_id)


def mark_thread_unread(root: Message, user_id: str, message_id: str) -> dict:
    seq = thread_position(root, message_id)
    if seq == 0:
        raise InvalidInput(
            "Invalid field 'message_id': send the id of a reply; the thread's "
            "first message cannot be unread in the thread.",
            field="message_id",
        )
    target = seq - 1
    pk = thread_pk(root.message_id)
    for attempt in range(MAX_ATTEMPTS):
        follow = get_follow(root.message_id, user_id)
        if follow is None or not follow.following:
            raise InvalidInput(
                "Invalid field 'message_id': you do not follow this thread; "
                "follow it first to keep its unread replies.",
                field="message_id",
            )
        own = own_positions(pk, target, user_id)
        try:
            ThreadFollow(pk, follow_sk(user_id)).update(
                actions=[
                    ThreadFollow.read_seq.set(target),
                    ThreadFollow.own_seqs.set(own)
                    if own
                    else ThreadFollow.own_seqs.remove(),
                ],
                condition=ThreadFollow.read_seq == int(follow.read_seq or 0),
            )
            return thread_unread(root, user_id)
        except UpdateError as error:
            if not _failed_condition(error):
                raise
        pause(attempt)
    raise too_busy("thread")
