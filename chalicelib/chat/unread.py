"""Unread counts, computed from counters and markers without reading messages.

For one channel and one person the count is the number of positions after
the person's read marker, up to the channel's last position, less the
positions of deleted messages and of the person's own messages. Both the
counter and the marker are single items, so counts for 200 channels take two
BatchGetItem reads of 100 keys each per kind of item.

A channel without a read state for the person (a member from before server
order, until their first read or post) counts as read.
"""

from chalicelib.chat.channels import memberships_of
from chalicelib.chat.models import channel_pk, thread_pk
from chalicelib.chat.thread_models import (
    SEQUENCE_SK,
    ReadState,
    Sequence,
    ThreadFollow,
    read_sk,
)

# /unread counts the threads with the most recent activity among those a
# person follows; a thread further down has had no reply for a long while.
THREAD_WINDOW = 300


def count_unread(
    last_seq: int, read_seq: int, own: set | None, deleted: set | None
) -> int:
    if read_seq >= last_seq:
        return 0
    skipped = {
        int(seq)
        for seq in (own or set()) | (deleted or set())
        if read_seq < int(seq) <= last_seq
    }
    return max(0, last_seq - read_seq - len(skipped))


def _counters(pks: list[str]) -> dict[str, Sequence]:
    if not pks:
        return {}
    keys = [(pk, SEQUENCE_SK) for pk in dict.fromkeys(pks)]
    return {
        counter.pk: counter
        for counter in Sequence.batch_get(keys, consistent_read=True)
    }


def channel_counts(user_id: str, channel_ids: list[str]) -> list[dict]:
    """Return each channel's unread count for ``user_id``, in the given order."""
    counters = _counters([channel_pk(channel_id) for channel_id in channel_ids])
    keys = [(channel_pk(channel_id), read_sk(user_id)) for channel_id in channel_ids]
    states = (
        {state.pk: state for state in ReadState.batch_get(keys, consistent_read=True)}
        if keys
        else {}
    )
    result = []
    for channel_id in channel_ids:
        pk = channel_pk(channel_id)
        counter, state = counters.get(pk), states.get(pk)
        result.append(channel_entry(channel_id, counter, state))
    return result


def channel_entry(
    channel_id: str, counter: Sequence | None, state: ReadState | None
) -> dict:
    last_seq = int(counter.last_seq) if counter is not None else 0
    read_seq = int(state.read_seq) if state is not None else last_seq
    unread = count_unread(
        last_seq,
        read_seq,
        state.own_seqs if state is not None else None,
        counter.deleted_seqs if counter is not None else None,
    )
    return {
        "channel_id": channel_id,
        "unread": unread,
        "read_seq": read_seq,
        "last_seq": last_seq,
    }


def thread_entry(follow: ThreadFollow, counter: Sequence | None) -> dict:
    last_seq = int(counter.last_seq) if counter is not None else 0
    read_seq = min(int(follow.read_seq or 0), last_seq)
    unread = count_unread(
        last_seq,
        read_seq,
        follow.own_seqs,
        counter.deleted_seqs if counter is not None else None,
    )
    return {
        "root_id": follow.root_message_id,
        "channel_id": follow.channel_id,
        "unread": unread,
        "read_seq": read_seq,
        "last_seq": last_seq,
    }


def followed_threads(
    user_id: str, channel_ids: set[str], keys: list[tuple[str, str]]
) -> list[tuple[ThreadFollow, Sequence | None]]:
    """Read the follows behind index ``keys``, in order, with their counters.

    Threads the person no longer follows, and threads of channels they left,
    are left out.
    """
    if not keys:
        return []
    follows = {
        (follow.pk, follow.sk): follow
        for follow in ThreadFollow.batch_get(keys, consistent_read=True)
    }
    live = [
        follows[key]
        for key in keys
        if key in follows
        and follows[key].following
        and follows[key].user_id == user_id
        and follows[key].channel_id in channel_ids
    ]
    counters = _counters([thread_pk(follow.root_message_id) for follow in live])
    return [
        (follow, counters.get(thread_pk(follow.root_message_id))) for follow in live
    ]


def unread_of(user_id: str) -> dict:
    """Counts for every channel of ``user_id`` and their recently active threads."""
    channel_ids = sorted({member.channel_id for member in memberships_of(user_id)})
    channels = channel_counts(user_id, channel_ids)
    index_rows = ThreadFollow.user_threads_index.query(
        user_id, scan_index_forward=False, limit=THREAD_WINDOW
    )
    keys = [(row.pk, row.sk) for row in index_rows]
    threads = [
        entry
        for entry in (
            thread_entry(follow, counter)
            for follow, counter in followed_threads(user_id, set(channel_ids), keys)
        )
        if entry["unread"] > 0
    ]
    return {
        "channels": channels,
        "threads": threads,
        "total": sum(entry["unread"] for entry in channels),
        "threads_total": sum(entry["unread"] for entry in threads),
    }
