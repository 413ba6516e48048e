"""Outbound webhook subscriptions: which events go to which URL, and how to sign.

Items of the integrations table, all in one partition so that fanning an
event out reads every subscription with one Query (a company has tens of
them at most, see ``MAX_SUBSCRIPTIONS``):
- subscription: pk ``SUBSCRIPTIONS``, sk ``SUB#<subscription_id>``

The signing secret is stored as it is, because every delivery is signed with
it; the API shows it only in the response that creates the subscription.
"""

import logging
import secrets
from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.models import Model

from chalicelib import clock
from chalicelib.chat.channels import find_channel
from chalicelib.clock import iso
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.integrations import ssrf
from chalicelib.storage.base import table_meta
from chalicelib.web import Caller

logger = logging.getLogger(__name__)

EVENT_TYPES = (
    "task.created",
    "task.done",
    "task.commented",
    "finance_request.status_changed",
    "user.hired",
    "user.deactivated",
    "message.posted",
    "article.published",
)
# Events of this type are sent only for the subscription's channel.
CHANNEL_EVENT = "message.posted"

SUBSCRIPTIONS_PK = "SUBSCRIPTIONS"
SUBSCRIPTION_PREFIX = "SUB#"
# Every matching subscription gets a delivery per event, so this bounds the
# work one stream record causes.
MAX_SUBSCRIPTIONS = 50
SECRET_BYTES = 32


def subscription_sk(subscription_id: str) -> str:
    return f"{SUBSCRIPTION_PREFIX}{subscription_id}"


class Subscription(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True, default=SUBSCRIPTIONS_PK)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="subscription")
    subscription_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    channel_id = UnicodeAttribute(null=True)
    secret = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


def subscription_json(subscription: Subscription, secret: bool = False) -> dict:
    body = {
        "id": subscription.subscription_id,
        "url": subscription.url,
        "events": list(subscription.events),
        "channel_id": subscription.channel_id,
        "active": subscription.active,
        "created_by": subscription.created_by,
        "created_at": iso(subscription.created_at),
        "updated_at": iso(subscription.updated_at),
    }
    if secret:
        body["secret"] = subscription.secret
    return body


def list_subscriptions() -> list[Subscription]:
    return list(Subscription.query(SUBSCRIPTIONS_PK))


def find_subscription(subscription_id: str) -> Subscription | None:
    try:
        return Subscription.get(SUBSCRIPTIONS_PK, subscription_sk(subscription_id))
    except DoesNotExist:
        return None


def get_subscription(subscription_id: str) -> Subscription:
    subscription = find_subscription(subscription_id)
    if subscription is None:
        raise NotFound(f"No subscription {subscription_id}.", field="subscription_id")
    return subscription


def matching_subscriptions(event_type: str, channel_id: str | None) -> list:
    """Return the active subscriptions that ``event_type`` is delivered to."""
    found = []
    for subscription in list_subscriptions():
        if not subscription.active or event_type not in subscription.events:
            continue
        if event_type == CHANNEL_EVENT and subscription.channel_id != channel_id:
            continue
        found.append(subscription)
    return found


def check_url(url: str) -> str:
    """Reject a URL the SSRF guard blocks; the host is resolved here too."""
    try:
        ssrf.check_url(url)
    except ssrf.BlockedAddress as error:
        raise InvalidInput(
            f"Invalid field 'url': {error}. Use a public http or https URL.",
            field="url",
        ) from None
    return url


def check_channel(events: list[str], channel_id: str | None) -> None:
    if CHANNEL_EVENT in events and channel_id is None:
        raise InvalidInput(
            f"Invalid field 'channel_id': the {CHANNEL_EVENT} event needs the id "
            "of the channel whose messages to send.",
            field="channel_id",
        )
    if channel_id is not None and find_channel(channel_id) is None:
        raise InvalidInput(
            f"Invalid field 'channel_id': no channel {channel_id}.",
            field="channel_id",
        )


def create_subscription(
    url: str,
    events: list[str],
    channel_id: str | None,
    secret: str | None,
    caller: Caller,
    now: datetime | None = None,
) -> Subscription:
    check_url(url)
    check_channel(events, channel_id)
    if len(list_subscriptions()) >= MAX_SUBSCRIPTIONS:
        raise Conflict(
            f"There are already {MAX_SUBSCRIPTIONS} subscriptions, the maximum; "
            "delete one you no longer need first."
        )
    now = now or clock.utc_now()
    subscription_id = new_id()
    subscription = Subscription(
        sk=subscription_sk(subscription_id),
        subscription_id=subscription_id,
        url=url,
        events=events,
        channel_id=channel_id,
        secret=secret or secrets.token_urlsafe(SECRET_BYTES),
        active=True,
        created_by=caller.user_id,
        created_at=now,
        updated_at=now,
    )
    try:
        subscription.save(condition=Subscription.sk.does_not_exist())
    except PutError as error:
        raise Conflict("A subscription with this id already exists; retry.") from error
    logger.info(
        "webhook subscription created subscription_id=%s events=%s by=%s",
        subscription_id,
        ",".join(events),
        caller.user_id,
    )
    return subscription


def update_subscription(
    subscription_id: str, fields: dict, caller: Caller
) -> Subscription:
    """Apply ``fields`` (events, active, channel_id, url) to the subscription."""
    subscription = get_subscription(subscription_id)
    events = fields.get("events", subscription.events)
    channel_id = fields.get("channel_id", subscription.channel_id)
    if "url" in fields:
        check_url(fields["url"])
    if "events" in fields or "channel_id" in fields:
        check_channel(list(events), channel_id)

    actions = [Subscription.updated_at.set(clock.utc_now())]
    if "events" in fields:
        actions.append(Subscription.events.set(list(events)))
    if "active" in fields:
        actions.append(Subscription.active.set(fields["active"]))
    if "url" in fields:
        actions.append(Subscription.url.set(fields["url"]))
    if "channel_id" in fields:
        if channel_id is None:
            actions.append(Subscription.channel_id.remove())
        else:
            actions.append(Subscription.channel_id.set(channel_id))
    try:
        subscription.update(actions=actions, condition=Subscription.sk.exists())
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise NotFound(
            f"No subscription {subscription_id}: it was deleted meanwhile.",
            field="subscription_id",
        ) from None
    logger.info(
        "webhook subscription updated subscription_id=%s fields=%s by=%s",
        subscription_id,
        ",".join(sorted(fields)),
        caller.user_id,
    )
    return subscription


def delete_subscription(subscription_id: str, caller: Caller) -> None:
    subscription = get_subscription(subscription_id)
    subscription.delete()
    logger.info(
        "webhook subscription deleted subscription_id=%s by=%s",
        subscription_id,
        caller.user_id,
    )
