"""Server order, thread summaries and replies also sent to the channel.

Every message a person or the system posts gets ``seq``, its position in its
channel (a root message) or its thread (a reply). The number comes from the
channel's or thread's Sequence item, and the message, the new counter and
everything derived from it are written in one transaction conditioned on the
counter's ``version``. So positions are dense (no number is skipped), unique,
and in the order the writes took effect, whichever Lambda's clock made the
message's ULID. A transaction that loses the race reads the counter again
and retries.

A thread's summary on its root (``reply_count``, ``reply_user_ids``,
``thread_participants``, ``last_reply_at``, ``last_reply_seq``) is computed
from the thread's Sequence item under the same condition, so concurrent
replies and deletions never lose a count.

Imported history gets no position: it is history, not news.
"""

import logging
import random
import time
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.chat.models import (
    SYSTEM_SENDER_ID,
    Message,
    channel_pk,
    message_sk,
    thread_pk,
)
from chalicelib.chat.thread_models import (
    SEQUENCE_SK,
    MessageRef,
    ReadState,
    Sequence,
    ThreadFollow,
    follow_sk,
    read_sk,
)
from chalicelib.clock import iso, utc_now
from chalicelib.errors import TooManyRequests
from chalicelib.storage.connection import transaction_connection

logger = logging.getLogger(__name__)

# Concurrent posts to one channel retry their transaction; forty attempts with
# growing pauses outlast a burst of dozens of simultaneous posts.
MAX_ATTEMPTS = 40
# The summary names this many repliers, in the order they first replied.
PARTICIPANTS_SHOWN = 5
# Positions of deleted messages kept per channel or thread. A read marker
# further back than the oldest kept one may count an old deleted message.
DELETED_SEQS_KEPT = 1000
_RETRYABLE = {None, "None", "ConditionalCheckFailed", "TransactionConflict"}


def read_sequence(pk: str, channel_id: str) -> Sequence:
    """Return the counter item, or a new one at zero when none is stored yet."""
    try:
        return Sequence.get(pk, SEQUENCE_SK, consistent_read=True)
    except DoesNotExist:
        return Sequence(pk, SEQUENCE_SK, channel_id=channel_id, last_seq=0, version=0)


def save_sequence(transaction: TransactWrite, counter: Sequence) -> None:
    """Add the counter's put, conditioned on the version that was read."""
    expected = int(counter.version or 0)
    if expected == 0:
        condition = Sequence.pk.does_not_exist()
    else:
        condition = Sequence.version == expected
    counter.version = expected + 1
    transaction.save(counter, condition=condition)


def is_person(user_id: str | None) -> bool:
    """Tell a person's id from the system's and from ``integration:``-style ids."""
    return bool(user_id) and user_id != SYSTEM_SENDER_ID and ":" not in user_id


def reason_codes(error: TransactWriteError) -> list[str | None]:
    return [
        reason.code if reason is not None else None
        for reason in (error.cancellation_reasons or [])
    ]


def pause(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.2, 0.005 * (attempt + 1))))


def too_busy(scope_name: str) -> TooManyRequests:
    return TooManyRequests(
        f"Too many people are writing to this {scope_name} at once; retry in a second.",
        retry_after=1,
    )


# Posting


def store_message(
    message: Message, root: Message | None, *, also_in_channel: bool = False
) -> Message | None:
    """Store a new message with its position; None if its id is already stored.

    The message is the first put of every transaction below, so the first
    cancellation reason distinguishes a duplicate id from a lost race.
    """
    for attempt in range(MAX_ATTEMPTS):
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                if root is None:
                    _add_root(transaction, message)
                else:
                    _add_reply(transaction, message, root, also_in_channel)
            return message
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            codes = reason_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                return None
            if not set(codes) <= _RETRYABLE:
                raise
        pause(attempt)
    raise too_busy("thread" if root is not None else "channel")


def _add_root(transaction: TransactWrite, message: Message) -> None:
    counter = read_sequence(channel_pk(message.channel_id), message.channel_id)
    seq = int(counter.last_seq) + 1
    message.seq_scope = counter.pk
    message.seq = seq
    message.channel_seq = seq
    transaction.save(message, condition=Message.sk.does_not_exist())
    counter.last_seq = seq
    save_sequence(transaction, counter)
    if is_person(message.sender_id):
        _read_own_in_channel(transaction, message, seq)


def _read_own_in_channel(
    transaction: TransactWrite, message: Message, seq: int
) -> None:
    """Move the sender's channel marker onto their own new message.

    The counter's condition makes ``seq`` the highest position in the channel,
    so setting the marker to it never moves anyone's marker back.
    """
    transaction.update(
        ReadState(channel_pk(message.channel_id), read_sk(message.sender_id)),
        actions=[
            ReadState.item_type.set("read_state"),
            ReadState.user_id.set(message.sender_id),
            ReadState.channel_id.set(message.channel_id),
            ReadState.read_seq.set(seq),
            ReadState.own_seqs.remove(),
        ],
    )


