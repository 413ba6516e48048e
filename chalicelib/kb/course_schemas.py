"""Request bodies of the question, course and answer routes."""

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt

from chalicelib.kb.course_models import QUESTION_KINDS
from chalicelib.kb.schemas import Identifier, Strict, Title
from chalicelib.text import CleanLine, CleanText, OptionalCleanText

MAX_QUESTION_LENGTH = 2000
MAX_OPTION_LENGTH = 500
MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_OPEN_ANSWER_LENGTH = 4000
MAX_COMMENT_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 4000
MAX_COURSE_ARTICLES = 100
MAX_COURSE_POSITIONS = 100
# A deadline of up to a year after enrolment.
MAX_DEADLINE_DAYS = 365

QuestionKind = Literal[QUESTION_KINDS]  # type: ignore[valid-type]
QuestionText = Annotated[CleanText, Field(max_length=MAX_QUESTION_LENGTH)]
OptionText = Annotated[CleanLine, Field(max_length=MAX_OPTION_LENGTH)]
Description = Annotated[OptionalCleanText, Field(max_length=MAX_DESCRIPTION_LENGTH)]


class OptionBody(Strict):
    text: OptionText
    text_en: OptionText | None = None
    correct: StrictBool = False


Options = Annotated[list[OptionBody], Field(max_length=MAX_OPTIONS)]


class QuestionCreate(Strict):
    kind: QuestionKind
    text: QuestionText
    text_en: QuestionText | None = None
    options: Options = Field(default_factory=list)
    sort_order: StrictInt = Field(default=1000, ge=-1_000_000, le=1_000_000)


class QuestionUpdate(Strict):
    """Fields to change; the merged question is checked as a whole."""

    kind: QuestionKind | None = None
    text: QuestionText | None = None
    text_en: QuestionText | None = None
    options: Options | None = None
    sort_order: StrictInt | None = Field(default=None, ge=-1_000_000, le=1_000_000)


class CourseCreate(Strict):
    title: Title
    title_en: Title | None = None
    description: Description | None = None
    article_ids: Annotated[
        list[Identifier], Field(min_length=1, max_length=MAX_COURSE_ARTICLES)
    ]
    position_ids: Annotated[
        list[Identifier], Field(min_length=1, max_length=MAX_COURSE_POSITIONS)
    ]
    mandatory: StrictBool = False
    deadline_days: StrictInt | None = Field(default=None, ge=1, le=MAX_DEADLINE_DAYS)


class CourseUpdate(Strict):
    """Fields to change; ``title_en``, ``description`` and ``deadline_days`` may be
    null."""

    title: Title | None = None
    title_en: Title | None = None
    description: Description | None = None
    article_ids: (
        Annotated[list[Identifier], Field(min_length=1, max_length=MAX_COURSE_ARTICLES)]
        | None
    ) = None
    position_ids: (
        Annotated[
            list[Identifier], Field(min_length=1, max_length=MAX_COURSE_POSITIONS)
        ]
        | None
    ) = None
    mandatory: StrictBool | None = None
    deadline_days: StrictInt | None = Field(default=None, ge=1, le=MAX_DEADLINE_DAYS)


class AnswerBody(Strict):
    """An answer to the ``version`` of the question that the learner was shown.

    A choice question takes ``option_ids`` and an open one ``text``; the
    attempts module checks which one the question needs.
    """

    version: StrictInt = Field(ge=1)
    option_ids: Annotated[list[Identifier], Field(max_length=MAX_OPTIONS)] | None = None
    text: Annotated[CleanText, Field(max_length=MAX_OPEN_ANSWER_LENGTH)] | None = None


class CourseAnswerBody(AnswerBody):
    """An answer sent to the course's answers collection, naming its question."""

    question_id: Identifier


class GradeBody(Strict):
    passed: StrictBool
    comment: (
        Annotated[OptionalCleanText, Field(max_length=MAX_COMMENT_LENGTH)] | None
    ) = None
