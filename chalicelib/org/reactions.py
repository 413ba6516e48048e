"""The org stream reaction: every department has its channel, named after it."""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from pynamodb.exceptions import DoesNotExist

from chalicelib.chat import channels
from chalicelib.chat.models import Channel
from chalicelib.org.models import DEPARTMENT_PARTITION, Department
from chalicelib.streams.records import read_change

logger = logging.getLogger(__name__)


def department_channel(department_id: str) -> Channel | None:
    """Return the department's channel, creating it if the department exists."""
    existing = channels.find_channel_by_key(channels.department_key(department_id))
    if existing is not None:
        return existing
    try:
        department = Department.get(DEPARTMENT_PARTITION, department_id)
    except DoesNotExist:
        return None
    return channels.ensure_channel(
        channels.department_key(department_id),
        name=department.name,
        kind="department",
        department_id=department_id,
    )


def is_department_record(record: DynamoDBRecord) -> bool:
    keys = record.dynamodb.keys if record.dynamodb else {}
    return keys.get("pk") == DEPARTMENT_PARTITION


def general_channel() -> Channel:
    existing = channels.find_channel_by_key(channels.GENERAL_KEY)
    if existing is not None:
        return existing
    return channels.ensure_channel(
        channels.GENERAL_KEY, name=channels.GENERAL_NAME, kind="general"
    )


def handle_org_record(record: DynamoDBRecord) -> None:
    change = read_change(record)
    item = change.new or change.old
    if item.get("pk") != DEPARTMENT_PARTITION:
        return
    department_id = item["sk"]

    if change.event_name == "INSERT":
        general_channel()
        channel = channels.ensure_channel(
            channels.department_key(department_id),
            name=item["name"],
            kind="department",
            department_id=department_id,
        )
        # A department restored after a delete gets its channel back as it was.
        if channel.archived:
            channel.update(actions=[Channel.archived.set(False)])
            logger.info("department channel restored channel_id=%s", channel.channel_id)
    elif change.event_name == "MODIFY" and change.changed("name"):
        channel = channels.find_channel_by_key(channels.department_key(department_id))
        if channel is not None:
            channels.rename_channel(channel, item["name"])
            logger.info("department channel renamed channel_id=%s", channel.channel_id)
    elif change.event_name == "REMOVE":
        channel = channels.find_channel_by_key(channels.department_key(department_id))
        if channel is not None:
            channel.update(actions=[Channel.archived.set(True)])
            logger.info("department channel archived channel_id=%s", channel.channel_id)
