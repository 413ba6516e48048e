"""Direct and group conversations, channel views per viewer, and browsing.

A direct conversation is between two people and a group one between 3 and 8.
Each is registered under a key made of its people's sorted ids, so asking for
the same people again, even concurrently, returns the same channel. Its name is
not stored for good: each viewer sees the names of the other people.
"""

import logging

from pynamodb.exceptions import PutError

from chalicelib.chat import channels
from chalicelib.chat.channel_access import can_manage
from chalicelib.chat.channel_schemas import MAX_CONVERSATION_PEOPLE
from chalicelib.chat.models import Channel, ChannelKey, channel_pk
from chalicelib.clock import utc_now
from chalicelib.errors import InvalidInput
from chalicelib.ids import new_id
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.web import Caller

logger = logging.getLogger(__name__)

CONVERSATION_KINDS = ("direct", "group")
MIN_CONVERSATION_PEOPLE = 2
DIRECTORY_PUBLIC = "public"


def conversation_key(user_ids: list[str]) -> str:
    return "direct:" + ",".join(sorted(user_ids))


def check_people(caller_id: str, user_ids: list[str]) -> list[str]:
    """Return the conversation's people, the caller first, or raise InvalidInput.

    Every named person must be an active user; the caller may name themselves.
    """
    people = [caller_id]
    for index, user_id in enumerate(user_ids):
        if user_id in people:
            continue
        user = find_user(user_id)
        if user is None or not user.is_active:
            state = "is deactivated" if user is not None else "does not exist"
            raise InvalidInput(
                f"Invalid field 'user_ids.{index}': user '{user_id}' {state}; "
                "a conversation takes active people only.",
                field=f"user_ids.{index}",
            )
        people.append(user_id)
    if not MIN_CONVERSATION_PEOPLE <= len(people) <= MAX_CONVERSATION_PEOPLE:
        raise InvalidInput(
            f"Invalid field 'user_ids': a conversation takes "
            f"{MIN_CONVERSATION_PEOPLE} to {MAX_CONVERSATION_PEOPLE} people, you "
            f"included, and this one would have {len(people)}.",
            field="user_ids",
        )
    return people


def open_conversation(caller_id: str, user_ids: list[str]) -> tuple[Channel, bool]:
    """Return the conversation of the caller and ``user_ids``, and whether it is new.

    Every person is made a member again if they are not, so a call also
    repairs a conversation whose creation was interrupted.
    """
    people = check_people(caller_id, user_ids)
    key = conversation_key(people)
    channel = channels.find_channel_by_key(key)
    created = False
    if channel is None:
        channel, created = _create_conversation(key, people, caller_id)
    present = set(channels.member_ids(channel.channel_id))
    for user_id in people:
        if user_id not in present:
            channels.add_member(channel.channel_id, user_id, source="manual")
    if created:
        channel = channels.get_channel(channel.channel_id)
    return channel, created


def _create_conversation(
    key: str, people: list[str], caller_id: str
) -> tuple[Channel, bool]:
    # As in channels.ensure_channel, the key item is claimed first, so that
    # concurrent callers agree on one channel id. The first caller to write the
    # channel item wins the second conditional write.
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

    users = {user.user_id: user for user in User.batch_get(people)}
    now = utc_now()
    channel = Channel(
        channel_pk(channel_id),
        channel_id=channel_id,
        # Stored for logs and exports only, because each viewer gets a name
        # made from the participants.
        name=", ".join(sorted(users[user_id].name for user_id in people)),
        kind="direct" if len(people) == 2 else "group",
        created_by=caller_id,
        created_at=now,
        updated_at=now,
        visibility="private",
        participant_ids=set(people),
        member_count=0,
    )
    try:
        channel.save(condition=Channel.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return Channel.get(channel_pk(channel_id), "META", consistent_read=True), False
    logger.info(
        "conversation created channel_id=%s kind=%s people=%d",
        channel_id,
        channel.kind,
        len(people),
    )
    return channel, True


# Views for one viewer


def viewer_names(channel_list: list[Channel]) -> dict[str, str]:
    """Return the names of everyone in the listed conversations, by user id."""
    user_ids = set()
    for channel in channel_list:
        if channel.kind in CONVERSATION_KINDS:
            user_ids.update(channel.participant_ids or ())
    if not user_ids:
        return {}
    return {user.user_id: user.name for user in User.batch_get(list(user_ids))}


def channel_view(
    channel: Channel, viewer_id: str, names: dict[str, str] | None = None
) -> dict:
    """Return the channel as shown to ``viewer_id``.

    A direct or group conversation is named after the people in it other than
    the viewer, and lists them in ``participant_ids``.
    """
    view = channels.channel_json(channel)
    if channel.kind not in CONVERSATION_KINDS:
        return view
    if names is None:
        names = viewer_names([channel])
    participants = sorted(channel.participant_ids or ())
    others = [user_id for user_id in participants if user_id != viewer_id]
    other_names = sorted(names.get(user_id, channel.name) for user_id in others)
    view["name"] = ", ".join(other_names) or channel.name
    view["participant_ids"] = participants
    return view


def channel_views(channel_list: list[Channel], viewer_id: str) -> list[dict]:
    names = viewer_names(channel_list)
    return [channel_view(channel, viewer_id, names) for channel in channel_list]


def channel_detail(channel: Channel, caller: Caller) -> dict:
    """Return the channel view with what the caller may do with it."""
    view = channel_view(channel, caller.user_id)
    view["is_member"] = channels.is_member(channel.channel_id, caller.user_id)
    view["can_manage"] = can_manage(channel, caller)
    return view


def browse_public(
    caller: Caller, *, limit: int, after: str | None
) -> tuple[list[dict], str | None]:
    """Return public unarchived custom channels by id, one page, and the cursor.

    Each carries ``is_member`` for the caller.
    """
    condition = None
    if after is not None:
        condition = Channel.channel_id > after
    rows = list(
        Channel.directory_index.query(
            DIRECTORY_PUBLIC, range_key_condition=condition, limit=limit + 1
        )
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = rows[-1].channel_id
    joined = {row.channel_id for row in channels.memberships_of(caller.user_id)}
    views = []
    for row in rows:
        view = channels.channel_json(row)
        view["is_member"] = row.channel_id in joined
        views.append(view)
    return views, next_cursor
