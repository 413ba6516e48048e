"""Stream records that a reaction failed on, counted and then parked.

Lambda does not tell the handler how often it has seen a record, so each
failure is counted here, per reaction and ``eventID``. While a record has
failed fewer than ``MAX_ATTEMPTS`` times its item is a counter
(``retrying``): the reaction reports the record as failed and it is retried.
On the last attempt the item becomes a dead letter (``parked``), the reaction
reports the record as handled and the shard moves on. An admin can look at
it and replay it once the cause is fixed (dead_letter_routes.py).

Items of the deadletters table, one per reaction and eventID:
- key ``id``: a digest of the reaction name and eventID, safe in a URL path;
- the raw stream record, zlib-compressed JSON, so that a replay gets exactly
  what Lambda delivered; with both images it can exceed 400 KB uncompressed;
- the error's type and message (truncated), the attempt count and the times
  of the first and the last failure.

A counter keeps ``expires_at`` (DynamoDB TTL): a record that failed once and
then succeeded leaves its counter behind, and nothing else removes it. It
expires two days after its last failure, later than the stream's 24-hour
retention, so a record still in the stream always finds its count. A parked
item has no ``expires_at`` and stays until a replay succeeds.

Global secondary index ``parked-index``: ``parked`` (``PARKED``, set on
parked items only) / ``parked_id`` (a ULID from the parking time), the dead
letters newest first.
"""

