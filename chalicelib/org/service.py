"""Departments and positions: listing, the chart, and edits that keep the tree sound.

Several admins can edit the structure at once, and a check followed by a write
cannot see what another request writes in between. So a change to the
structure is written first and verified after: the request re-reads the
partition with a consistent read and takes its own write back if the structure
now loops or points at something deleted. The read of the later of two racing
writes always includes the earlier write, so at least one of them backs out.
Transactions would avoid the window, but moto 5.2.5, which the tests and the
local stack run on, undoes a cancelled transaction by restoring whole tables,
which loses concurrent writes.
"""

import logging
from functools import partial, reduce
from operator import and_

from pynamodb.exceptions import (
    DeleteError,
    DoesNotExist,
    PutError,
    PynamoDBException,
    UpdateError,
)
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

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

RACE_MESSAGE = "The org structure changed at the same time; reload and try again."
DEPARTMENT_FIELDS = ("name", "name_en", "purpose", "parent_id")
POSITION_FIELDS = (
    "name",
    "department_id",
    "name_en",
    "purpose",
    "functions",
    "reports_to",
)
# Position fields that place the position in the structure, verified after a write.
POSITION_LINKS = ("department_id", "reports_to")


def list_departments() -> list[Department]:
    departments = list(Department.query(DEPARTMENT_PARTITION))
    return sorted(departments, key=lambda item: (item.sort_order, item.name))


def list_positions() -> list[Position]:
    positions = list(Position.query(POSITION_PARTITION))
    return sorted(positions, key=lambda item: (item.sort_order, item.name))


def _current_departments() -> list[Department]:
    """Read the department partition with a consistent read, for checks.

    An eventually consistent read could miss a write that another request has
    just made, which is exactly the write a verification looks for.
    """
    return list(Department.query(DEPARTMENT_PARTITION, consistent_read=True))


def _current_positions() -> list[Position]:
    return list(Position.query(POSITION_PARTITION, consistent_read=True))


def get_department(
    department_id: str, field: str = "department_id", *, consistent: bool = False
) -> Department:
    try:
        return Department.get(
            DEPARTMENT_PARTITION, department_id, consistent_read=consistent
        )
    except DoesNotExist:
        raise NotFound(
            f"Department '{department_id}' not found.", field=field
        ) from None


def get_position(
    position_id: str, field: str = "position_id", *, consistent: bool = False
) -> Position:
    try:
        return Position.get(POSITION_PARTITION, position_id, consistent_read=consistent)
    except DoesNotExist:
        raise NotFound(f"Position '{position_id}' not found.", field=field) from None


def _chain_above(
    start: str | None, links: dict[str, str | None]
) -> tuple[list[str], bool]:
    """Follow ``links`` up from ``start``; return the ids met and whether they loop.

    Two moves that race can leave a loop in stored data, so the walk stops at
    the first id it meets twice instead of running forever. It also stops at
    an id that no longer exists.
    """
    chain: list[str] = []
    seen: set[str] = set()
    cursor = start
    while cursor is not None and cursor in links:
        if cursor in seen:
            return chain, True
        seen.add(cursor)
        chain.append(cursor)
        cursor = links[cursor]
    return chain, False


def _require_changes(fields_set: set[str]) -> None:
    if not fields_set:
        raise InvalidInput("Send at least one field to change.")


def _assign(attribute, value):
    """Return the update action that stores ``value``; None removes the attribute."""
    return attribute.remove() if value is None else attribute.set(value)


def _condition_equals(attribute, value):
    """Return the condition that the stored attribute still equals ``value``."""
    return attribute.does_not_exist() if value is None else attribute == value


def _is_condition_failure(error: PynamoDBException) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


def _write_fields(item: Model, values: dict, condition, reread) -> None:
    """Write ``values`` to ``item`` only while it exists and ``condition`` is true.

    A plain save would re-create an item deleted since it was read. When the
    condition fails, ``reread`` raises NotFound if the item is gone; otherwise
    the item changed under the request.
    """
    model = type(item)
    actions = [_assign(getattr(model, name), value) for name, value in values.items()]
    actions.append(model.updated_at.set(utc_now()))
    required = model.sk.exists()
    if condition is not None:
        required &= condition
    try:
        item.update(actions=actions, condition=required)
    except UpdateError as error:
        if not _is_condition_failure(error):
            raise
        reread()
        raise Conflict(RACE_MESSAGE) from None


