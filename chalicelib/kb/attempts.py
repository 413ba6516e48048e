"""Taking a course: marking articles read and answering their questions.

A learner answers the questions of an article after marking it read. A wrong
choice clears the read mark and locks answering on that article for
``LOCKOUT_SECONDS``, so the learner goes back to the article before trying
again. An open answer waits for a trainer's grade (see ``grading``). Every
attempt is kept with the question version it answered.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import iso, utc_now
from chalicelib.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
)
from chalicelib.ids import new_id
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import get_article
from chalicelib.kb.course_models import (
    ArticleState,
    Attempt,
    Course,
    Enrolment,
    GradingEntry,
    Question,
    QuestionVersion,
    attempt_sk,
    learner_pk,
    state_sk,
)
from chalicelib.kb.course_progress import load_records, question_status
from chalicelib.kb.course_schemas import AnswerBody
from chalicelib.kb.enrolment import find_enrolment
from chalicelib.kb.models import Article
from chalicelib.kb.questions import find_question, is_cancelled
from chalicelib.storage.connection import transaction_connection

logger = logging.getLogger(__name__)

# How long a wrong answer holds off the next answer on the same article.
LOCKOUT_SECONDS = 60


@dataclass
class AnswerOutcome:
    attempt: Attempt
    locked_until: datetime | None


def require_enrolment(course: Course, reader: Reader) -> Enrolment:
    enrolment = find_enrolment(course.course_id, reader.user_id, consistent=True)
    if enrolment is None:
        raise Forbidden(
            f"You are not enrolled in course '{course.course_id}'; it is taken by "
            "the holders of its positions."
        )
    return enrolment


def course_article(course: Course, article_id: str, reader: Reader) -> Article:
    """Return an article of the course that the learner may read; 404 otherwise."""
    if article_id not in (course.item_article_ids or []):
        raise NotFound(
            f"Article '{article_id}' is not part of course '{course.course_id}'.",
            field="article_id",
        )
    article = get_article(article_id)
    if not reader.can_read(article):
        raise NotFound(f"Article '{article_id}' not found.", field="article_id")
    return article


def mark_read(course: Course, article_id: str, reader: Reader) -> ArticleState:
    require_enrolment(course, reader)
    course_article(course, article_id, reader)
    now = utc_now()
    state = ArticleState(
        learner_pk(course.course_id, reader.user_id), state_sk(article_id)
    )
    # An update keeps a running lock-out: reading again does not lift it.
    state.update(actions=[ArticleState.read_at.set(now)])
    logger.info(
        "kb course article read course_id=%s article_id=%s user_id=%s",
        course.course_id,
        article_id,
        reader.user_id,
    )
    return state


def _check_choice(question: Question, option_ids: list[str]) -> bool:
    """Validate the chosen options and return whether they match the key."""
    known = {option.option_id for option in question.options or []}
    for index, option_id in enumerate(option_ids):
        if option_id not in known:
            field = f"option_ids.{index}"
            raise InvalidInput(
                f"Invalid field '{field}': option '{option_id}' is not an option "
                f"of version {int(question.version)}; use the ids sent with the "
                "question.",
                field=field,
            )
    if len(set(option_ids)) != len(option_ids):
        raise InvalidInput(
            "Invalid field 'option_ids': an option is chosen twice; list each once.",
            field="option_ids",
        )
    if not option_ids:
        raise InvalidInput(
            "Invalid field 'option_ids': choose at least one option.",
            field="option_ids",
        )
    if question.kind == "single" and len(option_ids) != 1:
        raise InvalidInput(
            "Invalid field 'option_ids': a single choice question takes exactly "
            "one option.",
            field="option_ids",
        )
    key = {option.option_id for option in question.options or [] if option.correct}
    return set(option_ids) == key


def _check_answer_shape(question: Question, body: AnswerBody) -> None:
    if question.kind == "open":
        if body.option_ids is not None:
            raise InvalidInput(
                "Invalid field 'option_ids': this is an open question; send your "
                'answer as "text".',
                field="option_ids",
            )
        if body.text is None:
            raise InvalidInput(
                "Invalid field 'text': field required for an open question.",
                field="text",
            )
        return
    if body.text is not None:
        raise InvalidInput(
            "Invalid field 'text': this is a choice question; send the chosen "
            '"option_ids".',
            field="text",
        )
    if body.option_ids is None:
        raise InvalidInput(
            "Invalid field 'option_ids': field required for a choice question.",
            field="option_ids",
        )


def _check_turn(
    question: Question, state: ArticleState | None, attempts: list, now: datetime
) -> None:
    """Raise unless the learner may answer this question now."""
    status = question_status(question, attempts).status
    if status == "passed":
        raise Conflict(
            f"You have already passed version {int(question.version)} of this "
            "question; go on to the next one."
        )
    if status == "pending":
        raise Conflict(
            "Your answer to this question is waiting for a trainer's grade; "
            "answer again only if it fails."
        )
    if (
        state is not None
        and state.locked_until is not None
        and state.locked_until > now
    ):
        seconds = max(1, ceil((state.locked_until - now).total_seconds()))
        raise TooManyRequests(
            f"Answering is locked for {seconds} s after a wrong answer; read the "
            "article again meanwhile.",
            retry_after=seconds,
            locked_until=iso(state.locked_until),
        )
    if state is None or state.read_at is None:
        raise Conflict(
            "Read the article first: mark it read, then answer its questions.",
            field="article_id",
        )


def answer_question(
    course: Course, question_id: str, body: AnswerBody, reader: Reader
) -> AnswerOutcome:
    require_enrolment(course, reader)
    question = find_question(question_id)
    article_id = question.question_article_id
    if article_id not in (course.item_article_ids or []):
        raise NotFound(
            f"Question '{question_id}' is not part of course '{course.course_id}'.",
            field="question_id",
        )
    course_article(course, article_id, reader)
    _check_answer_shape(question, body)
    if body.version != int(question.version):
        raise Conflict(
            f"The question changed to version {int(question.version)} after you "
            "opened it; reload it and answer again.",
            field="version",
        )

    now = utc_now()
    records = load_records(course.course_id, reader.user_id)
    state = records.states.get(article_id)
    _check_turn(question, state, records.attempts, now)

    if question.kind == "open":
        result = "pending"
    else:
        result = (
            "correct" if _check_choice(question, body.option_ids or []) else "wrong"
        )
    attempt_id = new_id()
    attempt = Attempt(
        learner_pk(course.course_id, reader.user_id),
        attempt_sk(attempt_id),
        attempt_id=attempt_id,
        course_id=course.course_id,
        learner_id=reader.user_id,
        attempt_article_id=article_id,
        question_id=question_id,
        question_version=int(question.version),
        option_ids=body.option_ids,
        text=body.text,
        result=result,
        created_at=now,
    )
    locked_until = (
        now + timedelta(seconds=LOCKOUT_SECONDS) if result == "wrong" else None
    )
    state_key = (learner_pk(course.course_id, reader.user_id), state_sk(article_id))
    answers_before = int(state.answer_count or 0) if state is not None else 0
    unchanged = (
        ArticleState.answer_count == answers_before
        if answers_before
        else ArticleState.answer_count.does_not_exist()
    )
    state_actions = [ArticleState.answer_count.set(answers_before + 1)]
    if locked_until is not None:
        # A wrong answer sends the learner back to the article.
        state_actions += [
            ArticleState.read_at.remove(),
            ArticleState.locked_until.set(locked_until),
        ]
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(attempt, condition=Attempt.sk.does_not_exist())
            transaction.update(
                ArticleState(*state_key),
                actions=state_actions,
                condition=ArticleState.read_at.exists() & unchanged,
            )
            if result == "pending":
                transaction.save(
                    GradingEntry(
                        sk=attempt_id,
                        course_id=course.course_id,
                        learner_id=reader.user_id,
                        graded_article_id=article_id,
                        question_id=question_id,
                        question_version=int(question.version),
                        created_at=now,
                    ),
                    condition=GradingEntry.sk.does_not_exist(),
                )
    except TransactWriteError as error:
        if not is_cancelled(error):
            raise
        raise Conflict(
            "Another answer on this article was saved at the same time; reload "
            "the course and try again."
        ) from None
    logger.info(
        "kb course answer course_id=%s question_id=%s version=%d result=%s user_id=%s",
        course.course_id,
        question_id,
        int(question.version),
        result,
        reader.user_id,
    )
    return AnswerOutcome(attempt=attempt, locked_until=locked_until)


def attempt_json(attempt: Attempt, version: QuestionVersion | None) -> dict:
    """Present an attempt with the text of the version it answered, without keys."""
    return {
        "id": attempt.attempt_id,
        "course_id": attempt.course_id,
        "learner_id": attempt.learner_id,
        "article_id": attempt.attempt_article_id,
        "question_id": attempt.question_id,
        "question_version": int(attempt.question_version),
        "question_text": version.text if version else None,
        "question_text_en": version.text_en if version else None,
        "option_ids": list(attempt.option_ids) if attempt.option_ids else None,
        "text": attempt.text,
        "result": attempt.result,
        "created_at": iso(attempt.created_at),
        "graded_by": attempt.graded_by,
        "graded_at": iso(attempt.graded_at) if attempt.graded_at else None,
        "comment": attempt.grade_comment,
    }