import hashlib
import json
import logging
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.attributes import (
    BinaryAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.clock import iso, utc_now
from chalicelib.ids import new_id
from chalicelib.storage.base import table_meta

logger = logging.getLogger(__name__)

# Attempts of one record by one reaction, the first delivery included. Lambda's
# event source mappings allow more retries (infra/resources.json), so a record
# is parked here before Lambda would give up on its batch.
MAX_ATTEMPTS = 3
RETRYING = "retrying"
PARKED = "parked"
PARKED_KEY = "PARKED"
KEEP_COUNTER = timedelta(days=2)
MAX_MESSAGE_LENGTH = 500


class ParkedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "parked-index"
        projection = AllProjection()

    parked = UnicodeAttribute(hash_key=True)
    parked_id = UnicodeAttribute(range_key=True)


class StreamDeadLetter(Model):
    Meta = table_meta("deadletters")

    id = UnicodeAttribute(hash_key=True)
    reaction = UnicodeAttribute()
    event_id = UnicodeAttribute()
    status = UnicodeAttribute(default=RETRYING)
    record = BinaryAttribute(legacy_encoding=False)
    error_type = UnicodeAttribute()
    error_message = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    first_failed_at = UTCDateTimeAttribute()
    last_failed_at = UTCDateTimeAttribute()
    parked = UnicodeAttribute(null=True)
    parked_id = UnicodeAttribute(null=True)
    parked_at = UTCDateTimeAttribute(null=True)
    # Who replayed it last, for a replay that failed again.
    replayed_by = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # epoch seconds, DynamoDB TTL

    parked_index = ParkedIndex()

    def raw_record(self) -> dict:
        return json.loads(zlib.decompress(self.record))


@dataclass(frozen=True)
class Failure:
    """The result of a failed attempt: the counted item and whether it is parked."""

    entry: StreamDeadLetter
    parked: bool


def entry_id(reaction: str, event_id: str) -> str:
    digest = hashlib.sha256(f"{reaction}\x1f{event_id}".encode()).hexdigest()
    return digest[:32]


def describe_error(error: BaseException) -> tuple[str, str]:
    """Return the error's type and a short message.

    Only the exception's own message is kept: no traceback, whose frames
    could hold request data or settings.
    """
    error_type = type(error).__name__
    message = " ".join(str(error).split())[:MAX_MESSAGE_LENGTH]
    return error_type, message or error_type


def _compress(raw_record: dict) -> bytes:
    text = json.dumps(raw_record, ensure_ascii=False, sort_keys=True, default=str)
    return zlib.compress(text.encode("utf-8"))


def record_failure(
    reaction: str, raw_record: dict, error: BaseException, now: datetime | None = None
) -> Failure:
    """Count one failed attempt; park the record on its last allowed attempt."""
    now = now or utc_now()
    event_id = raw_record.get("eventID") or ""
    error_type, message = describe_error(error)
    entry = StreamDeadLetter(entry_id(reaction, event_id))
    entry.update(
        actions=[
            StreamDeadLetter.reaction.set(reaction),
            StreamDeadLetter.event_id.set(event_id),
            StreamDeadLetter.status.set(StreamDeadLetter.status | RETRYING),
            StreamDeadLetter.record.set(_compress(raw_record)),
            StreamDeadLetter.error_type.set(error_type),
            StreamDeadLetter.error_message.set(message),
            StreamDeadLetter.attempts.add(1),
            StreamDeadLetter.first_failed_at.set(
                StreamDeadLetter.first_failed_at | now
            ),
            StreamDeadLetter.last_failed_at.set(now),
            # Set on every failure and removed when parked, so a counter
            # takes one write per attempt.
            StreamDeadLetter.expires_at.set(int((now + KEEP_COUNTER).timestamp())),
        ]
    )
    if entry.status == PARKED:
        # Delivered again after parking (Lambda retrying the batch for
        # another record): it stays parked, with the newest error.
        entry.update(actions=[StreamDeadLetter.expires_at.remove()])
        return Failure(entry, parked=True)
    if entry.attempts < MAX_ATTEMPTS:
        return Failure(entry, parked=False)

    entry.update(
        actions=[
            StreamDeadLetter.status.set(PARKED),
            StreamDeadLetter.parked.set(PARKED_KEY),
            StreamDeadLetter.parked_id.set(new_id()),
            StreamDeadLetter.parked_at.set(now),
            StreamDeadLetter.expires_at.remove(),
        ]
    )
    logger.error(
        "stream record parked reaction=%s event_id=%s attempts=%d error=%s",
        reaction,
        event_id,
        entry.attempts,
        error_type,
    )
    return Failure(entry, parked=True)


def note_replay_failure(
    entry: StreamDeadLetter, error: BaseException, user_id: str
) -> None:
    """Keep a dead letter whose replay failed, with the replay's error."""
    error_type, message = describe_error(error)
    entry.update(
        actions=[
            StreamDeadLetter.error_type.set(error_type),
            StreamDeadLetter.error_message.set(message),
            StreamDeadLetter.attempts.add(1),
            StreamDeadLetter.last_failed_at.set(utc_now()),
            StreamDeadLetter.replayed_by.set(user_id),
        ]
    )


def find_parked(dead_letter_id: str) -> StreamDeadLetter | None:
    try:
        entry = StreamDeadLetter.get(dead_letter_id, consistent_read=True)
    except DoesNotExist:
        return None
    return entry if entry.status == PARKED else None


def list_parked(
    limit: int, cursor: str | None, reaction: str | None = None
) -> tuple[list[StreamDeadLetter], str | None]:
    """Return a page of dead letters, newest first, optionally of one reaction."""
    condition = StreamDeadLetter.parked_id < cursor if cursor else None
    filter_condition = StreamDeadLetter.reaction == reaction if reaction else None
    results = StreamDeadLetter.parked_index.query(
        PARKED_KEY,
        condition,
        filter_condition=filter_condition,
        scan_index_forward=False,
        page_size=limit + 1,
    )
    page = []
    for entry in results:
        page.append(entry)
        if len(page) > limit:
            break
    next_cursor = page[limit - 1].parked_id if len(page) > limit else None
    return page[:limit], next_cursor


def remove(entry: StreamDeadLetter) -> None:
    entry.delete()


def _table_of(source_arn: str) -> str | None:
    # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
    parts = source_arn.split("/")
    return parts[1] if len(parts) >= 2 else None


def record_summary(raw_record: dict) -> dict:
    """Describe a stored record without the values of its attributes.

    The images can hold private messages, payment details and password
    hashes; the keys and attribute names are enough to find the item.
    """
    stream = raw_record.get("dynamodb") or {}
    new_image = stream.get("NewImage") or {}
    old_image = stream.get("OldImage") or {}
    item_type = (new_image.get("item_type") or old_image.get("item_type") or {}).get(
        "S"
    )
    return {
        "event_name": raw_record.get("eventName"),
        "table": _table_of(raw_record.get("eventSourceARN") or ""),
        "sequence_number": stream.get("SequenceNumber"),
        "keys": {
            name: next(iter(value.values()), None)
            for name, value in (stream.get("Keys") or {}).items()
        },
        "item_type": item_type,
        "new_attributes": sorted(new_image),
        "old_attributes": sorted(old_image),
    }


def dead_letter_json(entry: StreamDeadLetter, with_record: bool = False) -> dict:
    body = {
        "id": entry.id,
        "reaction": entry.reaction,
        "event_id": entry.event_id,
        "error_type": entry.error_type,
        "error_message": entry.error_message,
        "attempts": int(entry.attempts or 0),
        "first_failed_at": iso(entry.first_failed_at),
        "last_failed_at": iso(entry.last_failed_at),
        "parked_at": iso(entry.parked_at) if entry.parked_at else None,
        "replayed_by": entry.replayed_by,
    }
    if with_record:
        body["record"] = record_summary(entry.raw_record())
    return body
