"""Post a notification into a person's notifications channel."""

import logging
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.chat.channels import (
    add_member,
    ensure_channel,
    find_channel_by_key,
    notifications_key,
)
from chalicelib.chat.messages import post_message
from chalicelib.chat.models import SYSTEM_SENDER_ID, Channel
from chalicelib.ids import stable_id
from chalicelib.notifications.render import render
from chalicelib.people.models import User

logger = logging.getLogger(__name__)

NOTIFICATIONS_CHANNEL_NAME = {"ru": "Уведомления", "en": "Notifications"}
SYSTEM_SENDER_NAME = "Штаб"


def notifications_channel(user_id: str, locale: str | None) -> Channel:
    """Return the person's notifications channel, creating it and joining them once."""
    existing = find_channel_by_key(notifications_key(user_id))
    if existing is not None:
        return existing
    channel = ensure_channel(
        notifications_key(user_id),
        name=NOTIFICATIONS_CHANNEL_NAME.get(locale or "ru", "Уведомления"),
        kind="notifications",
        owner_user_id=user_id,
    )
    add_member(channel.channel_id, user_id, source="org")
    return channel


def notify(
    recipient_id: str,
    template: str,
    *,
    event_id: str,
    happened_at: datetime,
    link: str | None = None,
    **context,
) -> bool:
    """Post one notification; return False if it was already posted or not needed.

    The message id is derived from the stream event and the recipient, so a
    redelivered event writes onto the same key and posts nothing twice.
    """
    try:
        recipient = User.get(recipient_id)
    except DoesNotExist:
        logger.warning("notification skipped, unknown user_id=%s", recipient_id)
        return False
    if not recipient.is_active:
        return False

    text = render(template, recipient.locale, **context)
    channel = notifications_channel(recipient.user_id, recipient.locale)
    message = post_message(
        channel,
        sender_id=SYSTEM_SENDER_ID,
        sender_name=SYSTEM_SENDER_NAME,
        text=text,
        kind="notification",
        link=link,
        message_id=stable_id(happened_at, event_id, recipient_id, template),
        created_at=happened_at,
    )
    if message is None:
        logger.info(
            "notification already posted event_id=%s user_id=%s", event_id, recipient_id
        )
        return False
    logger.info(
        "notification posted template=%s user_id=%s message_id=%s",
        template,
        recipient_id,
        message.message_id,
    )
    return True
