"""Parse a Slack workspace export (the zip from Workspace settings → Import/Export).

The archive contains ``users.json``, ``channels.json`` (public channels), optionally
``groups.json`` (private channels), and one folder per channel with a JSON file of
messages per day. A thread's replies can sit in later day files than its root, so
every file of a channel is read before threads are put together.

The parser reads only the archive it is given. It never follows file links: a
shared file becomes its name in the message text.
"""

import html
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.imports.guards import (
    UnsafeFile,
    check_archive,
    declared_total,
    load_json,
    read_entry,
    utf16_hint,
)

MAX_ENTRIES = 20_000
# Parsed JSON takes about five times its size for real messages and up to
# 25 times for hostile ones, and the route parses the whole export in 512 MB.
# So one day file may have 16 MB, and all files together 100 MB. NOTE: an
# estimate, not a measured export: an upload of at most 9 MB that compresses
# about 10:1, as large JSON does, unpacks to about 90 MB.
MAX_ENTRY_BYTES = 16 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_TEXT_LENGTH = 100_000
# Lines of all day files together. An export of this many lines takes minutes
# to write, which is about what one background run can take.
MAX_MESSAGES = 200_000

# Lines Slack writes about the channel itself rather than by a person; they carry
# nothing a reader of the history needs.
SERVICE_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "group_join",
        "group_leave",
        "bot_add",
        "bot_remove",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "group_topic",
        "group_purpose",
        "group_name",
        "group_archive",
        "group_unarchive",
        "pinned_item",
        "unpinned_item",
        "reminder_add",
    }
)

_EXPORT_HINT = (
    "Upload the zip that Slack produced (Workspace settings → Import/Export Data → "
    "Export), unchanged."
)

_MENTION = re.compile(r"<@(?P<id>[A-Z0-9]+)(?:\|(?P<label>[^>]*))?>")
_CHANNEL_LINK = re.compile(r"<#(?P<id>[A-Z0-9]+)(?:\|(?P<label>[^>]*))?>")
_SPECIAL = re.compile(r"<!(?P<name>channel|here|everyone)(?:\|[^>]*)?>")
_OTHER_COMMAND = re.compile(r"<!(?P<body>[^>]*)>")
_BOT_SERVICE = re.compile(r"/services/(?P<id>B[A-Z0-9]+)\|(?P<label>[^>]+)>")
_LINK = re.compile(r"<(?P<url>[a-z][a-z0-9+.-]*:[^>|]*)(?:\|(?P<label>[^>]*))?>")


