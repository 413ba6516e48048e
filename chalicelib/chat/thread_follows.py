"""Following threads, and the Threads view of the threads a person follows.

The root's author, every replier and every person mentioned in the thread
follow it on their own. An unfollow leaves the item with ``following`` false,
so that a later reply by someone else or a mention does not bring the thread
back; replying again does.
"""

import base64
import binascii
import json
import logging

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.chat.channels import memberships_of
from chalicelib.chat.messages import find_message, get_root_message, message_json
from chalicelib.chat.models import Message, channel_pk, message_sk, thread_pk
from chalicelib.chat.read_state import get_follow
from chalicelib.chat.thread_models import ThreadFollow, follow_sk
from chalicelib.chat.threads import activity_key, follow_actions, read_sequence
from chalicelib.chat.unread import followed_threads, thread_entry
from chalicelib.clock import utc_now
from chalicelib.errors import InvalidInput

logger = logging.getLogger(__name__)

MAX_CURSOR_LENGTH = 1000


def root_of(message_id: str) -> Message:
    """Return the root of the thread ``message_id`` is in, or the message itself."""
    message = find_message(message_id)
    if message.thread_id:
        return get_root_message(message.channel_id, message.thread_id)
    return message


def follow_thread(root_message_id: str, user_id: str) -> ThreadFollow:
    """Make ``user_id`` follow the thread; replies from now on count as unread.

    Following a thread one already follows changes nothing.
    """
    root = root_of(root_message_id)
    existing = get_follow(root.message_id, user_id)
    if existing is not None and existing.following:
        return existing
    counter = read_sequence(thread_pk(root.message_id), root.channel_id)
    follow = ThreadFollow(thread_pk(root.message_id), follow_sk(user_id))
    follow.update(
        actions=follow_actions(
            user_id,
            root,
            "manual",
            counter.last_at or root.created_at,
            read_seq=int(counter.last_seq),
        )
    )
    logger.info("thread followed root_id=%s user_id=%s", root.message_id, user_id)
    return follow


def unfollow_thread(root_message_id: str, user_id: str) -> None:
    root = root_of(root_message_id)
    follow = ThreadFollow(thread_pk(root.message_id), follow_sk(user_id))
    follow.update(
        actions=[
            ThreadFollow.item_type.set("thread_follow"),
            ThreadFollow.user_id.set(user_id),
            ThreadFollow.root_message_id.set(root.message_id),
            ThreadFollow.channel_id.set(root.channel_id),
            ThreadFollow.following.set(False),
            ThreadFollow.follower_id.remove(),
            ThreadFollow.reason.set(ThreadFollow.reason | "manual"),
            ThreadFollow.read_seq.set(ThreadFollow.read_seq | 0),
            ThreadFollow.followed_at.set(ThreadFollow.followed_at | utc_now()),
        ]
    )
    logger.info("thread unfollowed root_id=%s user_id=%s", root.message_id, user_id)


def follow_automatically(
    root: Message, user_id: str, reason: str, read_seq: int
) -> bool:
    """Follow for ``user_id`` unless they already follow or have unfollowed."""
    counter = read_sequence(thread_pk(root.message_id), root.channel_id)
    follow = ThreadFollow(
        thread_pk(root.message_id),
        follow_sk(user_id),
        user_id=user_id,
        root_message_id=root.message_id,
        channel_id=root.channel_id,
        following=True,
        reason=reason,
        follower_id=user_id,
        activity_key=activity_key(counter.last_at or root.created_at, root.message_id),
        read_seq=max(0, read_seq),
        followed_at=utc_now(),
    )
    try:
        follow.save(condition=ThreadFollow.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def followers(root_id: str) -> list[ThreadFollow]:
    rows = ThreadFollow.query(
        thread_pk(root_id),
        ThreadFollow.sk.startswith("FOLLOW#"),
        consistent_read=True,
    )
    return [row for row in rows if row.following]


def touch_followers(root_id: str, key: str) -> list[ThreadFollow]:
    """Move each follower's thread up to ``key`` in their Threads view."""
    current = followers(root_id)
    for follow in current:
        if follow.activity_key is not None and follow.activity_key >= key:
            continue
        try:
            follow.update(
                actions=[ThreadFollow.activity_key.set(key)],
                condition=(ThreadFollow.following == True)  # noqa: E712
                & (
                    ThreadFollow.activity_key.does_not_exist()
                    | (ThreadFollow.activity_key < key)
                ),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    return current


# The Threads view


def encode_cursor(last_key: dict | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str | None, user_id: str) -> dict | None:
    """Read a cursor of an earlier page of ``user_id``'s threads."""
    if value is None:
        return None
    invalid = InvalidInput(
        "Invalid query parameter 'cursor': use the next_cursor of an earlier "
        "page of your threads.",
        field="cursor",
    )
    if len(value) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    names = {"pk", "sk", "follower_id", "activity_key"}
    if not isinstance(key, dict) or set(key) != names:
        raise invalid
    for item in key.values():
        if not (isinstance(item, dict) and set(item) == {"S"}):
            raise invalid
        if not isinstance(item["S"], str) or not item["S"]:
            raise invalid
    if key["follower_id"]["S"] != user_id:
        raise invalid
    return key


def threads_view(user_id: str, *, limit: int, cursor: str | None) -> dict:
    """Followed threads, newest activity first, with their unread replies."""
    start = decode_cursor(cursor, user_id)
    page = ThreadFollow.user_threads_index.query(
        user_id, scan_index_forward=False, limit=limit, last_evaluated_key=start
    )
    keys = [(row.pk, row.sk) for row in page]
    next_cursor = encode_cursor(page.last_evaluated_key) if len(keys) == limit else None
    channel_ids = {member.channel_id for member in memberships_of(user_id)}
    followed = followed_threads(user_id, channel_ids, keys)
    root_keys = [
        (channel_pk(follow.channel_id), message_sk(follow.root_message_id))
        for follow, _counter in followed
    ]
    roots = (
        {
            root.message_id: root
            for root in Message.batch_get(root_keys, consistent_read=True)
        }
        if root_keys
        else {}
    )
    threads = []
    for follow, counter in followed:
        root = roots.get(follow.root_message_id)
        if root is None:
            continue
        threads.append(
            {
                **thread_entry(follow, counter),
                "root": message_json(root, user_id),
            }
        )
    return {"threads": threads, "next_cursor": next_cursor}