def _add_reply(
    transaction: TransactWrite,
    message: Message,
    root: Message,
    also_in_channel: bool,
) -> None:
    thread = read_sequence(thread_pk(root.message_id), root.channel_id)
    if int(thread.version or 0) == 0:
        _start_from_root(thread, root)
    seq = int(thread.last_seq) + 1
    message.seq_scope = thread.pk
    message.seq = seq
    channel_counter = None
    if also_in_channel:
        channel_counter = read_sequence(channel_pk(root.channel_id), root.channel_id)
        message.also_in_channel = True
        message.channel_seq = int(channel_counter.last_seq) + 1
    transaction.save(message, condition=Message.sk.does_not_exist())

    person = is_person(message.sender_id)
    authors = author_counts(thread)
    if person:
        entry = authors.get(message.sender_id) or {"n": 0, "first": seq}
        authors[message.sender_id] = {"n": entry["n"] + 1, "first": entry["first"]}
    thread.authors = authors
    thread.last_seq = seq
    thread.live_count = int(thread.live_count or 0) + 1
    if thread.last_at is None or message.created_at >= thread.last_at:
        thread.last_at = message.created_at
    save_sequence(transaction, thread)
    _write_summary(transaction, root, thread)

    if person:
        transaction.update(
            ThreadFollow(thread.pk, follow_sk(message.sender_id)),
            actions=follow_actions(
                message.sender_id, root, "reply", thread.last_at, read_seq=seq
            ),
        )
    if channel_counter is not None:
        channel_seq = int(message.channel_seq)
        transaction.save(
            MessageRef(
                channel_pk(root.channel_id),
                message_sk(message.message_id),
                channel_id=root.channel_id,
                thread_id=root.message_id,
                created_at=message.created_at,
                seq_scope=channel_counter.pk,
                seq=channel_seq,
            ),
            condition=MessageRef.sk.does_not_exist(),
        )
        channel_counter.last_seq = channel_seq
        save_sequence(transaction, channel_counter)
        if person:
            _read_own_in_channel(transaction, message, channel_seq)


def _start_from_root(thread: Sequence, root: Message) -> None:
    """Start a thread's counter from a root that has replies without positions.

    Imported threads and threads from before server order have a summary but
    no counter; their repliers and count carry over.
    """
    # NOTE: deleting one of these older replies once the counter exists lowers
    # only the root's count (chalicelib/chat/editing.py), so the next reply
    # sets the count one too high.
    thread.live_count = int(root.reply_count or 0)
    thread.last_at = root.last_reply_at
    thread.authors = {
        user_id: {"n": 1, "first": 0} for user_id in sorted(root.reply_user_ids or [])
    }


def follow_actions(
    user_id: str,
    root: Message,
    reason: str,
    activity_at: datetime | None,
    *,
    read_seq: int | None,
) -> list:
    """Actions that make ``user_id`` follow the thread of ``root``."""
    actions = [
        ThreadFollow.item_type.set("thread_follow"),
        ThreadFollow.user_id.set(user_id),
        ThreadFollow.root_message_id.set(root.message_id),
        ThreadFollow.channel_id.set(root.channel_id),
        ThreadFollow.following.set(True),
        ThreadFollow.follower_id.set(user_id),
        ThreadFollow.activity_key.set(
            activity_key(activity_at or root.created_at, root.message_id)
        ),
        ThreadFollow.reason.set(ThreadFollow.reason | reason),
        ThreadFollow.followed_at.set(ThreadFollow.followed_at | utc_now()),
    ]
    if read_seq is not None:
        actions += [
            ThreadFollow.read_seq.set(read_seq),
            ThreadFollow.own_seqs.remove(),
        ]
    else:
        actions.append(ThreadFollow.read_seq.set(ThreadFollow.read_seq | 0))
    return actions


def activity_key(moment: datetime, root_id: str) -> str:
    return f"{iso(moment)}#{root_id}"


def author_counts(thread: Sequence) -> dict[str, dict[str, int]]:
    stored = thread.authors.as_dict() if thread.authors is not None else {}
    return {
        user_id: {"n": int(entry["n"]), "first": int(entry["first"])}
        for user_id, entry in stored.items()
    }


def participants(authors: dict[str, dict[str, int]]) -> list[str]:
    ordered = sorted(
        (entry["first"], user_id)
        for user_id, entry in authors.items()
        if entry["n"] > 0
    )
    return [user_id for _first, user_id in ordered[:PARTICIPANTS_SHOWN]]


def _write_summary(transaction: TransactWrite, root: Message, thread: Sequence):
    authors = author_counts(thread)
    live_authors = {user_id for user_id, entry in authors.items() if entry["n"] > 0}
    actions = [
        Message.reply_count.set(int(thread.live_count or 0)),
        Message.last_reply_seq.set(int(thread.last_seq)),
        Message.thread_participants.set(participants(authors)),
        Message.reply_user_ids.set(live_authors)
        if live_authors
        else Message.reply_user_ids.remove(),
        Message.last_reply_at.set(thread.last_at)
        if thread.last_at is not None
        else Message.last_reply_at.remove(),
    ]
    transaction.update(
        Message(root.pk, root.sk), actions=actions, condition=Message.pk.exists()
    )


