"""Who may plan for whom, and whose weeks a review or meeting notes cover.

- A person plans their own week. A manager plans for the people whose
  positions report to theirs, directly or down the reports_to chain. Admins
  and the owner plan for anyone.
- A review covers a department and its sub-departments, or the whole company
  when no department is named. Admins and the owner see everyone in it. A
  manager sees themselves and their reports in it, and may open a department
  that is their own, lies under their own, or holds one of their reports.
  A whole-company review shows a manager only themselves and their reports.
  Anyone without reports gets 403.
- Meeting notes of a department are read and written by its members (its
  sub-departments included), by everyone who may open its review, and by
  admins.
"""

from functools import cached_property

from chalicelib.errors import Forbidden, InvalidInput
from chalicelib.org.models import Department
from chalicelib.org.service import list_departments
from chalicelib.people.models import User
from chalicelib.people.service import find_user, list_users
from chalicelib.tasks.visibility import TaskViewer


class WeekAccess:
    def __init__(self, viewer: TaskViewer) -> None:
        self.viewer = viewer

    @cached_property
    def departments(self) -> dict[str, Department]:
        return {item.department_id: item for item in list_departments()}

    def person_for_plan(self, user_id: str | None) -> User:
        """Return the person whose plan the viewer opens, or raise 400/403."""
        viewer = self.viewer
        if user_id is None or user_id == viewer.user_id:
            return viewer.user
        person = find_user(user_id)
        if person is None:
            raise InvalidInput(
                f"Invalid field 'user_id': user '{user_id}' does not exist.",
                field="user_id",
            )
        if not (viewer.is_admin or viewer.manages(user_id)):
            raise Forbidden(
                "Only the person, a manager up their reporting chain or an admin "
                "can see and change this plan.",
                field="user_id",
            )
        return person

    def department_scope(self, department_id: str) -> set[str]:
        """Return the department and every department under it."""
        if department_id not in self.departments:
            raise InvalidInput(
                f"Invalid field 'department_id': department '{department_id}' does "
                "not exist.",
                field="department_id",
            )
        children: dict[str, list[str]] = {}
        for department in self.departments.values():
            if department.parent_id:
                children.setdefault(department.parent_id, []).append(
                    department.department_id
                )
        scope: set[str] = set()
        pending = [department_id]
        while pending:
            current = pending.pop()
            if current not in scope:
                scope.add(current)
                pending.extend(children.get(current, []))
        return scope

    def _own_scope(self) -> set[str]:
        own = self.viewer.user.department_id
        return self.department_scope(own) if own in self.departments else set()

    def _is_mine(self, user: User) -> bool:
        return user.user_id == self.viewer.user_id or (
            user.position_id in self.viewer.report_positions
        )

    def review_people(self, department_id: str | None) -> list[User]:
        """Return the active people the viewer's review covers, sorted by name."""
        viewer = self.viewer
        if not viewer.is_admin and not viewer.report_positions:
            raise Forbidden(
                "Weekly reviews are for managers and admins; open your own plan "
                "at /api/weeks/{iso_week}/plan."
            )
        if department_id is None:
            people = list_users()
            if not viewer.is_admin:
                people = [user for user in people if self._is_mine(user)]
            return sorted(people, key=lambda user: (user.name, user.user_id))

        scope = self.department_scope(department_id)
        people = [
            user
            for scoped_department in sorted(scope)
            for user in User.department_index.query(scoped_department)
            if user.is_active
        ]
        if not viewer.is_admin:
            mine = [user for user in people if self._is_mine(user)]
            has_reports_here = any(user.user_id != viewer.user_id for user in mine)
            if not has_reports_here and department_id not in self._own_scope():
                raise Forbidden(
                    "None of your reports work in this department; ask an admin "
                    "or its manager for its review.",
                    field="department_id",
                )
            people = mine
        return sorted(people, key=lambda user: (user.name, user.user_id))

    def check_notes(self, department_id: str) -> None:
        """Raise 400 for an unknown department and 403 for an outsider."""
        scope = self.department_scope(department_id)
        if self.viewer.is_admin or self.viewer.user.department_id in scope:
            return
        if self.viewer.report_positions:
            # Raises 403 when none of the viewer's reports work there.
            self.review_people(department_id)
            return
        raise Forbidden(
            "Only the department's members, its managers and admins can use its "
            "meeting notes.",
            field="department_id",
        )

    def department_name(self, department_id: str | None) -> str:
        department = self.departments.get(department_id or "")
        return department.name if department else ""
