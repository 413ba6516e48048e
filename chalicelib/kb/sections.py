"""Sections of the knowledge base: the tree, admins' folders, and their grants.

Departments' sections are created and kept in step by ``org_sync``; admins add
their own sections and folders anywhere in the tree. A move is checked
against the tree read with a consistent read and written on the condition
that the parent is still the one that check saw.
"""

import logging

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError

from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.kb.access import Reader, grant_json
from chalicelib.kb.models import SECTION_PARTITION, Article, Grant, Section
from chalicelib.kb.schemas import GrantBody, SectionCreate, SectionUpdate

logger = logging.getLogger(__name__)

# Sections the knowledge base ships with (see ``seeds``).
GENERAL_SECTION_ID = "general"
TEMPLATES_SECTION_ID = "templates"
# Roles of the sections that the org reaction and the seeds own; admins may
# rename and regrant them but not delete them.
MANAGED_ROLES = ("department", "regulations", "instructions", "general", "templates")


def load_sections(*, consistent: bool = False) -> dict[str, Section]:
    return {
        section.section_id: section
        for section in Section.query(SECTION_PARTITION, consistent_read=consistent)
    }


def get_section(section_id: str, field: str = "section_id") -> Section:
    try:
        return Section.get(SECTION_PARTITION, section_id, consistent_read=True)
    except DoesNotExist:
        raise NotFound(f"Section '{section_id}' not found.", field=field) from None


def visible_section(reader: Reader, section_id: str, field: str = "section_id"):
    """Return a section the reader may see; 404 for others, as for missing ones."""
    section = reader.sections.get(section_id)
    if section is None or not reader.section_rights(section_id).read:
        raise NotFound(f"Section '{section_id}' not found.", field=field)
    return section


def grants_from(bodies: list[GrantBody] | None, reader: Reader) -> list[Grant] | None:
    """Turn request grants into stored ones; each position must exist."""
    if bodies is None:
        return None
    grants = []
    for index, body in enumerate(bodies):
        if body.position_id is not None and body.position_id not in reader.positions:
            raise InvalidInput(
                f"Invalid field 'grants.{index}.position_id': position "
                f"'{body.position_id}' does not exist.",
                field=f"grants.{index}.position_id",
            )
        grants.append(
            Grant(
                to=body.to,
                position_id=body.position_id,
                include_below=body.include_below,
                level=body.level,
            )
        )
    return grants


def _check_parent(section_id: str | None, parent_id: str) -> None:
    sections = load_sections(consistent=True)
    if parent_id not in sections:
        raise InvalidInput(
            f"Invalid field 'parent_id': section '{parent_id}' does not exist.",
            field="parent_id",
        )
    cursor: str | None = parent_id
    seen: set[str] = set()
    while cursor is not None and cursor in sections and cursor not in seen:
        if cursor == section_id:
            raise InvalidInput(
                "Invalid field 'parent_id': a section cannot sit inside itself "
                "or its own subsection.",
                field="parent_id",
            )
        seen.add(cursor)
        cursor = sections[cursor].parent_id


def create_section(request: SectionCreate, reader: Reader) -> Section:
    if request.parent_id is not None:
        _check_parent(None, request.parent_id)
    now = utc_now()
    section = Section(
        sk=new_id(),
        name=request.name,
        name_en=request.name_en,
        parent_id=request.parent_id,
        role="custom",
        grants=grants_from(request.grants, reader),
        sort_order=request.sort_order,
        created_at=now,
        updated_at=now,
    )
    section.save(condition=Section.sk.does_not_exist())
    logger.info(
        "kb section created section_id=%s by=%s", section.section_id, reader.user_id
    )
    return section


