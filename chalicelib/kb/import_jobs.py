"""Importing documents into a section as a background job: one file or a zip.

``POST /api/kb/import`` converts every document of the upload before it
queues a job of kind ``kb`` (see ``chalicelib/imports``), so a bad upload is
a 4xx and creates nothing. The job converts the stored upload again and
writes each document as a draft in the section, in the uploader's name.

A document's article id derives from the job id and the document's place in
the upload. A job that runs again after a failure therefore finds the drafts
it wrote before and writes only the missing ones.
"""

import io
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ulid import ULID

from chalicelib.chat.history_writer import ProgressCallback
from chalicelib.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from chalicelib.ids import stable_id
from chalicelib.imports.guards import UnsafeFile, check_archive, read_entry
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import _require_section_edit, get_article
from chalicelib.kb.import_articles import (
    FORMATS,
    MAX_FILE_BYTES,
    PreparedArticle,
    prepare_article,
    write_draft,
)
from chalicelib.kb.import_markup import ImportRejected
from chalicelib.kb.models import Article
from chalicelib.people.service import find_user
from chalicelib.web import Caller

logger = logging.getLogger(__name__)

KIND = "kb"
UPLOAD_FORMATS = (*FORMATS, "zip")
# The format of a zip entry, by its extension.
EXTENSION_FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}
# Documents per zip; each becomes a draft and is converted twice (at upload
# and in the job), so the bound keeps the upload request short.
MAX_DOCUMENTS = 100
MAX_ZIP_ENTRIES = 1000
# Uncompressed bytes of all documents in a zip, counted while decompressing.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
# Folders of metadata that macOS adds to the zips it makes.
_JUNK_PREFIXES = ("__MACOSX/",)


@dataclass(frozen=True)
class UploadedDocument:
    # The file's name, or the entry's path inside the zip.
    name: str | None
    file_format: str
    prepared: PreparedArticle


@dataclass(frozen=True)
class KbUpload:
    section_id: str
    documents: list[UploadedDocument]
    # Zip entries that are no importable document, with the reason.
    skipped: list[dict] = field(default_factory=list)
    job_id: str | None = None


def check_upload_format(value: str | None) -> str:
    if value not in UPLOAD_FORMATS:
        problem = "missing" if value is None else f"'{value[:40]}' is not supported"
        raise InvalidInput(
            f"Invalid query parameter 'format': {problem}; use markdown, html, docx "
            "or zip.",
            field="format",
        )
    return value


def require_import_rights(reader: Reader, section_id: str) -> None:
    """Raise 404 for a section the reader cannot see, 403 if they may not add to it."""
    _require_section_edit(reader, section_id)


def check_upload(data: bytes, options: dict) -> KbUpload:
    """Check an upload as the route receives it; 413 for a file over the limit."""
    if len(data) > MAX_FILE_BYTES:
        raise PayloadTooLarge(
            f"The upload is {len(data)} bytes; the limit is {MAX_FILE_BYTES} "
            "bytes. Split it into several uploads.",
            field="file",
        )
    return parse_upload(data, options)


def upload_options(
    section_id: str, file_format: str, file_name: str | None, content_type: str | None
) -> dict:
    """Return what the job needs besides the file, to store with the job."""
    return {
        "section_id": section_id,
        "format": file_format,
        "file_name": file_name,
        "content_type": content_type,
    }


def parse_upload(data: bytes, options: dict) -> KbUpload:
    """Convert every document of an upload; raise ``ImportRejected`` on a bad one."""
    file_format = options["format"]
    if file_format != "zip":
        prepared = prepare_article(
            data,
            file_format=file_format,
            file_name=options.get("file_name"),
            content_type=options.get("content_type"),
        )
        document = UploadedDocument(options.get("file_name"), file_format, prepared)
        return KbUpload(
            section_id=options["section_id"],
            documents=[document],
            job_id=options.get("job_id"),
        )
    documents, skipped = _read_zip(data)
    return KbUpload(
        section_id=options["section_id"],
        documents=documents,
        skipped=skipped,
        job_id=options.get("job_id"),
    )


def _open_zip(data: bytes) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """Open the zip and return it with its entries, whose paths are all safe."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise ImportRejected(
            "The file is not a valid zip archive; send a .zip of .md, .html or .docx "
            "files, or import a single file with its own format."
        ) from None
    try:
        entries = check_archive(archive, MAX_ZIP_ENTRIES)
    except UnsafeFile as error:
        raise ImportRejected(
            f"{error.message} Pack the documents again with relative paths, or "
            "split them into several uploads."
        ) from None
    return archive, entries


def _is_junk(name: str) -> bool:
    path = PurePosixPath(name)
    return name.startswith(_JUNK_PREFIXES) or any(
        part.startswith(".") for part in path.parts
    )


def _format_of(entry: zipfile.ZipInfo) -> str | None:
    """Return the entry's document format, or None for folders and other files."""
    if entry.is_dir() or _is_junk(entry.filename):
        return None
    return EXTENSION_FORMATS.get(PurePosixPath(entry.filename).suffix.lower())


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: int):
    """Read one entry, stopping at the smaller of the file limit and ``budget``."""
    limit = min(MAX_FILE_BYTES, budget)
    if entry.file_size > limit:
        raise _entry_too_large(entry.filename, limit)
    try:
        return read_entry(archive, entry, limit)
    except UnsafeFile as error:
        raise ImportRejected(
            f"{error.message} Pack the documents again without a password, with "
            "a standard zip tool, or split the upload."
        ) from None


