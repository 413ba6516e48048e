"""Departments and positions: listing, the chart, and edits that keep the tree sound."""

import logging

from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import GlobalSecondaryIndex

from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.org.models import (
    DEPARTMENT_PARTITION,
    POSITION_PARTITION,
    Department,
    Position,
)
from chalicelib.org.schemas import (
    DepartmentCreate,
    DepartmentUpdate,
    PositionCreate,
    PositionUpdate,
)
from chalicelib.people.models import DIRECTORY, User

logger = logging.getLogger(__name__)


def list_departments() -> list[Department]:
    departments = list(Department.query(DEPARTMENT_PARTITION))
    return sorted(departments, key=lambda item: (item.sort_order, item.name))


def list_positions() -> list[Position]:
    positions = list(Position.query(POSITION_PARTITION))
    return sorted(positions, key=lambda item: (item.sort_order, item.name))


def get_department(department_id: str, field: str = "department_id") -> Department:
    try:
        return Department.get(DEPARTMENT_PARTITION, department_id)
    except DoesNotExist:
        raise NotFound(
            f"Department '{department_id}' not found.", field=field
        ) from None


def get_position(position_id: str, field: str = "position_id") -> Position:
    try:
        return Position.get(POSITION_PARTITION, position_id)
    except DoesNotExist:
        raise NotFound(f"Position '{position_id}' not found.", field=field) from None


def _check_parent(department_id: str | None, parent_id: str) -> None:
    """Reject a parent that does not exist or would put the department under itself."""
    parents = {item.department_id: item.parent_id for item in list_departments()}
    if parent_id not in parents:
        raise InvalidInput(
            f"Invalid field 'parent_id': department '{parent_id}' does not exist.",
            field="parent_id",
        )
    cursor: str | None = parent_id
    while cursor is not None:
        if cursor == department_id:
            raise InvalidInput(
                "Invalid field 'parent_id': a department cannot sit inside itself "
                "or its own subdepartment.",
                field="parent_id",
            )
        cursor = parents.get(cursor)


def create_department(request: DepartmentCreate) -> Department:
    if request.parent_id is not None:
        _check_parent(None, request.parent_id)
    now = utc_now()
    department = Department(
        sk=new_id(),
        name=request.name,
        name_en=request.name_en,
        purpose=request.purpose,
        parent_id=request.parent_id,
        sort_order=1000,
        created_at=now,
        updated_at=now,
    )
    department.save()
    logger.info("department created department_id=%s", department.department_id)
    return department


def update_department(
    department_id: str, request: DepartmentUpdate, fields_set: set[str]
) -> Department:
    department = get_department(department_id)
    if "parent_id" in fields_set and request.parent_id is not None:
        _check_parent(department_id, request.parent_id)
    for field in ("name", "name_en", "purpose", "parent_id"):
        if field in fields_set:
            if field == "name" and request.name is None:
                raise InvalidInput(
                    "Invalid field 'name': must not be null.", field="name"
                )
            setattr(department, field, getattr(request, field))
    department.updated_at = utc_now()
    department.save()
    return department


def _has_active_people(index: GlobalSecondaryIndex, key: str) -> bool:
    # Deactivated people keep their position and department for the record and
    # cannot be edited, so only active people block a delete.
    return any(user.is_active for user in index.query(key))


def delete_department(department_id: str) -> None:
    get_department(department_id)
    if any(item.parent_id == department_id for item in list_departments()):
        raise Conflict("This department has subdepartments; move or delete them first.")
    if any(item.department_id == department_id for item in list_positions()):
        raise Conflict("This department has positions; move or delete them first.")
    if _has_active_people(User.department_index, department_id):
        raise Conflict("People work in this department; move them first.")
    Department(DEPARTMENT_PARTITION, department_id).delete()
    logger.info("department deleted department_id=%s", department_id)


