"""Keep one section per department, with «Регламенты» and «Инструкции» inside.

The org stream reaction calls ``handle_department_record`` for every
department record; ``ensure_department_sections`` also backfills departments
created before the knowledge base existed. Section ids derive from the
department id, so replays and the backfill write onto the same items, and a
department's section can name its parent's section before that one exists.
"""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from pynamodb.exceptions import UpdateError

from chalicelib.clock import utc_now
from chalicelib.kb.models import Grant, Section
from chalicelib.kb.sections import ensure_section
from chalicelib.org.models import DEPARTMENT_PARTITION
from chalicelib.streams.records import read_change

logger = logging.getLogger(__name__)

SUBSECTIONS = {
    "regulations": ("Регламенты", "Regulations", 0),
    "instructions": ("Инструкции", "Instructions", 1),
}


def department_section_id(department_id: str) -> str:
    return f"dept-{department_id}"


def subsection_id(department_id: str, role: str) -> str:
    return f"dept-{department_id}-{role}"


def _parent_section_id(parent_department_id: str | None) -> str | None:
    if not parent_department_id:
        return None
    return department_section_id(parent_department_id)


def ensure_department_sections(department: dict) -> None:
    """Create or restore the three sections of a department, given its fields."""
    department_id = department["sk"]
    now = utc_now()
    main = Section(
        sk=department_section_id(department_id),
        name=department["name"],
        name_en=department.get("name_en"),
        parent_id=_parent_section_id(department.get("parent_id")),
        department_id=department_id,
        role="department",
        # Everyone may read a department's know-how unless an admin narrows
        # it; the department's heads edit it (see access).
        grants=[Grant(to="everyone", level="read")],
        sort_order=int(department.get("sort_order") or 0),
        created_at=now,
        updated_at=now,
    )
    sections = [main]
    for role, (name, name_en, order) in SUBSECTIONS.items():
        sections.append(
            Section(
                sk=subsection_id(department_id, role),
                name=name,
                name_en=name_en,
                parent_id=main.section_id,
                department_id=department_id,
                role=role,
                grants=None,
                sort_order=order,
                created_at=now,
                updated_at=now,
            )
        )
    for section in sections:
        if ensure_section(section):
            logger.info("kb section created section_id=%s", section.section_id)
    # A department deleted and restored gets its section back as it was.
    if _set_archived(main.section_id, archived=False):
        logger.info("kb department section restored section_id=%s", main.section_id)


def _set_archived(section_id: str, *, archived: bool) -> bool:
    """Archive or restore a section; return False if it is missing or already so."""
    try:
        Section(sk=section_id).update(
            actions=[Section.archived.set(archived), Section.updated_at.set(utc_now())],
            condition=Section.sk.exists() & (Section.archived != archived),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def _update_department_section(department: dict, old: dict) -> None:
    section = Section(sk=department_section_id(department["sk"]))
    actions = [Section.updated_at.set(utc_now())]
    if department.get("name") != old.get("name"):
        actions.append(Section.name.set(department["name"]))
    if department.get("name_en") != old.get("name_en"):
        name_en = department.get("name_en")
        actions.append(
            Section.name_en.set(name_en) if name_en else Section.name_en.remove()
        )
    if department.get("parent_id") != old.get("parent_id"):
        parent = _parent_section_id(department.get("parent_id"))
        actions.append(
            Section.parent_id.set(parent) if parent else Section.parent_id.remove()
        )
    if len(actions) > 1:
        section.update(actions=actions, condition=Section.sk.exists())
        logger.info("kb department section updated section_id=%s", section.sk)


def handle_department_record(record: DynamoDBRecord) -> None:
    change = read_change(record)
    item = change.new or change.old
    if item.get("pk") != DEPARTMENT_PARTITION:
        return
    if change.event_name == "INSERT":
        ensure_department_sections(change.new)
    elif change.event_name == "MODIFY":
        # Create first, in case the section was lost or predates the reaction.
        ensure_department_sections(change.new)
        _update_department_section(change.new, change.old)
    elif change.event_name == "REMOVE":
        section_id = department_section_id(item["sk"])
        if _set_archived(section_id, archived=True):
            logger.info("kb department section archived section_id=%s", section_id)
