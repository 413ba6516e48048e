"""Who may see which request.

- The author sees their own requests.
- A manager sees the requests of their reports: requests whose author position
  reports, directly or up the chain, to the manager's position.
- The people who hold a position on a request's path see that request.
- Finance (holders of the finance positions in the settings), admins and the
  owner see every request.

Lists, the calendar, the plan and the export apply the same rule, so no total
counts a request its viewer may not open.
"""

from dataclasses import dataclass
from functools import cached_property

from chalicelib.errors import Unauthenticated
from chalicelib.finance.models import OWNER_APPROVER_KEY, FinanceRequest
from chalicelib.finance.org_snapshot import OrgSnapshot
from chalicelib.finance.settings import ApprovalSettings, load_settings
from chalicelib.integrations.tokens import integration_user
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.web import Caller


@dataclass
class Viewer:
    caller: Caller
    user: User
    org: OrgSnapshot

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def position_id(self) -> str | None:
        return self.user.position_id

    @property
    def is_owner(self) -> bool:
        return self.user.role == "owner"

    @cached_property
    def settings(self) -> ApprovalSettings:
        return load_settings(self.org)

    @cached_property
    def is_finance(self) -> bool:
        """Finance may schedule and pay; admins and the owner count as finance."""
        return self.caller.is_admin or (
            self.position_id is not None
            and self.position_id in self.settings.finance_position_ids
        )

    @property
    def sees_all(self) -> bool:
        return self.is_finance or self.is_owner

    @cached_property
    def report_positions(self) -> set[str]:
        if self.position_id is None:
            return set()
        return self.org.reports_of(self.position_id)

    @property
    def approver_keys(self) -> list[str]:
        """The approver-index keys this person acts under."""
        keys = [self.position_id] if self.position_id else []
        if self.is_owner:
            keys.append(OWNER_APPROVER_KEY)
        return keys


def viewer_of(caller: Caller, org: OrgSnapshot | None = None) -> Viewer:
    # An API token acts as its integration, which has no person record.
    user = (
        integration_user(caller) if caller.is_integration else find_user(caller.user_id)
    )
    if user is None or not user.is_active:
        raise Unauthenticated("Your account is no longer active; sign in again.")
    return Viewer(caller=caller, user=user, org=org or OrgSnapshot())


def can_see(request: FinanceRequest, viewer: Viewer) -> bool:
    # The checks that need no reads come first: a "to approve" list passes on
    # its steps alone and never loads the settings or the org's positions.
    if request.author_id == viewer.user_id:
        return True
    if any(
        (step.kind == "position" and step.position_id == viewer.position_id)
        or (step.kind == "owner" and viewer.is_owner)
        for step in request.steps or []
    ):
        return True
    if viewer.sees_all:
        return True
    return request.author_position_id in viewer.report_positions
