"""Mentions in message text: ``@handle`` for a person and ``@channel`` for all.

A person's handle is the local part of their email, compared without case:
``@anna.petrova`` mentions anna.petrova@example.com. When two active people
share a local part (the same name at two domains), the short handle mentions
neither of them and the full address does: ``@anna@shop.ru``.
``@channel`` and ``@канал`` mention every member of the channel. A handle
counts only where no letter, digit, ``@`` or ``.`` comes right before the
``@``, so an email address in the text is not a mention.

Who is notified is decided when the message reaches the stream: mentioned
people who are members of the channel, whatever their notification level for
a mention by name. A mentioned person who is not a member is stored in
``mentioned_user_ids`` but not notified, so the message does not reach them.
"""

import logging
import re
from dataclasses import dataclass, field

from chalicelib.chat import channels
from chalicelib.chat.models import Message
from chalicelib.chat.notification_levels import member_levels, wants_notification
from chalicelib.notifications.service import notify
from chalicelib.people.service import list_users
from chalicelib.streams.records import Change

logger = logging.getLogger(__name__)

CHANNEL_HANDLES = frozenset({"channel", "канал"})
# More handles than this in one message are not looked up; @channel reaches a
# whole channel at once.
MAX_MENTIONS = 50
MENTION_TEMPLATE = "chat_mentioned"

_MENTION = re.compile(
    r"(?<![\w@.])@("
    r"[a-z0-9][a-z0-9._%+-]*(?:@[a-z0-9-]+(?:\.[a-z0-9-]+)+)?"
    r"|канал"
    r")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mentions:
    user_ids: set[str] = field(default_factory=set)
    channel: bool = False


def find_handles(text: str) -> tuple[list[str], bool]:
    """Return the person handles in ``text`` (lower case, in order) and whether
    it mentions the whole channel."""
    handles: list[str] = []
    whole_channel = False
    for match in _MENTION.finditer(text):
        # A sentence may end right after a mention: "спроси @anna."
        handle = match.group(1).rstrip(".-").lower()
        if handle in CHANNEL_HANDLES:
            whole_channel = True
        elif handle not in handles:
            handles.append(handle)
    return handles[:MAX_MENTIONS], whole_channel


def parse_mentions(text: str) -> Mentions:
    """Find the mentions in ``text`` and resolve handles to active people."""
    handles, whole_channel = find_handles(text)
    if not handles:
        return Mentions(channel=whole_channel)

    by_email: dict[str, str] = {}
    by_local_part: dict[str, list[str]] = {}
    for user in list_users():
        email = user.email.lower()
        by_email[email] = user.user_id
        by_local_part.setdefault(email.split("@", 1)[0], []).append(user.user_id)

    user_ids = set()
    for handle in handles:
        if "@" in handle:
            if handle in by_email:
                user_ids.add(by_email[handle])
        elif len(by_local_part.get(handle, [])) == 1:
            user_ids.add(by_local_part[handle][0])
    return Mentions(user_ids=user_ids, channel=whole_channel)


def handles_of(user_ids: list[str]) -> dict[str, str]:
    """Return the handle that mentions each of ``user_ids``, by user id.

    The handle is the email's local part, or the whole address when another
    active person shares that local part. Deactivated people get none.
    """
    active = list_users()
    local_part_counts: dict[str, int] = {}
    for user in active:
        local_part = user.email.lower().split("@", 1)[0]
        local_part_counts[local_part] = local_part_counts.get(local_part, 0) + 1
    wanted = set(user_ids)
    handles = {}
    for user in active:
        if user.user_id not in wanted:
            continue
        email = user.email.lower()
        local_part = email.split("@", 1)[0]
        shared = local_part_counts[local_part] > 1
        handles[user.user_id] = email if shared else local_part
    return handles


def mentioned_members(message: Message, user_ids: set[str] | None = None) -> list[str]:
    """Return the people of ``user_ids`` (default: all the message mentions) who
    are members of its channel, without its sender, sorted.

    A thread step that makes mentioned people follow a thread should follow
    only these, because a non-member must not see the thread.
    """
    if user_ids is None:
        user_ids = message.mentioned_user_ids or set()
    candidates = set(user_ids) - {message.sender_id}
    return sorted(
        user_id
        for user_id in candidates
        if channels.is_member(message.channel_id, user_id)
    )


def notify_mentions(change: Change) -> None:
    """Notify the people a new or edited message newly mentions.

    Only mentions that the edit added count, and each notification's id is
    derived from the message and the recipient, so a person gets at most one
    notification per message however often it is edited or redelivered.
    """
    new, old = change.new or {}, change.old or {}
    if change.event_name == "REMOVE" or not new:
        return
    if new.get("kind") != "user" or new.get("deleted_at"):
        return
    # A copy of a task comment in the task's thread: the tasks reaction has
    # notified the people the comment mentions.
    if new.get("source_ref"):
        return
    newly_named = set(new.get("mentioned_user_ids") or []) - set(
        old.get("mentioned_user_ids") or []
    )
    channel_added = bool(new.get("mentions_channel")) and not old.get(
        "mentions_channel"
    )
    if not newly_named and not channel_added:
        return

    message = Message.from_raw_data(change.new_raw)
    channel = channels.find_channel(message.channel_id)
    if channel is None:
        return
    # NOTE: @channel posts one notification per member from this one stream
    # record, several DynamoDB calls each, so a channel of several hundred
    # people takes seconds. A failure retries the record, and the derived
    # notification ids keep the retry from posting twice.
    levels = member_levels(message.channel_id)
    recipients = []
    for user_id, level in levels.items():
        if user_id == message.sender_id:
            continue
        personal = user_id in newly_named
        if not personal and not channel_added:
            continue
        if wants_notification(level, personal=personal):
            recipients.append(user_id)

    for user_id in recipients:
        notify(
            user_id,
            MENTION_TEMPLATE,
            event_id=f"chat-mention:{message.message_id}",
            happened_at=message.created_at,
            link=f"#/chat/{message.channel_id}",
            actor_name=message.sender_name,
            channel_name=channel.name,
            whole_channel=user_id not in newly_named,
            in_thread=message.thread_id is not None,
            text=message.text,
        )
    logger.info(
        "mentions notified message_id=%s named=%d recipients=%d",
        message.message_id,
        len(newly_named),
        len(recipients),
    )
