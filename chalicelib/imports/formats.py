"""The export formats an import job can read, each with its parser and writer."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.chat.history_writer import ProgressCallback
from chalicelib.chat.slack_export import SlackExportError, parse_archive
from chalicelib.chat.slack_import import import_slack_export
from chalicelib.chat.telegram_chats_import import import_chats
from chalicelib.chat.telegram_export import (
    ParsedExport,
    TelegramExportError,
    parse_all_chats,
)
from chalicelib.chat.telegram_import import MAX_IMPORTED_TEXT_LENGTH
from chalicelib.errors import InvalidInput
from chalicelib.kb.import_jobs import parse_upload, write_upload
from chalicelib.tasks.importing.import_job import (
    JOB_KINDS,
    TaskJobFileError,
    read_job,
    write_job,
)


class ExportFileError(ValueError):
    """An unusable export, with the part at fault in ``field``."""

    def __init__(self, message: str, field: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ImportFormat:
    content_type: str
    parse_export: Callable[[bytes], Any]
    format_errors: tuple[type[ValueError], ...]
    # Writes a parsed export and returns the report as JSON-ready data.
    write_export: Callable[[Any, str, ProgressCallback], dict]
    # Whether parse_export also takes the job's options as a second argument.
    takes_options: bool = False

    def parse(self, data: bytes, options: dict | None = None) -> Any:
        try:
            if self.takes_options:
                return self.parse_export(data, options or {})
            return self.parse_export(data)
        except self.format_errors as error:
            raise ExportFileError(error.message, error.field) from None


def _parse_telegram(data: bytes) -> list[ParsedExport]:
    """Parse every chat and check that each message can be stored, so that the
    route rejects a file the job could not write."""
    chats = parse_all_chats(data)
    for chat_index, chat in enumerate(chats):
        for message in chat.messages:
            if len(message.text) > MAX_IMPORTED_TEXT_LENGTH:
                raise TelegramExportError(
                    f"Message {message.source_id} of chat {chat.chat_name!r} has "
                    f"{len(message.text)} characters; the limit is "
                    f"{MAX_IMPORTED_TEXT_LENGTH}. Remove or shorten it in the "
                    "export and import again.",
                    field=(
                        f"chats.list[{chat_index}].messages"
                        if len(chats) > 1
                        else "messages"
                    ),
                )
    return chats


def _write_slack(export, imported_by: str, progress: ProgressCallback) -> dict:
    return import_slack_export(export, imported_by, progress).to_json()


FORMATS = {
    "kb": ImportFormat(
        content_type="application/octet-stream",
        parse_export=parse_upload,
        format_errors=(InvalidInput,),
        write_export=write_upload,
        takes_options=True,
    ),
    "slack": ImportFormat(
        content_type="application/zip",
        parse_export=parse_archive,
        format_errors=(SlackExportError,),
        write_export=_write_slack,
    ),
    "telegram": ImportFormat(
        content_type="application/json",
        parse_export=_parse_telegram,
        format_errors=(TelegramExportError,),
        write_export=import_chats,
    ),
}
# Task imports: "tasks_trello" and "tasks_csv".
FORMATS.update(
    {
        kind: ImportFormat(
            content_type="application/octet-stream",
            parse_export=read_job,
            format_errors=(TaskJobFileError,),
            write_export=write_job,
            takes_options=True,
        )
        for kind in JOB_KINDS.values()
    }
)
