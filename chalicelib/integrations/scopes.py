"""Scopes of API tokens and the route prefixes each scope opens.

A scope is ``<area>:read`` or ``<area>:write``. GET and HEAD need the area's
read scope, and every other method needs its write scope. Write does not
imply read, so a token that both reads and writes lists both scopes.

The ``admin`` scope lets a token act as an admin inside the areas its other
scopes open: org edits, people management, every task and payment request.
Without it a token acts like an employee who has no position.

Some routes are never open to a token, whatever its scopes. These are
sign-in and the caller's own account under ``/api/auth``, import jobs under
``/api/imports``, parked stream records under ``/api/admin``, and token
management under ``/api/integrations/tokens``,
so that a token can neither mint a stronger token nor revoke the admin's.
Routes under a prefix missing from ``ROUTE_AREAS`` are closed as well.
"""

from chalice.app import Request

from chalicelib.errors import Forbidden
from chalicelib.web import ADMIN_SCOPE, INTEGRATION_ROLE

AREAS = (
    "org",
    "users",
    "chat",
    "tasks",
    "processes",
    "weeks",
    "finance",
    "kb",
    "integrations",
)
SCOPES = tuple(f"{area}:{access}" for area in AREAS for access in ("read", "write")) + (
    ADMIN_SCOPE,
)

READ_METHODS = frozenset({"GET", "HEAD"})

# Route path prefix to area, checked in order so that the closed prefixes win
# over the wider prefix of their area. ``None`` closes the prefix to tokens.
ROUTE_AREAS: tuple[tuple[str, str | None], ...] = (
    ("/api/integrations/tokens", None),
    ("/api/auth/", None),
    # Import jobs are read by the person who started them.
    ("/api/imports/", None),
    # Parked stream records contain any area's data, and replaying them runs
    # any area's reaction.
    ("/api/admin/", None),
    ("/api/org/", "org"),
    ("/api/users", "users"),
    ("/api/chat/", "chat"),
    ("/api/tasks", "tasks"),
    ("/api/process-templates", "processes"),
    ("/api/launches/", "processes"),
    ("/api/weeks/", "weeks"),
    ("/api/finance/", "finance"),
    ("/api/kb/", "kb"),
    ("/api/integrations/", "integrations"),
)


class ClosedToTokens(Exception):
    """The route is never open to an API token."""


def _prefix_matches(path: str, prefix: str) -> bool:
    if prefix.endswith("/"):
        return path.startswith(prefix)
    return path == prefix or path.startswith(prefix + "/")


def required_scope(path: str, method: str) -> str:
    """Return the scope a token needs for ``method`` on the route ``path``.

    ``path`` is the route template, such as ``/api/tasks/{task_id}``. Raises
    ``ClosedToTokens`` for a route no scope opens, including routes of an
    area added later and not listed in ``ROUTE_AREAS``.
    """
    for prefix, area in ROUTE_AREAS:
        if _prefix_matches(path, prefix):
            if area is None:
                break
            access = "read" if method.upper() in READ_METHODS else "write"
            return f"{area}:{access}"
    raise ClosedToTokens(path)


def check_scope(path: str, method: str, scopes: frozenset[str]) -> None:
    """Raise ``Forbidden`` unless ``scopes`` open ``method`` on ``path``."""
    try:
        scope = required_scope(path, method)
    except ClosedToTokens:
        raise Forbidden(
            f"API tokens cannot use {method} {path}; sign in as a person to do this."
        ) from None
    if scope not in scopes:
        raise Forbidden(
            f"This API token lacks the scope '{scope}' needed for {method} {path}; "
            "create a token with that scope.",
            missing_scope=scope,
        )


def enforce_scopes(event: Request, get_response):
    """Chalice HTTP middleware: reject a token's call outside its scopes.

    Calls signed in as a person pass through unchanged. Register it after
    ``handle_errors`` so that its ``Forbidden`` becomes a JSON error.
    """
    context = (event.context or {}).get("authorizer") or {}
    if context.get("role") == INTEGRATION_ROLE:
        scopes = frozenset((context.get("scopes") or "").split())
        check_scope(event.path, event.method, scopes)
    return get_response(event)
