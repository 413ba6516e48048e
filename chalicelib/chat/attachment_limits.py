"""Limits on files sent in chat: accepted types, size and dangerous names.

The chat takes a wider set of types than payment requests do (archives,
presentations, GIFs), but never a file that a browser or a desktop would run:
executables, scripts, HTML and SVG. Those are rejected by their extension
whatever type the client declares, because a download keeps its name.
"""

from pathlib import PurePosixPath

from chalicelib.errors import InvalidInput
from chalicelib.files import limits

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_ATTACHMENTS_PER_MESSAGE = 10

# Shown inline as previews, and measured when they are sent. SVG is not here:
# it can carry scripts.
IMAGE_CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

ALLOWED_CONTENT_TYPES = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "application/pdf": "PDF",
    "text/plain": "text",
    "text/csv": "CSV",
    "text/markdown": "Markdown",
    "application/json": "JSON",
    "application/zip": "ZIP",
    "application/x-zip-compressed": "ZIP",
    "application/msword": "DOC",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.ms-powerpoint": "PPT",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "PPTX"
    ),
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.oasis.opendocument.presentation": "ODP",
}

# Extensions that run code when opened, or render as a page in a browser.
BLOCKED_EXTENSIONS = frozenset(
    {
        "apk", "app", "bat", "cmd", "com", "cpl", "dll", "dmg", "exe", "hta",
        "htm", "html", "jar", "js", "jse", "lnk", "mht", "mhtml", "mjs", "msi",
        "msp", "pif", "ps1", "reg", "scr", "sh", "shtml", "svg", "svgz", "vb",
        "vbe", "vbs", "wsf", "wsh", "xht", "xhtml",
    }
)  # fmt: skip


def is_image(content_type: str) -> bool:
    return content_type in IMAGE_CONTENT_TYPES


def check_content_type(content_type: str) -> str:
    return limits.check_content_type(content_type, ALLOWED_CONTENT_TYPES)


def check_size(size: int) -> int:
    return limits.check_size(
        size, MAX_ATTACHMENT_BYTES, advice="send a smaller file or a link to it"
    )


def check_file_name(file_name: str) -> str:
    """Return the name as shown, or raise if it is invalid or names a program."""
    name = limits.check_file_name(file_name)
    # Trailing dots and spaces are dropped by Windows, so "run.exe." is an .exe.
    extension = PurePosixPath(name.rstrip(". ")).suffix.lstrip(".").lower()
    if extension in BLOCKED_EXTENSIONS:
        raise InvalidInput(
            f"Invalid field 'file_name': '.{extension}' files can run code when "
            "opened and are not accepted in chat; pack the file into a ZIP archive.",
            field="file_name",
        )
    return name
