"""Articles: creating them, saving edits as revisions, finding and listing them.

An article is announced (published or needing review) or a draft. Readers
acknowledge an edition of an announced article: the edition is the revision
at which it was published or last changed with ``significant``, and a new
edition makes earlier acknowledgements stale.
"""

import logging
from collections.abc import Iterable

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.clock import iso, utc_now
from chalicelib.errors import ApiError, Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.kb import conflicts, revisions
from chalicelib.kb.access import Reader, require_read
from chalicelib.kb.bodies import read_body, store_body, stored_body_of
from chalicelib.kb.models import (
    ANNOUNCED_STATUSES,
    ARTICLE_SK,
    HEADER_FIELDS,
    Article,
    Grant,
    Revision,
    article_pk,
    review_queue_of,
)
from chalicelib.kb.revisions import Save, StaleRevision
from chalicelib.kb.schemas import ArticleCreate, ArticleUpdate
from chalicelib.kb.sections import TEMPLATES_SECTION_ID, visible_section

logger = logging.getLogger(__name__)

# Fields fetched for access checks and lists: the index's, plus the keys.
HEADER_ATTRIBUTES = ["pk", "sk", "article_id", "section_id", *HEADER_FIELDS]
BATCH_GET_LIMIT = 100


def get_article(article_id: str, *, consistent: bool = False) -> Article:
    try:
        return Article.get(
            article_pk(article_id), ARTICLE_SK, consistent_read=consistent
        )
    except DoesNotExist:
        raise NotFound(f"Article '{article_id}' not found.") from None


def visible_article(reader: Reader, article_id: str, *, consistent: bool = False):
    """Return an article the reader may read; 404 for one they may not."""
    article = get_article(article_id, consistent=consistent)
    require_read(reader, article)
    return article


def require_edit(reader: Reader, article: Article) -> None:
    rights = require_read(reader, article)
    if not rights.edit:
        raise Forbidden("You may read this article but not edit it.")


def headers_by_id(article_ids: Iterable[str]) -> dict[str, Article]:
    """Fetch the headers of existing articles, without their bodies."""
    ids = sorted(set(article_ids))
    found: dict[str, Article] = {}
    for start in range(0, len(ids), BATCH_GET_LIMIT):
        keys = [
            (article_pk(item), ARTICLE_SK)
            for item in ids[start : start + BATCH_GET_LIMIT]
        ]
        for article in Article.batch_get(keys, attributes_to_get=HEADER_ATTRIBUTES):
            found[article.article_id] = article
    return found


def readable_headers(reader: Reader, article_ids: Iterable[str]) -> dict[str, Article]:
    return {
        article_id: article
        for article_id, article in headers_by_id(article_ids).items()
        if reader.can_read(article)
    }


def is_template(reader: Reader, article: Article) -> bool:
    return any(
        section.section_id == TEMPLATES_SECTION_ID
        for section in reader.section_chain(article.section_id)
    )


def _check_positions(reader: Reader, position_ids: list[str]) -> list[str]:
    unique = list(dict.fromkeys(position_ids))
    for index, position_id in enumerate(unique):
        if position_id not in reader.positions:
            raise InvalidInput(
                f"Invalid field 'position_ids.{index}': position '{position_id}' "
                "does not exist.",
                field=f"position_ids.{index}",
            )
    return unique


def _require_section_edit(reader: Reader, section_id: str) -> None:
    visible_section(reader, section_id)
    if not reader.section_rights(section_id).edit:
        raise Forbidden(
            f"You may not add articles to section '{section_id}'; ask an admin "
            "or the department's head for edit access.",
            field="section_id",
        )


def _default_kind(reader: Reader, section_id: str) -> str:
    for section in reader.section_chain(section_id):
        if section.role == "regulations":
            return "regulation"
    return "instruction"


def _template(reader: Reader, template_id: str) -> Article:
    try:
        template = visible_article(reader, template_id)
    except NotFound:
        raise NotFound(
            f"Template '{template_id}' not found.", field="template_id"
        ) from None
    if not is_template(reader, template):
        raise InvalidInput(
            f"Invalid field 'template_id': article '{template_id}' is not a "
            "template; templates are the articles in the «Шаблоны» section.",
            field="template_id",
        )
    return template