class SlackExportError(ValueError):
    """Invalid export. The message states the problem and how to fix it.

    ``field`` names the archive entry (and JSON path) at fault, or None when the
    whole archive is.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SlackUser:
    user_id: str
    name: str
    email: str | None
    deleted: bool
    is_bot: bool


@dataclass(frozen=True)
class SlackMessage:
    """One message of a channel, with Slack markup turned into plain text."""

    ts: str
    thread_ts: str | None
    author_id: str | None
    author_name: str
    is_bot: bool
    text: str
    sent_at: datetime
    edited_at: datetime | None
    files: tuple[str, ...]
    reactions: tuple["SlackReaction", ...]
    # A thread reply that was also sent to the channel.
    broadcast: bool
    # The ids of the channels where the message is pinned.
    pinned_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlackReaction:
    """One emoji's reactions: its Slack name, the people listed and the count.

    Slack lists at most a few dozen people per emoji, so ``count`` can exceed
    the number of ``user_ids``.
    """

    name: str
    user_ids: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class Skipped:
    channel: str
    ts: str | None
    reason: str

    def to_json(self) -> dict:
        return {"channel": self.channel, "ts": self.ts, "reason": self.reason}


@dataclass
class SlackChannel:
    channel_id: str
    name: str
    purpose: str
    is_private: bool
    is_archived: bool
    member_ids: tuple[str, ...]
    messages: list[SlackMessage] = field(default_factory=list)


@dataclass
class SlackExport:
    users: dict[str, SlackUser]
    channels: list[SlackChannel]
    skipped: list[Skipped]

    @property
    def message_count(self) -> int:
        return sum(len(channel.messages) for channel in self.channels)


def parse_archive(data: bytes) -> SlackExport:
    """Parse a whole workspace export; raise SlackExportError if it is unusable."""
    archive = _open_archive(data)
    entries = _check_entries(archive)
    users = _read_users(archive)
    skipped: list[Skipped] = []
    channels = []
    for listing, is_private in (("channels.json", False), ("groups.json", True)):
        if listing in entries:
            channels.extend(_read_channels(archive, listing, is_private))
    if not channels:
        raise SlackExportError(
            f"The archive has no channels.json listing any channel. {_EXPORT_HINT}",
            field="channels.json",
        )
    for listing in ("dms.json", "mpims.json"):
        if listing in entries:
            skipped.append(
                Skipped(listing, None, "direct messages are not imported as channels")
            )

    # Each day file is converted as soon as it is read, so only one file's
    # parsed JSON is held at a time. A bot's name may come from a later file,
    # so messages that need one are named after every file is read.
    bot_names: dict[str, str] = {}
    # (channel, index in its messages, bot id) of each message without a name.
    unnamed: list[tuple[SlackChannel, int, str]] = []
    count = 0
    for channel in channels:
        for where, raw in _raw_messages(archive, entries, channel):
            count += 1
            if count > MAX_MESSAGES:
                raise SlackExportError(
                    f"The export has more than {MAX_MESSAGES} messages. Export a "
                    "shorter date range or fewer channels and import each part.",
                    field="file",
                )
            _collect_bot_names(raw, bot_names)
            message = _read_message(raw, users, where, channel.name, skipped)
            if message is None:
                continue
            if not message.author_name:
                bot_id = _text(raw.get("bot_id"))
                unnamed.append((channel, len(channel.messages), bot_id))
            channel.messages.append(message)
    for channel, index, bot_id in unnamed:
        message = channel.messages[index]
        name = _fallback_author_name(message.author_id, bot_id, bot_names)
        channel.messages[index] = replace(message, author_name=name)
    for channel in channels:
        channel.messages.sort(key=lambda message: _ts_key(message.ts))
        channel.messages[:] = _drop_repeats(channel, skipped)
    return SlackExport(users=users, channels=channels, skipped=skipped)


def _raw_messages(archive: zipfile.ZipFile, entries: set[str], channel: SlackChannel):
    day_files = sorted(
        name
        for name in entries
        if name.startswith(channel.name + "/") and name.endswith(".json")
    )
    for day_file in day_files:
        for index, raw in enumerate(_load(archive, day_file, expect=list)):
            yield f"{day_file}[{index}]", raw


def _collect_bot_names(raw: Any, names: dict[str, str]) -> None:
    """Add the integration names that a "bot_add" line announces to ``names``.

    Bot messages of 2016 and earlier carry only a bot id, and those lines are
    the one place in the export that names the integration behind it.
    """
    if isinstance(raw, dict) and raw.get("subtype") == "bot_add":
        for match in _BOT_SERVICE.finditer(_text(raw.get("text"))):
            names.setdefault(match["id"], match["label"])


def _open_archive(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise SlackExportError(
            f"The file is not a zip archive. {_EXPORT_HINT}"
        ) from None


def _check_entries(archive: zipfile.ZipFile) -> set[str]:
    """Reject unsafe paths and an oversized total before reading any entry.

    Each entry's own size and compression ratio are checked when it is read.
    """
    try:
        infos = check_archive(archive, MAX_ENTRIES)
    except UnsafeFile as error:
        raise SlackExportError(
            f"{error.message} {_EXPORT_HINT} A large workspace can be exported "
            "in parts, by date range.",
            field=error.field,
        ) from None
    total = declared_total(infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SlackExportError(
            f"The archive unpacks to {total} bytes; the limit is "
            f"{MAX_UNCOMPRESSED_BYTES}. Export a shorter date range or fewer "
            "channels and import each part.",
            field="file",
        )
    names = {info.filename for info in infos if not info.is_dir()}
    if "users.json" not in names:
        raise SlackExportError(
            f"The archive has no users.json. {_EXPORT_HINT}", field="users.json"
        )
    return names


def _load(archive: zipfile.ZipFile, name: str, *, expect: type) -> Any:
    try:
        raw = read_entry(archive, archive.getinfo(name), MAX_ENTRY_BYTES)
    except UnsafeFile as error:
        raise SlackExportError(
            f"{error.message} {_EXPORT_HINT} A large workspace can be exported "
            "in parts, by date range.",
            field=name,
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SlackExportError(
            f"{name} is not UTF-8 (invalid byte at offset {error.start})."
            f"{utf16_hint(raw)} {_EXPORT_HINT}",
            field=name,
        ) from None
    try:
        document = load_json(text, max_depth=MAX_JSON_DEPTH)
    except UnsafeFile as error:
        raise SlackExportError(
            f"{name}: {error.message} {_EXPORT_HINT}", field=name
        ) from None
    if not isinstance(document, expect):
        raise SlackExportError(
            f"{name} must contain a JSON {expect.__name__}, found "
            f"{type(document).__name__}. {_EXPORT_HINT}",
            field=name,
        )
    return document


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _read_users(archive: zipfile.ZipFile) -> dict[str, SlackUser]:
    users = {}
    for index, raw in enumerate(_load(archive, "users.json", expect=list)):
        if not isinstance(raw, dict) or not _text(raw.get("id")):
            raise SlackExportError(
                f"users.json entry {index} has no id. {_EXPORT_HINT}",
                field=f"users.json[{index}]",
            )
        profile = raw.get("profile") if isinstance(raw.get("profile"), dict) else {}
        name = (
            _text(raw.get("real_name"))
            or _text(profile.get("real_name"))
            or _text(profile.get("display_name"))
            or _text(raw.get("name"))
            or raw["id"]
        )
        email = _text(profile.get("email")) or None
        users[raw["id"]] = SlackUser(
            user_id=raw["id"],
            name=name,
            email=email.lower() if email else None,
            deleted=raw.get("deleted") is True,
            is_bot=raw.get("is_bot") is True,
        )
    return users


def _read_channels(
    archive: zipfile.ZipFile, listing: str, is_private: bool
) -> list[SlackChannel]:
    channels = []
    for index, raw in enumerate(_load(archive, listing, expect=list)):
        where = f"{listing}[{index}]"
        if not isinstance(raw, dict):
            raise SlackExportError(f"{where} is not an object.", field=where)
        channel_id, name = _text(raw.get("id")), _text(raw.get("name"))
        if not channel_id or not name:
            raise SlackExportError(
                f"{where} has no id or name. {_EXPORT_HINT}", field=where
            )
        purpose = raw.get("purpose") if isinstance(raw.get("purpose"), dict) else {}
        members = raw.get("members") if isinstance(raw.get("members"), list) else []
        channels.append(
            SlackChannel(
                channel_id=channel_id,
                name=name,
                purpose=_text(purpose.get("value")),
                is_private=is_private,
                is_archived=raw.get("is_archived") is True,
                member_ids=tuple(str(member) for member in members),
            )
        )
    return channels


def _read_message(
    raw: Any,
    users: dict[str, SlackUser],
    where: str,
    channel_name: str,
    skipped: list[Skipped],
) -> SlackMessage | None:
    if not isinstance(raw, dict):
        skipped.append(Skipped(channel_name, None, f"{where} is not an object"))
        return None
    ts = _text(raw.get("ts"))
    sent_at = _time_of(ts)
    if sent_at is None:
        skipped.append(Skipped(channel_name, ts or None, f"{where} has no valid ts"))
        return None
    subtype = _text(raw.get("subtype"))
    if raw.get("type", "message") != "message":
        skipped.append(Skipped(channel_name, ts, f"type {raw.get('type')!r}"))
        return None
    if subtype in SERVICE_SUBTYPES:
        skipped.append(Skipped(channel_name, ts, f"service message {subtype}"))
        return None

    # A legacy file comment names its author only inside the comment object.
    comment = raw.get("comment") if isinstance(raw.get("comment"), dict) else {}
    author_id = _text(raw.get("user")) or _text(comment.get("user")) or None
    is_bot = subtype == "bot_message" or (bool(raw.get("bot_id")) and not author_id)
    # Empty when only a bot name read from other lines can name the author.
    author_name = _known_author_name(raw, author_id, users)
    text = convert_markup(_message_text(raw), users)
    files = tuple(_file_names(raw))
    if files:
        listed = "\n".join(f"📎 {name}" for name in files)
        text = f"{text}\n{listed}" if text else listed
    if not text:
        skipped.append(Skipped(channel_name, ts, "empty message"))
        return None
    if len(text) > MAX_TEXT_LENGTH:
        skipped.append(
            Skipped(channel_name, ts, f"longer than {MAX_TEXT_LENGTH} characters")
        )
        return None

    thread_ts = _text(raw.get("thread_ts")) or None
    edited = raw.get("edited") if isinstance(raw.get("edited"), dict) else {}
    return SlackMessage(
        ts=ts,
        thread_ts=thread_ts if thread_ts and thread_ts != ts else None,
        author_id=author_id,
        author_name=author_name,
        is_bot=is_bot,
        text=text,
        sent_at=sent_at,
        edited_at=_time_of(_text(edited.get("ts"))),
        files=files,
        reactions=tuple(_reactions(raw)),
        broadcast=subtype == "thread_broadcast",
        pinned_to=_pinned_to(raw),
    )


def _pinned_to(raw: dict) -> tuple[str, ...]:
    channels = raw.get("pinned_to") if isinstance(raw.get("pinned_to"), list) else []
    return tuple(channel for channel in channels if isinstance(channel, str))


def _known_author_name(
    raw: dict, author_id: str | None, users: dict[str, SlackUser]
) -> str:
    """Return the name the message itself gives its author, or ""."""
    if author_id and author_id in users:
        return users[author_id].name
    profile = raw.get("user_profile")
    if isinstance(profile, dict):
        name = _text(profile.get("real_name")) or _text(profile.get("name"))
        if name:
            return name
    bot_profile = raw.get("bot_profile")
    if isinstance(bot_profile, dict) and _text(bot_profile.get("name")):
        return _text(bot_profile["name"])
    return _text(raw.get("username"))


def _fallback_author_name(
    author_id: str | None, bot_id: str, bot_names: dict[str, str]
) -> str:
    return bot_names.get(bot_id) or author_id or bot_id or "Slack"


def _message_text(raw: dict) -> str:
    text = _text(raw.get("text"))
    if text:
        return text
    # Bot messages of 2016 and earlier carry their content in attachments.
    parts = []
    attachments = raw.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        if not isinstance(attachment, dict):
            continue
        for key in ("pretext", "title", "text"):
            value = _text(attachment.get(key))
            if value and value not in parts:
                parts.append(value)
        if not parts and _text(attachment.get("fallback")):
            parts.append(_text(attachment["fallback"]))
    return "\n".join(parts)


def _file_names(raw: dict) -> list[str]:
    files = raw.get("files") if isinstance(raw.get("files"), list) else []
    if isinstance(raw.get("file"), dict) and raw.get("subtype") == "file_share":
        files = [raw["file"], *files]
    names = []
    for item in files:
        if isinstance(item, dict):
            name = _text(item.get("name")) or _text(item.get("title"))
            if name and name not in names:
                names.append(name)
    return names


def _reactions(raw: dict):
    reactions = raw.get("reactions") if isinstance(raw.get("reactions"), list) else []
    for reaction in reactions:
        if isinstance(reaction, dict) and _text(reaction.get("name")):
            users = (
                reaction.get("users") if isinstance(reaction.get("users"), list) else []
            )
            user_ids = tuple(
                dict.fromkeys(_text(user) for user in users if _text(user))
            )
            count = reaction.get("count")
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                count = len(user_ids)
            yield SlackReaction(
                name=_text(reaction["name"]),
                user_ids=user_ids,
                count=max(count, len(user_ids)),
            )


def convert_markup(text: str, users: dict[str, SlackUser]) -> str:
    """Turn Slack's mrkdwn escapes and links into the plain text a reader sees."""

    def mention(match: re.Match) -> str:
        user = users.get(match["id"])
        return "@" + (user.name if user else match["label"] or match["id"])

    text = _MENTION.sub(mention, text)
    text = _CHANNEL_LINK.sub(lambda match: "#" + (match["label"] or match["id"]), text)
    text = _SPECIAL.sub(lambda match: "@" + match["name"], text)
    text = _LINK.sub(_link_text, text)
    text = _OTHER_COMMAND.sub(lambda match: match["body"].partition("|")[2], text)
    return html.unescape(text).strip()


def _link_text(match: re.Match) -> str:
    url, label = match["url"], match["label"]
    if url.startswith("mailto:"):
        return label or url.removeprefix("mailto:")
    if not label or label == url:
        return url
    return f"{label} ({url})"


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    return int(seconds), int(fraction or 0)


def _time_of(ts: str) -> datetime | None:
    if not ts or not re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,9})?", ts):
        return None
    return datetime.fromtimestamp(float(ts), tz=UTC)


def _drop_repeats(channel: SlackChannel, skipped: list[Skipped]) -> list[SlackMessage]:
    """Keep the first message of each ts; a thread root copied into a broadcast
    reply or a day file exported twice would otherwise appear twice."""
    seen = set()
    kept = []
    for message in channel.messages:
        if message.ts in seen:
            skipped.append(Skipped(channel.name, message.ts, "repeated ts"))
            continue
        seen.add(message.ts)
        kept.append(message)
    return kept
