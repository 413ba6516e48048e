"""Explicit API documentation for routes the generator cannot read by itself.

The generator finds request schemas in the views' own ``parse_body`` and
``parse`` calls. A route whose body is not a pydantic model, such as a raw
file upload, is described here instead: with the ``documented`` decorator on
the view, or in ``ROUTE_DOCS`` when the view belongs to another package.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass(frozen=True)
class RouteDoc:
    summary: str | None = None
    # A pydantic model of the JSON body, used when the view parses it indirectly.
    body: type[BaseModel] | None = None
    # A body that is not a pydantic model: media type to JSON Schema.
    raw_body: dict[str, dict] = field(default_factory=dict)
    # The media type and schema of a successful response that is not JSON.
    response: tuple[str, dict] | None = None
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
    # Sign-in failures are throttled per email address.
    "POST /api/auth/login": RouteDoc(errors=(429,)),
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