def insert_article(article: Article, revision: Revision) -> bool:
    """Write a new article and its first revision; return False if it existed.

    The revision goes first, as for every save (see ``revisions``). If the
    article write is interrupted, the next call with the same id writes it.
    """
    for item in (revision, article):
        try:
            item.save(condition=type(item).sk.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            if item is article:
                return False
    return True


def new_article(
    article_id: str,
    *,
    section_id: str,
    title: str,
    title_en: str | None = None,
    body: str,
    kind: str,
    status: str,
    author_id: str,
    position_ids: list[str] | None = None,
    review_at: str | None = None,
    template_id: str | None = None,
    grants: list[Grant] | None = None,
) -> tuple[Article, Revision]:
    """Build an article at revision 1 and that revision, storing the body."""
    now = utc_now()
    announced = status in ANNOUNCED_STATUSES
    state = {
        "title": title,
        "title_en": title_en,
        "status": status,
        "kind": kind,
        "section_id": section_id,
        "position_ids": position_ids or [],
        "review_at": review_at,
        "edition": 1 if announced else None,
        "edition_reason": "published" if announced else None,
        "edition_at": now if announced else None,
        **store_body(article_id, body).fields(),
    }
    article = Article(
        article_pk(article_id),
        ARTICLE_SK,
        article_id=article_id,
        grants=grants,
        revision=1,
        template_id=template_id,
        review_queue=review_queue_of(status, review_at),
        author_id=author_id,
        created_at=now,
        updated_at=now,
        updated_by=author_id,
        **state,
    )
    save = Save(
        base_revision=0,
        state=state,
        actor_id=author_id,
        at=now,
        significant=announced,
    )
    return article, revisions.revision_item(article_id, save)


def create_article(request: ArticleCreate, reader: Reader) -> Article:
    _require_section_edit(reader, request.section_id)
    template = _template(reader, request.template_id) if request.template_id else None
    body = request.body
    if body is None:
        body = read_body(get_article(template.article_id)) if template else ""
    kind = request.kind or (template.kind if template else None)
    article_id = new_id()
    article, revision = new_article(
        article_id,
        section_id=request.section_id,
        title=request.title,
        title_en=request.title_en,
        body=body,
        kind=kind or _default_kind(reader, request.section_id),
        status=request.status,
        author_id=reader.user_id,
        position_ids=_check_positions(reader, request.position_ids),
        review_at=request.review_at,
        template_id=request.template_id,
    )
    insert_article(article, revision)
    logger.info(
        "kb article created article_id=%s section_id=%s status=%s by=%s",
        article_id,
        request.section_id,
        request.status,
        reader.user_id,
    )
    return article


def _start_edition(article: Article, save: Save) -> None:
    """Make ``save`` start a new edition if it publishes or significantly changes."""
    if save.state["status"] not in ANNOUNCED_STATUSES:
        return
    if article.status not in ANNOUNCED_STATUSES:
        reason = "published"
    elif save.significant:
        reason = "changed"
    else:
        return
    save.state.update(edition=save.revision, edition_reason=reason, edition_at=save.at)


def _conflict(article: Article, save: Save, reader: Reader) -> ApiError:
    """Keep the rejected text as a conflict copy and build the 409 error.

    A base revision newer than the article's is no edit anyone started from,
    so it gets a 400 and no copy is kept.
    """
    revisions.catch_up(article.article_id)
    current = get_article(article.article_id, consistent=True)
    if save.base_revision > int(current.revision):
        return InvalidInput(
            f"Invalid field 'base_revision': {save.base_revision} is newer than "
            f"the article's revision {int(current.revision)}; send the revision "
            "you started editing from.",
            field="base_revision",
        )
    copy = conflicts.store_conflict(
        article.article_id,
        reader.user_id,
        save.base_revision,
        int(current.revision),
        save.title,
        save.body,
    )
    return Conflict(
        f"Article '{article.article_id}' is at revision {int(current.revision)}, "
        f"not {save.base_revision}: someone saved it meanwhile. Your text is kept "
        f"as conflict copy '{copy.conflict_id}'; merge it into the current "
        "revision and save again with that base_revision.",
        field="base_revision",
        current_revision=int(current.revision),
        conflict_id=copy.conflict_id,
        current={
            "revision": int(current.revision),
            "title": current.title,
            "body": read_body(current),
            "updated_by": current.updated_by,
            "updated_at": iso(current.updated_at),
        },
    )


def _commit(article: Article, save: Save, reader: Reader) -> Article:
    if save.base_revision != int(article.revision):
        raise _conflict(article, save, reader)
    _start_edition(article, save)
    try:
        revisions.commit(article.article_id, save)
    except StaleRevision:
        raise _conflict(article, save, reader) from None
    return get_article(article.article_id, consistent=True)


UPDATABLE_FIELDS = (
    "title",
    "title_en",
    "body",
    "kind",
    "status",
    "position_ids",
    "review_at",
    "section_id",
)


def update_article(
    article_id: str, request: ArticleUpdate, fields_set: set[str], reader: Reader
) -> Article:
    article = visible_article(reader, article_id, consistent=True)
    require_edit(reader, article)
    if not fields_set & set(UPDATABLE_FIELDS):
        raise InvalidInput(
            "Send at least one field to change: " + ", ".join(UPDATABLE_FIELDS) + "."
        )
    for name in ("title", "body", "kind", "status", "position_ids", "section_id"):
        if name in fields_set and getattr(request, name) is None:
            raise InvalidInput(f"Invalid field '{name}': must not be null.", field=name)

    state = revisions.state_of(article)
    for name in ("title", "title_en", "kind", "status", "review_at"):
        if name in fields_set:
            state[name] = getattr(request, name)
    if "section_id" in fields_set and request.section_id != article.section_id:
        _require_section_edit(reader, request.section_id)
        state["section_id"] = request.section_id
    if "position_ids" in fields_set:
        state["position_ids"] = _check_positions(reader, request.position_ids)
    if "body" in fields_set and request.body != read_body(article):
        state.update(store_body(article_id, request.body).fields())

    save = Save(
        base_revision=request.base_revision,
        state=state,
        actor_id=reader.user_id,
        at=utc_now(),
        significant=request.significant,
    )
    unchanged = state == revisions.state_of(article)
    if unchanged and request.base_revision == int(article.revision):
        return article
    return _commit(article, save, reader)


def restore_revision(
    article_id: str,
    number: int,
    base_revision: int | None,
    significant: bool,
    reader: Reader,
) -> Article:
    """Save the title and body of revision ``number`` as a new revision."""
    article = visible_article(reader, article_id, consistent=True)
    require_edit(reader, article)
    old = revisions.get_revision(article_id, number)
    state = revisions.state_of(article)
    state.update(title=old.title, **stored_body_of(old).fields())
    save = Save(
        base_revision=base_revision
        if base_revision is not None
        else int(article.revision),
        state=state,
        actor_id=reader.user_id,
        at=utc_now(),
        significant=significant,
        restored_from=number,
    )
    return _commit(article, save, reader)


def set_grants(article_id: str, grants: list[Grant] | None, reader: Reader) -> Article:
    article = visible_article(reader, article_id, consistent=True)
    article.update(
        actions=[
            Article.grants.set(grants)
            if grants is not None
            else Article.grants.remove()
        ],
        condition=Article.sk.exists(),
    )
    logger.info(
        "kb article access changed article_id=%s by=%s", article_id, reader.user_id
    )
    return get_article(article_id, consistent=True)


def section_articles(reader: Reader, section_id: str) -> list[Article]:
    """Return the articles of one section that the reader may read, newest first."""
    articles = [
        article
        for article in Article.section_index.query(section_id, scan_index_forward=False)
        if reader.can_read(article)
    ]
    return articles


def template_articles(reader: Reader) -> list[Article]:
    sections = [
        section_id
        for section_id in reader.sections
        if any(
            item.section_id == TEMPLATES_SECTION_ID
            for item in reader.section_chain(section_id)
        )
    ]
    found = []
    for section_id in sections:
        found.extend(section_articles(reader, section_id))
    return sorted(found, key=lambda article: article.title)
