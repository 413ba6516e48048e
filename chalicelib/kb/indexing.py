"""The search and link indexes, kept in step with each article's latest revision.

The kb stream reaction calls ``update_indexes`` with each article change. It
compares the terms and links of the old and the new image and writes only
the difference. Lambda and the local pump hand one item's records over in
order, so the differences add up to the latest revision's terms. A retried
record writes the same difference again, which changes nothing.
"""

import logging
from collections import Counter

from chalicelib.kb.bodies import read_image_body
from chalicelib.kb.models import ARTICLE_SK, Link, Term, linked_pk, term_pk
from chalicelib.kb.rendering import referenced_article_ids
from chalicelib.search.terms import term_counts, terms
from chalicelib.streams.records import Change

logger = logging.getLogger(__name__)


def _entries(title: str, body: str) -> dict[str, tuple[int, bool]]:
    """Map each term to its count in the body and whether the title has it."""
    counts: Counter = term_counts(body)
    title_terms = set(terms(title))
    return {
        term: (counts.get(term, 0), term in title_terms)
        for term in set(counts) | title_terms
    }


def _article_image(image: dict) -> dict:
    return image if image.get("sk") == ARTICLE_SK else {}


def _same_text(old: dict, new: dict) -> bool:
    return (
        old.get("title") == new.get("title")
        and old.get("body") == new.get("body")
        and old.get("body_key") == new.get("body_key")
    )


def update_indexes(change: Change) -> None:
    old = _article_image(change.old)
    new = _article_image(change.new) if change.event_name != "REMOVE" else {}
    article_id = (new or old).get("article_id")
    if not article_id or (old and new and _same_text(old, new)):
        return

    old_body = read_image_body(old) if old else ""
    if (
        new
        and old
        and new.get("body_key")
        and new.get("body_key") == old.get("body_key")
    ):
        new_body = old_body
    else:
        new_body = read_image_body(new) if new else ""

    old_entries = _entries(old.get("title", ""), old_body) if old else {}
    new_entries = _entries(new.get("title", ""), new_body) if new else {}
    changed = {
        term: entry
        for term, entry in new_entries.items()
        if old_entries.get(term) != entry
    }
    removed = set(old_entries) - set(new_entries)

    old_links = referenced_article_ids(old_body) - {article_id} if old else set()
    new_links = referenced_article_ids(new_body) - {article_id} if new else set()

    with Term.batch_write() as batch:
        for term, (count, in_title) in changed.items():
            batch.save(Term(term_pk(term), article_id, count=count, in_title=in_title))
        for term in removed:
            batch.delete(Term(term_pk(term), article_id))
    with Link.batch_write() as batch:
        for target in new_links - old_links:
            batch.save(Link(linked_pk(target), article_id))
        for target in old_links - new_links:
            batch.delete(Link(linked_pk(target), article_id))
    logger.info(
        "kb index updated article_id=%s revision=%s terms_written=%d "
        "terms_removed=%d links=%d",
        article_id,
        new.get("revision"),
        len(changed),
        len(removed),
        len(new_links),
    )
