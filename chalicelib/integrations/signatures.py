"""Webhook signatures: HMAC-SHA256 over the timestamp and the exact raw body.

A signature is ``sha256=<hex>``, where ``<hex>`` is the lowercase hex digest of
HMAC-SHA256 keyed with the hook's secret over ``timestamp + "." + body``. The
timestamp is unix seconds as decimal digits. Signing the timestamp together with
the body lets the receiver reject an old request replayed by someone who
captured it.
"""

import hashlib
import hmac
import re
from datetime import datetime

from chalicelib.errors import InvalidInput, Unauthenticated

SIGNATURE_PREFIX = "sha256="
DEFAULT_TOLERANCE_SECONDS = 300
# Unix seconds stay at 10 digits until the year 2286; 12 leaves room without
# letting an absurdly long header through.
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^sha256=[0-9a-f]{64}$")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the ``sha256=<hex>`` signature of ``body`` sent at ``timestamp``."""
    message = timestamp.encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(
    secret: str,
    timestamp: str | None,
    body: bytes,
    signature: str | None,
    now: datetime,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise Unauthenticated unless ``signature`` signs ``body`` at a recent time.

    ``timestamp`` must be within ``tolerance_seconds`` of ``now`` in either
    direction, so a captured request cannot be replayed later and a clock far
    ahead cannot sign requests for later use. ``tolerance_seconds`` below zero
    raises InvalidInput.
    """
    if tolerance_seconds < 0:
        raise InvalidInput(
            f"tolerance_seconds is {tolerance_seconds}; use 0 or more seconds."
        )
    if not timestamp:
        raise Unauthenticated(
            "Missing X-Shtab-Timestamp header: send the unix time in seconds "
            "at which the request was signed."
        )
    if not _TIMESTAMP.fullmatch(timestamp):
        raise Unauthenticated(
            "Invalid X-Shtab-Timestamp header: use the unix time in whole seconds, "
            "such as 1767225600."
        )
    skew = int(now.timestamp()) - int(timestamp)
    if abs(skew) > tolerance_seconds:
        direction = "old" if skew > 0 else "in the future"
        raise Unauthenticated(
            f"X-Shtab-Timestamp is {abs(skew)} seconds {direction}; the limit is "
            f"{tolerance_seconds} seconds. Sign each request when you send it and "
            "check the sender's clock."
        )
    if not signature:
        raise Unauthenticated(
            "Missing X-Shtab-Signature header: send sha256=<hex HMAC-SHA256 of "
            'timestamp + "." + body, keyed with the hook secret>.'
        )
    if not _SIGNATURE.fullmatch(signature):
        raise Unauthenticated(
            "Invalid X-Shtab-Signature header: use sha256= followed by 64 "
            "lowercase hex digits."
        )
    expected = sign(secret, timestamp, body)
    # compare_digest takes the same time wherever the first difference is, so
    # the response time does not leak how much of a guess was right.
    if not hmac.compare_digest(expected, signature):
        raise Unauthenticated(
            "X-Shtab-Signature does not match: sign the exact raw body with the "
            "hook's current secret."
        )
