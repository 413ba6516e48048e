"""Inbound webhooks: the hooks admins create and the deliveries they receive.

Keys in the integrations table, by item:
- hook:           pk ``HOOKS``, sk ``HOOK#<hook_id>`` (one partition, because
  a company has a handful of hooks and the list reads them with one Query)
- delivery claim: pk ``HOOK#<hook_id>``, sk ``HOOKDELIVERY#KEY#<delivery_id>``,
  so one delivery id per hook runs its action once. The exception is an
  attempt that dies part-way, which a retry takes over (see _take_over)
- delivery:       pk ``HOOK#<hook_id>``, sk ``HOOKDELIVERY#LOG#<ulid>``, the
  log entry with the status and the result, listed newest first

Claims and log entries expire through the table's ``expires_at`` TTL after
DELIVERY_RETENTION_SECONDS, so a sender may retry a delivery for that long.
"""

import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.integrations import hook_actions, signatures
from chalicelib.storage.base import table_meta
from chalicelib.storage.connection import transaction_connection
from chalicelib.web import read_json

logger = logging.getLogger(__name__)

HOOKS_PK = "HOOKS"
HOOK_PREFIX = "HOOK#"
CLAIM_PREFIX = "HOOKDELIVERY#KEY#"
LOG_PREFIX = "HOOKDELIVERY#LOG#"

# Senders retry for hours or a day at most; a week leaves room for a retry
# after a long outage on either side.
DELIVERY_RETENTION_SECONDS = 7 * 24 * 60 * 60
# A delivery still "processing" this long after it started belongs to a
# Lambda that died (its timeout is 60 seconds), so a retry may take it over.
PROCESSING_TIMEOUT_SECONDS = 120
MAX_BODY_BYTES = 256 * 1024
# Delivery ids come from the sender. These characters cover UUIDs, ULIDs and
# the ids of common webhook senders, and none of them is special in a key.
DELIVERY_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
TIMESTAMP_HEADER = "X-Shtab-Timestamp"
DELIVERY_HEADER = "X-Shtab-Delivery"
SIGNATURE_HEADER = "X-Shtab-Signature"
DUPLICATE_HEADER = "X-Shtab-Duplicate"

STATUSES = ("processing", "succeeded", "failed", "error")


def hook_sk(hook_id: str) -> str:
    return f"{HOOK_PREFIX}{hook_id}"


def deliveries_pk(hook_id: str) -> str:
    return f"{HOOK_PREFIX}{hook_id}"


class Hook(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True, default=HOOKS_PK)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="hook")
    hook_id = UnicodeAttribute()
    name = UnicodeAttribute()
    action = UnicodeAttribute()
    # The action's template fields as a JSON object of jinja2 sources.
    template = UnicodeAttribute()
    # NOTE: HMAC verification needs the secret itself, so it is stored in
    # plain text. The table is encrypted at rest, and the API returns the
    # secret only when it is created or rotated.
    secret = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    secret_rotated_at = UTCDateTimeAttribute()


class HookDeliveryClaim(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="hook_delivery_claim")
    delivery_id = UnicodeAttribute()
    body_sha256 = UnicodeAttribute()
    log_sk = UnicodeAttribute()
    expires_at = TTLAttribute()


class HookDelivery(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="hook_delivery")
    entry_id = UnicodeAttribute()
    hook_id = UnicodeAttribute()
    delivery_id = UnicodeAttribute()
    status = UnicodeAttribute(default="processing")
    # True for a delivery an admin sent with the test route.
    test = BooleanAttribute(default=False)
    body_bytes = NumberAttribute()
    attempts = NumberAttribute(default=1)
    received_at = UTCDateTimeAttribute()
    started_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    # The HTTP status of the first response, which retries get again.
    http_status = NumberAttribute(null=True)
    # JSON: the action's result on success, the error object on failure.
    result = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()


# Hooks


def new_secret() -> str:
    return secrets.token_hex(32)


def get_hook(hook_id: str) -> Hook:
    try:
        return Hook.get(HOOKS_PK, hook_sk(hook_id))
    except DoesNotExist:
        raise NotFound(f"Hook '{hook_id}' not found.", field="hook_id") from None


