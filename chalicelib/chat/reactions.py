"""The chat stream reaction: live delivery of messages and membership changes."""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.chat import channels
from chalicelib.chat.channel_events import (
    push_channel_joined,
    push_channel_updated,
    push_member_removed,
)
from chalicelib.chat.mentions import notify_mentions
from chalicelib.chat.message_events import modify_event_type, push_message_event
from chalicelib.chat.models import Channel, Message
from chalicelib.chat.thread_reactions import (
    THREAD_ITEM_TYPES,
    handle_thread_change,
    needs_thread_step,
)
from chalicelib.streams.records import Change, read_change

logger = logging.getLogger(__name__)


def needs_delivery(record: DynamoDBRecord) -> bool:
    """Tell whether a chat record changes what someone online should see.

    Imported history and key items reach nobody live, so they skip the
    idempotency writes too.
    """
    stream = record.dynamodb
    image = (stream.raw_event.get("NewImage") or stream.raw_event.get("OldImage")) or {}
    item_type = image.get("item_type", {}).get("S")
    if item_type == "message":
        return image.get("kind", {}).get("S") != "imported" and bool(
            stream.raw_event.get("NewImage")
        )
    if item_type == "member":
        return True
    if item_type in THREAD_ITEM_TYPES:
        return needs_thread_step(record)
    return item_type == "channel" and record.event_name.name == "MODIFY"


def handle_chat_record(record: DynamoDBRecord) -> None:
    change = read_change(record)
    # Follows, deletions in counts, read markers and their events. First, so
    # that a person mentioned in a reply follows with that reply unread.
    handle_thread_change(change)
    item_type = change.item_type
    if item_type == "message":
        _on_message(change)
        notify_mentions(change)
    elif item_type == "member":
        _on_member(change.event_name, change.new or change.old)
    elif item_type == "channel" and change.event_name == "MODIFY":
        push_channel_updated(Channel.from_raw_data(change.new_raw))


def _on_message(change: Change) -> None:
    if change.event_name == "REMOVE" or not change.new:
        return
    # Imported history arrives in bulk; clients load it with the history call.
    if change.new.get("kind") == "imported":
        return
    message = Message.from_raw_data(change.new_raw)
    if change.event_name == "INSERT":
        event_type = "message.created"
    else:
        event_type = modify_event_type(change)
    members = channels.member_ids(message.channel_id)
    delivered = push_message_event(members, event_type, message)
    logger.debug(
        "delivered %s message_id=%s connections=%d",
        event_type,
        message.message_id,
        delivered,
    )


def _on_member(event_name: str, image: dict) -> None:
    user_id = image["member_user_id"]
    channel_id = image["channel_id"]
    if event_name == "INSERT":
        channel = channels.find_channel(channel_id)
        if channel is not None:
            push_channel_joined(channel, user_id)
    elif event_name == "REMOVE":
        push_member_removed(channel_id, user_id)
