"""Changing a custom channel: membership, settings, owners and archiving.

Owners and admins manage a custom channel. Anyone active can join or leave a
public one. An archived channel keeps its members and history. It takes no new
members, settings or owners until it is unarchived, but people can still leave
it or be removed.
"""

import logging

from pynamodb.exceptions import UpdateError

from chalicelib.chat import channels
from chalicelib.chat.channel_access import (
    require_custom,
    require_manager,
    require_not_archived,
    require_visible,
)
from chalicelib.chat.channel_schemas import ChannelUpdate
from chalicelib.chat.models import Channel, channel_pk
from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.people.service import find_user
from chalicelib.web import Caller

logger = logging.getLogger(__name__)


def reload(channel_id: str) -> Channel:
    return Channel.get(channel_pk(channel_id), "META", consistent_read=True)


# Membership


def join(channel_id: str, caller: Caller) -> tuple[Channel, bool]:
    """Make the caller a member of a public channel.

    Returns the channel and False if the caller already was a member.
    """
    channel = require_visible(channel_id, caller)
    if channels.is_member(channel_id, caller.user_id):
        return channel, False
    require_custom(channel)
    if channels.visibility_of(channel) != "public":
        raise Forbidden("This channel is private; ask one of its owners to add you.")
    require_not_archived(channel)
    added = channels.add_member(channel_id, caller.user_id, source="manual")
    if added:
        logger.info(
            "channel joined channel_id=%s user_id=%s", channel_id, caller.user_id
        )
    return reload(channel_id), added


def leave(channel_id: str, caller: Caller) -> tuple[Channel, bool]:
    """Remove the caller from the channel.

    Returns the channel and False if the caller was not a member.
    """
    channel = require_visible(channel_id, caller)
    if not channels.is_member(channel_id, caller.user_id):
        return channel, False
    require_custom(channel)
    removed = channels.remove_member(channel_id, caller.user_id)
    _drop_owner(channel, caller.user_id)
    if removed:
        logger.info("channel left channel_id=%s user_id=%s", channel_id, caller.user_id)
    return reload(channel_id), removed


def add_person(channel_id: str, caller: Caller, user_id: str) -> bool:
    """Add an active person to the channel; return False if already a member."""
    channel = require_visible(channel_id, caller)
    require_manager(channel, caller)
    require_not_archived(channel)
    user = find_user(user_id)
    if user is None or not user.is_active:
        raise InvalidInput(
            f"Invalid field 'user_id': no active user '{user_id}'.", field="user_id"
        )
    added = channels.add_member(channel_id, user_id, source="manual")
    if added:
        logger.info(
            "channel member added channel_id=%s user_id=%s by=%s",
            channel_id,
            user_id,
            caller.user_id,
        )
    return added


def remove_person(channel_id: str, caller: Caller, user_id: str) -> Channel:
    """Remove ``user_id`` from the channel, which for the caller is leaving."""
    if user_id == caller.user_id:
        channel, removed = leave(channel_id, caller)
        if not removed:
            raise NotFound("You are not a member of this channel.", field="user_id")
        return channel
    channel = require_visible(channel_id, caller)
    require_manager(channel, caller)
    if not channels.remove_member(channel_id, user_id):
        raise NotFound(
            f"User '{user_id}' is not a member of this channel.", field="user_id"
        )
    _drop_owner(channel, user_id)
    logger.info(
        "channel member removed channel_id=%s user_id=%s by=%s",
        channel_id,
        user_id,
        caller.user_id,
    )
    return reload(channel_id)


# Settings


def update(
    channel_id: str, caller: Caller, request: ChannelUpdate, fields_set: set[str]
) -> Channel:
    """Change the name, description or visibility of a custom channel."""
    channel = require_visible(channel_id, caller)
    require_manager(channel, caller)
    require_not_archived(channel)
    if not fields_set:
        raise InvalidInput(
            "Request body is empty; send at least one of 'name', 'description' "
            "or 'visibility'."
        )

    actions = [Channel.updated_at.set(utc_now())]
    if "name" in fields_set:
        if request.name is None:
            raise InvalidInput("Invalid field 'name': must not be null.", field="name")
        actions.append(Channel.name.set(request.name))
    if "description" in fields_set:
        if request.description:
            actions.append(Channel.description.set(request.description))
        else:
            actions.append(Channel.description.remove())

    visibility = channels.visibility_of(channel)
    if "visibility" in fields_set:
        if request.visibility is None:
            raise InvalidInput(
                "Invalid field 'visibility': must be 'public' or 'private', not null.",
                field="visibility",
            )
        visibility = request.visibility
    actions += _visibility_actions(channel, visibility, archived=False)

    _update_unless_archived(channel, actions)
    logger.info(
        "channel updated channel_id=%s fields=%s by=%s",
        channel_id,
        sorted(fields_set),
        caller.user_id,
    )
    return reload(channel_id)


