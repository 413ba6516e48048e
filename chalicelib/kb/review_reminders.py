"""Re-review reminders: the daily run marks overdue articles and notifies authors.

An article's ``review_at`` is the date by which it should be reviewed again.
From that date on (in the company's time zone), the daily run marks the
published article "needs_review" with a new revision and notifies its author
in their chat. When the author is deactivated or is the shipped content's
«Штаб», the person who last saved the article is notified instead. The
articles are found through the sparse ``review-index``, which lists only
published articles with a re-review date, so the run reads no other item.

Each (article, review date) is handled once, and a repeat after a failure
completes the steps without doing any twice. The notification's id derives
from the article and the date, so posting it again writes nothing. The mark
is a revision on the condition that the article is still at the revision
read. A reminder item, written last, makes later runs skip the pair even if
the author publishes again without a new date.
"""

import logging
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.kb import revisions
from chalicelib.kb.articles import get_article
from chalicelib.kb.authoring_models import ReviewReminder, review_sk
from chalicelib.kb.models import (
    ARTICLE_SK,
    REVIEW_QUEUE,
    SEED_PARTITION,
    Article,
    SeedMarker,
    article_pk,
    review_queue_of,
)
from chalicelib.kb.rendering import article_href
from chalicelib.kb.revisions import Save, StaleRevision
from chalicelib.kb.sections import load_sections
from chalicelib.kb.seeds import SYSTEM_AUTHOR_ID
from chalicelib.notifications.service import notify
from chalicelib.people.service import find_user
from chalicelib.tasks.due import company_time_zone

logger = logging.getLogger(__name__)

TEMPLATE = "kb_review_due"
# The seed marker of the one-time fill of ``review_queue`` on older articles.
BACKFILL_KEY = "kb-review-index-v1"
# Each attempt loses only to a save that committed meanwhile.
MAX_ATTEMPTS = 5


def company_today(now: datetime) -> str:
    return now.astimezone(company_time_zone()).date().isoformat()


def _already_reminded(article_id: str, review_at: str) -> bool:
    try:
        ReviewReminder.get(
            article_pk(article_id), review_sk(review_at), consistent_read=True
        )
    except DoesNotExist:
        return False
    return True


def _recipient(article: Article) -> str | None:
    for user_id in (article.author_id, article.updated_by):
        if user_id == SYSTEM_AUTHOR_ID:
            continue
        user = find_user(user_id)
        if user is not None and user.is_active:
            return user.user_id
    return None


def _mark(article_id: str, review_at: str, now: datetime) -> bool:
    """Save the article as needing review; return False if it no longer qualifies."""
    for _attempt in range(MAX_ATTEMPTS):
        article = get_article(article_id, consistent=True)
        if article.status != "published" or article.review_at != review_at:
            return False
        state = revisions.state_of(article)
        state["status"] = "needs_review"
        save = Save(
            base_revision=int(article.revision),
            state=state,
            actor_id=SYSTEM_AUTHOR_ID,
            at=now,
        )
        try:
            revisions.commit(article_id, save)
        except StaleRevision:
            revisions.catch_up(article_id)
            continue
        return True
    logger.warning(
        "kb review mark gave up after %d attempts article_id=%s",
        MAX_ATTEMPTS,
        article_id,
    )
    return False


def remind(article_id: str, review_at: str, now: datetime) -> bool:
    """Notify, mark and record one overdue article; return True if it was marked."""
    if _already_reminded(article_id, review_at):
        return False
    article = get_article(article_id, consistent=True)
    if article.status != "published" or article.review_at != review_at:
        return False
    recipient = _recipient(article)
    if recipient is not None:
        notify(
            recipient,
            TEMPLATE,
            event_id=f"kb-review:{article_id}:{review_at}",
            happened_at=now,
            link=article_href(article_id),
            title=article.title,
            kind=article.kind,
            review_at=review_at,
        )
    marked = _mark(article_id, review_at, now)
    try:
        ReviewReminder(
            article_pk(article_id),
            review_sk(review_at),
            author_id=recipient or article.author_id,
            marked_at=now,
        ).save(condition=ReviewReminder.sk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    logger.info(
        "kb review due article_id=%s review_at=%s marked=%s notified=%s",
        article_id,
        review_at,
        marked,
        recipient,
    )
    return marked


def backfill_review_queue(now: datetime) -> int:
    """Add ``review_queue`` to articles saved before the review index existed.

    Runs once, recorded by a seed marker. It reads each section's articles
    through the section index (one Query per section, no scan) and sets the
    attribute on the condition that the article is still in the state read.
    """
    try:
        SeedMarker.get(SEED_PARTITION, BACKFILL_KEY)
        return 0
    except DoesNotExist:
        pass
    updated = 0
    for section_id in load_sections():
        for header in Article.section_index.query(section_id):
            queue = review_queue_of(header.status, header.review_at)
            if queue is None:
                continue
            try:
                Article(article_pk(header.article_id), ARTICLE_SK).update(
                    actions=[Article.review_queue.set(queue)],
                    condition=(Article.status == header.status)
                    & (Article.review_at == header.review_at)
                    & Article.review_queue.does_not_exist(),
                )
            except UpdateError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
                continue
            updated += 1
    SeedMarker(SEED_PARTITION, BACKFILL_KEY, seeded_at=now).save()
    logger.info("kb review index backfilled articles=%d", updated)
    return updated


def send_review_reminders(now: datetime) -> dict:
    """Handle every published article whose re-review date is today or earlier."""
    backfill_review_queue(now)
    today = company_today(now)
    due = [
        (item.pk.removeprefix("ARTICLE#"), item.review_at)
        for item in Article.review_index.query(REVIEW_QUEUE, Article.review_at <= today)
    ]
    marked = 0
    for article_id, review_at in due:
        try:
            marked += remind(article_id, review_at, now)
        except Exception:
            # One article's failure must not hold up the others; the next
            # daily run tries it again.
            logger.exception(
                "kb review reminder failed article_id=%s review_at=%s",
                article_id,
                review_at,
            )
    logger.info("kb review reminders found=%d marked=%d", len(due), marked)
    return {"found": len(due), "marked": marked}
