"""Courses: an ordered list of kb articles that the holders of positions take.

Admins manage every course. Anyone else manages a course when they may edit
every section its articles are in, and may only add articles from such
sections. Saving a course enrols the current holders of its positions (see
``enrolment``); the users stream enrols later hires and transfers.
"""

import logging

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import headers_by_id
from chalicelib.kb.course_models import COURSE_PARTITION, Course
from chalicelib.kb.course_schemas import CourseCreate, CourseUpdate
from chalicelib.kb.models import Article

logger = logging.getLogger(__name__)

# Fields a PATCH may set to null; the others must keep a value.
NULLABLE_FIELDS = ("title_en", "description", "deadline_days")


def list_courses() -> list[Course]:
    return list(Course.query(COURSE_PARTITION))


def get_course(
    course_id: str, *, consistent: bool = False, field: str | None = None
) -> Course:
    try:
        return Course.get(COURSE_PARTITION, course_id, consistent_read=consistent)
    except DoesNotExist:
        raise NotFound(f"Course '{course_id}' not found.", field=field) from None


def can_manage(reader: Reader, course: Course, headers: dict[str, Article]) -> bool:
    """Tell whether the reader may edit the course: edit rights on every section."""
    if reader.is_admin:
        return True
    return all(
        reader.section_rights(headers[article_id].section_id).edit
        for article_id in course.item_article_ids
        if article_id in headers
    )


def require_manage(reader: Reader, course: Course) -> dict[str, Article]:
    """Raise 403 unless the reader may edit the course; return its article headers."""
    headers = headers_by_id(course.item_article_ids)
    if not can_manage(reader, course, headers):
        raise Forbidden(
            "Only an admin or a person who may edit the sections of all the "
            "course's articles can change this course."
        )
    return headers


def _check_articles(reader: Reader, article_ids: list[str]) -> list[str]:
    if len(set(article_ids)) != len(article_ids):
        raise InvalidInput(
            "Invalid field 'article_ids': an article is listed twice; list each "
            "article once.",
            field="article_ids",
        )
    headers = headers_by_id(article_ids)
    for index, article_id in enumerate(article_ids):
        field = f"article_ids.{index}"
        article = headers.get(article_id)
        if article is None or not reader.can_read(article):
            raise InvalidInput(
                f"Invalid field '{field}': article '{article_id}' does not exist.",
                field=field,
            )
        if article.status == "draft":
            raise InvalidInput(
                f"Invalid field '{field}': article '{article_id}' is a draft; "
                "publish it before adding it to a course.",
                field=field,
            )
        if not reader.is_admin and not reader.section_rights(article.section_id).edit:
            raise Forbidden(
                f"You may not add article '{article_id}' to a course: you may not "
                "edit its section.",
                field=field,
            )
    return article_ids


def _check_positions(reader: Reader, position_ids: list[str]) -> list[str]:
    unique = list(dict.fromkeys(position_ids))
    for index, position_id in enumerate(position_ids):
        if position_id not in reader.positions:
            field = f"position_ids.{index}"
            raise InvalidInput(
                f"Invalid field '{field}': position '{position_id}' does not exist.",
                field=field,
            )
    return unique


def _check_deadline(mandatory: bool, deadline_days: int | None) -> None:
    if mandatory and deadline_days is None:
        raise InvalidInput(
            "Invalid field 'deadline_days': a mandatory course needs a deadline "
            "in days after enrolment, from 1 to 365.",
            field="deadline_days",
        )
    if not mandatory and deadline_days is not None:
        raise InvalidInput(
            "Invalid field 'deadline_days': only a mandatory course has a "
            'deadline; send "mandatory": true or drop the deadline.',
            field="deadline_days",
        )