def _put_back(item: Model, written: dict, previous: dict) -> bool:
    """Restore the ``previous`` values of fields that still contain what was written.

    A field that another request has changed since is that request's to verify,
    so nothing is restored then. Return whether the values were restored.
    """
    model = type(item)
    condition = model.sk.exists()
    actions = [model.updated_at.set(utc_now())]
    for name, value in written.items():
        attribute = getattr(model, name)
        condition &= _condition_equals(attribute, value)
        actions.append(_assign(attribute, previous[name]))
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as error:
        if not _is_condition_failure(error):
            raise
        logger.info("org undo skipped, item changed since item_id=%s", item.sk)
        return False
    return True


def _discard(item: Model, written: dict) -> None:
    """Delete an item this request created, unless someone has changed it since."""
    model = type(item)
    condition = model.sk.exists()
    for name, value in written.items():
        condition &= _condition_equals(getattr(model, name), value)
    try:
        item.delete(condition=condition)
    except DeleteError as error:
        if not _is_condition_failure(error):
            raise
        logger.info("org create not discarded, item changed since item_id=%s", item.sk)


def _delete_unchanged(item: Model, reread) -> None:
    """Delete ``item`` only as it was read, so that a restore puts back the same."""
    model = type(item)
    try:
        item.delete(condition=model.updated_at == item.updated_at)
    except DeleteError as error:
        if not _is_condition_failure(error):
            raise
        reread()
        raise Conflict(RACE_MESSAGE) from None


def _restore(item: Model) -> None:
    """Write back an item this request deleted.

    NOTE: the stream still carries the delete, so a restored department's chat
    channel is archived, and the insert that follows does not unarchive it.
    """
    try:
        item.save(condition=type(item).sk.does_not_exist())
    except PutError as error:
        if not _is_condition_failure(error):
            raise
        # Ids come from new_id() and are not reused, so this is unexpected.
        logger.warning("org restore skipped, item exists item_id=%s", item.sk)


# Departments


def _check_parent(department_id: str | None, parent_id: str) -> None:
    """Reject a parent that does not exist or would put the department under itself."""
    parents = {item.department_id: item.parent_id for item in _current_departments()}
    if parent_id not in parents:
        raise InvalidInput(
            f"Invalid field 'parent_id': department '{parent_id}' does not exist.",
            field="parent_id",
        )
    chain, loops = _chain_above(parent_id, parents)
    if department_id in chain:
        raise InvalidInput(
            "Invalid field 'parent_id': a department cannot sit inside itself "
            "or its own subdepartment.",
            field="parent_id",
        )
    if loops:
        raise Conflict(
            f"The departments above '{parent_id}' form a loop; move one of them "
            "to the top level first.",
            field="parent_id",
        )


def _department_out_of_place(department_id: str, parent_id: str) -> bool:
    """Tell whether the department, placed under ``parent_id``, now loops or dangles.

    A department that is gone or has been moved again since is left to the
    request that deleted or moved it.
    """
    parents = {item.department_id: item.parent_id for item in _current_departments()}
    if parents.get(department_id, parent_id) != parent_id:
        return False
    if department_id not in parents:
        return False
    if parent_id not in parents:
        return True
    chain, _ = _chain_above(parent_id, parents)
    return department_id in chain


def _undo_department_move(
    department_id: str, written: str, previous: str | None
) -> None:
    item = Department(DEPARTMENT_PARTITION, department_id)
    if not _put_back(item, {"parent_id": written}, {"parent_id": previous}):
        return
    logger.warning(
        "department move undone after a concurrent change department_id=%s "
        "parent_id=%s",
        department_id,
        written,
    )
    # A third request may have deleted the old parent or moved it below this
    # department meanwhile. No parent can loop or dangle, so that is the fallback.
    if previous is not None and _department_out_of_place(department_id, previous):
        _put_back(item, {"parent_id": previous}, {"parent_id": None})


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
    if request.parent_id is not None and _department_out_of_place(
        department.department_id, request.parent_id
    ):
        _discard(department, {"parent_id": request.parent_id})
        raise Conflict(RACE_MESSAGE, field="parent_id")
    logger.info("department created department_id=%s", department.department_id)
    return department


