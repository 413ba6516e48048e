"""Catch-up after a lost connection: what came after the last position seen.

A client remembers the highest ``seq`` it has shown for a channel (the
``channel_seq`` of its messages) and for each open thread, and requests what
follows. Positions are dense, so a page is complete when it holds every
position from the one asked for up to the counter (or up to the limit). The
position index is updated shortly after the write; a page stops before the
first position the index does not show yet, and ``complete`` tells the client
to ask again, so nothing is skipped and nothing comes twice.
"""

import time

from chalice.app import Request

from chalicelib.chat.messages import message_json
from chalicelib.chat.models import Message, channel_pk, thread_pk
from chalicelib.chat.threads import read_sequence, resolve_refs
from chalicelib.errors import InvalidInput
from chalicelib.web import cursor_param, limit_param, query_param

# Reads of the position index before a page settles for what it shows.
_INDEX_ATTEMPTS = 3
_INDEX_PAUSE_SECONDS = 0.05
MAX_SEQ = 10**15


def after_seq_param(request: Request) -> int | None:
    raw = query_param(request, "after_seq")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_SEQ:
        raise InvalidInput(
            "Invalid query parameter 'after_seq': use the highest 'seq' you "
            "have shown, a whole number from 0; 0 lists from the start.",
            field="after_seq",
        )
    return int(raw)


def _page(scope: str, channel_id: str, after: int, limit: int):
    last_seq = int(read_sequence(scope, channel_id).last_seq)
    expected_count = min(last_seq, after + limit) - after
    contiguous: list[Message] = []
    for attempt in range(_INDEX_ATTEMPTS):
        keys = [
            (row.pk, row.sk)
            for row in Message.seq_index.query(scope, Message.seq > after, limit=limit)
        ]
        rows = (
            sorted(
                Message.batch_get(keys, consistent_read=True),
                key=lambda row: int(row.seq),
            )
            if keys
            else []
        )
        contiguous = []
        for row in rows:
            if int(row.seq) != after + len(contiguous) + 1:
                break
            contiguous.append(row)
        if len(contiguous) >= expected_count:
            break
        if attempt + 1 < _INDEX_ATTEMPTS:
            time.sleep(_INDEX_PAUSE_SECONDS)
    next_after = after + len(contiguous)
    return resolve_refs(contiguous), last_seq, next_after


def _check_alone(request: Request) -> None:
    for name in ("before", "after"):
        if cursor_param(request, name) is not None:
            raise InvalidInput(
                f"Use either 'after_seq' or '{name}', not both.", field="after_seq"
            )


def channel_messages_after(request: Request, channel_id: str, viewer_id: str):
    """Return the channel's messages after ``after_seq``, oldest first."""
    after = after_seq_param(request)
    _check_alone(request)
    rows, last_seq, next_after = _page(
        channel_pk(channel_id), channel_id, after, limit_param(request)
    )
    return {
        "messages": [message_json(row, viewer_id) for row in rows],
        "last_seq": last_seq,
        "next_after_seq": next_after,
        "complete": next_after >= last_seq,
    }


def thread_replies_after(request: Request, root: Message, viewer_id: str):
    """Return the thread's replies after ``after_seq``, oldest first."""
    after = after_seq_param(request)
    if cursor_param(request, "after") is not None:
        raise InvalidInput(
            "Use either 'after_seq' or 'after', not both.", field="after_seq"
        )
    rows, last_seq, next_after = _page(
        thread_pk(root.message_id),
        root.channel_id,
        after,
        limit_param(request, default=100),
    )
    return {
        "root": message_json(root, viewer_id),
        "replies": [message_json(row, viewer_id) for row in rows],
        "last_seq": last_seq,
        "next_after_seq": next_after,
        "complete": next_after >= last_seq,
    }
