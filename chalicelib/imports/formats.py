"""The export formats an import job can read, each with its parser and writer."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.chat.history_writer import ProgressCallback
from chalicelib.chat.slack_export import SlackExportError, parse_archive
from chalicelib.chat.slack_import import import_slack_export
from chalicelib.chat.telegram_chats_import import import_chats
from chalicelib.chat.telegram_export import TelegramExportError, parse_all_chats


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

    def parse(self, data: bytes) -> Any:
        try:
            return self.parse_export(data)
        except self.format_errors as error:
            raise ExportFileError(error.message, error.field) from None


def _write_slack(export, imported_by: str, progress: ProgressCallback) -> dict:
    return import_slack_export(export, imported_by, progress).to_json()


FORMATS = {
    "slack": ImportFormat(
        content_type="application/zip",
        parse_export=parse_archive,
        format_errors=(SlackExportError,),
        write_export=_write_slack,
    ),
    "telegram": ImportFormat(
        content_type="application/json",
        parse_export=parse_all_chats,
        format_errors=(TelegramExportError,),
        write_export=import_chats,
    ),
}
