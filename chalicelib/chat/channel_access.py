"""Access rules for seeing and managing a channel.

A private channel is hidden from people outside it, so looking it up returns 404.
Admins can still see and manage private custom channels, because they are
responsible for them, but they read history only as members. Direct and group
conversations are visible to their members alone.
"""

from chalicelib.chat import channels
from chalicelib.chat.models import Channel
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.web import Caller

# The reason, by kind, that a channel other than a custom one cannot be changed
# by hand.
FIXED_KIND_REASONS = {
    "general": (
        "Membership of this channel follows the org structure: "
        "give the person a position in the department instead."
    ),
    "department": (
        "Membership of this channel follows the org structure: "
        "give the person a position in the department instead."
    ),
    "notifications": "A personal notifications channel cannot be changed.",
    "finance": (
        "This channel belongs to finance requests; its members follow the "
        "approval path."
    ),
    "task": (
        "This channel belongs to a task; its members are the task's people. "
        "Change the task's assignees or watchers instead."
    ),
    "direct": (
        "A direct conversation keeps the people it was opened with; open another "
        "one with POST /api/chat/direct instead."
    ),
    "group": (
        "A group conversation keeps the people it was opened with; open another "
        "one with POST /api/chat/direct instead."
    ),
}


def can_see(channel: Channel, caller: Caller) -> bool:
    if channels.visibility_of(channel) == "public":
        return True
    if channels.is_member(channel.channel_id, caller.user_id):
        return True
    return caller.is_admin and channel.kind == "custom"


def require_visible(channel_id: str, caller: Caller) -> Channel:
    """Return the channel, or raise NotFound if the caller may not know of it."""
    channel = channels.get_channel(channel_id)
    if not can_see(channel, caller):
        raise NotFound(f"Channel '{channel_id}' not found.")
    return channel


def require_custom(channel: Channel) -> None:
    """Raise Forbidden unless the channel's members and settings are set by hand."""
    if channel.kind != "custom":
        raise Forbidden(
            FIXED_KIND_REASONS.get(channel.kind, "This channel cannot be changed.")
        )


def can_manage(channel: Channel, caller: Caller) -> bool:
    if channel.kind != "custom":
        return False
    return caller.is_admin or caller.user_id in channels.owners_of(channel)


def require_manager(channel: Channel, caller: Caller) -> None:
    """Raise Forbidden unless the caller is an owner of the channel or an admin."""
    require_custom(channel)
    if not can_manage(channel, caller):
        raise Forbidden("Only the channel's owners or an admin can do this.")


def require_not_archived(channel: Channel) -> None:
    if channel.archived:
        raise Conflict(
            f"Channel '{channel.name}' is archived and read-only; "
            "an owner or an admin can unarchive it."
        )
