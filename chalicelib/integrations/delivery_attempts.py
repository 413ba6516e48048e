"""Stored webhook deliveries, their attempt log and the dead-letter list.

Items of the integrations table:
- delivery:    pk ``DELIVERY#<delivery_id>``, sk ``DELIVERY``. It keeps the exact
  body sent on every attempt, so each retry carries the same event id and data.
- dead letter: pk ``DEADLETTER#OUTBOUND``, sk ``<delivery_id>``, one per delivery
  that used up its retries; replaying the delivery removes it.

Global secondary indexes, over delivery items only:
- ``delivery-log-index``: log_key (``SUB#<subscription_id>``) / delivery_id, a
  subscription's deliveries, newest first;
- ``delivery-due-index``: due (``DUE``) / next_attempt_at, set only while a
  delivery waits for an attempt, so the retry function reads only those.
  NOTE: one partition key for every waiting delivery is fine for hundreds of
  them; a backlog of many thousands would need the key sharded.

A delivery is attempted by whoever first claims it: the claim is a conditional
update that sets ``lease_until``, so the stream step and the scheduled retry
function never send one delivery at the same time. A lease outlives any
attempt (``LEASE``); a process that dies mid-attempt leaves a lease that
expires, and the delivery is retried after it.
"""

import logging
from datetime import datetime, timedelta

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import (
    DoesNotExist,
    PutError,
    TransactWriteError,
    UpdateError,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.clock import iso
from chalicelib.integrations.retry_schedule import MAX_ATTEMPTS, next_attempt_at
from chalicelib.storage.base import table_meta
from chalicelib.storage.connection import transaction_connection

logger = logging.getLogger(__name__)

DELIVERY_SK = "DELIVERY"
DEAD_LETTER_PK = "DEADLETTER#OUTBOUND"
DUE = "DUE"
PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"
# A subscription deleted while its delivery waited: nothing is sent any more.
CANCELLED = "cancelled"

# Longer than one attempt can take: at most 4 requests (3 redirects), each
# bounded by the connect and read timeouts in ``outbound``.
LEASE = timedelta(minutes=2)
# Delivered and cancelled deliveries are kept this long for the attempt log,
# then DynamoDB's TTL removes them. Pending and parked ones are kept.
KEEP_FINISHED = timedelta(days=30)
# The attempt log keeps the latest entries; replays add to it without bound
# otherwise.
MAX_LOGGED_ATTEMPTS = 30
MAX_ERROR_LENGTH = 500


def delivery_pk(delivery_id: str) -> str:
    return f"DELIVERY#{delivery_id}"


def log_key(subscription_id: str) -> str:
    return f"SUB#{subscription_id}"


class DeliveryLogIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "delivery-log-index"
        projection = AllProjection()

    log_key = UnicodeAttribute(hash_key=True)
    delivery_id = UnicodeAttribute(range_key=True)


class DeliveryDueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "delivery-due-index"
        projection = KeysOnlyProjection()

    due = UnicodeAttribute(hash_key=True)
    next_attempt_at = UTCDateTimeAttribute(range_key=True)


class Attempt(MapAttribute):
    """One try to send a delivery, as the attempt log shows it."""

    number = NumberAttribute()
    started_at = UTCDateTimeAttribute()
    duration_ms = NumberAttribute()
    # The last response's status; None when no response came (refused, timed
    # out, blocked by the SSRF guard).
    status_code = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    # The URL of the last hop, which differs from the subscription's after a
    # redirect.
    url = UnicodeAttribute()
    next_attempt_at = UTCDateTimeAttribute(null=True)
    replay = UnicodeAttribute(null=True)  # who replayed it, for a replay


class Delivery(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=DELIVERY_SK)
    item_type = UnicodeAttribute(default="delivery")
    delivery_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()
    log_key = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    # The JSON body, byte for byte as sent.
    body = UnicodeAttribute()
    status = UnicodeAttribute(default=PENDING)
    # Failures since the delivery was created or last replayed; it sets the
    # retry delay and, at MAX_ATTEMPTS, parks the delivery.
    failures = NumberAttribute(default=0)
    due = UnicodeAttribute(null=True)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    attempts = ListAttribute(of=Attempt, default=list)
    attempt_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    delivered_at = UTCDateTimeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # epoch seconds, DynamoDB TTL

    log_index = DeliveryLogIndex()
    due_index = DeliveryDueIndex()


class DeadLetter(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True, default=DEAD_LETTER_PK)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="dead_letter")
    subscription_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    attempt_count = NumberAttribute()
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    parked_at = UTCDateTimeAttribute()


