"""Parse Telegram Desktop chat exports (``result.json``) into plain messages.

Telegram Desktop writes this file when a user opens a chat, chooses Export chat history
and sets Format to Machine-readable JSON. A full-account export (Settings → Advanced →
Export Telegram data) contains the same chat objects under ``chats.list``.

The parser reads only the bytes or string it is given. Media files that the export
saved beside ``result.json`` are reported by file name and never opened.
"""

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.imports.guards import (
    UnsafeFile,
    check_container_count,
    nesting_exceeds,
    utf16_hint,
)

MAX_EXPORT_BYTES = 50 * 1024 * 1024
MAX_JSON_DEPTH = 64

MESSAGE_KIND = "message"
SERVICE_KIND = "service"

# Author names used when the export has none. Telegram Desktop leaves the author
# empty or null for some service lines and for deleted accounts.
SERVICE_AUTHOR_NAME = "Telegram"
DELETED_AUTHOR_NAME = "Deleted Account"

NOT_INCLUDED = "not included"

_EXPORT_AS_JSON_HINT = (
    "Save the export as JSON (Export chat history → Format: Machine-readable JSON)"
)
_UPLOAD_UNCHANGED_HINT = (
    "Upload the result.json that Telegram Desktop wrote, unchanged."
)

_INTEGER_PATTERN = re.compile(r"-?[0-9]+")

# Placeholder labels for media stored in "file", keyed by "media_type". A "file"
# without a known media type is a document and gets the label "file".
_FILE_LABELS = {
    "voice_message": "voice message",
    "video_message": "video message",
    "video_file": "video",
    "animation": "animation",
    "audio_file": "audio",
}

# Fields of a service message that carry its main detail, in order of preference.
_SERVICE_DETAIL_KEYS = ("title", "message_id", "members", "inviter")


class TelegramExportError(ValueError):
    """Invalid export. The message states the problem and how to fix it.

    ``field`` is the JSON path of the offending part, such as "messages[3].date",
    or None when the whole file is at fault (not UTF-8, not JSON, too large).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ReactionPerson:
    """One of the people a reaction's "recent" list names."""

    name: str
    source_id: str | None
    reacted_at: datetime | None


@dataclass(frozen=True)
class ImportedReaction:
    """One entry of a message's "reactions" list.

    ``kind`` is Telegram's type: "emoji" carries ``emoji``, while "custom_emoji"
    (a sticker-like emoji of a pack) and "paid" (Telegram Stars) carry none.
    ``count`` is everyone who reacted, and ``people`` the few that Telegram
    lists by name, at most ``count``.
    """

    kind: str
    emoji: str | None
    count: int
    people: tuple[ReactionPerson, ...]


@dataclass(frozen=True)
class ImportedMessage:
    """One message or service line of an export, flattened to plain text."""

    source_id: str
    author_name: str
    author_source_id: str | None
    sent_at: datetime
    text: str
    kind: str
    edited_at: datetime | None
    reply_to_source_id: str | None
    # None when the message was not forwarded, and "" when it was forwarded from a
    # sender whose name the export leaves out.
    forwarded_from: str | None
    attachments: tuple[str, ...]
    # The message that a "pin_message" service line pinned.
    pinned_source_id: str | None = None
    reactions: tuple[ImportedReaction, ...] = ()


@dataclass(frozen=True)
class ParsedExport:
    """A parsed single-chat export.

    ``skipped`` counts the messages left out: those of a type other than "message"
    or "service", and repeats of an id already read.
    """

    chat_name: str
    chat_type: str
    messages: tuple[ImportedMessage, ...]
    skipped: int = 0
    chat_source_id: str | None = None


def parse_export(data: bytes | str) -> ParsedExport:
    """Parse a Telegram Desktop JSON export of one chat.

    A full-account export is accepted when it contains exactly one chat. Raises
    TelegramExportError when the input is not a usable export.
    """
    chat, path_prefix = _open_chat(data)
    return _parse_chat(chat, path_prefix)


