"""Channels and their members."""

import logging
import random
import time

from pynamodb.exceptions import (
    DoesNotExist,
    PutError,
    TransactWriteError,
    UpdateError,
)
from pynamodb.transactions import TransactWrite

from chalicelib.chat.models import (
    Channel,
    ChannelKey,
    Member,
    channel_pk,
    member_sk,
)
from chalicelib.chat.threads import read_sequence
from chalicelib.clock import iso, utc_now
from chalicelib.errors import Forbidden, NotFound
from chalicelib.ids import new_id
from chalicelib.storage.connection import transaction_connection
from chalicelib.web import Caller

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
        member_count=0,
    )
    try:
        channel.save(condition=Channel.pk.does_not_exist())
        logger.info("channel created channel_id=%s key=%s", channel_id, key)
        return channel
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return Channel.get(channel_pk(channel_id), "META", consistent_read=True)


def create_channel(
    name: str,
    description: str | None,
    created_by: str,
    visibility: str = "public",
) -> Channel:
    """Create a custom channel with its creator as the first member and owner."""
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
        visibility=visibility,
        owner_ids={created_by},
        member_count=0,
        directory=directory_value(visibility, archived=False),
    )
    channel.save()
    add_member(channel_id, created_by, source="manual")
    logger.info("channel created channel_id=%s by user_id=%s", channel_id, created_by)
    return channel


def directory_value(visibility: str, *, archived: bool) -> str | None:
    """Return the custom channel's ``directory`` key: set only when browsable."""
    return "public" if visibility == "public" and not archived else None


def rename_channel(channel: Channel, name: str) -> None:
    if channel.name == name:
        return
    channel.update(actions=[Channel.name.set(name), Channel.updated_at.set(utc_now())])


# Concurrent transactions on one channel item can be cancelled with
# TransactionConflict on DynamoDB; they are retried this many times in all.
MEMBERSHIP_ATTEMPTS = 8


def add_member(channel_id: str, user_id: str, source: str = "manual") -> bool:
    """Add ``user_id`` to the channel; return False if already a member.

    The Member item and the channel's ``member_count`` change in one
    transaction, so concurrent joins count each person once.
    """
    counter = read_sequence(channel_pk(channel_id), channel_id)
    member = Member(
        channel_pk(channel_id),
        member_sk(user_id),
        member_user_id=user_id,
        channel_id=channel_id,
        joined_at=utc_now(),
        joined_seq=int(counter.last_seq or 0),
        source=source,
    )
    return _change_membership(
        channel_id,
        lambda transaction: transaction.save(
            member, condition=Member.pk.does_not_exist()
        ),
        1,
    )


def remove_member(channel_id: str, user_id: str) -> bool:
    """Remove ``user_id`` from the channel; return False if not a member."""
    member = Member(channel_pk(channel_id), member_sk(user_id))
    return _change_membership(
        channel_id,
        lambda transaction: transaction.delete(member, condition=Member.pk.exists()),
        -1,
    )


def _change_membership(channel_id: str, write_member, delta: int) -> bool:
    channel = Channel(channel_pk(channel_id), "META")
    for attempt in range(MEMBERSHIP_ATTEMPTS):
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                write_member(transaction)
                transaction.update(
                    channel,
                    actions=[
                        Channel.member_count.add(delta),
                        Channel.updated_at.set(utc_now()),
                    ],
                    condition=Channel.member_count.exists(),
                )
            return True
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            member_reason, channel_reason = _reason_codes(error)
            if member_reason == "ConditionalCheckFailed":
                return False
            if channel_reason == "ConditionalCheckFailed":
                # A channel stored before member counts existed: count once.
                backfill_member_count(channel_id)
            elif "TransactionConflict" not in (member_reason, channel_reason):
                raise
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))
    raise RuntimeError(
        f"membership change of channel {channel_id} kept conflicting "
        f"after {MEMBERSHIP_ATTEMPTS} attempts"
    )


def _reason_codes(error: TransactWriteError) -> tuple[str | None, str | None]:
    reasons = list(error.cancellation_reasons or [])
    codes = [reason.code if reason is not None else None for reason in reasons]
    codes += [None, None]
    return codes[0], codes[1]


def backfill_member_count(channel_id: str) -> None:
    """Store the member count of a channel that has none yet.

    Every membership change requires the count to exist, so none can happen
    between the Query and the conditional write. Raises NotFound when the
    channel item is missing.
    """
    count = len(member_ids(channel_id))
    try:
        Channel(channel_pk(channel_id), "META").update(
            actions=[Channel.member_count.set(count)],
            condition=Channel.pk.exists() & Channel.member_count.does_not_exist(),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        get_channel(channel_id)
        return
    logger.info("member count stored channel_id=%s count=%d", channel_id, count)


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


def require_reader(channel_id: str, caller: Caller) -> Channel:
    """Return the channel if the caller may read and post in it, else raise.

    People must be members. An API token acts for an integration, which is no
    member of anything, so it may use the public channels only: never private,
    personal, finance, direct or group ones.
    """
    if not caller.is_integration:
        return require_member(channel_id, caller.user_id)
    channel = get_channel(channel_id)
    if visibility_of(channel) != "public":
        raise Forbidden(
            "An API token can read and post in public channels only; "
            "this channel is private."
        )
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


def visibility_of(channel: Channel) -> str:
    """Return "public" or "private"; only custom channels choose their own.

    Org channels are public, and personal, finance, direct and group ones are
    private. A custom channel stored without the attribute was invite-only.
    """
    if channel.kind == "custom":
        return channel.visibility or "private"
    return "public" if channel.kind in ("general", "department") else "private"


def owners_of(channel: Channel) -> set[str]:
    """Return a custom channel's owners, possibly none.

    A channel stored before visibility and owners existed has neither
    attribute, and its creator is its owner.
    """
    if channel.kind != "custom":
        return set()
    if channel.visibility is None:
        return set(channel.owner_ids or {channel.created_by})
    return set(channel.owner_ids or ())


def channel_json(channel: Channel) -> dict:
    return {
        "id": channel.channel_id,
        "name": channel.name,
        "kind": channel.kind,
        "description": channel.description,
        "department_id": channel.department_id,
        "archived": channel.archived,
        "visibility": visibility_of(channel),
        "owner_ids": sorted(owners_of(channel)),
        "member_count": channel.member_count,
        "created_at": iso(channel.created_at),
    }
