"""Questions, courses and learners' records in the kb table.

Keys, by item:
- question:         pk ``ARTICLE#<article_id>``, sk ``QUESTION#<question_id>``;
  the current version of a question on an article
- question version: pk ``QUESTION#<question_id>``, sk ``VERSION#<8 digits>``.
  It is written once per save and never changed. So an attempt can always show
  the text and key it was scored against
- course:           pk ``COURSE``, sk ``<course_id>`` (hundreds at most, one Query)
- enrolment:        pk ``COURSE#<course_id>``, sk ``ENROLMENT#<user_id>``
- article state:    pk ``LEARNER#<course_id>#<user_id>``, sk ``ARTICLE#<article_id>``;
  whether the learner has read the article since their last wrong answer
- attempt:          pk ``LEARNER#<course_id>#<user_id>``, sk ``ATTEMPT#<attempt_id>``
- grading entry:    pk ``GRADING``, sk ``<attempt_id>``; finds an open answer by
  its id and lists the answers waiting for a trainer
- deadline notice:  pk ``COURSE#<course_id>``,
  sk ``NOTICE#<user_id>#<kind>#<required_since>``; one deadline reminder
  ("due_soon" or "overdue") of one enrolment, sent at most once

No item here has both ``section_id`` and ``article_id`` attributes, so none of
them enters the section index; the article is named ``question_article_id``,
``attempt_article_id`` and so on instead.
"""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

COURSE_PARTITION = "COURSE"
GRADING_PARTITION = "GRADING"
QUESTION_PREFIX = "QUESTION#"
ATTEMPT_PREFIX = "ATTEMPT#"
STATE_PREFIX = "ARTICLE#"
ENROLMENT_PREFIX = "ENROLMENT#"
NOTICE_PREFIX = "NOTICE#"

QUESTION_KINDS = ("single", "multiple", "open")
# An attempt on a choice question is "correct" or "wrong" at once; an open
# answer is "pending" until a trainer grades it "passed" or "failed".
PASSING_RESULTS = ("correct", "passed")


def question_sk(question_id: str) -> str:
    return f"{QUESTION_PREFIX}{question_id}"


def question_pk(question_id: str) -> str:
    return f"QUESTION#{question_id}"


def version_sk(version: int) -> str:
    return f"VERSION#{version:08d}"


def course_pk(course_id: str) -> str:
    return f"COURSE#{course_id}"


def enrolment_sk(user_id: str) -> str:
    return f"{ENROLMENT_PREFIX}{user_id}"


def notice_sk(user_id: str, kind: str, required_since: str) -> str:
    return f"{NOTICE_PREFIX}{user_id}#{kind}#{required_since}"


def learner_pk(course_id: str, user_id: str) -> str:
    return f"LEARNER#{course_id}#{user_id}"


def state_sk(article_id: str) -> str:
    return f"{STATE_PREFIX}{article_id}"


def attempt_sk(attempt_id: str) -> str:
    return f"{ATTEMPT_PREFIX}{attempt_id}"


class AnswerOption(MapAttribute):
    """One choice of a single or multiple choice question."""

    option_id = UnicodeAttribute()
    text = UnicodeAttribute()
    text_en = UnicodeAttribute(null=True)
    correct = BooleanAttribute(default=False)


class Question(Model):
    """The current version of one question on an article."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="question")
    question_id = UnicodeAttribute()
    question_article_id = UnicodeAttribute()
    version = NumberAttribute()
    kind = UnicodeAttribute()
    text = UnicodeAttribute()
    text_en = UnicodeAttribute(null=True)
    options = ListAttribute(of=AnswerOption, default=list)
    sort_order = NumberAttribute(default=1000)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()


class QuestionVersion(Model):
    """One saved version of a question, with its answer key; never changed."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="question_version")
    question_id = UnicodeAttribute()
    question_article_id = UnicodeAttribute()
    version = NumberAttribute()
    kind = UnicodeAttribute()
    text = UnicodeAttribute()
    text_en = UnicodeAttribute(null=True)
    options = ListAttribute(of=AnswerOption, default=list)
    saved_by = UnicodeAttribute()
    saved_at = UTCDateTimeAttribute()


class Course(Model):
    """An ordered list of articles that the holders of some positions take."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True, default=COURSE_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="course")
    title = UnicodeAttribute()
    title_en = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    item_article_ids = ListAttribute(of=UnicodeAttribute, default=list)
    course_position_ids = ListAttribute(of=UnicodeAttribute, default=list)
    mandatory = BooleanAttribute(default=False)
    # Days after a person became required to take the course; set only for
    # mandatory courses.
    deadline_days = NumberAttribute(null=True)
    revision = NumberAttribute(default=1)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()

    @property
    def course_id(self) -> str:
        return self.sk


class Enrolment(Model):
    """One person's record on one course; kept after they leave its positions."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="enrolment")
    course_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    # The learner's position that made the course required, as last seen.
    learner_position_id = UnicodeAttribute(null=True)
    # False once the person is in none of the course's positions.
    required = BooleanAttribute(default=True)
    enrolled_at = UTCDateTimeAttribute()
    # When the course last became required of the person; a deadline counts
    # from here.
    required_since = UTCDateTimeAttribute(null=True)
    released_at = UTCDateTimeAttribute(null=True)


class ArticleState(Model):
    """A learner's reading of one course article.

    ``read_at`` is cleared by a wrong answer, which sends the learner back to
    the article, and ``locked_until`` holds answering off for a short while.
    """

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="article_state")
    read_at = UTCDateTimeAttribute(null=True)
    locked_until = UTCDateTimeAttribute(null=True)
    # Answers saved on this article so far. Each answer raises it on the
    # condition that it still has the value read before, so two answers sent
    # at the same moment cannot both pass the turn check.
    answer_count = NumberAttribute(null=True)


class Attempt(Model):
    """One answer to one version of a question; results of every attempt are kept."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="attempt")
    attempt_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    attempt_article_id = UnicodeAttribute()
    question_id = UnicodeAttribute()
    question_version = NumberAttribute()
    option_ids = ListAttribute(of=UnicodeAttribute, null=True)
    text = UnicodeAttribute(null=True)
    result = UnicodeAttribute()  # correct, wrong, pending, passed or failed
    created_at = UTCDateTimeAttribute()
    graded_by = UnicodeAttribute(null=True)
    graded_at = UTCDateTimeAttribute(null=True)
    grade_comment = UnicodeAttribute(null=True)


class GradingEntry(Model):
    """An open answer, found by its attempt id: "pending" until graded."""

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True, default=GRADING_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="grading")
    course_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    graded_article_id = UnicodeAttribute()
    question_id = UnicodeAttribute()
    question_version = NumberAttribute()
    status = UnicodeAttribute(default="pending")
    created_at = UTCDateTimeAttribute()

    @property
    def attempt_id(self) -> str:
        return self.sk


class CourseNotice(Model):
    """A deadline reminder of one enrolment: claimed, then marked sent.

    ``sent_at`` is fixed when the reminder is claimed and becomes the
    notifications' time, so a run that resumes a claimed reminder posts
    messages with the same ids and nothing twice.
    """

    Meta = table_meta("kb")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="course_notice")
    course_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    sent_at = UTCDateTimeAttribute()
    # Set once every notification of the reminder is posted.
    done_at = UTCDateTimeAttribute(null=True)
