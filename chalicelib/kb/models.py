"""The kb table: sections, articles with their revisions, and the search index.

Keys, by item:
- section:      pk ``SECTION``, sk ``<section_id>`` (hundreds at most, one Query)
- article:      pk ``ARTICLE#<article_id>``, sk ``ARTICLE``
- revision:     pk ``ARTICLE#<article_id>``, sk ``REVISION#<revision, 8 digits>``;
  append-only, one per save. A save claims the next number by writing this
  item, so of two saves on the same base revision exactly one succeeds.
- conflict:     pk ``ARTICLE#<article_id>``, sk ``CONFLICT#<conflict_id>``, the
  text of a save that lost to a newer revision
- receipt:      pk ``ARTICLE#<article_id>``, sk ``RECEIPT#<user_id>``, who read
  and who acknowledged which edition of the article
- image:        pk ``ARTICLE#<article_id>``, sk ``IMAGE#<image_id>``; the file is
  in the files bucket under ``kb/<article_id>/images/<image_id>``
- search term:  pk ``TERM#<stem>``, sk ``<article_id>``
- link:         pk ``LINKED#<target article_id>``, sk ``<source article_id>``
- seed marker:  pk ``SEED``, sk ``<seed key>``

Bodies over ``bodies.INLINE_LIMIT_BYTES`` live in the files bucket under
``kb/<article_id>/bodies/<body id>.md``, and the item keeps the key instead of
the text. So no item comes near DynamoDB's 400 KB limit. Body objects are never
overwritten, so revisions and conflict copies share them safely.

The ``section-index`` lists the articles of one section with the header
fields that access checks and lists need, without bodies.

The ``review-index`` is sparse: only published articles with a re-review
date carry ``review_queue`` (see ``review_queue_of``), so the daily reminder
queries the articles whose date has passed without reading any other item.
"""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import (
    GlobalSecondaryIndex,
    IncludeProjection,
    KeysOnlyProjection,
)
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

SECTION_PARTITION = "SECTION"
SEED_PARTITION = "SEED"
ARTICLE_SK = "ARTICLE"

KINDS = ("regulation", "instruction")
STATUSES = ("draft", "published", "needs_review")
# Statuses in which an article is out for its readers to acknowledge.
ANNOUNCED_STATUSES = ("published", "needs_review")

# Header fields copied into the section index: enough to check access and to
# list articles without reading their bodies.
HEADER_FIELDS = [
    "title",
    "title_en",
    "kind",
    "status",
    "position_ids",
    "author_id",
    "grants",
    "revision",
    "created_at",
    "updated_at",
    "updated_by",
    "review_at",
    "template_id",
]


# The one value of ``review_queue``: the index has a single partition, sorted
# by ``review_at``. A company has thousands of articles at most.
REVIEW_QUEUE = "published"


def review_queue_of(status: str | None, review_at: str | None) -> str | None:
    """Return the ``review_queue`` value of an article in this state, or None."""
    if status == "published" and review_at:
        return REVIEW_QUEUE
    return None


def article_pk(article_id: str) -> str:
    return f"ARTICLE#{article_id}"


def revision_sk(revision: int) -> str:
    return f"REVISION#{revision:08d}"


def term_pk(term: str) -> str:
    return f"TERM#{term}"


def linked_pk(article_id: str) -> str:
    return f"LINKED#{article_id}"


class Grant(MapAttribute):
    """One access rule: who gets which level.

    ``to`` is "everyone" or "position". A position grant covers the holders of
    ``position_id`` and, with ``include_below``, every position whose
    reports_to chain reaches it.
    """

    to = UnicodeAttribute()
    position_id = UnicodeAttribute(null=True)
    include_below = BooleanAttribute(default=False)
    level = UnicodeAttribute()  # read, comment or edit


class Section(Model):
    """A folder of the knowledge base; ``parent_id`` makes the sections a tree.

    ``grants`` of None means the section inherits its parent's rules. Sections
    that mirror a department carry its ``department_id`` and a ``role``:
    "department" for the department's own section, "regulations" and
    "instructions" for its two subsections. Admins' sections are "custom".
    """

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True, default=SECTION_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="section")
    name = UnicodeAttribute()
    name_en = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True)
    department_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute(default="custom")
    grants = ListAttribute(of=Grant, null=True)
    sort_order = NumberAttribute(default=1000)
    # A department's section is archived when the department is deleted and
    # restored with it; only admins see archived sections.
    archived = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    @property
    def section_id(self) -> str:
        return self.sk


class SectionIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "section-index"
        projection = IncludeProjection(HEADER_FIELDS)

    section_id = UnicodeAttribute(hash_key=True)
    article_id = UnicodeAttribute(range_key=True)


class ReviewIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "review-index"
        projection = KeysOnlyProjection()

    review_queue = UnicodeAttribute(hash_key=True)
    review_at = UnicodeAttribute(range_key=True)


class Article(Model):
    """The current state of an article; each save raises ``revision`` by one."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=ARTICLE_SK)
    item_type = UnicodeAttribute(default="article")
    article_id = UnicodeAttribute()
    section_id = UnicodeAttribute()
    title = UnicodeAttribute()
    title_en = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()
    status = UnicodeAttribute(default="draft")
    # Positions whose holders must read and acknowledge the article.
    position_ids = ListAttribute(of=UnicodeAttribute, default=list)
    # None inherits the section's rules; a list replaces them.
    grants = ListAttribute(of=Grant, null=True)
    revision = NumberAttribute(default=1)
    body = UnicodeAttribute(null=True)
    body_key = UnicodeAttribute(null=True)
    body_bytes = NumberAttribute(default=0)
    # The article this one was copied from, if it was made from a template.
    template_id = UnicodeAttribute(null=True)
    # The date by which the article should be reviewed again, "YYYY-MM-DD".
    review_at = UnicodeAttribute(null=True)
    author_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    # The edition readers acknowledge: the revision at which the article was
    # last published or significantly changed, why, and when. Receipts of an
    # older edition no longer count.
    edition = NumberAttribute(null=True)
    edition_reason = UnicodeAttribute(null=True)  # "published" or "changed"
    edition_at = UTCDateTimeAttribute(null=True)
    # Set only while the article is published with a re-review date, which
    # keeps the review index sparse. Every article write derives it from
    # ``status`` and ``review_at`` with ``review_queue_of``.
    review_queue = UnicodeAttribute(null=True)

    section_index = SectionIndex()
    review_index = ReviewIndex()


class Revision(Model):
    """One saved version of an article, never changed after it is written.

    It contains the whole state a save gives the article, so that the article
    item can always be brought up to its latest revision (see ``revisions``).
    It has no ``article_id`` attribute, which keeps it out of the section index.
    """

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="revision")
    revision = NumberAttribute()
    title = UnicodeAttribute()
    title_en = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    kind = UnicodeAttribute()
    section_id = UnicodeAttribute()
    position_ids = ListAttribute(of=UnicodeAttribute, default=list)
    review_at = UnicodeAttribute(null=True)
    edition = NumberAttribute(null=True)
    edition_reason = UnicodeAttribute(null=True)
    edition_at = UTCDateTimeAttribute(null=True)
    body = UnicodeAttribute(null=True)
    body_key = UnicodeAttribute(null=True)
    body_bytes = NumberAttribute(default=0)
    significant = BooleanAttribute(default=False)
    restored_from = NumberAttribute(null=True)
    saved_by = UnicodeAttribute()
    saved_at = UTCDateTimeAttribute()


class ConflictCopy(Model):
    """The text of a save rejected because its base revision was stale."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="conflict")
    conflict_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    base_revision = NumberAttribute()
    current_revision = NumberAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    body_key = UnicodeAttribute(null=True)
    body_bytes = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()


class Receipt(Model):
    """A person's latest opened and acknowledged editions of one article."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="receipt")
    user_id = UnicodeAttribute()
    read_edition = NumberAttribute(null=True)
    read_at = UTCDateTimeAttribute(null=True)
    confirmed_edition = NumberAttribute(null=True)
    confirmed_at = UTCDateTimeAttribute(null=True)


class Image(Model):
    """An image for an article body: "pending" until its upload is checked."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="image")
    image_article_id = UnicodeAttribute()
    image_id = UnicodeAttribute()
    file_name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    status = UnicodeAttribute(default="pending")
    uploaded_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()

    @property
    def storage_key(self) -> str:
        return f"kb/{self.image_article_id}/images/{self.image_id}"


class Term(Model):
    """One stem of one article: how often the body has it and whether the title does.

    The kb stream reaction keeps these in step with each article's latest
    revision; search reads one partition per stem.
    """

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="term")
    count = NumberAttribute(default=0)
    in_title = BooleanAttribute(default=False)


class Link(Model):
    """An article (``sk``) whose latest revision links to another (in ``pk``)."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="link")


class SeedMarker(Model):
    """Marks the shipped sections and articles as created."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True, default=SEED_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="seed")
    seeded_at = UTCDateTimeAttribute()
