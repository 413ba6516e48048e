"""Enrol the holders of a course's positions, and release those who leave them.

One rule decides, for a course and a person: the course is required of an
active person in one of its positions. ``reconcile`` brings the
person's enrolment in line with that rule, reading the person's current state
rather than a stream image, so it is idempotent and a replayed old record
changes nothing. It runs for one person on each users-stream record that hires,
moves, reactivates or deactivates them, and for every holder when a course is
created or its positions change.

A person who leaves the positions keeps their enrolment and attempts; the
enrolment only stops being required.
"""

import logging
from datetime import datetime

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from pynamodb.exceptions import PutError, UpdateError

from chalicelib.clock import iso, utc_now
from chalicelib.kb.course_models import (
    ENROLMENT_PREFIX,
    Course,
    Enrolment,
    course_pk,
    enrolment_sk,
)
from chalicelib.kb.course_progress import deadline_date
from chalicelib.kb.courses import list_courses
from chalicelib.notifications.service import notify
from chalicelib.people.models import User
from chalicelib.streams.records import read_change

logger = logging.getLogger(__name__)

BATCH_GET_LIMIT = 100


def find_enrolment(
    course_id: str, user_id: str, *, consistent: bool = False
) -> Enrolment | None:
    try:
        return Enrolment.get(
            course_pk(course_id), enrolment_sk(user_id), consistent_read=consistent
        )
    except Enrolment.DoesNotExist:
        return None


def course_enrolments(course_id: str) -> list[Enrolment]:
    return list(
        Enrolment.query(
            course_pk(course_id),
            Enrolment.sk.startswith(ENROLMENT_PREFIX),
            consistent_read=True,
        )
    )


def enrolments_of(user_id: str, course_ids: list[str]) -> dict[str, Enrolment]:
    """Return the person's enrolments among ``course_ids``, by course id."""
    found: dict[str, Enrolment] = {}
    for start in range(0, len(course_ids), BATCH_GET_LIMIT):
        keys = [
            (course_pk(course_id), enrolment_sk(user_id))
            for course_id in course_ids[start : start + BATCH_GET_LIMIT]
        ]
        for enrolment in Enrolment.batch_get(keys, consistent_read=True):
            found[enrolment.course_id] = enrolment
    return found


def _current_user(user_id: str) -> User | None:
    # A consistent read: the stream record may be newer than a replica.
    try:
        return User.get(user_id, consistent_read=True)
    except User.DoesNotExist:
        return None


def is_required_of(course: Course, user: User | None) -> bool:
    return (
        user is not None
        and user.is_active
        and user.position_id is not None
        and user.position_id in (course.course_position_ids or [])
    )


def _conditional(write, *args, **kwargs) -> bool:
    """Run a conditional write; return False if another writer got there first."""
    try:
        write(*args, **kwargs)
    except (PutError, UpdateError) as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def reconcile(
    course: Course,
    user_id: str,
    user: User | None,
    enrolment: Enrolment | None,
    now: datetime,
) -> str | None:
    """Bring one enrolment in line with the person's positions; return what changed."""
    required = is_required_of(course, user)
    if required and enrolment is None:
        created = Enrolment(
            course_pk(course.course_id),
            enrolment_sk(user_id),
            course_id=course.course_id,
            learner_id=user_id,
            learner_position_id=user.position_id,
            required=True,
            enrolled_at=now,
            required_since=now,
        )
        if _conditional(created.save, condition=Enrolment.sk.does_not_exist()):
            return "enrolled"
        return None
    if enrolment is None:
        return None
    if required and not enrolment.required:
        changed = _conditional(
            enrolment.update,
            actions=[
                Enrolment.required.set(True),
                Enrolment.required_since.set(now),
                Enrolment.learner_position_id.set(user.position_id),
                Enrolment.released_at.remove(),
            ],
            condition=Enrolment.required == False,  # noqa: E712
        )
        return "required again" if changed else None
    if required and enrolment.learner_position_id != user.position_id:
        # A move between two positions of the same course keeps the deadline.
        changed = _conditional(
            enrolment.update,
            actions=[Enrolment.learner_position_id.set(user.position_id)],
            condition=Enrolment.required == True,  # noqa: E712
        )
        return "moved" if changed else None
    if not required and enrolment.required:
        changed = _conditional(
            enrolment.update,
            actions=[Enrolment.required.set(False), Enrolment.released_at.set(now)],
            condition=Enrolment.required == True,  # noqa: E712
        )
        return "released" if changed else None
    return None


def _announce(course: Course, user_id: str, change: str | None, now: datetime) -> None:
    """Log an enrolment change and tell a newly required learner in their chat.

    Only the request or record whose conditional write made the change gets
    here, so a replay sends nothing twice.
    """
    if change is None:
        return
    logger.info(
        "kb enrolment %s course_id=%s user_id=%s", change, course.course_id, user_id
    )
    if change not in ("enrolled", "required again"):
        return
    deadline = deadline_date(course, now)
    notify(
        user_id,
        "kb_course_assigned",
        event_id=f"kb-course:{course.course_id}:{user_id}:{iso(now)}",
        happened_at=now,
        link=course_href(course.course_id),
        title=course.title,
        title_en=course.title_en,
        mandatory=bool(course.mandatory),
        due_date=deadline.isoformat() if deadline else None,
    )


def course_href(course_id: str) -> str:
    return f"#/kb/courses/{course_id}"


def enrol_course(course: Course, previous_positions: list[str] | None = None) -> None:
    """Enrol the current holders of the course's positions; release the others."""
    now = utc_now()
    enrolments = {item.learner_id: item for item in course_enrolments(course.course_id)}
    candidates: dict[str, User | None] = {}
    positions = set(course.course_position_ids or []) | set(previous_positions or [])
    for position_id in sorted(positions):
        for user in User.position_index.query(position_id):
            candidates[user.user_id] = user
    for user_id, enrolment in enrolments.items():
        if enrolment.required and user_id not in candidates:
            candidates[user_id] = _current_user(user_id)
    for user_id, user in candidates.items():
        change = reconcile(course, user_id, user, enrolments.get(user_id), now)
        _announce(course, user_id, change, now)


def reconcile_user(user_id: str) -> None:
    """Bring every course's enrolment of one person in line with their position."""
    courses = list_courses()
    if not courses:
        return
    user = _current_user(user_id)
    enrolments = enrolments_of(user_id, [course.course_id for course in courses])
    now = utc_now()
    for course in courses:
        change = reconcile(course, user_id, user, enrolments.get(course.course_id), now)
        _announce(course, user_id, change, now)


def handle_user_record(record: DynamoDBRecord) -> None:
    """Enrol on hire, transfer or reactivation; release on leaving a position."""
    change = read_change(record)
    if change.event_name == "REMOVE" or not change.new:
        return
    if change.event_name == "MODIFY" and not (
        change.changed("position_id") or change.changed("status")
    ):
        return
    reconcile_user(change.new["user_id"])
