"""The chat table: channels, their members and messages.

Keys, by item:
- channel:       pk ``CHANNEL#<channel_id>``, sk ``META``
- member:        pk ``CHANNEL#<channel_id>``, sk ``MEMBER#<user_id>``
- root message:  pk ``CHANNEL#<channel_id>``, sk ``MSG#<message_id>``
- thread reply:  pk ``THREAD#<root_message_id>``, sk ``MSG#<message_id>``
- channel key:   pk ``KEY#<key>``, sk ``KEY`` (makes "one channel per department"
  and similar rules hold under concurrent creation)

Message ids are ULIDs, so a Query on the sort key lists history by time.
"""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

CHANNEL_KINDS = ("general", "department", "custom", "notifications", "direct", "group")
MESSAGE_KINDS = ("user", "system", "notification", "imported")
SYSTEM_SENDER_ID = "system"


def channel_pk(channel_id: str) -> str:
    return f"CHANNEL#{channel_id}"


def thread_pk(root_message_id: str) -> str:
    return f"THREAD#{root_message_id}"


def message_sk(message_id: str) -> str:
    return f"MSG#{message_id}"


def member_sk(user_id: str) -> str:
    return f"MEMBER#{user_id}"


class UserChannelsIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "user-channels-index"
        projection = AllProjection()

    member_user_id = UnicodeAttribute(hash_key=True)
    channel_id = UnicodeAttribute(range_key=True)


class MessageIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "message-index"
        projection = KeysOnlyProjection()

    message_id = UnicodeAttribute(hash_key=True)


class SeqIndex(GlobalSecondaryIndex):
    """Messages of one channel or one thread in server order, for catch-up.

    ``seq_scope`` is the partition the message is counted in (``CHANNEL#<id>``
    or ``THREAD#<root id>``); items without a ``seq`` (imported history) are
    not in the index.
    """

    class Meta:
        index_name = "seq-index"
        projection = KeysOnlyProjection()

    seq_scope = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)


class ChannelDirectoryIndex(GlobalSecondaryIndex):
    """Public custom channels that are not archived, for browsing and joining.

    The index is sparse: only such channels carry ``directory``.
    """

    class Meta:
        index_name = "channel-directory-index"
        projection = AllProjection()

    directory = UnicodeAttribute(hash_key=True)
    channel_id = UnicodeAttribute(range_key=True)


class Channel(Model):
    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="META")
    item_type = UnicodeAttribute(default="channel")
    channel_id = UnicodeAttribute()
    name = UnicodeAttribute()
    kind = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    department_id = UnicodeAttribute(null=True)
    # The person whose notifications land here, for a notifications channel.
    owner_user_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    archived = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # "public" or "private"; a custom channel stored before this attribute
    # existed was invite-only and counts as private.
    visibility = UnicodeAttribute(null=True)
    # People who manage a custom channel besides admins; the creator is the first.
    owner_ids = UnicodeSetAttribute(null=True)
    # Kept by the same transaction that adds or removes a Member item.
    member_count = NumberAttribute(null=True)
    # The fixed set of people in a direct or group conversation, deactivated
    # people included, so that its name stays derivable for every viewer.
    participant_ids = UnicodeSetAttribute(null=True)
    # "public" while the channel is a public, unarchived custom channel, else absent.
    directory = UnicodeAttribute(null=True)

    directory_index = ChannelDirectoryIndex()


class Member(Model):
    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="member")
    member_user_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    joined_at = UTCDateTimeAttribute()
    # The channel's last message number when the person joined. Their read
    # marker starts here, not where the channel is when the stream step
    # creates the marker, so a message sent in between still counts as unread.
    joined_seq = NumberAttribute(null=True)
    # Why the person is here: "org" memberships follow the org structure and are
    # removed by it; "manual" ones are kept until someone removes them.
    source = UnicodeAttribute(default="manual")
    # "all", "mentions" or "mute"; absent means "all".
    notification_level = UnicodeAttribute(null=True)

    user_channels_index = UserChannelsIndex()


class MessageFile(MapAttribute):
    """A file sent with a message, as the message shows it; the upload record is
    a ChatAttachment item (chalicelib/chat/attachment_models.py)."""

    attachment_id = UnicodeAttribute()
    file_name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    # Pixels, for images whose header gave them.
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)


class Message(Model):
    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="message")
    message_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    thread_id = UnicodeAttribute(null=True)
    sender_id = UnicodeAttribute()
    # Stored with the message so that it still shows after the person leaves,
    # and for imported authors who never had an account.
    sender_name = UnicodeAttribute()
    kind = UnicodeAttribute(default="user")
    text = UnicodeAttribute()
    link = UnicodeAttribute(null=True)
    # The one person a notification in a shared thread is addressed to, so that
    # copies (Telegram) reach that person and not every member.
    recipient_id = UnicodeAttribute(null=True)
    # File names of imported history (Slack, Telegram); the files stay behind.
    attachments = ListAttribute(of=UnicodeAttribute, null=True)
    # Files uploaded with the message.
    files = ListAttribute(of=MessageFile, null=True)
    source_ref = UnicodeAttribute(null=True)
    reply_count = NumberAttribute(default=0)
    reply_user_ids = UnicodeSetAttribute(null=True)
    last_reply_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    edited_at = UTCDateTimeAttribute(null=True)
    deleted_at = UTCDateTimeAttribute(null=True)
    mentioned_user_ids = UnicodeSetAttribute(null=True)
    mentions_channel = BooleanAttribute(null=True)
    # emoji -> {user id -> epoch milliseconds of the reaction}; nested maps let
    # one UpdateItem add or remove a single person's reaction without a read.
    reactions = MapAttribute(null=True)
    pinned_at = UTCDateTimeAttribute(null=True)
    pinned_by = UnicodeAttribute(null=True)
    # Server order (chalicelib/chat/threads.py): ``seq`` is the position in
    # ``seq_scope``, the channel for a root message and the thread for a reply.
    seq_scope = UnicodeAttribute(null=True)
    seq = NumberAttribute(null=True)
    # A reply also sent to the channel, and its position in the channel.
    also_in_channel = BooleanAttribute(null=True)
    channel_seq = NumberAttribute(null=True)
    # Thread summary on a root: the first repliers, in order, and the last
    # reply's position in the thread.
    thread_participants = ListAttribute(of=UnicodeAttribute, null=True)
    last_reply_seq = NumberAttribute(null=True)

    message_index = MessageIndex()
    seq_index = SeqIndex()


class ChannelKey(Model):
    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="KEY")
    item_type = UnicodeAttribute(default="channel_key")
    channel_id = UnicodeAttribute()
