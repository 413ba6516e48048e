"""Chat notifications asking the holders of an article's target positions to read it.

A notification goes out for each new edition of an announced article: when it
is published and when it is significantly changed. Positions added to an
announced article's targets later get the current edition's notification.
Each notification's id derives from the article, the edition and the
recipient, so nobody is told twice about one edition, whatever the stream
redelivers. Nobody is told about their own change.
"""

import logging

from chalicelib.kb.models import ANNOUNCED_STATUSES, ARTICLE_SK, Article
from chalicelib.kb.rendering import article_href
from chalicelib.kb.sections import load_sections
from chalicelib.notifications.service import notify
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.streams.records import Change

logger = logging.getLogger(__name__)

TEMPLATES = {"published": "kb_published", "changed": "kb_changed"}


def _recipient_positions(change: Change) -> set[str]:
    new = change.new
    old = change.old if change.old.get("sk") == ARTICLE_SK else {}
    if new.get("status") not in ANNOUNCED_STATUSES or new.get("edition") is None:
        return set()
    targets = set(new.get("position_ids") or [])
    was_announced = old.get("status") in ANNOUNCED_STATUSES
    if old.get("edition") != new.get("edition") or not was_announced:
        return targets
    return targets - set(old.get("position_ids") or [])


def _holders(position_ids: set[str]) -> list[User]:
    people: dict[str, User] = {}
    for position_id in sorted(position_ids):
        for user in User.position_index.query(position_id):
            if user.is_active:
                people[user.user_id] = user
    return list(people.values())


def announce(change: Change) -> int:
    """Notify the people this change asks to read the article; return how many."""
    if change.event_name == "REMOVE" or change.new.get("sk") != ARTICLE_SK:
        return 0
    positions = _recipient_positions(change)
    if not positions:
        return 0
    article = Article.from_raw_data(change.new_raw)
    # Target holders may always read an announced article, unless its section
    # is archived, which hides it from everyone but admins.
    if _section_archived(article.section_id):
        return 0
    template = TEMPLATES.get(article.edition_reason or "published", "kb_published")
    actor = find_user(article.updated_by)
    actor_name = actor.name if actor else "Штаб"
    sent = 0
    for person in _holders(positions):
        if person.user_id == article.updated_by:
            continue
        sent += notify(
            person.user_id,
            template,
            event_id=f"kb-edition:{article.article_id}:{int(article.edition)}",
            happened_at=article.edition_at or change.happened_at,
            link=article_href(article.article_id),
            actor_name=actor_name,
            title=article.title,
            kind=article.kind,
        )
    logger.info(
        "kb edition announced article_id=%s edition=%s notified=%d",
        article.article_id,
        article.edition,
        sent,
    )
    return sent


def _section_archived(section_id: str) -> bool:
    sections = load_sections()
    seen: set[str] = set()
    cursor: str | None = section_id
    while cursor is not None and cursor in sections and cursor not in seen:
        if sections[cursor].archived:
            return True
        seen.add(cursor)
        cursor = sections[cursor].parent_id
    return False
