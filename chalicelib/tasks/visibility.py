"""Task visibility.

A task is visible to its creator, its responsible person, its co-assignees,
its watchers and its reviewer, to admins and the owner, and to the holders of
every position up the reports_to chain of the responsible person's current
position. Everyone else gets 404, as if the task did not exist.
"""

from dataclasses import dataclass, field
from functools import cached_property

from chalicelib.errors import NotFound, Unauthenticated
from chalicelib.integrations.tokens import integration_user
from chalicelib.org.models import Position
from chalicelib.org.service import list_positions
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.tasks.models import Task
from chalicelib.tasks.store import get_task
from chalicelib.web import Caller


def participants(task: Task) -> set[str]:
    people = {task.creator_id, task.assignee_id}
    people.update(task.co_assignee_ids or [])
    people.update(task.watcher_ids or [])
    if task.reviewer_id:
        people.add(task.reviewer_id)
    return people


def executors(task: Task) -> set[str]:
    """Return the people doing the task: the responsible person and co-assignees."""
    return {task.assignee_id, *(task.co_assignee_ids or [])}


@dataclass
class TaskViewer:
    caller: Caller
    user: User
    # Users read while checking visibility, kept for the rest of the request.
    _users: dict[str, User | None] = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def is_admin(self) -> bool:
        return self.caller.is_admin

    def owns(self, task: Task) -> bool:
        """Tell whether the viewer may edit the task: its creator or an admin."""
        return self.is_admin or task.creator_id == self.user_id

    @cached_property
    def positions(self) -> list[Position]:
        """Return the company's positions, read once per request."""
        return list_positions()

    @cached_property
    def report_positions(self) -> set[str]:
        """Return the positions whose reports_to chain reaches the viewer's position."""
        if not self.user.position_id:
            return set()
        managers = {
            position.position_id: position.reports_to for position in self.positions
        }
        reports = set()
        for position_id in managers:
            seen: set[str] = set()
            cursor = managers.get(position_id)
            # The org service rejects loops; the seen set stops a bad item anyway.
            while cursor is not None and cursor not in seen:
                if cursor == self.user.position_id:
                    reports.add(position_id)
                    break
                seen.add(cursor)
                cursor = managers.get(cursor)
        return reports

    @cached_property
    def report_departments(self) -> set[str]:
        """Return the departments of the positions that report to the viewer."""
        reports = self.report_positions
        return {
            position.department_id
            for position in self.positions
            if position.position_id in reports
        }

    def user_of(self, user_id: str) -> User | None:
        if user_id not in self._users:
            self._users[user_id] = find_user(user_id)
        return self._users[user_id]

    def manages(self, user_id: str) -> bool:
        if not self.report_positions:
            return False
        user = self.user_of(user_id)
        return user is not None and user.position_id in self.report_positions

    def can_see(self, task: Task) -> bool:
        if self.is_admin or self.user_id in participants(task):
            return True
        return self.manages(task.assignee_id)


def viewer_of(caller: Caller) -> TaskViewer:
    # An API token acts as its integration, which has no person record.
    user = (
        integration_user(caller) if caller.is_integration else find_user(caller.user_id)
    )
    if user is None or not user.is_active:
        raise Unauthenticated("Your account is no longer active; sign in again.")
    return TaskViewer(caller=caller, user=user)


def get_visible_task(
    task_id: str,
    viewer: TaskViewer,
    *,
    consistent: bool = False,
    field: str | None = None,
) -> Task:
    """Return the task, or raise 404 alike for a missing and an invisible task."""
    task = get_task(task_id, consistent=consistent, field=field)
    if not viewer.can_see(task):
        raise NotFound(f"Task '{task_id}' not found.", field=field)
    return task
