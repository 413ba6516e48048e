"""Weekly meeting notes, one Markdown text per week and department.

Every save names the version it was based on (0 for the first save) and is a
conditional put, so of concurrent saves from one version exactly one wins.
The others get 409 with the stored text and their own, so nobody's text is
lost silently.
"""

import logging

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict
from chalicelib.weeks.calendar import IsoWeek
from chalicelib.weeks.models import WeekNotes, notes_pk, week_sk

logger = logging.getLogger(__name__)


def find_notes(department_id: str, week: IsoWeek) -> WeekNotes | None:
    try:
        return WeekNotes.get(
            notes_pk(department_id), week_sk(str(week)), consistent_read=True
        )
    except DoesNotExist:
        return None


def notes_json(notes: WeekNotes | None, department_id: str, week: IsoWeek) -> dict:
    if notes is None:
        return {
            "department_id": department_id,
            "iso_week": str(week),
            "text": "",
            "version": 0,
            "updated_by": None,
            "updated_at": None,
        }
    return {
        "department_id": notes.department_id,
        "iso_week": notes.iso_week,
        "text": notes.text,
        "version": int(notes.version),
        "updated_by": notes.updated_by,
        "updated_at": iso(notes.updated_at),
    }


def save_notes(
    department_id: str, week: IsoWeek, text: str, expected_version: int, actor_id: str
) -> WeekNotes:
    notes = WeekNotes(
        notes_pk(department_id),
        week_sk(str(week)),
        department_id=department_id,
        iso_week=str(week),
        text=text,
        version=expected_version + 1,
        updated_by=actor_id,
        updated_at=utc_now(),
    )
    if expected_version == 0:
        condition = WeekNotes.pk.does_not_exist()
    else:
        condition = WeekNotes.version == expected_version
    try:
        notes.save(condition=condition)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        current = find_notes(department_id, week)
        logger.info(
            "week notes save lost department_id=%s week=%s version=%d by=%s",
            department_id,
            week,
            expected_version,
            actor_id,
        )
        raise Conflict(
            "These notes changed meanwhile; merge your text into the current one "
            "and save again with its version.",
            field="version",
            current=notes_json(current, department_id, week),
            yours={"text": text, "version": expected_version},
        ) from None
    logger.info(
        "week notes saved department_id=%s week=%s version=%d by=%s",
        department_id,
        week,
        notes.version,
        actor_id,
    )
    return notes
