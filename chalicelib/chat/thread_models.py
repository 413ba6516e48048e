"""Items of server order, read markers and thread follows, in the chat table.

Keys, by item:
- sequence:    pk ``CHANNEL#<channel_id>`` or ``THREAD#<root_id>``, sk ``SEQ``
- message ref: pk ``CHANNEL#<channel_id>``, sk ``MSG#<reply_id>``: a reply that
  was also sent to the channel, listed in the channel's history
- read state:  pk ``CHANNEL#<channel_id>``, sk ``READ#<user_id>``
- follow:      pk ``THREAD#<root_id>``, sk ``FOLLOW#<user_id>``

None of these sort keys starts with ``MSG#`` except the reference, which the
history listing resolves to the reply it stands for.
"""

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.chat.models import SeqIndex
from chalicelib.storage.base import table_meta

SEQUENCE_SK = "SEQ"


def read_sk(user_id: str) -> str:
    return f"READ#{user_id}"


def follow_sk(user_id: str) -> str:
    return f"FOLLOW#{user_id}"


class Sequence(Model):
    """The counter of one channel or thread, and what it takes to count unread.

    Every change is a put conditioned on ``version``, so the counter, the
    deleted positions and a thread's repliers always change together.
    """

    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=SEQUENCE_SK)
    item_type = UnicodeAttribute(default="sequence")
    channel_id = UnicodeAttribute()
    last_seq = NumberAttribute(default=0)
    version = NumberAttribute(default=0)
    # Positions of deleted messages; they no longer count as unread.
    deleted_seqs = NumberSetAttribute(null=True)
    # A thread's replies that are not deleted, in all and by person
    # (user id -> {"n": count, "first": position of their first reply}).
    live_count = NumberAttribute(default=0)
    authors = MapAttribute(null=True)
    # When the newest live reply of a thread was posted.
    last_at = UTCDateTimeAttribute(null=True)


class MessageRef(Model):
    """A reply also sent to the channel, as it appears in the channel's history.

    It carries no ``message_id``, so the message index finds only the reply.
    """

    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="message_ref")
    channel_id = UnicodeAttribute()
    thread_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    seq_scope = UnicodeAttribute()
    seq = NumberAttribute()

    seq_index = SeqIndex()


class ReadState(Model):
    """How far one person has read one channel."""

    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="read_state")
    user_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    read_seq = NumberAttribute(default=0)
    # The person's own messages after ``read_seq``, which never count as
    # unread; set when the marker is moved back.
    own_seqs = NumberSetAttribute(null=True)
    # The Member item's ``joined_at`` this state was started for.
    joined_at = UTCDateTimeAttribute(null=True)


class UserThreadsIndex(GlobalSecondaryIndex):
    """Threads a person follows, newest activity first when read backwards.

    Sparse: an unfollowed thread carries no ``follower_id``.
    """

    class Meta:
        index_name = "user-threads-index"
        projection = KeysOnlyProjection()

    follower_id = UnicodeAttribute(hash_key=True)
    activity_key = UnicodeAttribute(range_key=True)


class ThreadFollow(Model):
    """One person's follow of one thread, with their read marker in it."""

    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="thread_follow")
    user_id = UnicodeAttribute()
    root_message_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    # False after an unfollow: the item stays so that automatic follows do
    # not bring the thread back.
    following = BooleanAttribute(default=True)
    # "author", "reply", "mention" or "manual".
    reason = UnicodeAttribute(default="manual")
    follower_id = UnicodeAttribute(null=True)
    # "<ISO time of the newest reply>#<root id>", so the index sorts by activity.
    activity_key = UnicodeAttribute(null=True)
    read_seq = NumberAttribute(default=0)
    own_seqs = NumberSetAttribute(null=True)
    followed_at = UTCDateTimeAttribute()

    user_threads_index = UserThreadsIndex()
