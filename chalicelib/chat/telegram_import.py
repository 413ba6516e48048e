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
from chalicelib.chat.imported_pins import ImportedPin, apply_pins
from chalicelib.chat.imported_reactions import (
    SourceReaction,
    reaction_map,
    telegram_emoji,
)
from chalicelib.chat.models import Channel, Message, channel_pk, message_sk, thread_pk
from chalicelib.chat.telegram_export import (
    ImportedMessage,
    ImportedReaction,
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
# The report lists this many skipped items one by one and counts the rest.
MAX_REPORTED_SKIPS = 200
IMPORTED_SENDER_PREFIX = "telegram:"


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
    pinned: int = 0
    already_pinned: int = 0
    reactions: int = 0
    # {"message": Telegram message id, "reason": ...} for each message, pin or
    # reaction left out, the first MAX_REPORTED_SKIPS of them.
    skipped_items: list[dict] = field(default_factory=list)
    skipped_items_total: int = 0

    def skip(self, source_id: str | None, reason: str) -> None:
        self.skipped_items_total += 1
        if len(self.skipped_items) < MAX_REPORTED_SKIPS:
            self.skipped_items.append({"message": source_id, "reason": reason})

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
            "pinned": self.pinned,
            "already_pinned": self.already_pinned,
            "reactions": self.reactions,
            "skipped_items": self.skipped_items,
            "skipped_items_total": self.skipped_items_total,
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
    _check_lengths(export.messages)
    result = ImportResult(chat_name=export.chat_name, skipped=export.skipped)
    result.total = len(export.messages)
    # Messages with no text and no media carry nothing to show.
    kept = []
    for message in export.messages:
        if message.text.strip():
            kept.append(message)
        else:
            result.skipped += 1
            result.skip(message.source_id, "no text and no media")
    roots = _thread_roots(tuple(kept))

    ids = {
        message.source_id: stable_id(
            message.sent_at, channel.channel_id, chat_ref, message.source_id
        )
        for message in kept
    }
    items = []
    reaction_counts: dict[str, int] = {}
    matched, unmatched = set(), set()
    for message in kept:
        person = people.get(message.author_name.strip().casefold())
        (matched if person else unmatched).add(message.author_name)
        root_source = roots[message.source_id]
        root_id = ids[root_source] if root_source else None
        message_id = ids[message.source_id]
        item = Message(
            thread_pk(root_id) if root_id else channel_pk(channel.channel_id),
            message_sk(message_id),
            message_id=message_id,
            channel_id=channel.channel_id,
            thread_id=root_id,
            sender_id=person.user_id if person else _imported_sender(message),
            sender_name=message.author_name,
            kind="imported",
            text=_shown_text(message),
            attachments=list(message.attachments) or None,
            source_ref=f"telegram:{chat_ref}:{message.source_id}",
            created_at=message.sent_at,
            edited_at=message.edited_at,
        )
        stored = _reactions_of(message, people, result)
        if stored:
            item.reactions = stored
            reaction_counts[message_id] = sum(len(users) for users in stored.values())
        items.append(item)
    result.matched_authors = sorted(matched)
    result.unmatched_authors = sorted(unmatched)

    new_items = drop_existing(items)
    result.already_present = len(items) - len(new_items)
    result.imported = write_messages(new_items, progress)
    count_replies(new_items, imported_prefix=IMPORTED_SENDER_PREFIX)
    result.replies = sum(1 for item in new_items if item.thread_id)
    result.reactions = sum(
        reaction_counts.get(item.message_id, 0) for item in new_items
    )

    by_id = {item.message_id: item for item in items}
    imported_pins = []
    for message in kept:
        if message.pinned_source_id is None:
            continue
        target = ids.get(message.pinned_source_id)
        if target is None:
            result.skip(
                message.pinned_source_id,
                "pinned in Telegram, but the message is not in the export or "
                "has no text",
            )
            continue
        person = people.get(message.author_name.strip().casefold())
        imported_pins.append(
            ImportedPin(
                message=by_id[target],
                pinned_by=person.user_id if person else _imported_sender(message),
                pinned_at=message.sent_at,
                source_ref=message.pinned_source_id,
            )
        )
    pinned = apply_pins(imported_pins)
    result.pinned = pinned.pinned
    result.already_pinned = pinned.already_pinned
    for source_id, reason in pinned.skipped:
        result.skip(source_id, f"pin not imported: {reason}")

    logger.info(
        "telegram import channel_id=%s imported=%d already_present=%d skipped=%d "
        "pinned=%d reactions=%d",
        channel.channel_id,
        result.imported,
        result.already_present,
        result.skipped,
        result.pinned,
        result.reactions,
    )
    return result


def _shown_text(message: ImportedMessage) -> str:
    """Return the message text, headed by the sender it was forwarded from."""
    if message.forwarded_from is None:
        return message.text
    origin = message.forwarded_from.strip()
    heading = f"[forwarded from {origin}]" if origin else "[forwarded]"
    return f"{heading}\n{message.text}"


def _reactions_of(
    message: ImportedMessage, people: dict[str, User], result: ImportResult
) -> dict[str, dict[str, int]]:
    """Return the message's reactions map, reporting the reactions left out."""
    if not message.reactions:
        return {}
    sources = [_source_reaction(reaction, people) for reaction in message.reactions]
    stored, skipped = reaction_map(
        sources, IMPORTED_SENDER_PREFIX, default_at=message.sent_at
    )
    for reason in skipped:
        result.skip(message.source_id, reason)
    return stored


def _source_reaction(
    reaction: ImportedReaction, people: dict[str, User]
) -> SourceReaction:
    emoji, reason = telegram_emoji(reaction.kind, reaction.emoji)
    reactors = []
    for person in reaction.people:
        account = people.get(person.name.strip().casefold())
        if account is not None:
            user_id = account.user_id
        else:
            user_id = IMPORTED_SENDER_PREFIX + (person.source_id or person.name)
        reactors.append((user_id, person.reacted_at))
    return SourceReaction(
        label=reaction.emoji or reaction.kind,
        emoji=emoji,
        people=reactors,
        count=reaction.count,
        reason=reason,
    )


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
    return IMPORTED_SENDER_PREFIX + (message.author_source_id or message.author_name)
