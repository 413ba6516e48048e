"""Conflict copies: the text of a save that lost to a newer revision.

A save whose base revision is stale is rejected with 409, and its title and
body are kept here, so the editor can compare them with the current revision
and merge them by hand. Only the person whose save was rejected sees a copy;
they delete it when done.
"""

import logging

from pynamodb.exceptions import DeleteError, DoesNotExist

from chalicelib.clock import iso, utc_now
from chalicelib.errors import NotFound
from chalicelib.ids import new_id
from chalicelib.kb.bodies import StoredBody, read_body
from chalicelib.kb.models import ConflictCopy, article_pk

logger = logging.getLogger(__name__)


def store_conflict(
    article_id: str,
    user_id: str,
    base_revision: int,
    current_revision: int,
    title: str,
    body: StoredBody,
) -> ConflictCopy:
    conflict_id = new_id()
    copy = ConflictCopy(
        article_pk(article_id),
        f"CONFLICT#{conflict_id}",
        conflict_id=conflict_id,
        user_id=user_id,
        base_revision=base_revision,
        current_revision=current_revision,
        title=title,
        created_at=utc_now(),
        **body.fields(),
    )
    copy.save()
    logger.info(
        "kb conflict copy stored article_id=%s conflict_id=%s base_revision=%d by=%s",
        article_id,
        conflict_id,
        base_revision,
        user_id,
    )
    return copy


def list_conflicts(article_id: str, user_id: str) -> list[ConflictCopy]:
    return [
        copy
        for copy in ConflictCopy.query(
            article_pk(article_id),
            ConflictCopy.sk.startswith("CONFLICT#"),
            filter_condition=ConflictCopy.user_id == user_id,
            attributes_to_get=[
                "pk",
                "sk",
                "conflict_id",
                "user_id",
                "base_revision",
                "current_revision",
                "title",
                "body_bytes",
                "created_at",
            ],
        )
    ]


def get_conflict(article_id: str, conflict_id: str, user_id: str) -> ConflictCopy:
    try:
        copy = ConflictCopy.get(article_pk(article_id), f"CONFLICT#{conflict_id}")
    except DoesNotExist:
        copy = None
    if copy is None or copy.user_id != user_id:
        raise NotFound(f"Conflict copy '{conflict_id}' not found.")
    return copy


def delete_conflict(article_id: str, conflict_id: str, user_id: str) -> None:
    copy = get_conflict(article_id, conflict_id, user_id)
    try:
        copy.delete(condition=ConflictCopy.sk.exists())
    except DeleteError as error:
        # Deleted twice at once: the result is the same.
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def conflict_json(copy: ConflictCopy, *, with_body: bool = False) -> dict:
    data = {
        "id": copy.conflict_id,
        "base_revision": int(copy.base_revision),
        "current_revision": int(copy.current_revision),
        "title": copy.title,
        "size": int(copy.body_bytes or 0),
        "created_at": iso(copy.created_at),
    }
    if with_body:
        data["body"] = read_body(copy)
    return data