def list_hooks() -> list[Hook]:
    return list(Hook.query(HOOKS_PK, Hook.sk.startswith(HOOK_PREFIX)))


def create_hook(name: str, action: str, template: dict, created_by: str) -> Hook:
    checked = hook_actions.check_template(action, template)
    now = utc_now()
    hook_id = new_id()
    hook = Hook(
        sk=hook_sk(hook_id),
        hook_id=hook_id,
        name=name,
        action=action,
        template=json.dumps(checked, ensure_ascii=False),
        secret=new_secret(),
        created_by=created_by,
        created_at=now,
        secret_rotated_at=now,
    )
    hook.save(condition=Hook.sk.does_not_exist())
    logger.info("hook created hook_id=%s action=%s by=%s", hook_id, action, created_by)
    return hook


def rotate_secret(hook_id: str, rotated_by: str) -> Hook:
    hook = get_hook(hook_id)
    try:
        hook.update(
            actions=[
                Hook.secret.set(new_secret()),
                Hook.secret_rotated_at.set(utc_now()),
            ],
            condition=Hook.sk.exists(),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise NotFound(f"Hook '{hook_id}' not found.", field="hook_id") from None
    logger.info("hook secret rotated hook_id=%s by=%s", hook_id, rotated_by)
    return hook


def delete_hook(hook_id: str, deleted_by: str) -> None:
    """Delete the hook, then its delivery log and claims.

    The hook goes first, so a delivery arriving meanwhile gets 404; an item
    of the log left by a crash part-way expires through the TTL.
    """
    hook = get_hook(hook_id)
    hook.delete()
    with HookDelivery.batch_write() as batch:
        for item in HookDelivery.query(deliveries_pk(hook_id)):
            batch.delete(item)
    logger.info("hook deleted hook_id=%s by=%s", hook_id, deleted_by)


def hook_template(hook: Hook) -> dict:
    return json.loads(hook.template)


def hook_json(hook: Hook, url: str) -> dict:
    return {
        "id": hook.hook_id,
        "name": hook.name,
        "action": hook.action,
        "template": hook_template(hook),
        "url": url,
        "created_by": hook.created_by,
        "created_at": iso(hook.created_at),
        "secret_rotated_at": iso(hook.secret_rotated_at),
    }


# Delivery log


def list_deliveries(
    hook_id: str, limit: int, before: str | None
) -> tuple[list[HookDelivery], str | None]:
    """Return up to ``limit`` log entries, newest first, and the next cursor."""
    get_hook(hook_id)
    # The upper bound includes the cursor's own entry, which is then skipped;
    # a plain "<" would reach down into the claims' HOOKDELIVERY#KEY# keys.
    upper = f"{LOG_PREFIX}{before}" if before else f"{LOG_PREFIX}\uffff"
    entries = [
        entry
        for entry in HookDelivery.query(
            deliveries_pk(hook_id),
            HookDelivery.sk.between(LOG_PREFIX, upper),
            scan_index_forward=False,
            limit=limit + 2,
        )
        if entry.entry_id != before
    ][: limit + 1]
    next_cursor = entries[limit - 1].entry_id if len(entries) > limit else None
    return entries[:limit], next_cursor


def delivery_json(entry: HookDelivery) -> dict:
    return {
        "id": entry.entry_id,
        "delivery_id": entry.delivery_id,
        "status": entry.status,
        "test": entry.test,
        "attempts": entry.attempts,
        "body_bytes": entry.body_bytes,
        "received_at": iso(entry.received_at),
        "finished_at": iso(entry.finished_at) if entry.finished_at else None,
        "result": json.loads(entry.result) if entry.result else None,
        "error": json.loads(entry.error) if entry.error else None,
    }


# Receiving


@dataclass(frozen=True)
class Reply:
    """The webhook route's response: a status, a JSON body and the duplicate flag."""

    status: int
    body: dict
    duplicate: bool


def check_delivery_id(value: str | None) -> str:
    if not value:
        raise InvalidInput(
            f"Missing {DELIVERY_HEADER} header: send the sender's id of this "
            "delivery, the same on every retry.",
            field=DELIVERY_HEADER,
        )
    if not DELIVERY_ID.fullmatch(value):
        raise InvalidInput(
            f"Invalid {DELIVERY_HEADER} header: use 1 to 100 characters from "
            "A-Z, a-z, 0-9, '.', '_', ':' and '-'.",
            field=DELIVERY_HEADER,
        )
    return value


def _reply_of(entry: HookDelivery, duplicate: bool) -> Reply:
    delivery = delivery_json(entry)
    if entry.status == "succeeded":
        body = {"delivery": delivery, "duplicate": duplicate}
        return Reply(200, body, duplicate)
    error = dict(delivery["error"] or {})
    error.update(delivery_id=entry.delivery_id, duplicate=duplicate)
    return Reply(entry.http_status or 422, {"error": error}, duplicate)


def _claim(
    hook_id: str, delivery_id: str, digest: str, entry: HookDelivery
) -> HookDeliveryClaim | None:
    """Claim ``delivery_id`` and log it; return None, or the earlier claim."""
    claim = HookDeliveryClaim(
        deliveries_pk(hook_id),
        f"{CLAIM_PREFIX}{delivery_id}",
        delivery_id=delivery_id,
        body_sha256=digest,
        log_sk=entry.sk,
        expires_at=entry.expires_at,
    )
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(claim, condition=HookDeliveryClaim.sk.does_not_exist())
            transaction.save(entry, condition=HookDelivery.sk.does_not_exist())
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        reasons = error.cancellation_reasons or []
        claim_reason = reasons[0] if reasons else None
        if claim_reason is None or claim_reason.code != "ConditionalCheckFailed":
            # DynamoDB cancels a transaction that meets another one on the same
            # item (TransactionConflict): that one may still be claiming it.
            logger.info(
                "hook delivery claim conflicted hook_id=%s delivery_id=%s",
                hook_id,
                delivery_id,
            )
            raise _in_progress(delivery_id) from None
    else:
        return None
    try:
        return HookDeliveryClaim.get(claim.pk, claim.sk, consistent_read=True)
    except DoesNotExist:
        # Released after a server error between the two reads.
        raise _in_progress(delivery_id) from None


def _take_over(entry: HookDelivery, now: datetime) -> bool:
    """Restart a delivery whose first attempt died part-way; True if this one won."""
    cutoff = now - timedelta(seconds=PROCESSING_TIMEOUT_SECONDS)
    try:
        entry.update(
            actions=[
                HookDelivery.started_at.set(now),
                HookDelivery.attempts.add(1),
            ],
            condition=(HookDelivery.status == "processing")
            & (HookDelivery.started_at < cutoff),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    logger.warning(
        "hook delivery taken over hook_id=%s delivery_id=%s attempt=%d",
        entry.hook_id,
        entry.delivery_id,
        entry.attempts,
    )
    return True


def _finish(entry: HookDelivery, status: str, http_status: int, **fields) -> bool:
    """Record how the delivery ended; False if another attempt took it over."""
    actions = [
        HookDelivery.status.set(status),
        HookDelivery.http_status.set(http_status),
        HookDelivery.finished_at.set(utc_now()),
    ]
    for name, value in fields.items():
        actions.append(getattr(HookDelivery, name).set(json.dumps(value)))
    # Only the attempt that owns the delivery records how it ended.
    try:
        entry.update(actions=actions, condition=HookDelivery.attempts == entry.attempts)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.warning(
            "hook delivery finished by another attempt hook_id=%s delivery_id=%s",
            entry.hook_id,
            entry.delivery_id,
        )
        return False
    return True


def _release(hook_id: str, delivery_id: str, entry: HookDelivery) -> None:
    """Free the delivery id after a server error, so the sender's retry runs it."""
    try:
        HookDeliveryClaim(
            deliveries_pk(hook_id), f"{CLAIM_PREFIX}{delivery_id}"
        ).delete()
        _finish(
            entry,
            "error",
            500,
            error={
                "code": "internal_error",
                "message": "The action failed with a server error; a retry runs it "
                "again.",
            },
        )
    except Exception:
        # The original error is what the caller must see, so this one is only
        # logged. A retry takes the delivery over after the processing timeout.
        logger.exception(
            "hook delivery not released hook_id=%s delivery_id=%s",
            hook_id,
            delivery_id,
        )


def _run(hook: Hook, entry: HookDelivery, payload: dict) -> Reply:
    delivery = hook_actions.Delivery(
        hook_id=hook.hook_id,
        hook_name=hook.name,
        delivery_id=entry.delivery_id,
        received_at=entry.received_at,
        payload=payload,
    )
    try:
        result = hook_actions.run_action(hook.action, hook_template(hook), delivery)
    except hook_actions.ActionFailed as failure:
        error = failure.to_body()["error"]
        logger.info(
            "hook delivery failed hook_id=%s delivery_id=%s field=%s",
            hook.hook_id,
            entry.delivery_id,
            failure.field,
        )
        _finish(entry, "failed", failure.status, error=error)
    except Exception:
        logger.exception(
            "hook delivery error hook_id=%s delivery_id=%s",
            hook.hook_id,
            entry.delivery_id,
        )
        _release(hook.hook_id, entry.delivery_id, entry)
        raise
    else:
        logger.info(
            "hook delivery done hook_id=%s delivery_id=%s result=%s",
            hook.hook_id,
            entry.delivery_id,
            result,
        )
        _finish(entry, "succeeded", 200, result=result)
    entry.refresh(consistent_read=True)
    if entry.status == "processing":
        raise _in_progress(entry.delivery_id)
    return _reply_of(entry, duplicate=False)


def _in_progress(delivery_id: str) -> Conflict:
    return Conflict(
        f"Delivery '{delivery_id}' is still being processed; retry in a minute "
        "to get its result.",
        field=DELIVERY_HEADER,
    )


def _header(headers: dict, name: str) -> str | None:
    # Chalice's headers are case-insensitive; a plain dict from a test is not.
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    return value


def receive(
    hook_id: str, headers: dict, raw_body: bytes, *, test: bool = False
) -> Reply:
    """Verify one signed delivery and run the hook's action once per delivery id.

    Raises NotFound for an unknown hook, Unauthenticated for a missing, old or
    wrong signature, InvalidInput for a bad delivery id or body, and Conflict
    when the delivery id was used with another body or is still running.
    """
    hook = get_hook(hook_id)
    now = utc_now()
    signatures.verify(
        hook.secret,
        _header(headers, TIMESTAMP_HEADER),
        raw_body,
        _header(headers, SIGNATURE_HEADER),
        now,
    )
    delivery_id = check_delivery_id(_header(headers, DELIVERY_HEADER))
    payload = _read_payload(raw_body)
    digest = hashlib.sha256(raw_body).hexdigest()

    entry_id = new_id()
    entry = HookDelivery(
        deliveries_pk(hook_id),
        f"{LOG_PREFIX}{entry_id}",
        entry_id=entry_id,
        hook_id=hook_id,
        delivery_id=delivery_id,
        test=test,
        body_bytes=len(raw_body),
        received_at=now,
        started_at=now,
        expires_at=now + timedelta(seconds=DELIVERY_RETENTION_SECONDS),
    )
    earlier = _claim(hook_id, delivery_id, digest, entry)
    if earlier is None:
        return _run(hook, entry, payload)

    if earlier.body_sha256 != digest:
        raise Conflict(
            f"Delivery '{delivery_id}' was already received with a different body; "
            "send a new delivery id for a new event.",
            field=DELIVERY_HEADER,
        )
    first = HookDelivery.get(earlier.pk, earlier.log_sk, consistent_read=True)
    if first.status != "processing":
        logger.info(
            "hook delivery repeated hook_id=%s delivery_id=%s", hook_id, delivery_id
        )
        return _reply_of(first, duplicate=True)
    if _take_over(first, now):
        first.refresh(consistent_read=True)
        return _run(hook, first, payload)
    raise _in_progress(delivery_id)


def _read_payload(raw_body: bytes) -> dict:
    # read_json takes a request but reads only its raw body.
    return read_json(SimpleNamespace(raw_body=raw_body), max_bytes=MAX_BODY_BYTES)


def delivery_headers(hook: Hook, body: bytes, delivery_id: str) -> dict:
    """Build the headers a sender would send, signed with the hook's secret."""
    timestamp = str(int(utc_now().timestamp()))
    return {
        TIMESTAMP_HEADER: timestamp,
        DELIVERY_HEADER: delivery_id,
        SIGNATURE_HEADER: signatures.sign(hook.secret, timestamp, body),
    }
