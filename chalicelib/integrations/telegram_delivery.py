"""Copy each notification to the recipient's linked Telegram chat.

A step of the chat stream reaction: a ``notification`` message inserted into a
person's notifications channel (``chalicelib.notifications.service.notify``)
is sent with sendMessage to the chat that person linked.

A redelivered record must not send twice, so each send first puts a marker,
pk ``TELEGRAM#SENT#<message id>``, with a condition that it is new. The marker
expires through the table's TTL after MARKER_RETENTION_SECONDS, longer than a
stream keeps a record (24 hours). If the Lambda dies between the put and the
send, that copy is lost, because a copy is never sent twice. The notification
itself stays in Shtab.

Telegram's answers:
- 403 (the person blocked the bot or deleted the chat): the link is removed;
- 429: the marker keeps Telegram's retry_after, and the record fails; a retry
  sooner than that fails again without calling Telegram;
- 5xx or no answer: the marker is removed and the record fails, for a retry;
- any other error is logged and the copy is dropped.
"""

import html
import logging
from datetime import datetime, timedelta

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.models import Model

from chalicelib import clock
from chalicelib.chat.models import Channel, channel_pk
from chalicelib.integrations import telegram_api
from chalicelib.integrations.telegram_api import TelegramError, TelegramUnavailable
from chalicelib.integrations.telegram_bridge import active_link, find_bot, unlink
from chalicelib.people.service import find_user
from chalicelib.storage.base import table_meta
from chalicelib.streams.records import read_change

logger = logging.getLogger(__name__)

SENT_PREFIX = "TELEGRAM#SENT#"
MARKER_RETENTION_SECONDS = 2 * 24 * 60 * 60
# Telegram allows 4096 characters after entities are parsed; this leaves room
# for the link back.
MAX_TEXT_CHARACTERS = 3800
OPEN_LABELS = {"ru": "Открыть в Штабе", "en": "Open in Shtab"}
# Seconds to wait after a 429 that gave no retry_after.
DEFAULT_RETRY_AFTER = 5


class TelegramSent(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="SENT")
    item_type = UnicodeAttribute(default="telegram_sent")
    user_id = UnicodeAttribute()
    # "sending", "sent", "retry" (after a 429), "blocked" or "failed".
    state = UnicodeAttribute()
    # For the state "retry": no send before this time.
    not_before = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class TelegramRetryLater(Exception):
    """The record fails so that the stream retries it after Telegram's wait."""


def sent_pk(message_id: str) -> str:
    return f"{SENT_PREFIX}{message_id}"


def _recipient_of(message: dict) -> str | None:
    """Return who a notification is for: its named recipient (a payment
    request's shared thread names one), or the owner of the personal
    notifications channel it was posted to."""
    if message.get("recipient_id"):
        return message["recipient_id"]
    if message.get("thread_id"):
        return None
    try:
        channel = Channel.get(channel_pk(message["channel_id"]), "META")
    except DoesNotExist:
        return None
    if channel.kind != "notifications" or not channel.owner_user_id:
        return None
    return channel.owner_user_id


def send_notification_copy(record: DynamoDBRecord) -> None:
    """Send a new notification message to its recipient's linked chat, once."""
    change = read_change(record)
    if change.event_name != "INSERT" or change.item_type != "message":
        return
    message = change.new
    if message.get("kind") != "notification":
        return
    bot = find_bot()
    if bot is None:
        return
    recipient_id = _recipient_of(message)
    if recipient_id is None:
        return
    link = active_link(recipient_id, bot)
    if link is None:
        return
    recipient = find_user(recipient_id)
    if recipient is None or not recipient.is_active:
        return

    message_id = message["message_id"]
    now = clock.utc_now()
    if not _claim(message_id, recipient.user_id, now):
        logger.info("telegram copy already sent message_id=%s", message_id)
        return
    text = compose(
        message.get("text") or "", message.get("link"), bot.site_url, recipient.locale
    )
    try:
        telegram_api.send_message(bot.bot_token, int(link.chat_id), text)
    except TelegramError as error:
        _handle_send_error(error, message_id, recipient.user_id, int(link.chat_id), now)
        return
    except TelegramUnavailable as error:
        _release(message_id)
        logger.warning(
            "telegram send failed, will retry message_id=%s user_id=%s: %s",
            message_id,
            recipient.user_id,
            error,
        )
        raise TelegramRetryLater(str(error)) from None
    _set_state(message_id, "sent", now)
    logger.info(
        "telegram copy sent message_id=%s user_id=%s", message_id, recipient.user_id
    )