def update_department(
    department_id: str, request: DepartmentUpdate, fields_set: set[str]
) -> Department:
    _require_changes(fields_set)
    if "name" in fields_set and request.name is None:
        raise InvalidInput("Invalid field 'name': must not be null.", field="name")
    department = get_department(department_id, consistent=True)
    previous_parent = department.parent_id
    moving = "parent_id" in fields_set and request.parent_id != previous_parent
    if moving and request.parent_id is not None:
        _check_parent(department_id, request.parent_id)

    # The move is written and verified before the other fields, so that a 409
    # leaves the department as it was. An unchanged parent is not written,
    # because writing back a stale read could close a loop that nothing verifies.
    links = {"parent_id": request.parent_id} if moving else {}
    others = {
        field: getattr(request, field)
        for field in DEPARTMENT_FIELDS
        if field in fields_set and field != "parent_id"
    }
    reread = partial(get_department, department_id, consistent=True)
    if links:
        # The parent the checks above saw must still be there, so that an undo
        # puts back exactly what this request replaced.
        _write_fields(
            department,
            links,
            _condition_equals(Department.parent_id, previous_parent),
            reread,
        )
        # Moving to the top level can neither loop nor dangle.
        if request.parent_id is not None and _department_out_of_place(
            department_id, request.parent_id
        ):
            _undo_department_move(department_id, request.parent_id, previous_parent)
            raise Conflict(RACE_MESSAGE, field="parent_id")
    if others:
        _write_fields(department, others, None, reread)
    return department


def _has_active_people(index: GlobalSecondaryIndex, key: str) -> bool:
    # Deactivated people keep their position and department for the record and
    # cannot be edited, so only active people block a delete.
    return any(user.is_active for user in index.query(key))


def _department_in_use(department_id: str) -> bool:
    return any(
        item.parent_id == department_id for item in _current_departments()
    ) or any(item.department_id == department_id for item in _current_positions())


def delete_department(department_id: str) -> None:
    department = get_department(department_id, consistent=True)
    if any(item.parent_id == department_id for item in _current_departments()):
        raise Conflict("This department has subdepartments; move or delete them first.")
    if any(item.department_id == department_id for item in _current_positions()):
        raise Conflict("This department has positions; move or delete them first.")
    if _has_active_people(User.department_index, department_id):
        raise Conflict("People work in this department; move them first.")
    _delete_unchanged(
        department, partial(get_department, department_id, consistent=True)
    )
    # A subdepartment or position created or moved here since the checks above
    # would now point at a missing department. Its own request verifies too,
    # but only the later of the two requests is sure to notice.
    if _department_in_use(department_id):
        _restore(department)
        logger.warning(
            "department delete undone, in use meanwhile department_id=%s",
            department_id,
        )
        raise Conflict(RACE_MESSAGE)
    logger.info("department deleted department_id=%s", department_id)


# Positions


def _check_reports_to(position_id: str | None, reports_to: str) -> None:
    managers = {item.position_id: item.reports_to for item in _current_positions()}
    if reports_to not in managers:
        raise InvalidInput(
            f"Invalid field 'reports_to': position '{reports_to}' does not exist.",
            field="reports_to",
        )
    chain, loops = _chain_above(reports_to, managers)
    if position_id in chain:
        raise InvalidInput(
            "Invalid field 'reports_to': a position cannot report to itself "
            "or to someone who reports to it.",
            field="reports_to",
        )
    if loops:
        raise Conflict(
            f"The positions above '{reports_to}' report to each other in a loop; "
            "clear the reports_to of one of them first.",
            field="reports_to",
        )


def _department_missing(department_id: str) -> bool:
    try:
        Department.get(DEPARTMENT_PARTITION, department_id, consistent_read=True)
    except DoesNotExist:
        return True
    return False


def _position_out_of_place(position_id: str, written: dict) -> bool:
    """Tell whether the ``written`` links of the position now loop or dangle."""
    if "department_id" in written and _department_missing(written["department_id"]):
        return True
    manager = written.get("reports_to")
    if manager is None:
        return False
    managers = {item.position_id: item.reports_to for item in _current_positions()}
    if managers.get(position_id, manager) != manager:
        return False
    if position_id not in managers:
        return False
    if manager not in managers:
        return True
    chain, _ = _chain_above(manager, managers)
    return position_id in chain