def parse_all_chats(data: bytes | str) -> list[ParsedExport]:
    """Parse every chat of a full-account export, or the one chat of a chat export.

    Raises TelegramExportError when the input or any chat in it is unusable, so
    that a bad chat stops the whole import before anything is written.
    """
    document = _load_json(_decode(data))
    _check_depth(document)
    is_account = (
        isinstance(document, dict)
        and "messages" not in document
        and isinstance(document.get("chats"), dict)
    )
    if not is_account:
        chat, path_prefix = _select_chat(document)
        return [_parse_chat(chat, path_prefix)]
    chat_list = document["chats"].get("list")
    if not isinstance(chat_list, list) or not chat_list:
        raise TelegramExportError(
            "The full-account export has no chats in chats.list. Export again "
            "with Personal chats, Private groups or Channels selected.",
            field="chats.list",
        )
    chats = []
    for index, chat in enumerate(chat_list):
        path_prefix = f"chats.list[{index}]."
        if not isinstance(chat, dict):
            raise TelegramExportError(
                f"Chat {index + 1} in the full-account export is a JSON "
                f"{_json_type_name(chat)}, not an object. {_UPLOAD_UNCHANGED_HINT}",
                field=path_prefix.rstrip("."),
            )
        _check_messages_list(chat, path_prefix)
        chats.append(_parse_chat(chat, path_prefix))
    return chats


def _parse_chat(chat: Mapping[str, Any], path_prefix: str) -> ParsedExport:
    counter = _SkipCounter()
    messages = tuple(_read_messages(chat["messages"], path_prefix, counter))
    return ParsedExport(
        chat_name=_optional_text(chat.get("name")),
        chat_type=_optional_text(chat.get("type")),
        messages=messages,
        skipped=counter.skipped,
        chat_source_id=_source_id_text(chat.get("id")),
    )


def iter_messages(data: bytes | str) -> Iterator[ImportedMessage]:
    """Return an iterator over the messages of an export, in export order.

    Errors about the whole file are raised by this call. Errors about one message
    are raised when the iteration reaches it.
    """
    chat, path_prefix = _open_chat(data)
    return _read_messages(chat["messages"], path_prefix, _SkipCounter())


class _SkipCounter:
    def __init__(self) -> None:
        self.skipped = 0


