"""The JSON fields of a message that edits, deletion, reactions, pins and
mentions add.

Kept apart from ``messages`` so that the modules writing these fields can use
them without importing the posting code.
"""

from chalicelib.chat.attachment_limits import is_image
from chalicelib.chat.models import Message
from chalicelib.clock import iso


def reaction_map(message: Message) -> dict[str, dict[str, int]]:
    """Return emoji -> {user id -> epoch milliseconds}, without empty emoji."""
    if message.reactions is None:
        return {}
    stored = message.reactions.as_dict()
    result = {}
    for emoji, users in stored.items():
        if isinstance(users, dict) and users:
            result[emoji] = {user_id: int(at) for user_id, at in users.items()}
    return result


def reactions_json(message: Message, viewer_id: str | None) -> list[dict]:
    """Return [{emoji, count, user_ids, mine}], the earliest reaction first.

    Within one emoji the people are listed in the order they reacted.
    """
    groups = []
    for emoji, users in reaction_map(message).items():
        ordered = sorted(users, key=lambda user_id: (users[user_id], user_id))
        groups.append((users[ordered[0]], emoji, ordered))
    groups.sort()
    return [
        {
            "emoji": emoji,
            "count": len(user_ids),
            "user_ids": user_ids,
            "mine": viewer_id in user_ids,
        }
        for _first_at, emoji, user_ids in groups
    ]


def ops_fields(message: Message, viewer_id: str | None) -> dict:
    return {
        "deleted_at": iso(message.deleted_at) if message.deleted_at else None,
        "reactions": reactions_json(message, viewer_id),
        "pinned": message.pinned_at is not None,
        "pinned_at": iso(message.pinned_at) if message.pinned_at else None,
        "pinned_by": message.pinned_by,
        "mentioned_user_ids": sorted(message.mentioned_user_ids or []),
        "mentions_channel": bool(message.mentions_channel),
    }


def files_json(message: Message) -> list[dict]:
    """Return the files sent with a message; a deleted message has none."""
    if message.deleted_at is not None:
        return []
    return [
        {
            "id": file.attachment_id,
            "file_name": file.file_name,
            "content_type": file.content_type,
            "size": int(file.size),
            "width": int(file.width) if file.width is not None else None,
            "height": int(file.height) if file.height is not None else None,
            "is_image": is_image(file.content_type),
        }
        for file in message.files or []
    ]
