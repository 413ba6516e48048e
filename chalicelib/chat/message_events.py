"""Live events for changed messages: which event a change is, and its delivery.

A message's reactions carry ``mine``, which differs per person, so an event is
sent once per group of members who reacted with the same emoji. Members who
did not react form one group, so a message with few reactions costs few sends.
"""

from chalicelib.chat.delivery import push_to_users
from chalicelib.chat.message_fields import reaction_map
from chalicelib.chat.messages import message_json
from chalicelib.chat.models import Message
from chalicelib.streams.records import Change


def modify_event_type(change: Change) -> str:
    """Name the live event for a MODIFY of a message item.

    One write changes one of these things, so the first that differs names it.
    Changes of other fields, such as a thread's reply count on its root, are
    "message.updated".
    """
    new, old = change.new or {}, change.old or {}
    if new.get("deleted_at") and not old.get("deleted_at"):
        return "message.deleted"
    if new.get("text") != old.get("text") or new.get("edited_at") != old.get(
        "edited_at"
    ):
        return "message.edited"
    if new.get("reactions") != old.get("reactions"):
        return "reaction.updated"
    if new.get("pinned_at") != old.get("pinned_at"):
        return "message.pinned"
    return "message.updated"


def push_message_event(user_ids: list[str], event_type: str, message: Message) -> int:
    """Send ``event_type`` with the message to ``user_ids``, each with their own
    ``mine`` flags; return the number of successful sends."""
    reactions = reaction_map(message)
    groups: dict[frozenset[str], list[str]] = {}
    for user_id in user_ids:
        mine = frozenset(
            emoji for emoji, people in reactions.items() if user_id in people
        )
        groups.setdefault(mine, []).append(user_id)
    delivered = 0
    for members in groups.values():
        event = {"type": event_type, "message": message_json(message, members[0])}
        delivered += push_to_users(members, event)
    return delivered
