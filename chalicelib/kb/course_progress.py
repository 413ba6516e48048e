"""A learner's progress through a course, computed from its current content.

Progress is the number of completed current items over the number of current
items. No counter is stored: every read starts from the course's article list,
the articles that still exist, their current questions and the learner's
records. So adding or removing articles or questions moves progress at once,
and it never exceeds 100%.

An item (one article) is completed when the learner has read it since their
last wrong answer on it and has passed every current question on it. A
question is passed by a correct choice or a passing grade on its current
version. An attempt on an older version no longer counts, because its key may
differ.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from chalicelib.kb.course_models import (
    ATTEMPT_PREFIX,
    PASSING_RESULTS,
    STATE_PREFIX,
    ArticleState,
    Attempt,
    Course,
    Enrolment,
    Question,
    learner_pk,
)
from chalicelib.kb.models import Article
from chalicelib.tasks.due import company_time_zone, end_of_day

# Item states, in the order a learner meets them.
TO_READ = "to_read"
LOCKED = "locked"
TO_ANSWER = "to_answer"
WAITING = "waiting_for_grading"
DONE = "done"


@dataclass
class LearnerRecords:
    states: dict[str, ArticleState]
    attempts: list[Attempt]


@dataclass
class QuestionProgress:
    question: Question
    status: str  # passed, pending, failed or unanswered
    attempts: int


@dataclass
class ItemProgress:
    position: int
    article_id: str
    article: Article
    read_at: datetime | None
    locked_until: datetime | None
    questions: list[QuestionProgress]
    state: str

    @property
    def done(self) -> bool:
        return self.state == DONE


@dataclass
class Progress:
    items: list[ItemProgress] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def completed(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def percent(self) -> int:
        if not self.items:
            return 0
        return self.completed * 100 // self.total

    @property
    def is_complete(self) -> bool:
        return bool(self.items) and self.completed == self.total

    @property
    def next_item(self) -> ItemProgress | None:
        return next((item for item in self.items if not item.done), None)

    def as_json(self) -> dict:
        return {
            "completed": self.completed,
            "total": self.total,
            "percent": self.percent,
            "complete": self.is_complete,
        }


def load_records(course_id: str, user_id: str) -> LearnerRecords:
    """Read a learner's article states and attempts: one Query for each kind."""
    partition = learner_pk(course_id, user_id)
    states = {
        item.sk.removeprefix(STATE_PREFIX): item
        for item in ArticleState.query(
            partition, ArticleState.sk.startswith(STATE_PREFIX), consistent_read=True
        )
    }
    attempts = list(
        Attempt.query(
            partition, Attempt.sk.startswith(ATTEMPT_PREFIX), consistent_read=True
        )
    )
    return LearnerRecords(states=states, attempts=attempts)


def question_status(question: Question, attempts: list[Attempt]) -> QuestionProgress:
    """Score one question from the attempts on its current version only."""
    current = [
        attempt
        for attempt in attempts
        if attempt.question_id == question.question_id
        and int(attempt.question_version) == int(question.version)
    ]
    results = [attempt.result for attempt in current]
    if any(result in PASSING_RESULTS for result in results):
        status = "passed"
    elif "pending" in results:
        status = "pending"
    elif results:
        status = "failed"
    else:
        status = "unanswered"
    return QuestionProgress(question=question, status=status, attempts=len(current))


def _item_state(
    read_at: datetime | None,
    locked_until: datetime | None,
    questions: list[QuestionProgress],
    now: datetime,
) -> str:
    statuses = {item.status for item in questions}
    if read_at is not None and statuses <= {"passed"}:
        return DONE
    if locked_until is not None and locked_until > now:
        return LOCKED
    if read_at is None:
        return TO_READ
    if statuses <= {"passed", "pending"}:
        return WAITING
    return TO_ANSWER


def compute_progress(
    course: Course,
    headers: dict[str, Article],
    questions: dict[str, list[Question]],
    records: LearnerRecords,
    now: datetime,
) -> Progress:
    """Compute progress over the course's articles that still exist."""
    progress = Progress()
    position = 0
    for article_id in course.item_article_ids or []:
        article = headers.get(article_id)
        if article is None:
            continue
        position += 1
        state = records.states.get(article_id)
        read_at = state.read_at if state else None
        locked_until = state.locked_until if state else None
        scored = [
            question_status(question, records.attempts)
            for question in questions.get(article_id, [])
        ]
        progress.items.append(
            ItemProgress(
                position=position,
                article_id=article_id,
                article=article,
                read_at=read_at,
                locked_until=locked_until,
                questions=scored,
                state=_item_state(read_at, locked_until, scored, now),
            )
        )
    return progress


def deadline_date(course: Course, required_since: datetime) -> date | None:
    """Return the last day of a mandatory course, in the company time zone.

    The learner has ``deadline_days`` whole days after the company date on
    which the course became required: an enrolment at 01:00 on 2 March in
    Moscow (22:00 UTC on 1 March) counts from 2 March.
    """
    if not course.mandatory or course.deadline_days is None:
        return None
    start = required_since.astimezone(company_time_zone()).date()
    return start + timedelta(days=int(course.deadline_days))


def due_at(course: Course, enrolment: Enrolment) -> datetime | None:
    """Return the UTC moment the company's deadline day ends; None if no deadline."""
    if not enrolment.required or enrolment.required_since is None:
        return None
    last_day = deadline_date(course, enrolment.required_since)
    return end_of_day(last_day) if last_day is not None else None


def is_overdue(
    course: Course, enrolment: Enrolment, progress: Progress, now: datetime
) -> bool:
    deadline = due_at(course, enrolment)
    return deadline is not None and now >= deadline and not progress.is_complete
