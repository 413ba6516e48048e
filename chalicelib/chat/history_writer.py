"""Write imported history in bulk: skip what is already there, then batch-write.

Imported messages have ids derived from their source, so a second import of
the same export finds every message present and writes nothing.
"""

from collections.abc import Callable

from chalicelib.chat.models import Message, channel_pk, message_sk

ProgressCallback = Callable[[int, int], None]

# BatchGetItem reads at most 100 keys per call; PynamoDB splits larger batches.
READ_CHUNK = 100
WRITE_CHUNK = 500


def drop_existing(items: list[Message]) -> list[Message]:
    """Return the items whose keys are not stored yet."""
    existing = set()
    for start in range(0, len(items), READ_CHUNK):
        chunk = items[start : start + READ_CHUNK]
        keys = [(item.pk, item.sk) for item in chunk]
        for row in Message.batch_get(keys, attributes_to_get=["pk", "sk"]):
            existing.add((row.pk, row.sk))
    return [item for item in items if (item.pk, item.sk) not in existing]


def write_messages(
    items: list[Message], progress: ProgressCallback | None = None
) -> int:
    """Batch-write ``items``, reporting progress after each chunk; return the count."""
    written = 0
    for start in range(0, len(items), WRITE_CHUNK):
        with Message.batch_write() as batch:
            for item in items[start : start + WRITE_CHUNK]:
                batch.save(item)
        written = min(start + WRITE_CHUNK, len(items))
        if progress is not None:
            progress(written, len(items))
    return written


def count_replies(items: list[Message], imported_prefix: str) -> None:
    """Add the written replies to their roots' reply counts and participants.

    Senders whose id starts with ``imported_prefix`` have no account, so they
    are left out of the participants.
    """
    replies: dict[tuple[str, str], list[Message]] = {}
    for item in items:
        if item.thread_id:
            replies.setdefault((item.channel_id, item.thread_id), []).append(item)
    for (channel_id, root_id), thread in replies.items():
        root = Message(channel_pk(channel_id), message_sk(root_id))
        participants = {
            item.sender_id
            for item in thread
            if not item.sender_id.startswith(imported_prefix)
        }
        actions = [
            Message.reply_count.add(len(thread)),
            Message.last_reply_at.set(max(item.created_at for item in thread)),
        ]
        if participants:
            actions.append(Message.reply_user_ids.add(participants))
        root.update(actions=actions)
