"""Checks that keep a hostile upload from exhausting memory or escaping its archive.

Every importer of an uploaded file (Slack and Telegram exports, Trello boards,
knowledge base zips and .docx files) reads zip entries and JSON through these
functions. Each raises ``UnsafeFile`` with a message that names the problem;
the importer adds its own advice and error type.

Why the zip checks are enough: Python's ``zipfile`` stops a deflated entry at
the size that the archive declares for it and then checks the CRC. So a
declared size caps what one entry can unpack to, and a lie only makes the
read fail. This holds for stored and deflated entries only. ``zipfile``
decompresses a bzip2 or LZMA chunk in one call without an output bound, so a
few hundred bytes of bzip2 unpack to hundreds of megabytes before the size is
looked at. Those methods are rejected.
"""

import json
import zipfile
import zlib
from typing import Any

# Deflate can reach about 1000:1 on repeated bytes. Text, JSON and Word XML
# compress far less (the Slack fixture export is about 6:1), so a large entry
# above this ratio is taken for a zip bomb.
MAX_COMPRESSION_RATIO = 200
# Entries up to this size are read whatever their ratio: their output is small.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
SAFE_COMPRESSION_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

# An empty JSON object takes about 25 times its two bytes once parsed, so
# containers are counted before parsing. This bound lets a Telegram export of
# 50 MB through (about four containers per message) and caps the parsed
# containers of any file at about 150 MB.
MAX_JSON_CONTAINERS = 2_000_000


UTF16_ADVICE = " The file looks like UTF-16 text; save it again as UTF-8."


class UnsafeFile(ValueError):
    """A file rejected before it could do harm; ``field`` names the part at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def is_unsafe_entry_name(name: str) -> bool:
    """Return whether a zip entry's path is absolute, climbs up, or names a drive."""
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\"))
        or ".." in parts
        or ":" in parts[0]
        or "\x00" in name
    )


def check_archive(archive: zipfile.ZipFile, max_entries: int) -> list[zipfile.ZipInfo]:
    """Return the archive's entries after checking their count and paths."""
    entries = archive.infolist()
    if len(entries) > max_entries:
        raise UnsafeFile(
            f"The archive has {len(entries)} entries; the limit is {max_entries}."
        )
    for entry in entries:
        if is_unsafe_entry_name(entry.filename):
            raise UnsafeFile(
                f"The archive entry {entry.filename[:100]!r} has an unsafe path: "
                "it is absolute, climbs up with '..' or names a drive.",
                field=entry.filename[:200],
            )
    return entries


def declared_total(entries: list[zipfile.ZipInfo]) -> int:
    """Return the bytes the entries unpack to, as the archive declares them."""
    return sum(entry.file_size for entry in entries)


def read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int) -> bytes:
    """Return an entry's bytes, rejecting before decompression what could blow up."""
    name = entry.filename[:100]
    field = entry.filename[:200]
    if entry.compress_type not in SAFE_COMPRESSION_METHODS:
        raise UnsafeFile(
            f"The archive entry {name!r} uses compression method "
            f"{entry.compress_type}; only stored and deflated entries are read, "
            "so pack the archive again with a standard zip tool.",
            field=field,
        )
    if entry.file_size > limit:
        raise UnsafeFile(
            f"The archive entry {name!r} unpacks to {entry.file_size} bytes; the "
            f"limit is {limit} bytes.",
            field=field,
        )
    if entry.file_size > RATIO_CHECK_FROM_BYTES and (
        entry.file_size > entry.compress_size * MAX_COMPRESSION_RATIO
    ):
        raise UnsafeFile(
            f"The archive entry {name!r} unpacks to {entry.file_size} bytes from "
            f"{entry.compress_size}, more than {MAX_COMPRESSION_RATIO} times its "
            "packed size, which only a zip bomb does.",
            field=field,
        )
    try:
        with archive.open(entry) as stream:
            data = stream.read(limit + 1)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        RuntimeError,
        NotImplementedError,
    ) as error:
        # RuntimeError is an encrypted entry, NotImplementedError an unknown
        # method, and BadZipFile, zlib.error or EOFError damaged data.
        raise UnsafeFile(
            f"The archive entry {name!r} cannot be read: it is damaged or "
            f"encrypted ({error}).",
            field=field,
        ) from None
    if len(data) > limit:
        raise UnsafeFile(
            f"The archive entry {name!r} unpacks to more than {limit} bytes.",
            field=field,
        )
    return data


def check_container_count(text: str | bytes, limit: int = MAX_JSON_CONTAINERS) -> None:
    """Raise before parsing when the JSON may hold more than ``limit`` containers.

    Brackets inside strings are counted too, so the count is an upper bound.
    """
    if isinstance(text, str):
        count = text.count("{") + text.count("[")
    else:
        count = text.count(b"{") + text.count(b"[")
    if count > limit:
        raise UnsafeFile(
            f"The JSON has {count} brackets, more than the {limit} objects and "
            "arrays one file may contain."
        )


def nesting_exceeds(document: Any, limit: int) -> bool:
    """Return whether containers nest deeper than ``limit``, without recursion."""
    if type(document) not in (dict, list):
        return False
    if limit < 1:
        return True
    stack = [(document, 1)]
    while stack:
        container, depth = stack.pop()
        children = container.values() if type(container) is dict else container
        for child in children:
            child_type = type(child)
            if child_type is not dict and child_type is not list:
                continue
            if depth + 1 > limit:
                return True
            # An empty container has no children to look at.
            if child:
                stack.append((child, depth + 1))
    return False


def load_json(
    text: str | bytes, *, max_depth: int, max_containers: int = MAX_JSON_CONTAINERS
) -> Any:
    """Parse JSON whose size the caller has checked, bounding containers and depth.

    ``json.loads`` raises RecursionError near 1,000 levels in CPython, which
    becomes the same "too deep" error as a depth above ``max_depth``.
    """
    check_container_count(text, max_containers)
    too_deep = UnsafeFile(
        f"The JSON nests deeper than {max_depth} levels of objects and arrays."
    )
    try:
        document = json.loads(text)
    except RecursionError:
        raise too_deep from None
    except json.JSONDecodeError as error:
        raise UnsafeFile(
            f"The file is not valid JSON (line {error.lineno}, column "
            f"{error.colno}: {error.msg})."
        ) from None
    except ValueError as error:
        # An integer longer than sys.get_int_max_str_digits() digits.
        raise UnsafeFile(f"The file is not valid JSON ({error}).") from None
    if nesting_exceeds(document, max_depth):
        raise too_deep
    return document


def utf16_hint(raw: bytes | str) -> str:
    """Return advice for text that looks like UTF-16, or "" when it does not.

    Windows tools save "Unicode" text as UTF-16, with a byte order mark or
    without one. Latin and Cyrillic letters in UTF-16 put a NUL or a small
    byte in every other place, so NUL bytes that sit nearly all at odd
    positions (little-endian) or at even ones (big-endian) give it away. The
    pattern stays when such bytes are decoded as UTF-8 by mistake.
    """
    start = raw[:1024]
    if isinstance(start, bytes) and start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return UTF16_ADVICE
    nul = 0 if isinstance(start, bytes) else "\x00"
    at_even = start[0::2].count(nul)
    at_odd = start[1::2].count(nul)
    # Binary files have NUL bytes too, but at both parities or rarely.
    enough = max(at_even, at_odd) >= max(4, len(start) // 40)
    one_sided = max(at_even, at_odd) >= 0.9 * (at_even + at_odd)
    return UTF16_ADVICE if enough and one_sided else ""
