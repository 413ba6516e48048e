"""The chat search index: one item per (term, message), kept by the chat stream.

Keys: pk ``CHATTERM#<term>``, sk ``<message_id>``. Message ids are ULIDs, so a
term's partition lists its messages by time, and a date range is a key range.
Each item carries the message's channel, author and key, so a search filters
by them and fetches the matches without reading anything else.

The index lives in its own table: its many writes would otherwise flood the
chat stream that delivers messages live.
"""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib.search.terms import terms
from chalicelib.storage.base import table_meta
from chalicelib.streams.records import Change, read_change

logger = logging.getLogger(__name__)

# NOTE: a message with more distinct terms than this is found by the first
# ones in its text; chat messages are far shorter, but imports may not be.
MAX_TERMS_PER_MESSAGE = 2_000


def term_pk(term: str) -> str:
    return f"CHATTERM#{term}"


class MessageTerm(Model):
    Meta = table_meta("search")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    channel_id = UnicodeAttribute()
    sender_id = UnicodeAttribute()
    # The message item's partition key: a channel's, or a thread's for a reply.
    message_pk = UnicodeAttribute()


def is_message_record(image: dict) -> bool:
    return image.get("item_type") == "message"


def _searchable_terms(image: dict) -> set[str]:
    """Return the terms of a message image's text and file names; a deleted
    message has none."""
    if not image or image.get("deleted_at"):
        return set()
    file_names = [file.get("file_name", "") for file in image.get("files") or []]
    searchable = "\n".join([image.get("text") or "", *file_names])
    if not searchable.strip():
        return set()
    found: dict[str, None] = {}
    for term in terms(searchable):
        if len(found) >= MAX_TERMS_PER_MESSAGE:
            break
        found.setdefault(term)
    return set(found)


def update_message_terms(change: Change) -> None:
    """Write the difference between the old and new image's terms.

    A retried record writes the same difference again, which changes nothing.
    """
    old = change.old if is_message_record(change.old or {}) else {}
    new = change.new if change.event_name != "REMOVE" else {}
    new = new if is_message_record(new or {}) else {}
    image = new or old
    if not image:
        return
    old_terms = _searchable_terms(old)
    new_terms = _searchable_terms(new)
    added, removed = new_terms - old_terms, old_terms - new_terms
    if not added and not removed:
        return

    message_id = image["message_id"]
    with MessageTerm.batch_write() as batch:
        for term in added:
            batch.save(
                MessageTerm(
                    term_pk(term),
                    message_id,
                    channel_id=image["channel_id"],
                    sender_id=image["sender_id"],
                    message_pk=image["pk"],
                )
            )
        for term in removed:
            batch.delete(MessageTerm(term_pk(term), message_id))
    logger.info(
        "chat search index updated message_id=%s added=%d removed=%d",
        message_id,
        len(added),
        len(removed),
    )


def is_message_change(record: DynamoDBRecord) -> bool:
    stream = record.dynamodb.raw_event
    image = stream.get("NewImage") or stream.get("OldImage") or {}
    return image.get("item_type", {}).get("S") == "message"


def index_chat_record(record: DynamoDBRecord) -> None:
    if is_message_change(record):
        update_message_terms(read_change(record))