def _check_reports_to(position_id: str | None, reports_to: str) -> None:
    managers = {item.position_id: item.reports_to for item in list_positions()}
    if reports_to not in managers:
        raise InvalidInput(
            f"Invalid field 'reports_to': position '{reports_to}' does not exist.",
            field="reports_to",
        )
    cursor: str | None = reports_to
    while cursor is not None:
        if cursor == position_id:
            raise InvalidInput(
                "Invalid field 'reports_to': a position cannot report to itself "
                "or to someone who reports to it.",
                field="reports_to",
            )
        cursor = managers.get(cursor)


def create_position(request: PositionCreate) -> Position:
    get_department(request.department_id)
    if request.reports_to is not None:
        _check_reports_to(None, request.reports_to)
    now = utc_now()
    position = Position(
        sk=new_id(),
        department_id=request.department_id,
        name=request.name,
        name_en=request.name_en,
        purpose=request.purpose,
        functions=request.functions,
        reports_to=request.reports_to,
        sort_order=1000,
        created_at=now,
        updated_at=now,
    )
    position.save()
    logger.info("position created position_id=%s", position.position_id)
    return position


def update_position(
    position_id: str, request: PositionUpdate, fields_set: set[str]
) -> Position:
    position = get_position(position_id)
    if "department_id" in fields_set:
        if request.department_id is None:
            raise InvalidInput(
                "Invalid field 'department_id': must not be null.",
                field="department_id",
            )
        get_department(request.department_id)
    if "reports_to" in fields_set and request.reports_to is not None:
        _check_reports_to(position_id, request.reports_to)
    for field in (
        "name",
        "department_id",
        "name_en",
        "purpose",
        "functions",
        "reports_to",
    ):
        if field in fields_set:
            value = getattr(request, field)
            if field in ("name", "functions") and value is None:
                raise InvalidInput(
                    f"Invalid field '{field}': must not be null.", field=field
                )
            setattr(position, field, value)
    position.updated_at = utc_now()
    position.save()
    if "department_id" in fields_set:
        _move_holders(position)
    return position


def _move_holders(position: Position) -> None:
    """Keep holders' department in step with their position's department.

    Each save goes to the users stream, whose reaction moves channel membership.
    """
    for holder in User.position_index.query(position.position_id):
        if holder.department_id != position.department_id:
            holder.update(
                actions=[
                    User.department_id.set(position.department_id),
                    User.updated_at.set(utc_now()),
                ]
            )


def delete_position(position_id: str) -> None:
    get_position(position_id)
    if _has_active_people(User.position_index, position_id):
        raise Conflict("Someone holds this position; move them first.")
    if any(item.reports_to == position_id for item in list_positions()):
        raise Conflict("Other positions report to this one; change that first.")
    Position(POSITION_PARTITION, position_id).delete()
    logger.info("position deleted position_id=%s", position_id)


def department_json(department: Department) -> dict:
    return {
        "id": department.department_id,
        "name": department.name,
        "name_en": department.name_en,
        "purpose": department.purpose,
        "parent_id": department.parent_id,
    }


def position_json(position: Position) -> dict:
    return {
        "id": position.position_id,
        "department_id": position.department_id,
        "name": position.name,
        "name_en": position.name_en,
        "purpose": position.purpose,
        "purpose_en": position.purpose_en,
        "functions": list(position.functions or []),
        "functions_en": list(position.functions_en or []),
        "reports_to": position.reports_to,
    }


def org_chart() -> list[dict]:
    """Return the department tree with positions and the people holding them."""
    holders: dict[str, list[dict]] = {}
    for user in User.directory_index.query(DIRECTORY):
        if user.is_active and user.position_id:
            holders.setdefault(user.position_id, []).append(
                {"id": user.user_id, "name": user.name}
            )

    nodes = {}
    for department in list_departments():
        node = department_json(department)
        node["positions"] = []
        node["children"] = []
        nodes[department.department_id] = node
    for position in list_positions():
        node = nodes.get(position.department_id)
        if node is not None:
            entry = position_json(position)
            entry["holders"] = holders.get(position.position_id, [])
            node["positions"].append(entry)

    roots = []
    for node in nodes.values():
        parent = nodes.get(node["parent_id"]) if node["parent_id"] else None
        (parent["children"] if parent else roots).append(node)
    return roots
