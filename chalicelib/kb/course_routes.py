"""HTTP routes of courses: managing them, taking them and the manager's report."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.clock import iso, utc_now
from chalicelib.kb import attempts, courses, enrolment
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import headers_by_id
from chalicelib.kb.course_models import Course
from chalicelib.kb.course_progress import (
    ItemProgress,
    compute_progress,
    is_overdue,
    load_records,
)
from chalicelib.kb.course_report import course_report, enrolment_json
from chalicelib.kb.course_schemas import (
    AnswerBody,
    CourseAnswerBody,
    CourseCreate,
    CourseUpdate,
)
from chalicelib.kb.questions import (
    get_version,
    question_json,
    questions_of_articles,
    versions_by_key,
)
from chalicelib.kb.routes import current_reader
from chalicelib.kb.schemas import NoBody
from chalicelib.web import parse, parse_body, read_json

course_routes = Blueprint(__name__)


def _reader() -> Reader:
    return current_reader(course_routes)


def _no_body() -> None:
    """Accept an empty body or ``{}``, and reject any field."""
    request = course_routes.current_request
    if (request.raw_body or b"").strip():
        parse(NoBody, read_json(request))


def _course_json(course: Course, reader: Reader) -> dict:
    headers = headers_by_id(course.item_article_ids or [])
    return courses.course_json(course, reader, headers)


@course_routes.route("/courses", methods=["GET"], authorizer=bearer_authorizer)
def list_courses():
    reader = _reader()
    listed = courses.list_courses()
    mine = enrolment.enrolments_of(
        reader.user_id, [course.course_id for course in listed]
    )
    headers = headers_by_id(
        {article_id for course in listed for article_id in course.item_article_ids}
    )
    presented = []
    for course in listed:
        course_view = courses.course_json(course, reader, headers)
        record = mine.get(course.course_id)
        course_view["enrolled"] = record is not None
        course_view["required"] = bool(record is not None and record.required)
        presented.append(course_view)
    return {"courses": presented}


@course_routes.route("/courses", methods=["POST"], authorizer=bearer_authorizer)
def create_course():
    reader = _reader()
    body = parse_body(course_routes.current_request, CourseCreate)
    course = courses.create_course(body, reader)
    enrolment.enrol_course(course)
    return Response({"course": _course_json(course, reader)}, status_code=201)


@course_routes.route(
    "/courses/{course_id}", methods=["GET"], authorizer=bearer_authorizer
)
def get_course(course_id):
    reader = _reader()
    return {"course": _course_json(courses.get_course(course_id), reader)}


@course_routes.route(
    "/courses/{course_id}", methods=["PATCH"], authorizer=bearer_authorizer
)
def update_course(course_id):
    reader = _reader()
    body = parse_body(course_routes.current_request, CourseUpdate)
    course, previous_positions = courses.update_course(
        course_id, body, body.model_fields_set, reader
    )
    if set(previous_positions) != set(course.course_position_ids or []):
        enrolment.enrol_course(course, previous_positions)
    return {"course": _course_json(course, reader)}


@course_routes.route(
    "/courses/{course_id}", methods=["DELETE"], authorizer=bearer_authorizer
)
def delete_course(course_id):
    reader = _reader()
    courses.delete_course(course_id, reader)
    return Response(body="", status_code=204)


def _item_json(item: ItemProgress, reader: Reader) -> dict:
    # An article the learner may not read still counts towards progress, but
    # its title and questions stay hidden until they get read access.
    if not reader.can_read(item.article):
        return {
            "position": item.position,
            "article_id": item.article_id,
            "readable": False,
            "title": None,
            "title_en": None,
            "state": item.state,
            "read_at": None,
            "locked_until": None,
            "questions": [],
        }
    return {
        "position": item.position,
        "article_id": item.article_id,
        "readable": True,
        "title": item.article.title,
        "title_en": item.article.title_en,
        "state": item.state,
        "read_at": iso(item.read_at) if item.read_at else None,
        "locked_until": iso(item.locked_until) if item.locked_until else None,
        "questions": [
            {
                **question_json(scored.question, with_key=False),
                "status": scored.status,
                "attempts": scored.attempts,
            }
            for scored in item.questions
        ],
    }


@course_routes.route(
    "/courses/{course_id}/me", methods=["GET"], authorizer=bearer_authorizer
)
def my_course(course_id):
    reader = _reader()
    course = courses.get_course(course_id)
    record = attempts.require_enrolment(course, reader)
    now = utc_now()
    headers = headers_by_id(course.item_article_ids)
    progress = compute_progress(
        course,
        headers,
        questions_of_articles(headers),
        load_records(course_id, reader.user_id),
        now,
    )
    following = progress.next_item
    return {
        "course": _course_json(course, reader),
        "enrolment": enrolment_json(
            course, record, is_overdue(course, record, progress, now)
        ),
        "progress": progress.as_json(),
        "next_item": (
            {"position": following.position, "article_id": following.article_id}
            if following
            else None
        ),
        "items": [_item_json(item, reader) for item in progress.items],
    }


@course_routes.route(
    "/courses/{course_id}/articles/{article_id}/read",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def mark_read(course_id, article_id):
    reader = _reader()
    _no_body()
    course = courses.get_course(course_id)
    attempts.mark_read(course, article_id, reader)
    return my_course(course_id)


@course_routes.route(
    "/courses/{course_id}/questions/{question_id}/answer",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def answer_question(course_id, question_id):
    reader = _reader()
    body = parse_body(course_routes.current_request, AnswerBody)
    return _answer(course_id, question_id, body, reader)


@course_routes.route(
    "/courses/{course_id}/answers", methods=["POST"], authorizer=bearer_authorizer
)
def add_answer(course_id):
    """Answer a question of the course; the body names the question."""
    reader = _reader()
    body = parse_body(course_routes.current_request, CourseAnswerBody)
    return _answer(course_id, body.question_id, body, reader)


def _answer(course_id: str, question_id: str, body: AnswerBody, reader: Reader):
    course = courses.get_course(course_id)
    outcome = attempts.answer_question(course, question_id, body, reader)
    answered = outcome.attempt
    version = get_version(answered.question_id, int(answered.question_version))
    return Response(
        {
            "answer": attempts.attempt_json(answered, version),
            "locked_until": (
                iso(outcome.locked_until) if outcome.locked_until else None
            ),
        },
        status_code=201,
    )


@course_routes.route(
    "/courses/{course_id}/attempts", methods=["GET"], authorizer=bearer_authorizer
)
def my_attempts(course_id):
    reader = _reader()
    course = courses.get_course(course_id)
    attempts.require_enrolment(course, reader)
    records = load_records(course_id, reader.user_id)
    versions = versions_by_key(
        (attempt.question_id, int(attempt.question_version))
        for attempt in records.attempts
    )
    ordered = sorted(records.attempts, key=lambda attempt: attempt.attempt_id)
    return {
        "attempts": [
            attempts.attempt_json(
                attempt,
                versions.get((attempt.question_id, int(attempt.question_version))),
            )
            for attempt in ordered
        ]
    }


@course_routes.route(
    "/courses/{course_id}/report", methods=["GET"], authorizer=bearer_authorizer
)
def report(course_id):
    reader = _reader()
    course = courses.get_course(course_id)
    return {"report": course_report(course, reader)}


@course_routes.route(
    "/courses/{course_id}/progress", methods=["GET"], authorizer=bearer_authorizer
)
def progress_report(course_id):
    """Return the same report as ``report``: progress, scores and deadlines."""
    return report(course_id)
