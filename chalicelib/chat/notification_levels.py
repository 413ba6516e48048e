"""Per-channel notification levels, stored on each person's Member item.

- ``all`` (the default): every notification the channel gives. Today a channel
  notifies only of mentions, so for notifications it acts like ``mentions``;
  clients use the level to decide whether a new message counts as unread.
- ``mentions``: personal mentions and ``@channel``.
- ``mute``: personal mentions only; ``@channel`` is not delivered.
"""

from pynamodb.exceptions import UpdateError

from chalicelib.chat.models import Member, channel_pk, member_sk
from chalicelib.errors import Forbidden

LEVELS = ("all", "mentions", "mute")
DEFAULT_LEVEL = "all"


def level_of_member(member: Member) -> str:
    level = member.notification_level
    return level if level in LEVELS else DEFAULT_LEVEL


def member_levels(channel_id: str) -> dict[str, str]:
    """Return user id -> level for every member of the channel, in one Query."""
    rows = Member.query(channel_pk(channel_id), Member.sk.startswith("MEMBER#"))
    return {row.member_user_id: level_of_member(row) for row in rows}


def set_level(channel_id: str, user_id: str, level: str) -> None:
    """Store ``level`` for a member; raise Forbidden if they are not one.

    The condition keeps the update from creating a Member item for a person
    who left between the membership check and this write.
    """
    try:
        Member(channel_pk(channel_id), member_sk(user_id)).update(
            actions=[Member.notification_level.set(level)],
            condition=Member.pk.exists(),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Forbidden("You are not a member of this channel.") from None


def wants_notification(level: str, *, personal: bool) -> bool:
    """Tell whether a mention notifies at ``level``.

    ``personal`` is True for a mention by name and False for ``@channel``.
    """
    return personal or level != "mute"
