"""The users stream reaction: keep chat membership in step with the org structure.

A hire joins the general channel, their department's channel and their own
notifications channel; a transfer moves them between department channels; a
deactivation removes them from every channel and closes their sockets. Their
messages stay where they are.
"""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.chat import channels
from chalicelib.chat.delivery import drop_user_connections
from chalicelib.notifications.service import notifications_channel
from chalicelib.org.reactions import department_channel, general_channel
from chalicelib.people.models import ACTIVE, DEACTIVATED
from chalicelib.streams.records import read_change

logger = logging.getLogger(__name__)


def handle_user_record(record: DynamoDBRecord) -> None:
    change = read_change(record)
    user, before = change.new, change.old
    if change.event_name == "REMOVE" or not user:
        return
    user_id = user["user_id"]

    if user.get("status") == DEACTIVATED:
        if before.get("status") != DEACTIVATED:
            _leave_everything(user_id)
        return
    if user.get("status") != ACTIVE:
        return

    # A new token version (a password change) ends every open socket, as it
    # ends every token issued before it.
    if change.event_name == "MODIFY" and change.changed("token_version"):
        drop_user_connections(user_id)

    if change.event_name == "INSERT" or before.get("status") != ACTIVE:
        channels.add_member(general_channel().channel_id, user_id, source="org")
        _ensure_notifications(user)

    old_department = (
        before.get("department_id") if change.event_name == "MODIFY" else None
    )
    new_department = user.get("department_id")
    if old_department == new_department and change.event_name == "MODIFY":
        return
    if old_department:
        old_channel = channels.find_channel_by_key(
            channels.department_key(old_department)
        )
        if old_channel is not None:
            channels.remove_member(old_channel.channel_id, user_id)
            logger.info(
                "left department channel user_id=%s channel_id=%s",
                user_id,
                old_channel.channel_id,
            )
    if new_department:
        channel = department_channel(new_department)
        if channel is not None:
            channels.add_member(channel.channel_id, user_id, source="org")
            logger.info(
                "joined department channel user_id=%s channel_id=%s",
                user_id,
                channel.channel_id,
            )


def _ensure_notifications(user: dict) -> None:
    notifications_channel(user["user_id"], user.get("locale"))


def _leave_everything(user_id: str) -> None:
    memberships = channels.memberships_of(user_id)
    for membership in memberships:
        channels.remove_member(membership.channel_id, user_id)
    closed = drop_user_connections(user_id)
    logger.info(
        "deactivated user left channels user_id=%s channels=%d sockets=%d",
        user_id,
        len(memberships),
        closed,
    )