def _open_chat(data: bytes | str) -> tuple[Mapping[str, Any], str]:
    """Decode and load the export, and return the chat object with its path prefix."""
    document = _load_json(_decode(data))
    _check_depth(document)
    return _select_chat(document)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        _check_size(data)
        # A UTF-8 editor may have saved a byte order mark, which json.loads rejects.
        return data.removeprefix("\ufeff")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"Expected bytes or str, got {type(data).__name__}")
    raw = bytes(data)
    _check_size(raw)
    if raw.startswith(b"PK\x03\x04"):
        raise TelegramExportError(
            "The file is a ZIP archive. Unpack it and upload the result.json inside."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TelegramExportError(
            f"The file is not UTF-8 text (invalid byte at position {error.start})."
            f"{utf16_hint(raw)} {_EXPORT_AS_JSON_HINT} and upload its result.json "
            "without re-saving it in another encoding."
        ) from error


def _check_size(data: bytes | str) -> None:
    if isinstance(data, str):
        size = len(data)
        # A character takes at most 4 bytes in UTF-8, so only long strings need the
        # exact (and costly) encoded size.
        if size <= MAX_EXPORT_BYTES < size * 4:
            size = len(data.encode("utf-8", "surrogatepass"))
    else:
        size = len(data)
    if size > MAX_EXPORT_BYTES:
        raise TelegramExportError(
            f"The export is {size:,} bytes, more than the limit of "
            f"{MAX_EXPORT_BYTES // (1024 * 1024)} MB ({MAX_EXPORT_BYTES:,} bytes). "
            "Export a shorter period of the chat (Export chat history → From and To "
            "dates) and upload each part."
        )


def _load_json(text: str) -> Any:
    try:
        check_container_count(text)
    except UnsafeFile as error:
        raise TelegramExportError(f"{error.message} {_UPLOAD_UNCHANGED_HINT}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if text.lstrip().startswith("<"):
            raise TelegramExportError(
                "The file is an HTML export, not JSON. Export the chat again with "
                "Export chat history → Format: Machine-readable JSON and upload "
                "result.json."
            ) from error
        raise TelegramExportError(
            f"The file is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}).{utf16_hint(text)} {_EXPORT_AS_JSON_HINT}."
        ) from error
    except RecursionError as error:
        raise _too_deep_error(None) from error
    except ValueError as error:
        # json.loads raises a plain ValueError for integers longer than the
        # interpreter's digit limit (sys.get_int_max_str_digits).
        raise TelegramExportError(
            f"The file is not valid JSON ({error}). {_EXPORT_AS_JSON_HINT}."
        ) from error


def _check_depth(document: Any) -> None:
    """Raise TelegramExportError when containers nest deeper than MAX_JSON_DEPTH.

    The walk uses its own stack, so a deep document cannot exhaust Python's. It
    tracks depths only, because building every path costs as much as parsing.
    """
    if nesting_exceeds(document, MAX_JSON_DEPTH):
        raise _too_deep_error(_find_too_deep_path(document))


def _find_too_deep_path(document: Any) -> str | None:
    """Return the JSON path of the first container deeper than MAX_JSON_DEPTH."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) >= MAX_JSON_DEPTH:
            return _format_path(path)
        if isinstance(value, dict):
            children = value.items()
        elif isinstance(value, list):
            children = enumerate(value)
        else:
            continue
        for key, child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, (*path, key)))
    return None


def _too_deep_error(field: str | None) -> TelegramExportError:
    return TelegramExportError(
        f"The JSON is nested deeper than {MAX_JSON_DEPTH} levels, but Telegram "
        f"Desktop exports nest only a few levels. {_UPLOAD_UNCHANGED_HINT}",
        field=field,
    )


def _format_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
        elif text:
            text += f".{key}"
        else:
            text = key
    return text


def _select_chat(document: Any) -> tuple[Mapping[str, Any], str]:
    """Return the chat object and the JSON path prefix of its fields."""
    if not isinstance(document, dict):
        raise TelegramExportError(
            f"The file contains a JSON {_json_type_name(document)}, not an object. "
            "Upload the result.json of a single chat export."
        )
    if "messages" not in document and isinstance(document.get("chats"), dict):
        return _select_account_chat(document["chats"])
    _check_messages_list(document, "")
    return document, ""


def _select_account_chat(chats: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    chat_list = chats.get("list")
    if not isinstance(chat_list, list):
        raise TelegramExportError(
            "The full-account export has no chat list. Export a single chat instead "
            "(open the chat → ⋮ → Export chat history → Format: Machine-readable "
            "JSON) and upload its result.json.",
            field="chats.list",
        )
    if len(chat_list) != 1:
        raise TelegramExportError(
            f"The file is a full-account export with {len(chat_list)} chats, but one "
            "import takes one chat. Export a single chat instead (open the chat → ⋮ "
            "→ Export chat history → Format: Machine-readable JSON) and upload its "
            "result.json.",
            field="chats.list",
        )
    chat = chat_list[0]
    if not isinstance(chat, dict):
        raise TelegramExportError(
            f"The chat in the full-account export is a JSON {_json_type_name(chat)}, "
            f"not an object. {_UPLOAD_UNCHANGED_HINT}",
            field="chats.list[0]",
        )
    _check_messages_list(chat, "chats.list[0].")
    return chat, "chats.list[0]."


def _check_messages_list(chat: Mapping[str, Any], path_prefix: str) -> None:
    if "messages" not in chat:
        raise TelegramExportError(
            'The export has no "messages" list. Export one chat (open the chat → ⋮ → '
            "Export chat history → Format: Machine-readable JSON) and upload its "
            "result.json.",
            field=f"{path_prefix}messages",
        )
    if not isinstance(chat["messages"], list):
        raise TelegramExportError(
            f'"messages" is a JSON {_json_type_name(chat["messages"])}, not a list. '
            f"{_UPLOAD_UNCHANGED_HINT}",
            field=f"{path_prefix}messages",
        )


def _read_messages(
    raw_messages: list[Any], path_prefix: str, counter: _SkipCounter
) -> Iterator[ImportedMessage]:
    seen_ids: set[str] = set()
    for index, raw in enumerate(raw_messages):
        path = f"{path_prefix}messages[{index}]"
        if not isinstance(raw, dict):
            raise TelegramExportError(
                f"Message number {index + 1} in the file is a JSON "
                f"{_json_type_name(raw)}, not an object. {_UPLOAD_UNCHANGED_HINT}",
                field=path,
            )
        kind = raw.get("type")
        if kind not in (MESSAGE_KIND, SERVICE_KIND):
            counter.skipped += 1
            continue
        source_id = _parse_message_id(raw.get("id"), index, f"{path}.id")
        if source_id in seen_ids:
            counter.skipped += 1
            continue
        seen_ids.add(source_id)
        yield _parse_message(raw, kind, source_id, path)


def _parse_message_id(value: Any, index: int, field: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and _INTEGER_PATTERN.fullmatch(value):
        return str(int(value))
    if value is None:
        problem = "has no id"
    else:
        problem = f"has the id {value!r}, which is not an integer"
    raise TelegramExportError(
        f"Message number {index + 1} in the file {problem}. {_UPLOAD_UNCHANGED_HINT}",
        field=field,
    )


def _parse_message(
    raw: Mapping[str, Any], kind: str, source_id: str, path: str
) -> ImportedMessage:
    if kind == SERVICE_KIND:
        author_name = _author_name(raw.get("actor"), SERVICE_AUTHOR_NAME)
        author_source_id = _source_id_text(raw.get("actor_id"))
        text = _service_text(raw)
        attachments: tuple[str, ...] = ()
    else:
        author_name = _author_name(raw.get("from"), DELETED_AUTHOR_NAME)
        author_source_id = _source_id_text(raw.get("from_id"))
        body = _flatten_text(raw.get("text"), f"{path}.text", source_id)
        placeholders, attachment_list = _describe_media(raw)
        text = "\n".join([body, *placeholders] if body else placeholders)
        attachments = tuple(attachment_list)
    return ImportedMessage(
        source_id=source_id,
        author_name=author_name,
        author_source_id=author_source_id,
        sent_at=_parse_sent_at(raw, path, source_id),
        text=text,
        kind=kind,
        edited_at=_parse_edited_at(raw, path, source_id),
        reply_to_source_id=_parse_reply_to(raw, path, source_id),
        forwarded_from=_parse_forwarded_from(raw),
        attachments=attachments,
        pinned_source_id=_pinned_source_id(raw) if kind == SERVICE_KIND else None,
        reactions=_parse_reactions(raw.get("reactions")),
    )


def _pinned_source_id(raw: Mapping[str, Any]) -> str | None:
    if raw.get("action") != "pin_message":
        return None
    value = raw.get("message_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and _INTEGER_PATTERN.fullmatch(value):
        return str(int(value))
    return None


def _parse_reactions(value: Any) -> tuple[ImportedReaction, ...]:
    """Read Telegram Desktop's "reactions" list; entries of other shapes are left out.

    Each entry is {"type", "count", "emoji" or "document_id", "recent": [{"from",
    "from_id", "date"}]}, as Telegram Desktop's JSON writer
    (export_output_json.cpp) produces it.
    """
    if not isinstance(value, list):
        return ()
    reactions = []
    for entry in value:
        if not isinstance(entry, dict):
            continue
        count = entry.get("count")
        recent = entry.get("recent") if isinstance(entry.get("recent"), list) else []
        people = tuple(
            ReactionPerson(
                name=_author_name(person.get("from"), DELETED_AUTHOR_NAME),
                source_id=_source_id_text(person.get("from_id")),
                reacted_at=_optional_iso_datetime(person.get("date")),
            )
            for person in recent
            if isinstance(person, dict)
        )
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            count = len(people)
        emoji = entry.get("emoji")
        reactions.append(
            ImportedReaction(
                kind=_optional_text(entry.get("type")) or "emoji",
                emoji=emoji if isinstance(emoji, str) and emoji else None,
                count=max(count, len(people)),
                people=people,
            )
        )
    return tuple(reactions)


def _optional_iso_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _author_name(value: Any, default: str) -> str:
    if isinstance(value, str) and value.strip():
        return value
    return default


def _optional_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _source_id_text(value: Any) -> str | None:
    """Return a peer id as text: "user111" stays, 9882011936 becomes "9882011936".

    NOTE: Ids are kept as written, so one author may get two ids across export
    versions. A 2020 export of a channel wrote its id as 9882011936, which is 2**33
    plus 1292077344, and a 2021 export of the same channel wrote "channel1292077344".
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value:
        return value
    return None


def _parse_sent_at(raw: Mapping[str, Any], path: str, source_id: str) -> datetime:
    # "date" is the exporting computer's local time without an offset, so the exact
    # "date_unixtime" wins when the export has it.
    if raw.get("date_unixtime") is not None:
        return _parse_unixtime(raw["date_unixtime"], f"{path}.date_unixtime", source_id)
    if raw.get("date") is None:
        raise TelegramExportError(
            f"Message {source_id} has no date. {_UPLOAD_UNCHANGED_HINT}",
            field=f"{path}.date",
        )
    return _parse_iso_datetime(raw["date"], f"{path}.date", source_id)


def _parse_edited_at(
    raw: Mapping[str, Any], path: str, source_id: str
) -> datetime | None:
    if raw.get("edited_unixtime") is not None:
        return _parse_unixtime(
            raw["edited_unixtime"], f"{path}.edited_unixtime", source_id
        )
    if raw.get("edited") is not None:
        return _parse_iso_datetime(raw["edited"], f"{path}.edited", source_id)
    return None


def _parse_iso_datetime(value: Any, field: str, source_id: str) -> datetime:
    """Parse an ISO 8601 date-time. A value without an offset is taken as UTC.

    NOTE: Telegram Desktop writes "date" in the exporting computer's time zone,
    which the export does not record, so exports without "date_unixtime" may be
    off by that zone's offset.
    """
    parsed = None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise TelegramExportError(
            f"Message {source_id} has an invalid date-time {value!r}. Telegram "
            f"Desktop writes them like 2020-11-12T12:53:52. {_UPLOAD_UNCHANGED_HINT}",
            field=field,
        )
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_unixtime(value: Any, field: str, source_id: str) -> datetime:
    seconds = None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and _INTEGER_PATTERN.fullmatch(value):
        seconds = int(value)
    if seconds is not None:
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            pass
    raise TelegramExportError(
        f"Message {source_id} has an invalid Unix time {value!r}. Telegram Desktop "
        f'writes it as a string of seconds, like "1682942460". '
        f"{_UPLOAD_UNCHANGED_HINT}",
        field=field,
    )


def _parse_reply_to(raw: Mapping[str, Any], path: str, source_id: str) -> str | None:
    value = raw.get("reply_to_message_id")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and _INTEGER_PATTERN.fullmatch(value):
        return str(int(value))
    raise TelegramExportError(
        f"Message {source_id} replies to the id {value!r}, which is not an integer. "
        f"{_UPLOAD_UNCHANGED_HINT}",
        field=f"{path}.reply_to_message_id",
    )


def _parse_forwarded_from(raw: Mapping[str, Any]) -> str | None:
    if "forwarded_from" not in raw:
        return None
    return _optional_text(raw["forwarded_from"])


def _flatten_text(value: Any, field: str, source_id: str) -> str:
    """Join a message's text and its entities into plain text.

    "text_entities" is ignored because some exports fill it with text that does
    not match "text".
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.rstrip()
    if not isinstance(value, list):
        raise _invalid_text_error(value, field, source_id)
    parts = []
    for index, part in enumerate(value):
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict):
            parts.append(_entity_text(part, f"{field}[{index}]", source_id))
        else:
            raise _invalid_text_error(part, f"{field}[{index}]", source_id)
    return "".join(parts).rstrip()


def _entity_text(entity: Mapping[str, Any], field: str, source_id: str) -> str:
    """Return an entity's visible text, with the target of a text_link after it.

    Formatting entities (bold, code, pre and the like), links, mentions, hashtags,
    e-mail addresses and phone numbers all keep their text.
    """
    text = entity.get("text", "")
    if not isinstance(text, str):
        raise _invalid_text_error(text, f"{field}.text", source_id)
    href = entity.get("href")
    if entity.get("type") != "text_link" or not isinstance(href, str) or not href:
        return text
    visible = text.rstrip()
    if visible == href:
        return text
    # Entity text often ends with the line breaks that follow it, and the link
    # target belongs before them.
    trailing = text[len(visible) :]
    if not visible:
        return f"{href}{trailing}"
    return f"{visible} ({href}){trailing}"


def _invalid_text_error(value: Any, field: str, source_id: str) -> TelegramExportError:
    return TelegramExportError(
        f"Message {source_id} has text of the wrong type (a JSON "
        f"{_json_type_name(value)}). Text must be a string or a list of strings and "
        f"entity objects. {_UPLOAD_UNCHANGED_HINT}",
        field=field,
    )


def _describe_media(raw: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Return the text placeholders and attachment file names of a message."""
    placeholders: list[str] = []
    attachments: list[str] = []

    if isinstance(raw.get("photo"), str):
        name = _file_name(raw["photo"])
        placeholders.append(f"[photo: {name or NOT_INCLUDED}]")
        if name:
            attachments.append(name)

    media_type = raw.get("media_type")
    file_path = raw.get("file")
    name = _file_name(file_path) if isinstance(file_path, str) else None
    if media_type == "sticker":
        emoji = raw.get("sticker_emoji")
        has_emoji = isinstance(emoji, str) and emoji
        placeholders.append(f"[sticker {emoji}]" if has_emoji else "[sticker]")
        if name:
            attachments.append(name)
    elif isinstance(file_path, str) or media_type in _FILE_LABELS:
        label = _FILE_LABELS.get(media_type, "file")
        placeholders.append(f"[{label}: {name or NOT_INCLUDED}]")
        if name:
            attachments.append(name)

    placeholders.extend(_describe_shared_objects(raw))
    return placeholders, attachments


def _describe_shared_objects(raw: Mapping[str, Any]) -> list[str]:
    """Return placeholders for a poll, a location or a contact in a message."""
    placeholders = []
    poll = raw.get("poll")
    if isinstance(poll, dict):
        question = _optional_text(poll.get("question")).strip()
        placeholders.append(f"[poll: {question}]" if question else "[poll]")
    location = raw.get("location_information")
    if isinstance(location, dict):
        latitude = location.get("latitude")
        longitude = location.get("longitude")
        if _is_number(latitude) and _is_number(longitude):
            placeholders.append(f"[location: {latitude}, {longitude}]")
        else:
            placeholders.append("[location]")
    contact = raw.get("contact_information")
    if isinstance(contact, dict):
        name = " ".join(
            _optional_text(contact.get(key)).strip()
            for key in ("first_name", "last_name")
            if _optional_text(contact.get(key)).strip()
        )
        phone = _optional_text(contact.get("phone_number")).strip()
        details = ", ".join(detail for detail in (name, phone) if detail)
        placeholders.append(f"[contact: {details}]" if details else "[contact]")
    return placeholders


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _file_name(path: str) -> str | None:
    """Return the base name of a media path, or None when the file was not saved.

    Telegram Desktop writes a note in parentheses in place of the path when it
    skipped a file, such as "(File not included. Change data exporting settings to
    download.)". The path of a saved file starts with its folder ("photos/…",
    "files/…"), so a parenthesized value without a slash is taken for such a note.
    """
    if not path or (path.startswith("(") and path.endswith(")") and "/" not in path):
        return None
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name or None


def _service_text(raw: Mapping[str, Any]) -> str:
    """Return a short, stable line such as "pin_message: 5" for a service message.

    The application translates these lines, so they contain the action name and its
    main detail only.
    """
    action = raw.get("action")
    action_name = action if isinstance(action, str) and action else "service"
    for key in _SERVICE_DETAIL_KEYS:
        detail = _service_detail(raw.get(key))
        if detail:
            return f"{action_name}: {detail}"
    return action_name


def _service_detail(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        names = [item.strip() for item in value if isinstance(item, str)]
        return ", ".join(name for name in names if name)
    return ""


def _json_type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "null"
