"""Cross-origin access to the HTTP API.

The API authenticates with bearer tokens, never cookies, so allowing every
origin lets no other site act as a signed-in person: a page elsewhere has no
token to send. Browsers still need the headers on error responses too, or a
script on another origin gets a network failure instead of the error body.
"""

from chalice import CORSConfig

# Headers a browser may send and read, besides those Chalice always allows.
ALLOWED_HEADERS = ["X-Shtab-Timestamp", "X-Shtab-Delivery", "X-Shtab-Signature"]
EXPOSED_HEADERS = ["Retry-After", "Content-Disposition"]
PREFLIGHT_CACHE_SECONDS = 600

CORS = CORSConfig(
    allow_origin="*",
    allow_headers=ALLOWED_HEADERS,
    expose_headers=EXPOSED_HEADERS,
    max_age=PREFLIGHT_CACHE_SECONDS,
)


def add_cors_headers(headers: dict) -> dict:
    """Add the CORS headers that ``headers`` lacks, and return it."""
    for name, value in CORS.get_access_control_headers().items():
        headers.setdefault(name, value)
    return headers
