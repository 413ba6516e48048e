"""Writing assignments and re-review reminders, in the kb table.

Keys, by item:
- assignment:        pk ``ASSIGNMENTS#<section_id>``, sk ``<assignment_id>``; one
  Query lists a section's assignments, oldest first
- assignment link:   pk ``ARTICLE#<article_id>``, sk ``ASSIGNMENT``; the stream
  reaction finds the assignment of a published article with one GetItem
- review reminder:   pk ``ARTICLE#<article_id>``, sk ``REVIEW#<review_at>``;
  written before the author is told, so each re-review date reminds once

None of them has ``article_id`` or ``review_queue``, so neither index lists them.
"""

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

ASSIGNMENT_LINK_SK = "ASSIGNMENT"
REVIEW_PREFIX = "REVIEW#"


def assignments_pk(section_id: str) -> str:
    return f"ASSIGNMENTS#{section_id}"


def review_sk(review_at: str) -> str:
    return f"{REVIEW_PREFIX}{review_at}"


class Assignment(Model):
    """A request to one person to write one article, with the task that tracks it.

    ``status`` is "open" until the article is first published, then "published".
    """

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="assignment")
    assignment_id = UnicodeAttribute()
    section_id = UnicodeAttribute()
    draft_id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    title = UnicodeAttribute()
    assignee_id = UnicodeAttribute()
    creator_id = UnicodeAttribute()
    # The task's due date as the request sent it: "YYYY-MM-DD" or a date and time.
    due = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="open")
    created_at = UTCDateTimeAttribute()
    published_at = UTCDateTimeAttribute(null=True)


class AssignmentLink(Model):
    """Points from the draft article to its assignment."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=ASSIGNMENT_LINK_SK)
    item_type = UnicodeAttribute(default="assignment_link")
    section_id = UnicodeAttribute()
    assignment_id = UnicodeAttribute()
    task_id = UnicodeAttribute()


class ReviewReminder(Model):
    """Records that an article was marked for review for one re-review date."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="review_reminder")
    author_id = UnicodeAttribute()
    marked_at = UTCDateTimeAttribute()
