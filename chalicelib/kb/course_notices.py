"""Course notifications in the learner's chat: deadlines and graded answers.

The daily run ``send_course_reminders`` looks at the required enrolments of
every mandatory course with a deadline:

- ``NEAR_DAYS`` days before the deadline's last day (in the company time
  zone), a learner who has not completed the course is reminded. A course
  with a deadline of ``NEAR_DAYS`` days or fewer gets no such reminder,
  because the enrolment notice already gave the date;
- once the deadline has passed, an incomplete learner is told the course is
  overdue, and so are the holders of the nearest position above theirs that
  has anyone in it.

Each reminder of an enrolment is sent once per deadline. A ``CourseNotice``
item is claimed first, with the time that the messages get. The message ids
derive from the enrolment, the kind and that time, so a run that resumes a
claimed reminder after a failure posts nothing twice. A new deadline (the
course became required again) gets reminders of its own.

A graded open answer is announced to its learner by ``notify_graded``, right
after the grade is saved.
"""

import logging
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from chalicelib.clock import iso
from chalicelib.errors import NotFound
from chalicelib.finance.org_snapshot import OrgSnapshot
from chalicelib.kb.articles import headers_by_id
from chalicelib.kb.course_models import (
    ENROLMENT_PREFIX,
    NOTICE_PREFIX,
    Attempt,
    Course,
    CourseNotice,
    Enrolment,
    course_pk,
    notice_sk,
)
from chalicelib.kb.course_progress import (
    compute_progress,
    deadline_date,
    due_at,
    load_records,
)
from chalicelib.kb.courses import get_course, list_courses
from chalicelib.kb.enrolment import course_href
from chalicelib.kb.questions import get_version, questions_of_articles
from chalicelib.notifications.service import notify
from chalicelib.people.service import find_user
from chalicelib.tasks.due import company_time_zone

logger = logging.getLogger(__name__)

# How many days before the deadline's last day the reminder goes out.
NEAR_DAYS = 2
DUE_SOON = "due_soon"
OVERDUE = "overdue"


class _CourseContent:
    """A course's articles and questions, read once and only when needed."""

    def __init__(self, course: Course) -> None:
        self.course = course
        self._loaded: tuple | None = None

    def progress(self, learner_id: str, now: datetime):
        if self._loaded is None:
            headers = headers_by_id(self.course.item_article_ids or [])
            self._loaded = (headers, questions_of_articles(list(headers)))
        headers, questions = self._loaded
        records = load_records(self.course.course_id, learner_id)
        return compute_progress(self.course, headers, questions, records, now)


def reminder_kind(course: Course, enrolment: Enrolment, now: datetime) -> str | None:
    """Return which deadline reminder the enrolment is due for now, if any."""
    deadline = due_at(course, enrolment)
    if deadline is None:
        return None
    if now >= deadline:
        return OVERDUE
    if int(course.deadline_days) <= NEAR_DAYS:
        return None
    last_day = deadline_date(course, enrolment.required_since)
    today = now.astimezone(company_time_zone()).date()
    if today >= last_day - timedelta(days=NEAR_DAYS):
        return DUE_SOON
    return None


def _claim(
    course: Course, enrolment: Enrolment, kind: str, now: datetime
) -> CourseNotice | None:
    """Return the reminder's notice to send, or None if it was sent already."""
    key = (
        course_pk(course.course_id),
        notice_sk(enrolment.learner_id, kind, iso(enrolment.required_since)),
    )
    notice = CourseNotice(
        *key,
        course_id=course.course_id,
        learner_id=enrolment.learner_id,
        kind=kind,
        sent_at=now,
    )
    try:
        notice.save(condition=CourseNotice.sk.does_not_exist())
        return notice
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    claimed = CourseNotice.get(*key, consistent_read=True)
    return None if claimed.done_at is not None else claimed


def _managers(position_id: str | None, learner_id: str, org: OrgSnapshot) -> list:
    """Return the active holders of the nearest position above that has any."""
    for manager_position in org.managers_of(position_id):
        holders = [
            user for user in org.holders(manager_position) if user.user_id != learner_id
        ]
        if holders:
            return holders
    return []