# Deletion


def count_deletion(message: Message) -> bool:
    """Take a deleted message out of the counts; False if it was already out.

    Called from the stream for each message whose ``deleted_at`` was set, and
    safe to call again for the same message.
    """
    if message.seq is None or message.kind == "imported":
        return False
    changed = False
    if message.thread_id is None:
        changed = _forget_position(channel_pk(message.channel_id), message)
    else:
        changed = _forget_reply(message)
        if message.also_in_channel and message.channel_seq is not None:
            changed = (
                _forget_position(
                    channel_pk(message.channel_id), message, int(message.channel_seq)
                )
                or changed
            )
    return changed


def _forget_position(pk: str, message: Message, seq: int | None = None) -> bool:
    seq = int(message.seq) if seq is None else seq
    for attempt in range(MAX_ATTEMPTS):
        counter = read_sequence(pk, message.channel_id)
        if seq in (counter.deleted_seqs or set()) or seq > int(counter.last_seq):
            return False
        counter.deleted_seqs = _kept(counter.deleted_seqs, seq)
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                save_sequence(transaction, counter)
            return True
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            if not set(reason_codes(error)) <= _RETRYABLE:
                raise
        pause(attempt)
    raise too_busy("channel")


def _forget_reply(reply: Message) -> bool:
    seq = int(reply.seq)
    for attempt in range(MAX_ATTEMPTS):
        thread = read_sequence(thread_pk(reply.thread_id), reply.channel_id)
        if seq in (thread.deleted_seqs or set()) or seq > int(thread.last_seq):
            return False
        authors = author_counts(thread)
        entry = authors.get(reply.sender_id)
        if entry is not None:
            if entry["n"] <= 1:
                del authors[reply.sender_id]
            else:
                authors[reply.sender_id] = {
                    "n": entry["n"] - 1,
                    "first": entry["first"],
                }
        thread.authors = authors
        thread.live_count = max(0, int(thread.live_count or 0) - 1)
        thread.deleted_seqs = _kept(thread.deleted_seqs, seq)
        thread.last_at = _newest_live_reply_at(reply)
        root = Message(channel_pk(reply.channel_id), message_sk(reply.thread_id))
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                save_sequence(transaction, thread)
                _write_summary(transaction, root, thread)
            return True
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            codes = reason_codes(error)
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                # The root is gone; only the thread's counter is left to fix.
                return _forget_position(thread_pk(reply.thread_id), reply)
            if not set(codes) <= _RETRYABLE:
                raise
        pause(attempt)
    raise too_busy("thread")


def _newest_live_reply_at(deleted: Message) -> datetime | None:
    rows = Message.query(
        thread_pk(deleted.thread_id),
        Message.sk.startswith("MSG#"),
        scan_index_forward=False,
        consistent_read=True,
    )
    for row in rows:
        if row.message_id != deleted.message_id and row.deleted_at is None:
            return row.created_at
    return None


def _kept(deleted: set | None, seq: int) -> set[int]:
    positions = sorted({int(value) for value in (deleted or set())} | {seq})
    return set(positions[-DELETED_SEQS_KEPT:])


# Reading


def resolve_refs(rows: list[Message]) -> list[Message]:
    """Replace each reference in a channel listing by the reply it stands for."""
    refs = [row for row in rows if row.item_type == "message_ref"]
    if not refs:
        return rows
    keys = [(thread_pk(row.thread_id), row.sk) for row in refs]
    replies = {
        (reply.pk, reply.sk): reply
        for reply in Message.batch_get(keys, consistent_read=True)
    }
    resolved = []
    for row in rows:
        if row.item_type != "message_ref":
            resolved.append(row)
        elif (reply := replies.get((thread_pk(row.thread_id), row.sk))) is not None:
            resolved.append(reply)
    return resolved


def _number(value) -> int | None:
    return int(value) if value is not None else None


def thread_fields(message: Message) -> dict:
    """Return the JSON fields of server order and of a root's thread summary."""
    return {
        "seq": _number(message.seq),
        "channel_seq": _number(message.channel_seq),
        "also_in_channel": bool(message.also_in_channel),
        "thread_participants": list(message.thread_participants or []),
        "last_reply_seq": _number(message.last_reply_seq),
    }


def summary_json(root: Message) -> dict:
    """Return a root's thread summary, as the ``thread.updated`` event sends it."""
    return {
        "root_id": root.message_id,
        "channel_id": root.channel_id,
        "reply_count": int(root.reply_count or 0),
        "reply_user_ids": sorted(root.reply_user_ids or []),
        "participants": list(root.thread_participants or []),
        "last_reply_at": iso(root.last_reply_at) if root.last_reply_at else None,
        "last_reply_seq": _number(root.last_reply_seq),
    }
