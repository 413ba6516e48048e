"""Derive a request's approval path from the org structure and the settings.

The path is the author's managers up the reports_to chain, then the final
approvers from the settings, with the amount deciding how far up each goes:
up to ``direct_manager_only_up_to`` only the direct manager comes from the
chain (the nearest one whose position is held, if the direct manager's is
vacant), above it every manager up the chain; a final approver applies only
to amounts above its ``above`` threshold. A position or the owner appears once,
and a step that the author holds, or that nobody holds, stays on the path as
skipped with a note.

The path is derived when the request is submitted and kept on it. Its steps
name positions, so whoever holds a position when the step comes up approves.
"""

from chalicelib.clock import iso
from chalicelib.finance.models import OWNER_APPROVER_KEY, Step
from chalicelib.finance.org_snapshot import OrgSnapshot
from chalicelib.finance.settings import ApprovalSettings
from chalicelib.people.models import User

PENDING = "pending"
APPROVED = "approved"
SKIPPED = "skipped"
VACANT = "vacant"
AUTHOR = "author"


def derive_path(
    author: User,
    author_position_id: str | None,
    amount_rub_minor: int | None,
    settings: ApprovalSettings,
    org: OrgSnapshot,
) -> list[Step]:
    """Return the steps for a request of ``amount_rub_minor`` by ``author``.

    An amount of None (a foreign currency before anyone recorded a rate)
    cannot be compared with the thresholds, so it gets the longest path.
    """
    above_every_threshold = amount_rub_minor is None

    managers = org.managers_of(author_position_id)
    direct_only = (
        not above_every_threshold
        and amount_rub_minor <= settings.direct_manager_only_up_to_minor
    )
    if direct_only:
        managers = _up_to_first_held(managers, org)

    planned: list[tuple[str, str | None]] = [
        ("position", position_id) for position_id in managers
    ]
    for final in settings.final_approvers:
        if above_every_threshold or amount_rub_minor > final.above_minor:
            planned.append((final.kind, final.position_id))

    owner = org.owner
    steps: list[Step] = []
    seen_positions: set[str] = set()
    owner_planned = False
    for kind, position_id in planned:
        if kind == "owner":
            owner_planned = True
            continue
        if position_id is None or position_id in seen_positions:
            continue
        if position_id not in org.positions:
            # A final approver's position was deleted after the settings saved it.
            continue
        seen_positions.add(position_id)
        steps.append(_position_step(position_id, author, org))

    if owner_planned:
        owner_step = _owner_step(owner, author, seen_positions)
        if owner_step is not None:
            steps.append(owner_step)
    return steps


def _up_to_first_held(managers: list[str], org: OrgSnapshot) -> list[str]:
    """Return the chain up to the first manager whose position someone holds.

    When the direct manager's position is vacant, the request goes to the
    next manager up instead of to nobody; the vacant ones stay as skipped steps.
    """
    for index, position_id in enumerate(managers):
        if org.holders(position_id):
            return managers[: index + 1]
    return managers


def _position_step(position_id: str, author: User, org: OrgSnapshot) -> Step:
    step = Step(
        kind="position",
        position_id=position_id,
        position_name=org.position_name(position_id),
        status=PENDING,
    )
    holders = org.holders(position_id)
    if any(holder.user_id == author.user_id for holder in holders):
        step.status, step.note = SKIPPED, AUTHOR
    elif not holders:
        step.status, step.note = SKIPPED, VACANT
    return step


def _owner_step(
    owner: User | None, author: User, seen_positions: set[str]
) -> Step | None:
    # An owner who holds a position already on the path approves there.
    if owner is not None and owner.position_id in seen_positions:
        return None
    step = Step(kind="owner", status=PENDING)
    if owner is None:
        step.status, step.note = SKIPPED, VACANT
    elif owner.user_id == author.user_id:
        step.status, step.note = SKIPPED, AUTHOR
    return step


def approver_key(step: Step) -> str:
    """The approver-index key of a step: its position id, or OWNER."""
    return OWNER_APPROVER_KEY if step.kind == "owner" else step.position_id


def next_pending(steps: list[Step], after: int = -1) -> int | None:
    """Return the index of the first pending step after ``after``, if any."""
    for index in range(after + 1, len(steps)):
        if steps[index].status == PENDING:
            return index
    return None


def approvers_of(step: Step, org: OrgSnapshot) -> list[User]:
    """Return the people who may act on ``step`` now."""
    if step.kind == "owner":
        return [org.owner] if org.owner is not None else []
    return org.holders(step.position_id)


def step_json(step: Step, index: int, current: int | None, org: OrgSnapshot) -> dict:
    status = step.status
    if index == current and status == PENDING:
        status = "current"
    approvers = approvers_of(step, org) if step.status == PENDING else []
    return {
        "index": index,
        "kind": step.kind,
        "position_id": step.position_id,
        "position_name": step.position_name,
        "status": status,
        "note": step.note,
        "approvers": [{"id": user.user_id, "name": user.name} for user in approvers],
        "acted_by": step.acted_by,
        "acted_by_name": step.acted_by_name,
        "acted_at": iso(step.acted_at) if step.acted_at else None,
        "comment": step.comment,
        "rate": step.rate,
    }