def _entry_too_large(name: str, limit: int) -> ImportRejected:
    return ImportRejected(
        f"The zip entry '{name[:100]}' goes over {limit} bytes uncompressed (each "
        f"document may have {MAX_FILE_BYTES} bytes, and all together "
        f"{MAX_UNPACKED_BYTES}); split the upload."
    )


def _read_zip(data: bytes) -> tuple[list[UploadedDocument], list[dict]]:
    archive, entries = _open_zip(data)
    # The declared sizes bound what the entries unpack to, so an upload that
    # is too large is rejected before any document is converted.
    declared = sum(entry.file_size for entry in entries if _format_of(entry))
    if declared > MAX_UNPACKED_BYTES:
        raise ImportRejected(
            f"The documents in the zip unpack to {declared} bytes; the limit is "
            f"{MAX_UNPACKED_BYTES}. Split them into several uploads."
        )
    documents: list[UploadedDocument] = []
    skipped: list[dict] = []
    budget = MAX_UNPACKED_BYTES
    # Entries in name order, so that folders and numbered files keep their order.
    for entry in sorted(entries, key=lambda item: item.filename):
        name = entry.filename
        if entry.is_dir() or _is_junk(name):
            continue
        file_format = _format_of(entry)
        if file_format is None:
            skipped.append(
                {"file_name": name, "reason": "not a .md, .txt, .html or .docx file"}
            )
            continue
        if len(documents) >= MAX_DOCUMENTS:
            raise ImportRejected(
                f"The zip has more than {MAX_DOCUMENTS} documents; split it into "
                "several uploads."
            )
        content = _read_entry(archive, entry, budget)
        budget -= len(content)
        try:
            prepared = prepare_article(
                content,
                file_format=file_format,
                file_name=PurePosixPath(name).name,
                content_type=None,
            )
        except ImportRejected as error:
            raise ImportRejected(f"{name}: {error.message}") from None
        documents.append(UploadedDocument(name, file_format, prepared))
    if not documents:
        raise ImportRejected(
            "The zip contains no .md, .txt, .html or .docx file; add the documents "
            "to import."
        )
    return documents, skipped


def document_article_id(job_id: str, index: int) -> str:
    """Return the id of the upload's ``index``-th document, the same on each run."""
    created_at = ULID.from_str(job_id).datetime
    return stable_id(created_at, "kb-import", job_id, str(index))


def _find_article(article_id: str) -> Article | None:
    try:
        return get_article(article_id, consistent=True)
    except NotFound:
        return None


def _uploader(user_id: str) -> Reader:
    user = find_user(user_id)
    if user is None or not user.is_active:
        raise Forbidden(
            f"The person who uploaded the file ({user_id}) is no longer active; "
            "upload it again as an active person."
        )
    return Reader(caller=Caller(user_id=user.user_id, role=user.role), user=user)


def write_upload(upload: KbUpload, imported_by: str, progress: ProgressCallback):
    """Write each document as a draft; return the job's report."""
    if upload.job_id is None:
        raise ValueError("A kb upload is written only by its job, with a job_id.")
    reader = _uploader(imported_by)
    # Rights may have changed since the upload; a refusal fails the job.
    require_import_rights(reader, upload.section_id)
    total = len(upload.documents)
    articles = []
    for index, document in enumerate(upload.documents):
        article_id = document_article_id(upload.job_id, index)
        # An article from an earlier run is left as it is: it may be edited now.
        existing = _find_article(article_id)
        created = False
        if existing is None:
            _article, created = write_draft(
                article_id, upload.section_id, document.prepared, reader
            )
        articles.append(
            {
                "id": article_id,
                "title": existing.title if existing else document.prepared.title,
                "file_name": document.name,
                "format": document.file_format,
                "created": created,
            }
        )
        progress(index + 1, total)
    created_count = sum(1 for item in articles if item["created"])
    logger.info(
        "kb import job wrote job_id=%s section_id=%s created=%d existing=%d by=%s",
        upload.job_id,
        upload.section_id,
        created_count,
        total - created_count,
        imported_by,
    )
    return {
        "section_id": upload.section_id,
        "created": created_count,
        "existing": total - created_count,
        "articles": articles,
        "skipped": upload.skipped,
    }
