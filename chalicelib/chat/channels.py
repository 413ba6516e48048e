"""Channels and their members."""

import logging

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.chat.models import (
    Channel,
    ChannelKey,
    Member,
    channel_pk,
    member_sk,
)
from chalicelib.clock import iso, utc_now
from chalicelib.errors import Forbidden, NotFound
from chalicelib.ids import new_id

logger = logging.getLogger(__name__)

GENERAL_KEY = "general"
GENERAL_NAME = "Общий"


def department_key(department_id: str) -> str:
    return f"department:{department_id}"


def notifications_key(user_id: str) -> str:
    return f"notifications:{user_id}"


def get_channel(channel_id: str) -> Channel:
    try:
        return Channel.get(channel_pk(channel_id), "META")
    except DoesNotExist:
        raise NotFound(f"Channel '{channel_id}' not found.") from None


def find_channel(channel_id: str) -> Channel | None:
    try:
        return Channel.get(channel_pk(channel_id), "META")
    except DoesNotExist:
        return None


def find_channel_by_key(key: str) -> Channel | None:
    try:
        channel_id = ChannelKey.get(f"KEY#{key}", "KEY").channel_id
    except DoesNotExist:
        return None
    try:
        return Channel.get(channel_pk(channel_id), "META")
    except DoesNotExist:
        return None


def ensure_channel(
    key: str,
    *,
    name: str,
    kind: str,
    created_by: str = "system",
    department_id: str | None = None,
    owner_user_id: str | None = None,
) -> Channel:
    """Return the channel registered under ``key``, creating it once.

    The key item is claimed first with a conditional put, so concurrent callers
    agree on one channel id; the channel item is then written if missing.
    """
    candidate_id = new_id()
    try:
        ChannelKey(f"KEY#{key}", channel_id=candidate_id).save(
            condition=ChannelKey.pk.does_not_exist()
        )
        channel_id = candidate_id
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        channel_id = ChannelKey.get(
            f"KEY#{key}", "KEY", consistent_read=True
        ).channel_id

    now = utc_now()
    channel = Channel(
        channel_pk(channel_id),
        channel_id=channel_id,
        name=name,
        kind=kind,
        department_id=department_id,
        owner_user_id=owner_user_id,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    try:
        channel.save(condition=Channel.pk.does_not_exist())
        logger.info("channel created channel_id=%s key=%s", channel_id, key)
        return channel
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return Channel.get(channel_pk(channel_id), "META", consistent_read=True)


def create_channel(name: str, description: str | None, created_by: str) -> Channel:
    now = utc_now()
    channel_id = new_id()
    channel = Channel(
        channel_pk(channel_id),
        channel_id=channel_id,
        name=name,
        kind="custom",
        description=description,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    channel.save()
    add_member(channel_id, created_by, source="manual")
    logger.info("channel created channel_id=%s by user_id=%s", channel_id, created_by)
    return channel


def rename_channel(channel: Channel, name: str) -> None:
    if channel.name == name:
        return
    channel.update(actions=[Channel.name.set(name), Channel.updated_at.set(utc_now())])


def add_member(channel_id: str, user_id: str, source: str = "manual") -> bool:
    """Add ``user_id`` to the channel; return False if already a member."""
    member = Member(
        channel_pk(channel_id),
        member_sk(user_id),
        member_user_id=user_id,
        channel_id=channel_id,
        joined_at=utc_now(),
        source=source,
    )
    try:
        member.save(condition=Member.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def remove_member(channel_id: str, user_id: str) -> None:
    Member(channel_pk(channel_id), member_sk(user_id)).delete()


def is_member(channel_id: str, user_id: str) -> bool:
    try:
        Member.get(channel_pk(channel_id), member_sk(user_id))
    except DoesNotExist:
        return False
    return True


def require_member(channel_id: str, user_id: str) -> Channel:
    channel = get_channel(channel_id)
    if not is_member(channel_id, user_id):
        raise Forbidden("You are not a member of this channel.")
    return channel


def member_ids(channel_id: str) -> list[str]:
    rows = Member.query(channel_pk(channel_id), Member.sk.startswith("MEMBER#"))
    return [row.member_user_id for row in rows]


def memberships_of(user_id: str) -> list[Member]:
    return list(Member.user_channels_index.query(user_id))


def channels_of(user_id: str) -> list[Channel]:
    keys = [(channel_pk(row.channel_id), "META") for row in memberships_of(user_id)]
    channels = list(Channel.batch_get(keys)) if keys else []
    return sorted(channels, key=lambda item: (_kind_order(item.kind), item.name))


def _kind_order(kind: str) -> int:
    order = ("notifications", "general", "department", "custom")
    return order.index(kind) if kind in order else len(order)


def channel_json(channel: Channel) -> dict:
    return {
        "id": channel.channel_id,
        "name": channel.name,
        "kind": channel.kind,
        "description": channel.description,
        "department_id": channel.department_id,
        "archived": channel.archived,
        "created_at": iso(channel.created_at),
    }