def update_section(
    section_id: str, request: SectionUpdate, fields_set: set[str], reader: Reader
) -> Section:
    if not fields_set:
        raise InvalidInput("Send at least one field to change.")
    if "name" in fields_set and request.name is None:
        raise InvalidInput("Invalid field 'name': must not be null.", field="name")
    if "sort_order" in fields_set and request.sort_order is None:
        raise InvalidInput(
            "Invalid field 'sort_order': must not be null.", field="sort_order"
        )
    section = get_section(section_id)
    actions = [Section.updated_at.set(utc_now())]
    condition = Section.sk.exists()
    if "parent_id" in fields_set and request.parent_id != section.parent_id:
        if request.parent_id is not None:
            _check_parent(section_id, request.parent_id)
        actions.append(_assign(Section.parent_id, request.parent_id))
        # Pin the parent the check saw, so two racing moves cannot both pass
        # the check against a tree the other is changing.
        condition &= _equals(Section.parent_id, section.parent_id)
    for name in ("name", "name_en"):
        if name in fields_set:
            actions.append(_assign(getattr(Section, name), getattr(request, name)))
    if "sort_order" in fields_set:
        actions.append(Section.sort_order.set(request.sort_order))
    if "grants" in fields_set:
        grants = grants_from(request.grants, reader)
        actions.append(_assign(Section.grants, grants))
    try:
        section.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict(
            "The section changed at the same time; reload it and try again.",
            field="parent_id",
        ) from None
    logger.info("kb section updated section_id=%s by=%s", section_id, reader.user_id)
    return section


def delete_section(section_id: str, reader: Reader) -> None:
    section = get_section(section_id)
    if section.role in MANAGED_ROLES:
        raise Conflict(
            "This section belongs to a department or ships with the knowledge "
            "base; rename it or change its access instead.",
        )
    sections = load_sections(consistent=True)
    if any(item.parent_id == section_id for item in sections.values()):
        raise Conflict("This section has subsections; move or delete them first.")
    if next(iter(Article.section_index.query(section_id, limit=1)), None):
        raise Conflict("This section has articles; move them first.")
    try:
        section.delete(condition=Section.sk.exists())
    except DeleteError as error:
        # A concurrent delete got there first, which leaves the same result.
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    logger.info("kb section deleted section_id=%s by=%s", section_id, reader.user_id)


def _assign(attribute, value):
    return attribute.remove() if value is None else attribute.set(value)


def _equals(attribute, value):
    return attribute.does_not_exist() if value is None else attribute == value


def ensure_section(section: Section) -> bool:
    """Create ``section`` unless a section with its id exists; return if created."""
    try:
        section.save(condition=Section.sk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def section_json(section: Section, reader: Reader) -> dict:
    rights = reader.section_rights(section.section_id)
    data = {
        "id": section.section_id,
        "name": section.name,
        "name_en": section.name_en,
        "parent_id": section.parent_id,
        "role": section.role,
        "department_id": section.department_id,
        "sort_order": int(section.sort_order),
        "rights": rights.as_json(),
    }
    if reader.is_admin:
        data["archived"] = bool(section.archived)
        data["grants"] = (
            None
            if section.grants is None
            else [grant_json(grant) for grant in section.grants]
        )
    return data


def section_tree(reader: Reader) -> list[dict]:
    """Return the sections the reader may read, as a tree.

    The ancestors of a readable section are listed too, so the path to it is
    complete; their ``rights.read`` is false. A section whose parent is
    missing, or which sits on a loop of parents, is shown at the top level.
    """
    sections = reader.sections
    shown: set[str] = set()
    for section_id in sections:
        if reader.section_rights(section_id).read:
            shown.update(item.section_id for item in reader.section_chain(section_id))

    ordered = sorted(
        (sections[section_id] for section_id in shown),
        key=lambda item: (int(item.sort_order), item.name),
    )
    nodes = {}
    for section in ordered:
        node = section_json(section, reader)
        node["children"] = []
        nodes[section.section_id] = node
    roots = []
    for section in ordered:
        node = nodes[section.section_id]
        above = reader.section_chain(section.parent_id) if section.parent_id else []
        on_loop = any(item.section_id == section.section_id for item in above)
        if section.parent_id in nodes and not on_loop:
            nodes[section.parent_id]["children"].append(node)
        else:
            roots.append(node)
    return roots


def section_path(reader: Reader, section_id: str) -> list[dict]:
    """Return the sections from the top of the tree down to ``section_id``."""
    return [
        {"id": section.section_id, "name": section.name, "name_en": section.name_en}
        for section in reversed(reader.section_chain(section_id))
    ]