def _conditional_failure(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) in (
        "ConditionalCheckFailedException",
        "TransactionCanceledException",
    )


def create_delivery(
    delivery_id: str,
    subscription_id: str,
    event_id: str,
    event_type: str,
    body: str,
    now: datetime,
) -> Delivery | None:
    """Store a new delivery due at once; return None if it already exists."""
    delivery = Delivery(
        delivery_pk(delivery_id),
        delivery_id=delivery_id,
        subscription_id=subscription_id,
        log_key=log_key(subscription_id),
        event_id=event_id,
        event_type=event_type,
        body=body,
        status=PENDING,
        due=DUE,
        next_attempt_at=now,
        created_at=now,
    )
    try:
        delivery.save(condition=Delivery.pk.does_not_exist())
    except PutError as error:
        if _conditional_failure(error):
            return None
        raise
    return delivery


def find_delivery(delivery_id: str) -> Delivery | None:
    try:
        return Delivery.get(delivery_pk(delivery_id), DELIVERY_SK, consistent_read=True)
    except DoesNotExist:
        return None


def due_delivery_ids(now: datetime, limit: int) -> list[str]:
    """Return up to ``limit`` ids of deliveries due at ``now``, oldest due first."""
    ids = []
    for key in Delivery.due_index.query(
        DUE, Delivery.next_attempt_at <= now, limit=limit
    ):
        ids.append(key.pk.removeprefix("DELIVERY#"))
    return ids


def claim(delivery_id: str, now: datetime, require_due: bool) -> Delivery | None:
    """Take the lease on a pending delivery; return it, or None if not claimable.

    With ``require_due`` the delivery must also be due at ``now``, which the
    retry function needs: the due index is eventually consistent.
    """
    condition = (Delivery.status == PENDING) & (
        Delivery.lease_until.does_not_exist() | (Delivery.lease_until < now)
    )
    if require_due:
        condition &= Delivery.next_attempt_at <= now
    delivery = Delivery(delivery_pk(delivery_id), DELIVERY_SK)
    try:
        delivery.update(
            actions=[Delivery.lease_until.set(now + LEASE)], condition=condition
        )
    except UpdateError as error:
        if _conditional_failure(error):
            return None
        raise
    return delivery


def _log(delivery: Delivery, attempt: Attempt) -> list[Attempt]:
    attempts = [*(delivery.attempts or []), attempt]
    return attempts[-MAX_LOGGED_ATTEMPTS:]


def record_success(delivery: Delivery, attempt: Attempt, now: datetime) -> None:
    delivery.update(
        actions=[
            Delivery.status.set(DELIVERED),
            Delivery.attempts.set(_log(delivery, attempt)),
            Delivery.attempt_count.add(1),
            Delivery.delivered_at.set(now),
            Delivery.expires_at.set(int((now + KEEP_FINISHED).timestamp())),
            Delivery.due.remove(),
            Delivery.next_attempt_at.remove(),
            Delivery.lease_until.remove(),
        ]
    )


def record_failure(delivery: Delivery, attempt: Attempt, now: datetime) -> bool:
    """Schedule the next attempt, or park the delivery; return True if parked."""
    failures = int(delivery.failures or 0) + 1
    retry_at = next_attempt_at(failures, now) if failures < MAX_ATTEMPTS else None
    attempt.next_attempt_at = retry_at
    common = [
        Delivery.failures.set(failures),
        Delivery.attempts.set(_log(delivery, attempt)),
        Delivery.attempt_count.add(1),
        Delivery.lease_until.remove(),
    ]
    if retry_at is not None:
        delivery.update(
            actions=[
                *common,
                Delivery.due.set(DUE),
                Delivery.next_attempt_at.set(retry_at),
            ]
        )
        return False

    dead_letter = DeadLetter(
        sk=delivery.delivery_id,
        subscription_id=delivery.subscription_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        attempt_count=int(delivery.attempt_count or 0) + 1,
        last_status_code=attempt.status_code,
        last_error=attempt.error,
        parked_at=now,
    )
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.update(
            delivery,
            actions=[
                *common,
                Delivery.status.set(DEAD),
                Delivery.due.remove(),
                Delivery.next_attempt_at.remove(),
            ],
        )
        transaction.save(dead_letter)
    delivery.refresh(consistent_read=True)
    return True


