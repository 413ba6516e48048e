"""Pinned messages: at most MAX_PINS per channel, listed by any member.

Items, in the chat table next to the channel:
- pin:        pk ``CHANNEL#<channel_id>``, sk ``PIN#<message_id>``
- pin count:  pk ``CHANNEL#<channel_id>``, sk ``PINS``

Pinning puts the pin item, raises the count on the condition that it stays
within the limit and marks the message, all in one transaction, so concurrent
pins never exceed the limit and the count always matches the pin items.
"""

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.chat.models import Message, channel_pk
from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict, TooManyRequests
from chalicelib.storage.base import table_meta
from chalicelib.storage.connection import transaction_connection

logger = logging.getLogger(__name__)

MAX_PINS = 50
PIN_COUNT_SK = "PINS"
FAILED = "ConditionalCheckFailed"
# Attempts of a transaction that other transactions on the same items cancel.
MAX_CONFLICT_ATTEMPTS = 10


def pin_sk(message_id: str) -> str:
    return f"PIN#{message_id}"


class Pin(Model):
    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="pin")
    channel_id = UnicodeAttribute()
    message_id = UnicodeAttribute()
    # The message's own keys: a thread reply lives under its thread's partition.
    message_pk = UnicodeAttribute()
    message_sk = UnicodeAttribute()
    pinned_by = UnicodeAttribute()
    pinned_at = UTCDateTimeAttribute()


class PinCount(Model):
    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=PIN_COUNT_SK)
    item_type = UnicodeAttribute(default="pin_count")
    pin_count = NumberAttribute(default=0)


def pin_of(message: Message) -> Pin:
    return Pin(channel_pk(message.channel_id), pin_sk(message.message_id))


def pin_count_of(channel_id: str) -> PinCount:
    return PinCount(channel_pk(channel_id), PIN_COUNT_SK)


def transact(write: Callable[[TransactWrite], None]) -> list[str | None]:
    """Run the writes that ``write`` adds as one transaction.

    Returns [] on success, else the cancellation reason code of each item (None
    for an item that was fine). A cancellation caused only by another
    transaction on the same items (TransactionConflict) is retried.
    """
    for attempt in range(MAX_CONFLICT_ATTEMPTS):
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                write(transaction)
            return []
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            codes = [
                reason.code if reason is not None else None
                for reason in error.cancellation_reasons or []
            ]
            if "TransactionConflict" not in codes or "ConditionalCheckFailed" in codes:
                return codes
        time.sleep(random.uniform(0, 0.02 * (attempt + 1)))
    raise TooManyRequests("Too many changes to this channel at once; try again.")


def pin_message(
    message: Message, user_id: str, pinned_at: datetime | None = None
) -> bool:
    """Pin ``message``; return False if it was pinned already.

    ``pinned_at`` defaults to now; imports pass the time of the original pin.
    Raises Conflict when the message is deleted or the channel has MAX_PINS pins.
    """
    now = pinned_at or utc_now()
    pin = Pin(
        channel_pk(message.channel_id),
        pin_sk(message.message_id),
        channel_id=message.channel_id,
        message_id=message.message_id,
        message_pk=message.pk,
        message_sk=message.sk,
        pinned_by=user_id,
        pinned_at=now,
    )

    def write(transaction: TransactWrite) -> None:
        transaction.save(pin, condition=Pin.sk.does_not_exist())
        transaction.update(
            pin_count_of(message.channel_id),
            actions=[
                PinCount.pin_count.add(1),
                PinCount.item_type.set("pin_count"),
            ],
            condition=PinCount.pin_count.does_not_exist()
            | (PinCount.pin_count < MAX_PINS),
        )
        transaction.update(
            message,
            actions=[Message.pinned_at.set(now), Message.pinned_by.set(user_id)],
            condition=Message.sk.exists() & Message.deleted_at.does_not_exist(),
        )

    codes = transact(write)
    if codes[:1] == [FAILED]:
        return False
    if codes[1:2] == [FAILED]:
        raise Conflict(
            f"This channel already has {MAX_PINS} pinned messages, the limit; "
            "unpin one first."
        )
    if codes[2:3] == [FAILED]:
        raise Conflict("This message was deleted and cannot be pinned.")
    if codes:
        raise RuntimeError(f"pin transaction cancelled: {codes}")
    logger.info(
        "message pinned message_id=%s channel_id=%s by=%s",
        message.message_id,
        message.channel_id,
        user_id,
    )
    return True


def unpin_message(message: Message) -> bool:
    """Unpin ``message``; return False if it was not pinned."""

    def write(transaction: TransactWrite) -> None:
        add_unpin_to(transaction, message)
        transaction.update(
            message,
            actions=[Message.pinned_at.remove(), Message.pinned_by.remove()],
            condition=Message.sk.exists(),
        )

    codes = transact(write)
    if codes[:1] == [FAILED]:
        return False
    if codes:
        raise RuntimeError(f"unpin transaction cancelled: {codes}")
    logger.info(
        "message unpinned message_id=%s channel_id=%s",
        message.message_id,
        message.channel_id,
    )
    return True


def add_unpin_to(transaction: TransactWrite, message: Message) -> None:
    """Add the writes that remove a message's pin to another transaction."""
    transaction.delete(pin_of(message), condition=Pin.sk.exists())
    transaction.update(
        pin_count_of(message.channel_id),
        actions=[PinCount.pin_count.add(-1)],
        condition=PinCount.pin_count > 0,
    )


def list_pins(channel_id: str) -> list[tuple[Pin, Message]]:
    """Return the channel's pins with their messages, the latest pin first."""
    pins = list(
        Pin.query(channel_pk(channel_id), Pin.sk.startswith("PIN#"), limit=MAX_PINS)
    )
    if not pins:
        return []
    keys = [(pin.message_pk, pin.message_sk) for pin in pins]
    messages = {message.message_id: message for message in Message.batch_get(keys)}
    pairs = [
        (pin, messages[pin.message_id]) for pin in pins if pin.message_id in messages
    ]
    pairs.sort(key=lambda pair: (pair[0].pinned_at, pair[0].message_id), reverse=True)
    return pairs


def pin_json(pin: Pin) -> dict:
    return {"pinned_by": pin.pinned_by, "pinned_at": iso(pin.pinned_at)}
