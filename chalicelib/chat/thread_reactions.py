"""Stream steps of threads and unread state, run by the chat reaction.

Every step is safe to run again for the same record: follows are created only
when missing, a deletion is counted once (its position is recorded with the
counter), activity only moves forward, and the events carry whole counts
rather than changes to them.
"""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from pynamodb.exceptions import DoesNotExist

from chalicelib.chat import channels
from chalicelib.chat.delivery import push_to_users
from chalicelib.chat.mentions import mentioned_members
from chalicelib.chat.models import (
    Member,
    Message,
    channel_pk,
    message_sk,
    thread_pk,
)
from chalicelib.chat.read_state import (
    drop_channel_state,
    start_channel_state,
    thread_unread,
)
from chalicelib.chat.thread_follows import (
    follow_automatically,
    followers,
    touch_followers,
)
from chalicelib.chat.thread_models import ReadState, read_sk
from chalicelib.chat.threads import (
    activity_key,
    count_deletion,
    is_person,
    read_sequence,
    summary_json,
)
from chalicelib.chat.unread import channel_entry, thread_entry
from chalicelib.streams.records import Change

logger = logging.getLogger(__name__)

THREAD_ITEM_TYPES = ("read_state", "thread_follow")
# Changes of these fields move someone's unread count.
_MARKER_FIELDS = ("read_seq", "own_seqs", "following")
_SUMMARY_FIELDS = (
    "reply_count",
    "reply_user_ids",
    "thread_participants",
    "last_reply_at",
    "last_reply_seq",
)


def needs_thread_step(record: DynamoDBRecord) -> bool:
    """Tell whether a read-state or follow record moved someone's marker.

    A follow also changes when its thread gets a reply, which only reorders
    the Threads view and needs no step.
    """
    stream = record.dynamodb
    new = stream.raw_event.get("NewImage") or {}
    old = stream.raw_event.get("OldImage") or {}
    if not new:
        return False
    return any(new.get(name) != old.get(name) for name in _MARKER_FIELDS)


def handle_thread_change(change: Change) -> None:
    item_type = change.item_type
    if item_type == "message":
        _on_message(change)
    elif item_type == "member":
        _on_member(change)
    elif item_type == "read_state" and change.new:
        state = ReadState.from_raw_data(change.new_raw)
        _push_channel_unread(state.channel_id, [state.user_id])
    elif item_type == "thread_follow" and change.new:
        _push_own_thread_unread(
            change.new["channel_id"],
            change.new["root_message_id"],
            change.new["user_id"],
        )


def _on_message(change: Change) -> None:
    if change.event_name == "REMOVE" or not change.new:
        return
    if change.new.get("kind") == "imported":
        return
    message = Message.from_raw_data(change.new_raw)
    if change.event_name == "INSERT":
        if message.thread_id and message.seq is not None:
            _on_reply(message)
        return
    if change.new.get("deleted_at") and not change.old.get("deleted_at"):
        _on_deleted(message)
    if message.thread_id is None and any(
        change.changed(name) for name in _SUMMARY_FIELDS
    ):
        push_to_users(
            channels.member_ids(message.channel_id),
            {"type": "thread.updated", "thread": summary_json(message)},
        )
    if message.thread_id and message.seq is not None:
        added = set(change.new.get("mentioned_user_ids") or set()) - set(
            change.old.get("mentioned_user_ids") or set()
        )
        if added:
            root = _root_of(message)
            if root is not None:
                for user_id in mentioned_members(message, added):
                    follow_automatically(root, user_id, "mention", int(message.seq) - 1)


def _root_of(reply: Message) -> Message | None:
    try:
        return Message.get(
            channel_pk(reply.channel_id),
            message_sk(reply.thread_id),
            consistent_read=True,
        )
    except DoesNotExist:
        return None


def _on_reply(reply: Message) -> None:
    root = _root_of(reply)
    if root is None:
        return
    seq = int(reply.seq)
    if root.kind != "imported" and is_person(root.sender_id):
        follow_automatically(root, root.sender_id, "author", 0)
    # Mentions keep the ids of people outside the channel, who must not
    # follow its threads.
    for user_id in mentioned_members(root, set(root.mentioned_user_ids or [])):
        follow_automatically(root, user_id, "mention", 0)
    for user_id in mentioned_members(reply):
        follow_automatically(root, user_id, "mention", seq - 1)
    current = touch_followers(
        root.message_id, activity_key(reply.created_at, root.message_id)
    )
    counter = read_sequence(thread_pk(root.message_id), root.channel_id)
    # A person removed from the channel keeps their follow item but must not
    # hear of new replies.
    members = set(channels.member_ids(root.channel_id))
    for follow in current:
        if follow.user_id == reply.sender_id or follow.user_id not in members:
            continue
        push_to_users(
            [follow.user_id],
            {
                "type": "unread.updated",
                "thread": {**thread_entry(follow, counter), "following": True},
            },
        )


def _on_deleted(message: Message) -> None:
    count_deletion(message)
    if message.thread_id is None:
        _push_channel_unread(
            message.channel_id, channels.member_ids(message.channel_id)
        )
        return
    if message.also_in_channel:
        _push_channel_unread(
            message.channel_id, channels.member_ids(message.channel_id)
        )
    counter = read_sequence(thread_pk(message.thread_id), message.channel_id)
    members = set(channels.member_ids(message.channel_id))
    for follow in followers(message.thread_id):
        if int(follow.read_seq or 0) >= int(message.seq):
            continue
        if follow.user_id not in members:
            continue
        push_to_users(
            [follow.user_id],
            {
                "type": "unread.updated",
                "thread": {**thread_entry(follow, counter), "following": True},
            },
        )


def _push_channel_unread(channel_id: str, user_ids: list[str]) -> None:
    """Send each person in ``user_ids`` who keeps a marker their channel count."""
    if not user_ids:
        return
    counter = read_sequence(channel_pk(channel_id), channel_id)
    keys = [(channel_pk(channel_id), read_sk(user_id)) for user_id in user_ids]
    for state in ReadState.batch_get(keys, consistent_read=True):
        push_to_users(
            [state.user_id],
            {
                "type": "unread.updated",
                "channel": channel_entry(channel_id, counter, state),
            },
        )


def _push_own_thread_unread(channel_id: str, root_id: str, user_id: str) -> None:
    try:
        root = Message.get(channel_pk(channel_id), message_sk(root_id))
    except DoesNotExist:
        return
    push_to_users(
        [user_id], {"type": "unread.updated", "thread": thread_unread(root, user_id)}
    )


def _on_member(change: Change) -> None:
    image = change.new or change.old
    user_id, channel_id = image["member_user_id"], image["channel_id"]
    if change.event_name == "INSERT":
        member = Member.from_raw_data(change.new_raw)
        joined_seq = None if member.joined_seq is None else int(member.joined_seq)
        start_channel_state(channel_id, user_id, member.joined_at, joined_seq)
    elif change.event_name == "REMOVE":
        drop_channel_state(channel_id, user_id)