def _handle_send_error(
    error: TelegramError, message_id: str, user_id: str, chat_id: int, now: datetime
) -> None:
    if error.status == 403:
        _set_state(message_id, "blocked", now)
        removed = unlink(user_id, chat_id)
        logger.warning(
            "telegram rejected the chat, link removed=%s user_id=%s: %s",
            removed,
            user_id,
            error.description,
        )
        return
    if error.status == 429:
        wait = error.retry_after or DEFAULT_RETRY_AFTER
        _set_state(message_id, "retry", now, not_before=now + timedelta(seconds=wait))
        logger.warning(
            "telegram rate limit, retry after %ss message_id=%s user_id=%s",
            wait,
            message_id,
            user_id,
        )
        raise TelegramRetryLater(f"Telegram asked to wait {wait} seconds")
    if error.status >= 500:
        _release(message_id)
        logger.warning(
            "telegram send failed, will retry message_id=%s user_id=%s: %s",
            message_id,
            user_id,
            error,
        )
        raise TelegramRetryLater(str(error))
    _set_state(message_id, "failed", now)
    logger.warning(
        "telegram copy dropped message_id=%s user_id=%s: %s",
        message_id,
        user_id,
        error,
    )


def compose(text: str, link: str | None, site_url: str, locale: str | None) -> str:
    """Return the HTML text of the copy: the notification and a link to the item."""
    if len(text) > MAX_TEXT_CHARACTERS:
        text = text[: MAX_TEXT_CHARACTERS - 1] + "…"
    body = html.escape(text)
    url = item_url(site_url, link)
    if url is None:
        return body
    label = OPEN_LABELS.get(locale or "", OPEN_LABELS["ru"])
    return f'{body}\n\n<a href="{html.escape(url)}">{label}</a>'


def item_url(site_url: str, link: str | None) -> str | None:
    """Join the web app's address and a notification link such as ``#/tasks/1``."""
    if not link or not site_url.startswith(("https://", "http://")):
        return None
    return f"{site_url.rstrip('/')}/{link.lstrip('/')}"


# The marker


def _claim(message_id: str, user_id: str, now: datetime) -> bool:
    """Put the "sending" marker; return False if this copy was sent or is sending.

    Raises TelegramRetryLater while a 429's wait lasts.
    """
    marker = TelegramSent(
        sent_pk(message_id),
        user_id=user_id,
        state="sending",
        updated_at=now,
        expires_at=now + timedelta(seconds=MARKER_RETENTION_SECONDS),
    )
    try:
        marker.save(condition=TelegramSent.pk.does_not_exist())
        return True
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    try:
        existing = TelegramSent.get(sent_pk(message_id), "SENT")
    except DoesNotExist:
        return False
    if existing.state != "retry":
        return False
    if existing.not_before is not None and existing.not_before > now:
        wait = (existing.not_before - now).total_seconds()
        raise TelegramRetryLater(f"Telegram asked to wait {wait:.0f} more seconds")
    try:
        existing.update(
            actions=[
                TelegramSent.state.set("sending"),
                TelegramSent.updated_at.set(now),
            ],
            condition=TelegramSent.state == "retry",
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def _set_state(
    message_id: str, state: str, now: datetime, not_before: datetime | None = None
) -> None:
    actions = [TelegramSent.state.set(state), TelegramSent.updated_at.set(now)]
    if not_before is not None:
        actions.append(TelegramSent.not_before.set(not_before))
    TelegramSent(sent_pk(message_id)).update(actions=actions)


def _release(message_id: str) -> None:
    """Delete the marker, so that the record's retry sends the copy."""
    TelegramSent(sent_pk(message_id)).delete()
