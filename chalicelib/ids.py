"""ULID helpers: every id sorts by creation time."""

import hashlib
from datetime import datetime

from ulid import ULID


def new_id() -> str:
    return str(ULID())


def stable_id(timestamp: datetime, *parts: str) -> str:
    """Return a ULID whose time part is ``timestamp`` and whose random part is
    derived from ``parts``, so that redoing the same work yields the same id.
    """
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    milliseconds = int(timestamp.timestamp() * 1000)
    return str(ULID.from_bytes(milliseconds.to_bytes(6, "big") + digest[:10]))
