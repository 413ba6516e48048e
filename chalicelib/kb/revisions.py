"""Revisions: every save of an article appends one, and old ones can be compared.

A save first claims the next revision number by putting the revision item on
the condition that it does not exist yet, so of any number of saves on the
same base revision exactly one succeeds. The others raise ``StaleRevision``
and the caller keeps their text as a conflict copy. The winner then copies
the revision's state onto the article item, on the condition that the article
is still at the base revision.

A revision contains the whole state its save gives the article. So if the
winner stops between the two writes, ``catch_up`` applies the revision to
the article; the next save that loses on that number runs it. No transaction is
used: moto 5.2.5, which the tests and the local stack run on, answers a
cancelled transaction by replacing the table with a copy taken before it, and
that copy detaches the table's stream from every open reader.
"""

import difflib
import logging
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.clock import iso
from chalicelib.errors import InvalidInput, NotFound
from chalicelib.kb.bodies import StoredBody, read_body
from chalicelib.kb.models import (
    ARTICLE_SK,
    Article,
    Revision,
    article_pk,
    review_queue_of,
    revision_sk,
)

logger = logging.getLogger(__name__)

MAX_DIFF_LINES = 20_000
# Article fields that each revision carries and a save copies to the article.
STATE_FIELDS = (
    "title",
    "title_en",
    "status",
    "kind",
    "section_id",
    "position_ids",
    "review_at",
    "edition",
    "edition_reason",
    "edition_at",
    "body",
    "body_key",
    "body_bytes",
)


class StaleRevision(Exception):
    """The article moved past the base revision before this save committed."""


@dataclass
class Save:
    """One save of an article: the state it gives the article, and who made it.

    ``state`` maps every name in ``STATE_FIELDS`` to its new value.
    """

    base_revision: int
    state: dict
    actor_id: str
    at: datetime
    significant: bool = False
    restored_from: int | None = None

    @property
    def revision(self) -> int:
        return self.base_revision + 1

    @property
    def title(self) -> str:
        return self.state["title"]

    @property
    def body(self) -> StoredBody:
        return StoredBody(
            text=self.state["body"],
            key=self.state["body_key"],
            size=int(self.state["body_bytes"] or 0),
        )


def state_of(item) -> dict:
    """Return the state fields of an article or a revision."""
    return {name: getattr(item, name) for name in STATE_FIELDS}


def revision_item(article_id: str, save: Save) -> Revision:
    return Revision(
        article_pk(article_id),
        revision_sk(save.revision),
        revision=save.revision,
        significant=save.significant,
        restored_from=save.restored_from,
        saved_by=save.actor_id,
        saved_at=save.at,
        **save.state,
    )


def _assign(attribute, value):
    return attribute.remove() if value is None else attribute.set(value)