def cancel(delivery: Delivery, now: datetime) -> None:
    delivery.update(
        actions=[
            Delivery.status.set(CANCELLED),
            Delivery.expires_at.set(int((now + KEEP_FINISHED).timestamp())),
            Delivery.due.remove(),
            Delivery.next_attempt_at.remove(),
            Delivery.lease_until.remove(),
        ]
    )


def reopen(delivery: Delivery, now: datetime) -> bool:
    """Make a delivery due now with a fresh set of retries, for a replay.

    A parked delivery leaves the dead-letter list in the same transaction.
    Returns False if another attempt holds the lease.
    """
    condition = Delivery.lease_until.does_not_exist() | (Delivery.lease_until < now)
    actions = [
        Delivery.status.set(PENDING),
        Delivery.failures.set(0),
        Delivery.due.set(DUE),
        Delivery.next_attempt_at.set(now),
        Delivery.delivered_at.remove(),
        Delivery.expires_at.remove(),
    ]
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(delivery, actions=actions, condition=condition)
            if delivery.status == DEAD:
                transaction.delete(DeadLetter(DEAD_LETTER_PK, delivery.delivery_id))
    except TransactWriteError as error:
        if _conditional_failure(error):
            return False
        raise
    delivery.refresh(consistent_read=True)
    return True


def list_deliveries(
    subscription_id: str, limit: int, cursor: str | None
) -> tuple[list[Delivery], str | None]:
    """Return a page of a subscription's deliveries, newest first."""
    condition = Delivery.delivery_id < cursor if cursor else None
    page = list(
        Delivery.log_index.query(
            log_key(subscription_id),
            condition,
            scan_index_forward=False,
            limit=limit + 1,
        )
    )
    next_cursor = page[limit - 1].delivery_id if len(page) > limit else None
    return page[:limit], next_cursor


def list_dead_letters(
    limit: int, cursor: str | None
) -> tuple[list[DeadLetter], str | None]:
    """Return a page of parked deliveries, newest first."""
    condition = DeadLetter.sk < cursor if cursor else None
    page = list(
        DeadLetter.query(
            DEAD_LETTER_PK, condition, scan_index_forward=False, limit=limit + 1
        )
    )
    next_cursor = page[limit - 1].sk if len(page) > limit else None
    return page[:limit], next_cursor


def _optional_iso(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def attempt_json(attempt: Attempt) -> dict:
    return {
        "number": int(attempt.number),
        "started_at": iso(attempt.started_at),
        "duration_ms": int(attempt.duration_ms),
        "status_code": (
            int(attempt.status_code) if attempt.status_code is not None else None
        ),
        "error": attempt.error,
        "url": attempt.url,
        "next_attempt_at": _optional_iso(attempt.next_attempt_at),
        "replayed_by": attempt.replay,
    }


def delivery_json(delivery: Delivery) -> dict:
    return {
        "id": delivery.delivery_id,
        "subscription_id": delivery.subscription_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempt_count": int(delivery.attempt_count or 0),
        "next_attempt_at": _optional_iso(delivery.next_attempt_at),
        "created_at": iso(delivery.created_at),
        "delivered_at": _optional_iso(delivery.delivered_at),
        "attempts": [attempt_json(attempt) for attempt in delivery.attempts or []],
    }


def dead_letter_json(dead_letter: DeadLetter) -> dict:
    return {
        "delivery_id": dead_letter.sk,
        "subscription_id": dead_letter.subscription_id,
        "event_id": dead_letter.event_id,
        "event_type": dead_letter.event_type,
        "attempt_count": int(dead_letter.attempt_count),
        "last_status_code": (
            int(dead_letter.last_status_code)
            if dead_letter.last_status_code is not None
            else None
        ),
        "last_error": dead_letter.last_error,
        "parked_at": iso(dead_letter.parked_at),
    }
