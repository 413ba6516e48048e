"""Live events about channels and their members, pushed by the chat reaction.

Each push is safe to repeat, because a redelivered stream record sends the
same event again and clients apply it as a state, not as a delta.
"""

from chalicelib.chat import channels
from chalicelib.chat.conversations import (
    CONVERSATION_KINDS,
    channel_view,
    viewer_names,
)
from chalicelib.chat.delivery import push_to_users
from chalicelib.chat.models import Channel


def push_channel_updated(channel: Channel) -> None:
    """Send ``channel.updated`` to every member, with the name shown to each."""
    member_ids = channels.member_ids(channel.channel_id)
    if channel.kind not in CONVERSATION_KINDS:
        event = {"type": "channel.updated", "channel": channels.channel_json(channel)}
        push_to_users(member_ids, event)
        return
    names = viewer_names([channel])
    for user_id in member_ids:
        view = channel_view(channel, user_id, names)
        push_to_users([user_id], {"type": "channel.updated", "channel": view})


def push_channel_joined(channel: Channel, user_id: str) -> None:
    view = channel_view(channel, user_id)
    push_to_users([user_id], {"type": "channel.joined", "channel": view})


def push_member_removed(channel_id: str, user_id: str) -> None:
    """Tell the removed person and the remaining members who left the channel."""
    push_to_users([user_id], {"type": "channel.left", "channel_id": channel_id})
    event = {"type": "member.removed", "channel_id": channel_id, "user_id": user_id}
    push_to_users([user_id, *channels.member_ids(channel_id)], event)
