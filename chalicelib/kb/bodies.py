"""Article bodies: short ones inside the item, long ones in the files bucket.

DynamoDB items are limited to 400 KB, and an article item also carries its
header, so a body over ``INLINE_LIMIT_BYTES`` of UTF-8 is written to S3 under
a fresh key and the item keeps the key. Objects are never overwritten: a
revision or a conflict copy that refers to one always reads the same text.
"""

from dataclasses import dataclass

from chalicelib.files import storage
from chalicelib.ids import new_id

INLINE_LIMIT_BYTES = 100 * 1024
CONTENT_TYPE = "text/markdown; charset=utf-8"


@dataclass(frozen=True)
class StoredBody:
    """Where a body is: ``text`` inline, or ``key`` in the files bucket."""

    text: str | None
    key: str | None
    size: int

    def fields(self) -> dict:
        return {"body": self.text, "body_key": self.key, "body_bytes": self.size}


def store_body(article_id: str, text: str) -> StoredBody:
    data = text.encode("utf-8")
    if len(data) <= INLINE_LIMIT_BYTES:
        return StoredBody(text=text, key=None, size=len(data))
    key = f"kb/{article_id}/bodies/{new_id()}.md"
    storage.put_object(key, data, CONTENT_TYPE)
    return StoredBody(text=None, key=key, size=len(data))


def stored_body_of(item) -> StoredBody:
    """Return where the body of an article, revision or conflict copy is."""
    return StoredBody(text=item.body, key=item.body_key, size=int(item.body_bytes or 0))


def read_body(item) -> str:
    """Return the body text of an article, revision or conflict copy."""
    return read_stored(stored_body_of(item))


def read_stored(body: StoredBody) -> str:
    if body.key:
        return storage.read_object(body.key).decode("utf-8")
    return body.text or ""


def read_image_body(image: dict) -> str:
    """Return the body text of an article as a stream record's image holds it."""
    key = image.get("body_key")
    if key:
        return storage.read_object(key).decode("utf-8")
    return image.get("body") or ""
