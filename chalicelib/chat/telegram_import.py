"""Import a Telegram Desktop chat export into a channel.

The whole file is parsed and checked before anything is written, so a bad
file leaves the channel unchanged. Message ids derive from the channel, the
chat and the Telegram message id, which makes a second import of the same
file find every message already present and add nothing.
"""

import logging
from dataclasses import dataclass, field

from chalicelib.chat.history_writer import (
    ProgressCallback,
    count_replies,
    drop_existing,
    write_messages,
)
from chalicelib.chat.models import Channel, Message, channel_pk, message_sk, thread_pk
from chalicelib.chat.telegram_export import (
    ImportedMessage,
    TelegramExportError,
    parse_export,
)
from chalicelib.errors import InvalidInput
from chalicelib.ids import stable_id
from chalicelib.people.models import DIRECTORY, User

logger = logging.getLogger(__name__)


# Telegram caps a message at 4096 characters; anything far longer is not a
# real message, and a DynamoDB item cannot exceed 400 KB.
MAX_IMPORTED_TEXT_LENGTH = 100_000


@dataclass
class ImportResult:
    chat_name: str
    total: int = 0
    imported: int = 0
    already_present: int = 0
    skipped: int = 0
    replies: int = 0
    matched_authors: list[str] = field(default_factory=list)
    unmatched_authors: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "chat_name": self.chat_name,
            "total": self.total,
            "imported": self.imported,
            "already_present": self.already_present,
            "skipped": self.skipped,
            "replies": self.replies,
            "matched_authors": sorted(self.matched_authors),
            "unmatched_authors": sorted(self.unmatched_authors),
        }


# Telegram Desktop exports from 2020 and earlier wrote a channel's or
# supergroup's id plus 2**33; later exports write the plain id. Seen in the same
# channel exported in both years (9882011936 and 1292077344).
LEGACY_CHANNEL_ID_OFFSET = 2**33


def chat_reference(export) -> str:
    """Return a stable id for the exported chat, the same in old and new exports."""
    raw = export.chat_source_id or export.chat_name
    is_channel = "channel" in export.chat_type or "supergroup" in export.chat_type
    if is_channel and raw.isdigit() and int(raw) > LEGACY_CHANNEL_ID_OFFSET:
        return str(int(raw) - LEGACY_CHANNEL_ID_OFFSET)
    return raw


def _people_by_name() -> dict[str, User]:
    people = {}
    for user in User.directory_index.query(DIRECTORY):
        people.setdefault(user.name.strip().casefold(), user)
    return people


def _thread_roots(messages: tuple[ImportedMessage, ...]) -> dict[str, str | None]:
    """Map each source id to the source id of its thread root, or None for roots.

    A reply to a reply joins the first message's thread, and a reply to a
    message missing from the export becomes a plain message.
    """
    roots: dict[str, str | None] = {}
    for message in messages:
        target = message.reply_to_source_id
        if target is None or target not in roots:
            roots[message.source_id] = None
        else:
            roots[message.source_id] = roots[target] or target
    return roots


def import_telegram_export(
    channel: Channel,
    data: bytes | str,
    progress: ProgressCallback | None = None,
) -> dict:
    try:
        export = parse_export(data)
    except TelegramExportError as error:
        raise InvalidInput(str(error), field=error.field or "file") from None
    return write_export(channel, export, progress).to_json()


def write_export(channel: Channel, export, progress: ProgressCallback | None = None):
    chat_ref = chat_reference(export)
    people = _people_by_name()
    # Messages with no text and no media carry nothing to show.
    kept = tuple(message for message in export.messages if message.text.strip())
    _check_lengths(export.messages)
    roots = _thread_roots(kept)
    result = ImportResult(chat_name=export.chat_name, skipped=export.skipped)
    result.total = len(export.messages)
    result.skipped += len(export.messages) - len(kept)

    ids = {
        message.source_id: stable_id(
            message.sent_at, channel.channel_id, chat_ref, message.source_id
        )
        for message in kept
    }
    items = []
    matched, unmatched = set(), set()
    for message in kept:
        person = people.get(message.author_name.strip().casefold())
        (matched if person else unmatched).add(message.author_name)
        root_source = roots[message.source_id]
        root_id = ids[root_source] if root_source else None
        message_id = ids[message.source_id]
        items.append(
            Message(
                thread_pk(root_id) if root_id else channel_pk(channel.channel_id),
                message_sk(message_id),
                message_id=message_id,
                channel_id=channel.channel_id,
                thread_id=root_id,
                sender_id=person.user_id if person else _imported_sender(message),
                sender_name=message.author_name,
                kind="imported",
                text=message.text,
                attachments=list(message.attachments) or None,
                source_ref=f"telegram:{chat_ref}:{message.source_id}",
                created_at=message.sent_at,
                edited_at=message.edited_at,
            )
        )
    result.matched_authors = sorted(matched)
    result.unmatched_authors = sorted(unmatched)

    new_items = drop_existing(items)
    result.already_present = len(items) - len(new_items)
    result.imported = write_messages(new_items, progress)
    count_replies(new_items, imported_prefix="telegram:")
    result.replies = sum(1 for item in new_items if item.thread_id)

    logger.info(
        "telegram import channel_id=%s imported=%d already_present=%d skipped=%d",
        channel.channel_id,
        result.imported,
        result.already_present,
        result.skipped,
    )
    return result


def _check_lengths(messages: tuple[ImportedMessage, ...]) -> None:
    """Reject the file before anything is written if a message cannot be stored."""
    for index, message in enumerate(messages):
        if len(message.text) > MAX_IMPORTED_TEXT_LENGTH:
            raise InvalidInput(
                f"Message {message.source_id} has {len(message.text)} characters; "
                f"the limit is {MAX_IMPORTED_TEXT_LENGTH}. Remove or shorten it "
                "in the export and import again.",
                field=f"messages[{index}].text",
            )


def _imported_sender(message: ImportedMessage) -> str:
    return f"telegram:{message.author_source_id or message.author_name}"