def set_archived(channel_id: str, caller: Caller, archived: bool) -> Channel:
    """Archive or unarchive a custom channel; doing it twice changes nothing."""
    channel = require_visible(channel_id, caller)
    require_manager(channel, caller)
    if channel.archived == archived:
        return channel
    actions = [Channel.archived.set(archived), Channel.updated_at.set(utc_now())]
    actions += _visibility_actions(
        channel, channels.visibility_of(channel), archived=archived
    )
    channel.update(actions=actions)
    logger.info(
        "channel %s channel_id=%s by=%s",
        "archived" if archived else "unarchived",
        channel_id,
        caller.user_id,
    )
    return reload(channel_id)


def _visibility_actions(channel: Channel, visibility: str, *, archived: bool) -> list:
    """Return the writes that store ``visibility`` and the matching directory key.

    A channel stored before owners existed gets its owners written too, because
    once it has a visibility its owners are read from ``owner_ids`` alone.
    """
    actions = [Channel.visibility.set(visibility)]
    if channel.visibility is None and channel.owner_ids is None:
        actions.append(Channel.owner_ids.set(channels.owners_of(channel)))
    directory = channels.directory_value(visibility, archived=archived)
    if directory is None:
        actions.append(Channel.directory.remove())
    else:
        actions.append(Channel.directory.set(directory))
    return actions


def _update_unless_archived(channel: Channel, actions: list) -> None:
    # A concurrent archive wins: settings of an archived channel stay as they were.
    try:
        channel.update(actions=actions, condition=Channel.archived == False)  # noqa: E712
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        require_not_archived(reload(channel.channel_id))
        raise Conflict(
            "The channel changed meanwhile; reload it and try again."
        ) from None


# Owners


def add_owner(channel_id: str, caller: Caller, user_id: str) -> Channel:
    """Make a member of the channel one of its owners."""
    channel = require_visible(channel_id, caller)
    require_manager(channel, caller)
    require_not_archived(channel)
    if not channels.is_member(channel_id, user_id):
        raise InvalidInput(
            f"Invalid field 'user_id': user '{user_id}' is not a member of this "
            "channel; add them as a member first.",
            field="user_id",
        )
    owners = channels.owners_of(channel) | {user_id}
    _update_unless_archived(channel, _owner_actions(channel, owners, added=user_id))
    logger.info(
        "channel owner added channel_id=%s user_id=%s by=%s",
        channel_id,
        user_id,
        caller.user_id,
    )
    return reload(channel_id)


def remove_owner(channel_id: str, caller: Caller, user_id: str) -> Channel:
    """Take ownership away from ``user_id``; they stay a member."""
    channel = require_visible(channel_id, caller)
    require_manager(channel, caller)
    require_not_archived(channel)
    if user_id not in channels.owners_of(channel):
        raise NotFound(
            f"User '{user_id}' is not an owner of this channel.", field="user_id"
        )
    _drop_owner(channel, user_id)
    logger.info(
        "channel owner removed channel_id=%s user_id=%s by=%s",
        channel_id,
        user_id,
        caller.user_id,
    )
    return reload(channel_id)


def _drop_owner(channel: Channel, user_id: str) -> None:
    owners = channels.owners_of(channel)
    if user_id not in owners:
        return
    channel.update(actions=_owner_actions(channel, owners - {user_id}, removed=user_id))


def _owner_actions(
    channel: Channel,
    owners: set[str],
    *,
    added: str | None = None,
    removed: str | None = None,
) -> list:
    """Return the writes that store ``owners``.

    ADD and DELETE on the set keep concurrent owner changes from undoing each
    other. A channel stored before owners existed gets the whole set, with the
    visibility it had, so that its owners are read from ``owner_ids`` from now on.
    """
    actions = [Channel.updated_at.set(utc_now())]
    if channel.visibility is None:
        actions.append(Channel.visibility.set(channels.visibility_of(channel)))
        if owners:
            actions.append(Channel.owner_ids.set(owners))
        else:
            actions.append(Channel.owner_ids.remove())
        return actions
    if added is not None:
        actions.append(Channel.owner_ids.add({added}))
    if removed is not None:
        actions.append(Channel.owner_ids.delete({removed}))
    return actions
