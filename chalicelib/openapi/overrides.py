"""Explicit API documentation for routes the generator cannot read by itself.

The generator finds request schemas in the views' own ``parse_body`` and
``parse`` calls. A route whose body is not a pydantic model, such as a raw
file upload, is described here instead: with the ``documented`` decorator on
the view, or in ``ROUTE_DOCS`` when the view belongs to another package.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel

from chalicelib.finance.export import XLSX_MEDIA_TYPE


@dataclass(frozen=True)
class RouteDoc:
    summary: str | None = None
    # A pydantic model of the JSON body, used when the view parses it indirectly.
    body: type[BaseModel] | None = None
    # A body that is not a pydantic model: media type to JSON Schema.
    raw_body: dict[str, dict] = field(default_factory=dict)
    # A successful response that is not JSON: media type to JSON Schema.
    response: dict[str, dict] = field(default_factory=dict)
    # Error statuses beyond those the generator infers.
    errors: tuple[int, ...] = ()


ATTRIBUTE = "__route_doc__"

# Keyed by "METHOD path"; tests/openapi checks that every key names a route.
ROUTE_DOCS: dict[str, RouteDoc] = {
    "POST /api/chat/channels/{channel_id}/import/telegram": RouteDoc(
        summary="Import a Telegram Desktop chat export into the channel",
        raw_body={
            "application/json": {
                "type": "object",
                "description": "result.json of a Telegram Desktop export.",
            },
            "application/octet-stream": {
                "type": "string",
                "contentMediaType": "application/json",
                "description": "The same file sent as bytes.",
            },
        },
        errors=(413,),
    ),
    "POST /api/chat/import/slack": RouteDoc(
        summary="Start importing a Slack workspace export as a background job",
        raw_body={
            "application/zip": {
                "type": "string",
                "contentMediaType": "application/zip",
                "description": "The zip Slack produces under Import/Export Data.",
            },
        },
        errors=(413,),
    ),
    "POST /api/chat/import/telegram": RouteDoc(
        summary="Start importing a Telegram export, one channel per chat",
        raw_body={
            "application/json": {
                "type": "object",
                "description": "result.json of a full-account or single-chat export.",
            },
        },
        errors=(413,),
    ),
    "POST /api/tasks/import": RouteDoc(
        summary="Import tasks from a Trello board export or a CSV file",
        raw_body={
            "application/json": {
                "type": "object",
                "description": "A Trello board JSON export (format=trello).",
            },
            "text/csv": {"type": "string", "description": "A CSV file (format=csv)."},
            "application/octet-stream": {
                "type": "string",
                "description": "Either file as bytes, for encodings other than UTF-8.",
            },
        },
        errors=(413,),
    ),
    "POST /api/tasks/import/preview": RouteDoc(
        summary="Preview a task import: shape, column mapping, statuses, people",
        raw_body={
            "application/octet-stream": {
                "type": "string",
                "description": "A Trello board JSON export or a CSV file, as bytes.",
            },
        },
        errors=(413,),
    ),
    "POST /api/tasks/import/{file_format}": RouteDoc(
        summary="Start a task import job; file_format is trello or csv",
        raw_body={
            "application/octet-stream": {
                "type": "string",
                "description": "A Trello board JSON export or a CSV file, as bytes.",
            },
        },
        errors=(413,),
    ),
    "POST /api/kb/sections/{section_id}/import": RouteDoc(
        summary="Import a Markdown, HTML or .docx file as a draft article",
        raw_body={
            "application/octet-stream": {
                "type": "string",
                "description": "The file as bytes; format=markdown|html|docx.",
            },
        },
        errors=(413,),
    ),
    "POST /api/hooks/{hook_id}": RouteDoc(
        summary="Receive a signed inbound webhook delivery",
        raw_body={
            "application/json": {
                "type": "object",
                "description": (
                    "Any JSON object. The headers X-Shtab-Timestamp, "
                    "X-Shtab-Delivery and X-Shtab-Signature (sha256=<hex of "
                    'HMAC-SHA256(secret, timestamp + "." + raw body)>) are required.'
                ),
            },
        },
        # A missing, stale or wrong signature is 401, a delivery id seen
        # before with another body is 409, and an action that fails is 422.
        errors=(401, 409, 413, 422),
    ),
    "POST /api/integrations/hooks/{hook_id}/test": RouteDoc(errors=(422,)),
    # Removing the bot before an admin configured one is 404.
    "DELETE /api/integrations/telegram": RouteDoc(errors=(404,)),
    # A wrong X-Telegram-Bot-Api-Secret-Token header is 401.
    "POST /api/telegram/updates": RouteDoc(errors=(400, 401, 404, 413)),
    # A wrong email or password is 401, and failures are throttled per email.
    "POST /api/auth/login": RouteDoc(errors=(401, 429)),
    "GET /api/weeks/{iso_week}/review": RouteDoc(
        response={
            "application/json": {"type": "object", "additionalProperties": True},
            "text/csv": {"type": "string", "description": "With format=csv."},
        },
    ),
    "GET /api/finance/requests/export": RouteDoc(
        summary="Export the payment requests as CSV (format=csv) or XLSX",
        response={
            "text/csv": {"type": "string"},
            XLSX_MEDIA_TYPE: {"type": "string", "description": "An XLSX workbook."},
        },
    ),
}


def documented(**options) -> Callable:
    """Attach a ``RouteDoc`` to a view; put it below the ``route`` decorator."""
    doc = RouteDoc(**options)

    def attach(view: Callable) -> Callable:
        setattr(view, ATTRIBUTE, doc)
        return view

    return attach


def route_doc(method: str, path: str, view: Callable) -> RouteDoc | None:
    return getattr(view, ATTRIBUTE, None) or ROUTE_DOCS.get(f"{method} {path}")
