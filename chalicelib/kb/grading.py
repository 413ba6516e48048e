"""Grading open answers: trainers pass or fail them, and then they count.

A trainer of an article is an admin or a person who may edit it. A passed
answer passes the question it answered, but only while that question is at the
answered version. A failed answer lets the learner answer again, without a
lock-out, since the grade comes long after the answer. Either way the learner
gets a notice in their chat.
"""

import logging
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import headers_by_id
from chalicelib.kb.course_models import (
    GRADING_PARTITION,
    Attempt,
    GradingEntry,
    attempt_sk,
    learner_pk,
)
from chalicelib.kb.course_notices import notify_graded
from chalicelib.kb.course_schemas import GradeBody
from chalicelib.kb.questions import is_cancelled
from chalicelib.storage.connection import transaction_connection

logger = logging.getLogger(__name__)


@dataclass
class PendingAnswer:
    entry: GradingEntry
    attempt: Attempt


def _entry(attempt_id: str) -> GradingEntry:
    try:
        return GradingEntry.get(GRADING_PARTITION, attempt_id, consistent_read=True)
    except DoesNotExist:
        raise NotFound(
            f"Answer '{attempt_id}' not found; only open answers are graded.",
            field="answer_id",
        ) from None


def _attempt_of(entry: GradingEntry) -> Attempt:
    return Attempt.get(
        learner_pk(entry.course_id, entry.learner_id),
        attempt_sk(entry.attempt_id),
        consistent_read=True,
    )


def grade_answer(attempt_id: str, body: GradeBody, reader: Reader) -> Attempt:
    entry = _entry(attempt_id)
    article = headers_by_id([entry.graded_article_id]).get(entry.graded_article_id)
    rights = reader.article_rights(article) if article is not None else None
    if rights is None or not rights.read:
        raise NotFound(f"Answer '{attempt_id}' not found.", field="answer_id")
    if not rights.edit:
        raise Forbidden(
            "Only an admin or a person who may edit the article can grade answers "
            "to its questions."
        )
    if entry.learner_id == reader.user_id:
        raise Forbidden("You cannot grade your own answer; ask another trainer.")
    if entry.status != "pending":
        raise Conflict(f"Answer '{attempt_id}' is already graded.")

    attempt = _attempt_of(entry)
    now = utc_now()
    result = "passed" if body.passed else "failed"
    actions = [
        Attempt.result.set(result),
        Attempt.graded_by.set(reader.user_id),
        Attempt.graded_at.set(now),
    ]
    if body.comment:
        actions.append(Attempt.grade_comment.set(body.comment))
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                attempt, actions=actions, condition=Attempt.result == "pending"
            )
            transaction.update(
                entry,
                actions=[GradingEntry.status.set("graded")],
                condition=GradingEntry.status == "pending",
            )
    except TransactWriteError as error:
        if not is_cancelled(error):
            raise
        raise Conflict(
            f"Answer '{attempt_id}' was graded by someone else at the same time."
        ) from None
    logger.info(
        "kb answer graded attempt_id=%s result=%s by=%s",
        attempt_id,
        result,
        reader.user_id,
    )
    graded = _attempt_of(entry)
    try:
        notify_graded(graded)
    except Exception:
        # The grade is saved and stays; only the learner's chat notice is lost.
        logger.exception("kb grade notice failed attempt_id=%s", attempt_id)
    return graded


def pending_answers(reader: Reader) -> list[PendingAnswer]:
    """Return the open answers waiting for a grade that the reader may grade."""
    entries = [
        entry
        for entry in GradingEntry.query(
            GRADING_PARTITION, filter_condition=GradingEntry.status == "pending"
        )
        if entry.learner_id != reader.user_id
    ]
    headers = headers_by_id({entry.graded_article_id for entry in entries})
    found = []
    for entry in entries:
        article = headers.get(entry.graded_article_id)
        if article is None or not reader.article_rights(article).edit:
            continue
        found.append(PendingAnswer(entry=entry, attempt=_attempt_of(entry)))
    return found
