"""The published API: the OpenAPI document and a page that renders it.

Both routes are public, like the API's own list of routes on any gateway:
they describe the routes and schemas, never data.
"""

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.openapi.overrides import documented
from chalicelib.openapi.spec import build_spec

openapi_routes = Blueprint(__name__)

DOCS_PAGE = Path(__file__).with_name("docs.html")
HTML_RESPONSE = {"text/html": {"type": "string"}}

# The generated document, keyed by the route table. A route added at run time
# (tests add some) makes a new key, so the document always lists every route.
_specs: dict[frozenset, dict] = {}


def _route_key(app) -> frozenset:
    return frozenset(
        (path, method, id(entry.view_function))
        for path, methods in app.routes.items()
        for method, entry in methods.items()
    )


def current_spec(app) -> dict:
    key = _route_key(app)
    if key not in _specs:
        _specs.clear()
        _specs[key] = build_spec(app)
    return _specs[key]


@cache
def _docs_page() -> tuple[str, str]:
    """Return the page and its Content-Security-Policy.

    The policy allows only the page's own inline script and style, by hash,
    and requests to the same origin, so the page loads nothing from elsewhere.
    """
    html = DOCS_PAGE.read_text(encoding="utf-8")

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    policy = "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(f"'sha256-{digest(s)}'" for s in scripts),
            "style-src " + " ".join(f"'sha256-{digest(s)}'" for s in styles),
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return html, policy


@openapi_routes.route("/openapi.json", methods=["GET"])
@documented(summary="The OpenAPI 3.1 document of this API")
def openapi_document():
    return Response(
        body=current_spec(openapi_routes.current_app),
        status_code=200,
        headers={"Content-Type": "application/json"},
    )


@openapi_routes.route("/docs", methods=["GET"])
@documented(summary="A page that renders the OpenAPI document", response=HTML_RESPONSE)
def api_docs():
    html, policy = _docs_page()
    return Response(
        body=html,
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": policy,
            "X-Content-Type-Options": "nosniff",
        },
    )
