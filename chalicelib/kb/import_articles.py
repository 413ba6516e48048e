"""Importing a file as a draft article: Markdown as it is, HTML and docx converted.

The whole file is read and converted before anything is written, so a file
that cannot be imported is a 400 and creates nothing. The draft's title is
the text of the first heading, or else the file name without its extension.
The importer is the draft's author and must be allowed to add articles to
the section.
"""

import codecs
import logging
import re
from dataclasses import dataclass
from pathlib import PurePath

from pydantic import TypeAdapter, ValidationError

from chalicelib.errors import InvalidInput, PayloadTooLarge
from chalicelib.ids import new_id
from chalicelib.imports.guards import utf16_hint
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import _default_kind, insert_article, new_article
from chalicelib.kb.assignments import require_section_edit
from chalicelib.kb.import_docx import docx_to_markdown
from chalicelib.kb.import_html import html_to_markdown
from chalicelib.kb.import_markup import Document, ImportRejected, plain_text
from chalicelib.kb.models import Article
from chalicelib.kb.schemas import MAX_BODY_BYTES, MAX_TITLE_LENGTH, Title

logger = logging.getLogger(__name__)

FORMATS = ("markdown", "html", "docx")
# API Gateway takes 10 MB, but Lambda takes 6 MB per request and a binary
# body arrives base64-encoded, a third larger: 4 MB stays under 6 MB.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_FILE_NAME_LENGTH = 255

_TITLE = TypeAdapter(Title)
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]{1,40})""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_-]{1,40})", re.I)


def check_format(value: str | None) -> str:
    if value is None:
        raise InvalidInput(
            "Missing query parameter 'format': use markdown, html or docx.",
            field="format",
        )
    if value not in FORMATS:
        raise InvalidInput(
            f"Invalid query parameter 'format': '{value[:40]}' is not supported; "
            "use markdown, html or docx.",
            field="format",
        )
    return value


def check_file_name(value: str | None) -> str | None:
    if value is None:
        return None
    name = PurePath(value.replace("\\", "/")).name
    if not name or len(value) > MAX_FILE_NAME_LENGTH:
        raise InvalidInput(
            f"Invalid query parameter 'file_name': use the file's name, up to "
            f"{MAX_FILE_NAME_LENGTH} characters.",
            field="file_name",
        )
    return name


def _declared_charset(data: bytes, content_type: str | None, file_format: str):
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        return header[1]
    if file_format == "html":
        meta = _META_CHARSET.search(data[:4096])
        if meta:
            return meta[1].decode("ascii")
    return None


def decode_text(data: bytes, content_type: str | None, file_format: str) -> str:
    """Decode a text file: a byte order mark, then the declared charset, then UTF-8."""
    for mark, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(mark):
            data, charset = data[len(mark) :], encoding
            break
    else:
        charset = _declared_charset(data, content_type, file_format) or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        raise ImportRejected(
            f"The file declares the encoding '{charset}', which is unknown; save "
            "it as UTF-8."
        ) from None
    try:
        text = data.decode(charset)
    except UnicodeDecodeError as error:
        raise ImportRejected(
            f"The file is not valid {charset} (invalid byte at position "
            f"{error.start}).{utf16_hint(data)} Save it as UTF-8, or declare its "
            "encoding in the Content-Type header, such as 'text/html; "
            "charset=windows-1251'."
        ) from None
    if "\x00" in text:
        raise ImportRejected(
            "The file contains NUL characters, so it is no text file."
            f"{utf16_hint(text)} Check the format parameter."
        )
    return text


def markdown_document(text: str) -> Document:
    """Keep Markdown as it is; find its first heading outside code blocks."""
    document = Document(text=text)
    fence: str | None = None
    previous = ""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening[1]
            continue
        atx = _ATX_HEADING.match(line)
        if atx:
            document.first_heading = plain_text(atx[1])
            break
        if previous.strip() and _SETEXT_UNDERLINE.match(line):
            document.first_heading = plain_text(previous.strip())
            break
        previous = line
    return document


def convert(data: bytes, file_format: str, content_type: str | None) -> Document:
    if file_format == "docx":
        return docx_to_markdown(data)
    text = decode_text(data, content_type, file_format)
    if file_format == "html":
        return html_to_markdown(text)
    return markdown_document(text)


def _title(document: Document, file_name: str | None) -> str:
    candidates = [document.first_heading]
    if file_name:
        candidates.append(PurePath(file_name).stem)
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return _TITLE.validate_python(candidate[:MAX_TITLE_LENGTH].strip())
        except ValidationError:
            continue
    raise InvalidInput(
        "The file has no heading to take the title from; add one, or send the "
        "file's name in the 'file_name' query parameter.",
        field="file_name",
    )


@dataclass(frozen=True)
class PreparedArticle:
    """A converted file, ready to be written as a draft."""

    title: str
    body: str


def prepare_article(
    data: bytes, *, file_format: str, file_name: str | None, content_type: str | None
) -> PreparedArticle:
    """Convert a file and check the result; raise ``ImportRejected`` on a bad file."""
    if len(data) > MAX_FILE_BYTES:
        raise PayloadTooLarge(
            f"The file is {len(data)} bytes; the limit is {MAX_FILE_BYTES} bytes. "
            "Split it into several files.",
            field="file",
        )
    if not data.strip():
        raise ImportRejected("The file is empty; send the file as the request body.")

    document = convert(data, file_format, content_type)
    body = document.markdown()
    if not body.strip():
        raise ImportRejected(
            "The file has no text to import; check that it is the right file."
        )
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise ImportRejected(
            f"The imported article is {size} bytes of Markdown; the limit is "
            f"{MAX_BODY_BYTES} bytes, so split the document into several files."
        )
    return PreparedArticle(title=_title(document, file_name), body=body)


def write_draft(
    article_id: str, section_id: str, prepared: PreparedArticle, reader: Reader
) -> tuple[Article, bool]:
    """Write the draft under ``article_id``; return it and whether it is new.

    An id that already exists is left as it is, so writing the same id again
    creates nothing.
    """
    article, revision = new_article(
        article_id,
        section_id=section_id,
        title=prepared.title,
        body=prepared.body,
        kind=_default_kind(reader, section_id),
        status="draft",
        author_id=reader.user_id,
    )
    created = insert_article(article, revision)
    return article, created


def import_article(
    section_id: str,
    data: bytes,
    *,
    file_format: str,
    file_name: str | None,
    content_type: str | None,
    reader: Reader,
) -> Article:
    require_section_edit(reader, section_id)
    prepared = prepare_article(
        data, file_format=file_format, file_name=file_name, content_type=content_type
    )
    article_id = new_id()
    article, _created = write_draft(article_id, section_id, prepared, reader)
    logger.info(
        "kb article imported article_id=%s section_id=%s format=%s bytes=%d by=%s",
        article_id,
        section_id,
        file_format,
        len(data),
        reader.user_id,
    )
    return article
