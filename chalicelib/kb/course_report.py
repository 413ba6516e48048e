"""The manager's report of a course: each enrolled person's progress and deadline.

Admins see every enrolled person. Anyone else sees the people whose current
position reports to theirs, directly or up the chain, as the finance
visibility rule does; a person without such reports gets an empty report.

Each row also counts the person's passed current questions and lists the
current questions they answered wrongly at least once (a wrong choice or a
failed grade, on any version). Both come from the attempts the progress
already reads, so they cost no extra DynamoDB call.
"""

from datetime import datetime

from chalicelib.clock import iso, utc_now
from chalicelib.finance.org_snapshot import OrgSnapshot
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import headers_by_id
from chalicelib.kb.course_models import Attempt, Course, Enrolment
from chalicelib.kb.course_progress import (
    Progress,
    compute_progress,
    deadline_date,
    due_at,
    is_overdue,
    load_records,
)
from chalicelib.kb.enrolment import course_enrolments
from chalicelib.kb.questions import questions_of_articles
from chalicelib.people.models import User

BATCH_GET_LIMIT = 100
# Results of an attempt that answered its question wrongly.
WRONG_RESULTS = ("wrong", "failed")


def _users(user_ids: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for start in range(0, len(user_ids), BATCH_GET_LIMIT):
        for user in User.batch_get(user_ids[start : start + BATCH_GET_LIMIT]):
            found[user.user_id] = user
    return found


def visible_learners(reader: Reader, users: dict[str, User]) -> set[str]:
    if reader.is_admin:
        return set(users)
    if reader.position_id is None:
        return set()
    reports = OrgSnapshot().reports_of(reader.position_id)
    return {
        user_id
        for user_id, user in users.items()
        if user.position_id is not None and user.position_id in reports
    }


def enrolment_json(
    course: Course, enrolment: Enrolment, overdue: bool
) -> dict[str, object]:
    deadline = due_at(course, enrolment)
    return {
        "required": bool(enrolment.required),
        "position_id": enrolment.learner_position_id,
        "enrolled_at": iso(enrolment.enrolled_at),
        "required_since": (
            iso(enrolment.required_since) if enrolment.required_since else None
        ),
        "released_at": iso(enrolment.released_at) if enrolment.released_at else None,
        "due_at": iso(deadline) if deadline else None,
        # The deadline's last day in the company time zone, as people read it.
        "due_date": (
            deadline_date(course, enrolment.required_since).isoformat()
            if deadline
            else None
        ),
        "overdue": overdue,
    }


def question_scores(
    progress: Progress, attempts: list[Attempt], readable_article_ids: set[str]
) -> dict:
    """Count passed current questions and list those answered wrongly.

    A question of an article the report's reader may not read is listed
    without its text, as a course hides such an article's title.
    """
    wrong_counts: dict[str, int] = {}
    for attempt in attempts:
        if attempt.result in WRONG_RESULTS:
            wrong_counts[attempt.question_id] = (
                wrong_counts.get(attempt.question_id, 0) + 1
            )
    current = [scored for item in progress.items for scored in item.questions]
    wrong = []
    for scored in current:
        question = scored.question
        if question.question_id not in wrong_counts:
            continue
        readable = question.question_article_id in readable_article_ids
        wrong.append(
            {
                "question_id": question.question_id,
                "article_id": question.question_article_id,
                "text": question.text if readable else None,
                "text_en": question.text_en if readable else None,
                "wrong_attempts": wrong_counts[question.question_id],
                "status": scored.status,
            }
        )
    return {
        "questions": {
            "passed": sum(1 for scored in current if scored.status == "passed"),
            "total": len(current),
        },
        "wrong_questions": wrong,
    }


def course_report(course: Course, reader: Reader, now: datetime | None = None) -> dict:
    now = now or utc_now()
    enrolments = course_enrolments(course.course_id)
    users = _users([enrolment.learner_id for enrolment in enrolments])
    visible = visible_learners(reader, users)
    headers = headers_by_id(course.item_article_ids or [])
    questions = questions_of_articles(
        [
            article_id
            for article_id in course.item_article_ids or []
            if article_id in headers
        ]
    )
    readable_article_ids = {
        article_id
        for article_id, article in headers.items()
        if reader.can_read(article)
    }
    rows = []
    for enrolment in enrolments:
        if enrolment.learner_id not in visible:
            continue
        user = users[enrolment.learner_id]
        records = load_records(course.course_id, enrolment.learner_id)
        progress = compute_progress(course, headers, questions, records, now)
        overdue = is_overdue(course, enrolment, progress, now)
        rows.append(
            {
                "user": {
                    "id": user.user_id,
                    "name": user.name,
                    "position_id": user.position_id,
                    "active": user.is_active,
                },
                **enrolment_json(course, enrolment, overdue),
                "progress": progress.as_json(),
                **question_scores(progress, records.attempts, readable_article_ids),
            }
        )
    rows.sort(key=lambda row: (not row["overdue"], row["user"]["name"]))
    return {
        "course_id": course.course_id,
        "generated_at": iso(now),
        "people": rows,
        "scope": "all" if reader.is_admin else "reports",
    }
