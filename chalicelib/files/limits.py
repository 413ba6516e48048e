"""Limits on uploaded files: types, sizes and names."""

import unicodedata
from urllib.parse import quote

from chalicelib.errors import InvalidInput

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILE_NAME_LENGTH = 200

# Invoices, contracts, scans and price lists: what accountants send and read.
ALLOWED_CONTENT_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
    "text/csv": "CSV",
    "text/plain": "text",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/msword": "DOC",
}


def check_content_type(
    content_type: str, allowed: dict[str, str] = ALLOWED_CONTENT_TYPES
) -> str:
    """Return the type without parameters, in lower case, if ``allowed`` has it."""
    normalized = content_type.split(";", 1)[0].strip().lower()
    if normalized not in allowed:
        kinds = ", ".join(sorted(set(allowed.values())))
        raise InvalidInput(
            f"Invalid field 'content_type': '{content_type[:100]}' is not accepted; "
            f"upload one of: {kinds}.",
            field="content_type",
        )
    return normalized


def check_size(
    size: int,
    limit: int = MAX_FILE_BYTES,
    advice: str = "upload a smaller file",
) -> int:
    if size < 1:
        raise InvalidInput(
            "Invalid field 'size': the file is empty; choose a file with content.",
            field="size",
        )
    if size > limit:
        raise InvalidInput(
            f"Invalid field 'size': {size} bytes is more than the "
            f"{limit // (1024 * 1024)} MB limit; {advice}.",
            field="size",
        )
    return size


def check_file_name(file_name: str) -> str:
    """Return the name as shown to people, or raise naming what is wrong.

    The name is only displayed and sent back in Content-Disposition; storage
    keys never contain it, so a name like "../x" cannot reach another object.
    """
    name = unicodedata.normalize("NFC", file_name.strip())
    if not name:
        raise InvalidInput(
            "Invalid field 'file_name': it is empty; send the file's name.",
            field="file_name",
        )
    if len(name) > MAX_FILE_NAME_LENGTH:
        raise InvalidInput(
            f"Invalid field 'file_name': longer than {MAX_FILE_NAME_LENGTH} "
            "characters; shorten the name.",
            field="file_name",
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in name):
        raise InvalidInput(
            "Invalid field 'file_name': it contains control characters; "
            "rename the file.",
            field="file_name",
        )
    if "/" in name or "\\" in name:
        raise InvalidInput(
            "Invalid field 'file_name': send the name without folders "
            "(no '/' or '\\').",
            field="file_name",
        )
    return name


def content_disposition(file_name: str, disposition: str = "attachment") -> str:
    """Build a Content-Disposition header that keeps a Cyrillic name intact.

    ``filename*`` carries the UTF-8 name (RFC 6266 with RFC 5987 encoding) and
    ``filename`` an ASCII fallback for old clients. ``disposition`` is
    "attachment" for a download or "inline" for a preview shown in the page.
    """
    ascii_fallback = (
        file_name.encode("ascii", "replace").decode("ascii").replace('"', "'")
    )
    return (
        f'{disposition}; filename="{ascii_fallback}"; '
        f"filename*=UTF-8''{quote(file_name, safe='')}"
    )