def _send(
    course: Course,
    enrolment: Enrolment,
    notice: CourseNotice,
    percent: int,
    org: OrgSnapshot,
) -> None:
    learner_id = enrolment.learner_id
    event_id = (
        f"kb-course-{notice.kind}:{course.course_id}:{learner_id}:"
        f"{iso(enrolment.required_since)}"
    )
    context = {
        "title": course.title,
        "title_en": course.title_en,
        "due_date": deadline_date(course, enrolment.required_since).isoformat(),
        "percent": percent,
    }
    link = course_href(course.course_id)
    if notice.kind == DUE_SOON:
        notify(
            learner_id,
            "kb_course_due_soon",
            event_id=event_id,
            happened_at=notice.sent_at,
            link=link,
            **context,
        )
    else:
        managers = _managers(enrolment.learner_position_id, learner_id, org)
        notify(
            learner_id,
            "kb_course_overdue",
            event_id=event_id,
            happened_at=notice.sent_at,
            link=link,
            manager_notified=bool(managers),
            **context,
        )
        learner = find_user(learner_id)
        for manager in managers:
            notify(
                manager.user_id,
                "kb_course_overdue_manager",
                event_id=event_id,
                happened_at=notice.sent_at,
                link=link,
                learner_name=learner.name if learner else learner_id,
                **context,
            )
    notice.update(actions=[CourseNotice.done_at.set(notice.sent_at)])


def _course_reminders(course: Course, now: datetime, org: OrgSnapshot) -> int:
    partition = course_pk(course.course_id)
    enrolments = Enrolment.query(
        partition, Enrolment.sk.startswith(ENROLMENT_PREFIX), consistent_read=True
    )
    done = {
        notice.sk
        for notice in CourseNotice.query(
            partition, CourseNotice.sk.startswith(NOTICE_PREFIX), consistent_read=True
        )
        if notice.done_at is not None
    }
    content = _CourseContent(course)
    sent = 0
    for enrolment in enrolments:
        kind = reminder_kind(course, enrolment, now)
        if kind is None:
            continue
        key = notice_sk(enrolment.learner_id, kind, iso(enrolment.required_since))
        if key in done:
            continue
        progress = content.progress(enrolment.learner_id, now)
        if progress.is_complete:
            continue
        notice = _claim(course, enrolment, kind, now)
        if notice is None:
            continue
        _send(course, enrolment, notice, progress.percent, org)
        sent += 1
        logger.info(
            "kb course reminder sent kind=%s course_id=%s user_id=%s",
            kind,
            course.course_id,
            enrolment.learner_id,
        )
    return sent


def send_course_reminders(now: datetime) -> dict:
    """Send the due deadline reminders of every mandatory course."""
    courses = [
        course
        for course in list_courses()
        if course.mandatory and course.deadline_days is not None
    ]
    org = OrgSnapshot()
    sent = 0
    for course in courses:
        try:
            sent += _course_reminders(course, now, org)
        except Exception:
            # One course's failure must not hold up the others; the next run
            # resumes its claimed reminders.
            logger.exception(
                "kb course reminders failed course_id=%s", course.course_id
            )
    logger.info("kb course reminders courses=%d sent=%d", len(courses), sent)
    return {"courses": len(courses), "sent": sent}


def notify_graded(attempt: Attempt) -> bool:
    """Tell the learner how their open answer was graded; once per attempt."""
    try:
        course = get_course(attempt.course_id)
    except NotFound:
        # The course was deleted meanwhile; its learners no longer see it.
        return False
    version = get_version(attempt.question_id, int(attempt.question_version))
    return notify(
        attempt.learner_id,
        "kb_answer_graded",
        event_id=f"kb-graded:{attempt.attempt_id}",
        happened_at=attempt.graded_at,
        link=course_href(course.course_id),
        title=course.title,
        title_en=course.title_en,
        question=version.text if version else "",
        question_en=version.text_en if version else None,
        passed=attempt.result == "passed",
        comment=attempt.grade_comment,
    )