def roll_forward(article_id: str, revision: Revision) -> bool:
    """Copy ``revision`` onto the article if it is at the revision before.

    Return False if the article is elsewhere, because another request has
    applied this revision already or the article has moved on.
    """
    number = int(revision.revision)
    actions = [
        _assign(getattr(Article, name), getattr(revision, name))
        for name in STATE_FIELDS
    ]
    actions += [
        _assign(
            Article.review_queue,
            review_queue_of(revision.status, revision.review_at),
        ),
        Article.revision.set(number),
        Article.updated_at.set(revision.saved_at),
        Article.updated_by.set(revision.saved_by),
    ]
    try:
        Article(article_pk(article_id), ARTICLE_SK).update(
            actions=actions, condition=Article.revision == number - 1
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def commit(article_id: str, save: Save) -> None:
    """Write ``save`` as the next revision and apply it to the article.

    Raise ``StaleRevision`` if another save has taken that revision number.
    """
    revision = revision_item(article_id, save)
    try:
        revision.save(condition=Revision.sk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.info(
            "kb save lost article_id=%s base_revision=%d by=%s",
            article_id,
            save.base_revision,
            save.actor_id,
        )
        raise StaleRevision from None
    roll_forward(article_id, revision)
    logger.info(
        "kb article saved article_id=%s revision=%d significant=%s by=%s",
        article_id,
        save.revision,
        save.significant,
        save.actor_id,
    )


def catch_up(article_id: str) -> None:
    """Apply revisions written after the article's own, left by an interrupted save."""
    article = Article.get(article_pk(article_id), ARTICLE_SK, consistent_read=True)
    number = int(article.revision)
    while True:
        try:
            revision = Revision.get(
                article_pk(article_id), revision_sk(number + 1), consistent_read=True
            )
        except DoesNotExist:
            return
        if roll_forward(article_id, revision):
            logger.warning(
                "kb article caught up with an unapplied revision article_id=%s "
                "revision=%d",
                article_id,
                number + 1,
            )
        number += 1


def get_revision(article_id: str, revision: int, field: str = "revision") -> Revision:
    try:
        return Revision.get(article_pk(article_id), revision_sk(revision))
    except DoesNotExist:
        raise NotFound(
            f"Revision {revision} of article '{article_id}' not found.", field=field
        ) from None


# Everything but the body, for lists of revisions.
_LIST_ATTRIBUTES = [
    "pk",
    "sk",
    "revision",
    "title",
    "status",
    "body_bytes",
    "significant",
    "restored_from",
    "saved_by",
    "saved_at",
]


def list_revisions(
    article_id: str, limit: int, before: int | None
) -> tuple[list[Revision], int | None]:
    """Return up to ``limit`` revisions, newest first, and the next page's cursor."""
    upper = revision_sk(before - 1) if before is not None else "REVISION#99999999"
    items = list(
        Revision.query(
            article_pk(article_id),
            Revision.sk.between(revision_sk(0), upper),
            scan_index_forward=False,
            limit=limit + 1,
            attributes_to_get=_LIST_ATTRIBUTES,
        )
    )
    page = items[:limit]
    cursor = int(page[-1].revision) if len(items) > limit else None
    return page, cursor


def revision_json(revision: Revision, names: dict[str, str]) -> dict:
    return {
        "revision": int(revision.revision),
        "title": revision.title,
        "status": revision.status,
        "size": int(revision.body_bytes or 0),
        "significant": bool(revision.significant),
        "restored_from": (
            int(revision.restored_from) if revision.restored_from is not None else None
        ),
        "saved_by": {
            "id": revision.saved_by,
            "name": names.get(revision.saved_by, revision.saved_by),
        },
        "saved_at": iso(revision.saved_at),
    }


def parse_revision_number(raw: str | None, field: str) -> int:
    if raw is None:
        raise InvalidInput(
            f"Missing query parameter '{field}': send a revision number.", field=field
        )
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 99_999_999:
        raise InvalidInput(
            f"Invalid field '{field}': use a revision number from 1 up.", field=field
        )
    return int(raw)


def diff(article_id: str, first: int, second: int) -> dict:
    """Return a unified diff of two revisions' bodies, and both titles."""
    old = get_revision(article_id, first, field="from")
    new = get_revision(article_id, second, field="to")
    old_lines = read_body(old).splitlines(keepends=True)
    new_lines = read_body(new).splitlines(keepends=True)
    lines = list(
        difflib.unified_diff(
            old_lines,
            new_lines,
            fromfile=f"revision {first}",
            tofile=f"revision {second}",
            lineterm="\n",
        )
    )
    truncated = len(lines) > MAX_DIFF_LINES
    # A line without a final newline would run into the next one in the text.
    text = "".join(
        line if line.endswith("\n") else line + "\n" for line in lines[:MAX_DIFF_LINES]
    )
    return {
        "from": first,
        "to": second,
        "title": {"from": old.title, "to": new.title},
        "diff": text,
        "truncated": truncated,
        "added": sum(
            1 for line in lines if line.startswith("+") and not line.startswith("+++")
        ),
        "removed": sum(
            1 for line in lines if line.startswith("-") and not line.startswith("---")
        ),
    }
