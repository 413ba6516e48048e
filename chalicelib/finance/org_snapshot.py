"""The org structure as one request of the finance routes sees it.

Positions and departments are read with one Query each, and the people holding
a position with one Query of the users' position index, each at most once per
snapshot.
"""

from functools import cached_property

from chalicelib.org.models import Department, Position
from chalicelib.org.service import list_departments, list_positions
from chalicelib.people.models import DIRECTORY, User

TEMPLATE_PREFIX = "marketplace-business/"


class OrgSnapshot:
    def __init__(self) -> None:
        self._holders: dict[str, list[User]] = {}

    @cached_property
    def positions(self) -> dict[str, Position]:
        return {position.position_id: position for position in list_positions()}

    @cached_property
    def departments(self) -> dict[str, Department]:
        return {
            department.department_id: department for department in list_departments()
        }

    @cached_property
    def owner(self) -> User | None:
        """The active owner account; there is one per company."""
        for user in User.directory_index.query(
            DIRECTORY, filter_condition=User.role == "owner"
        ):
            if user.is_active:
                return user
        return None

    def holders(self, position_id: str) -> list[User]:
        """Return the active people who hold ``position_id`` now."""
        if position_id not in self._holders:
            self._holders[position_id] = [
                user
                for user in User.position_index.query(position_id)
                if user.is_active
            ]
        return self._holders[position_id]

    def position_name(self, position_id: str) -> str:
        position = self.positions.get(position_id)
        return position.name if position else position_id

    def template_position(self, key: str) -> Position | None:
        """Find the position the marketplace template created under ``key``."""
        for position in self.positions.values():
            if position.source_key == TEMPLATE_PREFIX + key:
                return position
        return None

    def managers_of(self, position_id: str | None) -> list[str]:
        """Return the positions up the reports_to chain, the direct manager first."""
        chain: list[str] = []
        position = self.positions.get(position_id) if position_id else None
        cursor = position.reports_to if position else None
        # The org service rejects cycles; the guard keeps a bad item from looping.
        while cursor is not None and cursor not in chain and cursor in self.positions:
            chain.append(cursor)
            cursor = self.positions[cursor].reports_to
        return chain

    def reports_of(self, position_id: str) -> set[str]:
        """Return every position whose reports_to chain reaches ``position_id``."""
        return {
            candidate
            for candidate in self.positions
            if position_id in self.managers_of(candidate)
        }

    def department_and_parents(self, department_id: str | None) -> list[str]:
        found: list[str] = []
        cursor = department_id
        while cursor is not None and cursor not in found:
            found.append(cursor)
            department = self.departments.get(cursor)
            cursor = department.parent_id if department else None
        return found