def create_course(body: CourseCreate, reader: Reader) -> Course:
    article_ids = _check_articles(reader, body.article_ids)
    position_ids = _check_positions(reader, body.position_ids)
    _check_deadline(body.mandatory, body.deadline_days)
    now = utc_now()
    course = Course(
        sk=new_id(),
        title=body.title,
        title_en=body.title_en,
        description=body.description or None,
        item_article_ids=article_ids,
        course_position_ids=position_ids,
        mandatory=body.mandatory,
        deadline_days=body.deadline_days,
        created_by=reader.user_id,
        created_at=now,
        updated_by=reader.user_id,
        updated_at=now,
    )
    course.save(condition=Course.sk.does_not_exist())
    logger.info(
        "kb course created course_id=%s articles=%d positions=%d by=%s",
        course.course_id,
        len(article_ids),
        len(position_ids),
        reader.user_id,
    )
    return course


def _reject_nulls(body: CourseUpdate, fields_set: set[str]) -> None:
    if not fields_set:
        raise InvalidInput(
            "Nothing to change: send at least one of title, title_en, description, "
            "article_ids, position_ids, mandatory or deadline_days."
        )
    for name in fields_set:
        if name not in NULLABLE_FIELDS and getattr(body, name) is None:
            raise InvalidInput(
                f"Invalid field '{name}': it cannot be null; send a value.",
                field=name,
            )


def update_course(
    course_id: str, body: CourseUpdate, fields_set: set[str], reader: Reader
) -> tuple[Course, list[str]]:
    """Apply a PATCH; return the course and its positions before the change."""
    _reject_nulls(body, fields_set)
    course = get_course(course_id, consistent=True)
    require_manage(reader, course)
    previous_positions = list(course.course_position_ids or [])
    base_revision = int(course.revision)

    if "article_ids" in fields_set:
        course.item_article_ids = _check_articles(reader, body.article_ids or [])
    if "position_ids" in fields_set:
        course.course_position_ids = _check_positions(reader, body.position_ids or [])
    if "mandatory" in fields_set:
        course.mandatory = bool(body.mandatory)
    if "deadline_days" in fields_set:
        course.deadline_days = body.deadline_days
    elif "mandatory" in fields_set and not course.mandatory:
        # Making a course optional drops its deadline with it.
        course.deadline_days = None
    _check_deadline(bool(course.mandatory), course.deadline_days)
    if "title" in fields_set:
        course.title = body.title
    if "title_en" in fields_set:
        course.title_en = body.title_en
    if "description" in fields_set:
        course.description = body.description or None

    course.revision = base_revision + 1
    course.updated_by = reader.user_id
    course.updated_at = utc_now()
    try:
        course.save(condition=Course.revision == base_revision)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict(
            f"Course '{course_id}' was changed or deleted at the same time; "
            "reload it and try again."
        ) from None
    logger.info(
        "kb course updated course_id=%s revision=%d fields=%s by=%s",
        course_id,
        int(course.revision),
        ",".join(sorted(fields_set)),
        reader.user_id,
    )
    return course, previous_positions


def delete_course(course_id: str, reader: Reader) -> None:
    """Delete the course; enrolments and attempts stay as a record."""
    course = get_course(course_id, consistent=True)
    require_manage(reader, course)
    try:
        course.delete(condition=Course.revision == int(course.revision))
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict(
            f"Course '{course_id}' changed while it was being deleted; reload it "
            "and try again."
        ) from None
    logger.info("kb course deleted course_id=%s by=%s", course_id, reader.user_id)


def course_json(course: Course, reader: Reader, headers: dict[str, Article]) -> dict:
    items = []
    for position, article_id in enumerate(course.item_article_ids or [], start=1):
        article = headers.get(article_id)
        readable = article is not None and reader.can_read(article)
        # The title of an article the caller may not read stays hidden.
        items.append(
            {
                "position": position,
                "article_id": article_id,
                "title": article.title if readable else None,
                "title_en": article.title_en if readable else None,
                "readable": readable,
            }
        )
    return {
        "id": course.course_id,
        "title": course.title,
        "title_en": course.title_en,
        "description": course.description,
        "items": items,
        "position_ids": list(course.course_position_ids or []),
        "mandatory": bool(course.mandatory),
        "deadline_days": (
            int(course.deadline_days) if course.deadline_days is not None else None
        ),
        "revision": int(course.revision),
        "can_edit": can_manage(reader, course, headers),
        "created_at": iso(course.created_at),
        "updated_at": iso(course.updated_at),
    }
