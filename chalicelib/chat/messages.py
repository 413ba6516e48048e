"""Posting and reading messages, threads included."""

import logging
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.chat.message_fields import files_json, ops_fields
from chalicelib.chat.models import (
    Channel,
    Message,
    MessageFile,
    channel_pk,
    message_sk,
    thread_pk,
)
from chalicelib.chat.threads import resolve_refs, store_message, thread_fields
from chalicelib.clock import iso, utc_now
from chalicelib.errors import InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.text import check_characters

logger = logging.getLogger(__name__)

# Counted in Unicode code points; the frontend counts the same way
# ([...text].length), so both agree on emoji and Cyrillic.
MAX_MESSAGE_LENGTH = 4000


def check_text(text: str, field: str = "text") -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    try:
        check_characters(text, allowed="\n\t")
    except ValueError as error:
        raise InvalidInput(
            f"Invalid field '{field}': {error}; remove it and send again.",
            field=field,
        ) from None
    if not text:
        raise InvalidInput(
            f"Invalid field '{field}': the message is empty.", field=field
        )
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(
            f"Invalid field '{field}': the message has {len(text)} characters; "
            f"the limit is {MAX_MESSAGE_LENGTH}. Split it into several messages.",
            field=field,
        )
    return text


def get_root_message(channel_id: str, message_id: str) -> Message:
    try:
        return Message.get(channel_pk(channel_id), message_sk(message_id))
    except DoesNotExist:
        raise NotFound(
            f"Message '{message_id}' not found in this channel.", field="thread_id"
        ) from None


def find_message(message_id: str) -> Message:
    """Find a message by id alone, through the message index."""
    for key in Message.message_index.query(message_id, limit=1):
        try:
            return Message.get(key.pk, key.sk)
        except DoesNotExist:
            break
    raise NotFound(f"Message '{message_id}' not found.")


def post_message(
    channel: Channel,
    *,
    sender_id: str,
    sender_name: str,
    text: str,
    thread_id: str | None = None,
    kind: str = "user",
    link: str | None = None,
    message_id: str | None = None,
    created_at: datetime | None = None,
    mentioned_user_ids: set[str] | None = None,
    mentions_channel: bool = False,
    also_in_channel: bool = False,
    recipient_id: str | None = None,
    source_ref: str | None = None,
    files: list[dict] | None = None,
) -> Message | None:
    """Store a message; with ``thread_id``, as a reply in that thread.

    With ``also_in_channel`` a reply shows in the channel's history too. The
    message gets its position in server order (chalicelib/chat/threads.py).

    A caller that passes a ``message_id`` derived from its input gets
    exactly-once writes: posting the same id again stores nothing and
    returns None.

    ``source_ref`` names where a copied message came from, such as a task
    comment (``task-comment:<comment_id>``).

    ``files`` are uploads already claimed for ``message_id``
    (``attachments.claim_for_message``).
    """
    created_at = created_at or utc_now()
    message_id = message_id or new_id()
    root = None
    if thread_id is not None:
        root = get_root_message(channel.channel_id, thread_id)
        partition = thread_pk(root.message_id)
    else:
        partition = channel_pk(channel.channel_id)

    message = Message(
        partition,
        message_sk(message_id),
        message_id=message_id,
        channel_id=channel.channel_id,
        thread_id=root.message_id if root else None,
        sender_id=sender_id,
        sender_name=sender_name,
        kind=kind,
        text=text,
        link=link,
        recipient_id=recipient_id,
        source_ref=source_ref,
        created_at=created_at,
        mentioned_user_ids=mentioned_user_ids or None,
        mentions_channel=mentions_channel or None,
        files=[MessageFile(**file) for file in files] if files else None,
    )
    return store_message(
        message, root, also_in_channel=also_in_channel and root is not None
    )


def list_history(
    channel_id: str,
    *,
    limit: int,
    before: str | None = None,
    after: str | None = None,
) -> tuple[list[Message], str | None]:
    """Return root messages newest first and the cursor of the next page.

    With ``after``, return what came after that message instead, oldest first,
    which is how a client catches up after a lost connection.
    """
    # A Query takes one condition on the sort key, and message keys share the
    # partition with META and MEMBER# items, so each case is a range of MSG# keys.
    # "!" sorts below every ULID character and "~" above them all.
    partition = channel_pk(channel_id)
    if after is not None:
        condition = Message.sk.between(message_sk(after) + "!", "MSG#~")
        forward = True
    elif before is not None:
        condition = Message.sk.between("MSG#", message_sk(before))
        forward = False
    else:
        condition = Message.sk.startswith("MSG#")
        forward = False

    # A reply also sent to the channel stands here as a reference item.
    rows = resolve_refs(
        list(
            Message.query(
                partition,
                range_key_condition=condition,
                scan_index_forward=forward,
                limit=limit + 2,
            )
        )
    )
    messages = [row for row in rows if row.message_id != before][: limit + 1]
    next_cursor = None
    if len(messages) > limit:
        messages = messages[:limit]
        next_cursor = messages[-1].message_id
    return messages, next_cursor


def list_thread(
    root: Message, *, limit: int, after: str | None = None
) -> tuple[list[Message], str | None]:
    """Return replies oldest first, at most ``limit``, and the next page's cursor."""
    condition = Message.sk.startswith("MSG#")
    if after is not None:
        condition = Message.sk.between(message_sk(after) + "!", "MSG#~")
    rows = list(
        Message.query(
            thread_pk(root.message_id), range_key_condition=condition, limit=limit + 1
        )
    )
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, rows[-1].message_id
    return rows, None


def message_json(message: Message, viewer_id: str | None = None) -> dict:
    """Return the message as the API shows it; ``viewer_id`` sets each reaction's
    ``mine``."""
    return {
        "id": message.message_id,
        "channel_id": message.channel_id,
        "thread_id": message.thread_id,
        "sender_id": message.sender_id,
        "sender_name": message.sender_name,
        "kind": message.kind,
        "text": message.text,
        "link": message.link,
        "attachments": list(message.attachments or []),
        "files": files_json(message),
        "reply_count": message.reply_count,
        "reply_user_ids": sorted(message.reply_user_ids or []),
        "last_reply_at": iso(message.last_reply_at) if message.last_reply_at else None,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at) if message.edited_at else None,
        **ops_fields(message, viewer_id),
        **thread_fields(message),
    }
