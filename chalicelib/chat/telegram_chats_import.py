"""Import every chat of a Telegram export, each into a channel of its own.

A full-account export (Settings → Advanced → Export Telegram data) contains many
chats. Each becomes a custom channel, found again on a later import by the
chat's Telegram id, so importing the same export twice adds nothing.
"""

import logging

from chalicelib.chat import channels
from chalicelib.chat.history_writer import ProgressCallback
from chalicelib.chat.telegram_export import ParsedExport
from chalicelib.chat.telegram_import import chat_reference, write_export
from chalicelib.text import strip_controls

logger = logging.getLogger(__name__)

MAX_CHANNEL_NAME_LENGTH = 80


def import_chats(
    exports: list[ParsedExport],
    imported_by: str,
    progress: ProgressCallback | None = None,
) -> dict:
    """Write each chat into its channel and return the report of the whole run."""
    total = sum(len(export.messages) for export in exports)
    done = 0
    if progress is not None:
        progress(0, total)
    reports, empty_chats = [], []

    for export in exports:
        if not export.messages:
            empty_chats.append(export.chat_name)
            continue
        chat_ref = chat_reference(export)
        name = strip_controls(export.chat_name)[:MAX_CHANNEL_NAME_LENGTH]
        name = name or f"Telegram {chat_ref}"
        channel = channels.ensure_channel(
            f"telegram:{chat_ref}", name=name, kind="custom", created_by=imported_by
        )
        channels.add_member(channel.channel_id, imported_by, source="manual")

        def chat_progress(written: int, _: int, offset: int = done) -> None:
            if progress is not None:
                progress(offset + written, total)

        result = write_export(channel, export, chat_progress)
        done += len(export.messages)
        if progress is not None:
            progress(done, total)
        reports.append({"channel_id": channel.channel_id, **result.to_json()})
        logger.info(
            "telegram chat imported channel_id=%s imported=%d already_present=%d",
            channel.channel_id,
            result.imported,
            result.already_present,
        )

    return {
        "channels": reports,
        "imported": sum(report["imported"] for report in reports),
        "already_present": sum(report["already_present"] for report in reports),
        "skipped_total": sum(report["skipped"] for report in reports),
        "empty_chats": empty_chats,
    }