def _undo_position_move(position_id: str, written: dict, previous: dict) -> None:
    item = Position(POSITION_PARTITION, position_id)
    if not _put_back(item, written, previous):
        return
    logger.warning(
        "position move undone after a concurrent change position_id=%s", position_id
    )
    # NOTE: a department_id is put back even if a third request has deleted
    # that department meanwhile, because a position needs some department.
    manager = previous["reports_to"] if "reports_to" in written else None
    # As for departments: if the old manager is gone or now reports to this
    # position, reporting to no one is the fallback.
    if manager is not None and _position_out_of_place(
        position_id, {"reports_to": manager}
    ):
        _put_back(item, {"reports_to": manager}, {"reports_to": None})


def create_position(request: PositionCreate) -> Position:
    get_department(request.department_id, consistent=True)
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
    written = {"department_id": request.department_id}
    if request.reports_to is not None:
        written["reports_to"] = request.reports_to
    if _position_out_of_place(position.position_id, written):
        _discard(position, written)
        raise Conflict(RACE_MESSAGE)
    logger.info("position created position_id=%s", position.position_id)
    return position


def update_position(
    position_id: str, request: PositionUpdate, fields_set: set[str]
) -> Position:
    _require_changes(fields_set)
    for field in ("name", "department_id", "functions"):
        if field in fields_set and getattr(request, field) is None:
            raise InvalidInput(
                f"Invalid field '{field}': must not be null.", field=field
            )
    position = get_position(position_id, consistent=True)
    if "department_id" in fields_set:
        get_department(request.department_id, consistent=True)
    previous = {link: getattr(position, link) for link in POSITION_LINKS}
    moving = {
        link: getattr(request, link)
        for link in POSITION_LINKS
        if link in fields_set and getattr(request, link) != previous[link]
    }
    if moving.get("reports_to") is not None:
        _check_reports_to(position_id, request.reports_to)

    # As for departments: changed links first and verified, then the other
    # fields; unchanged links are not written.
    others = {
        field: getattr(request, field)
        for field in POSITION_FIELDS
        if field in fields_set and field not in POSITION_LINKS
    }
    reread = partial(get_position, position_id, consistent=True)
    if moving:
        # As for departments: pin what the checks saw, so an undo is exact.
        pinned = [
            _condition_equals(getattr(Position, link), previous[link])
            for link in moving
        ]
        _write_fields(position, moving, reduce(and_, pinned), reread)
        if _position_out_of_place(position_id, moving):
            _undo_position_move(position_id, moving, previous)
            raise Conflict(RACE_MESSAGE)
    if others:
        _write_fields(position, others, None, reread)
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
    position = get_position(position_id, consistent=True)
    if _has_active_people(User.position_index, position_id):
        raise Conflict("Someone holds this position; move them first.")
    if any(item.reports_to == position_id for item in _current_positions()):
        raise Conflict("Other positions report to this one; change that first.")
    _delete_unchanged(position, partial(get_position, position_id, consistent=True))
    # A position set to report here since the check above would now point at a
    # missing manager. As for departments, restore it and let the caller retry.
    if any(item.reports_to == position_id for item in _current_positions()):
        _restore(position)
        logger.warning(
            "position delete undone, reported to meanwhile position_id=%s",
            position_id,
        )
        raise Conflict(RACE_MESSAGE)
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
    """Return the department tree with positions and the people holding them.

    Every department is listed once. One whose parent is missing, or which
    sits on a loop of parents, is shown at the top level with what hangs
    below it, so that stored data gone wrong stays visible and fixable.
    """
    holders: dict[str, list[dict]] = {}
    for user in User.directory_index.query(DIRECTORY):
        if user.is_active and user.position_id:
            holders.setdefault(user.position_id, []).append(
                {"id": user.user_id, "name": user.name}
            )

    departments = list_departments()
    parents = {item.department_id: item.parent_id for item in departments}
    nodes = {}
    for department in departments:
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
    for department in departments:
        node = nodes[department.department_id]
        parent_id = department.parent_id
        chain, _ = _chain_above(parent_id, parents)
        on_loop = department.department_id in chain
        if parent_id in nodes and not on_loop:
            nodes[parent_id]["children"].append(node)
        else:
            roots.append(node)
    return roots
