"""The company's approval rules: thresholds, final approvers and finance positions.

Until an admin saves settings, defaults apply. Up to 50 000 RUB the direct
manager approves, and above that every manager up the chain does. Then the
financial manager approves every amount, and the owner amounts above
500 000 RUB. Finance (who may see every request and pays) is the financial
manager and the accountant. Default positions are the ones the marketplace org
template created.
"""

import logging
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from chalicelib.clock import utc_now
from chalicelib.errors import InvalidInput
from chalicelib.finance.models import SETTINGS_KEY, FinalApprover, FinanceSettings
from chalicelib.finance.money import format_amount
from chalicelib.finance.org_snapshot import OrgSnapshot
from chalicelib.finance.schemas import SettingsBody

logger = logging.getLogger(__name__)

DEFAULT_DIRECT_MANAGER_ONLY_UP_TO_MINOR = 50_000_00
DEFAULT_OWNER_ABOVE_MINOR = 500_000_00
DEFAULT_FINANCE_POSITIONS = ("financial_manager", "accountant")


@dataclass(frozen=True)
class FinalStep:
    kind: str  # "position" or "owner"
    position_id: str | None
    above_minor: int


@dataclass(frozen=True)
class ApprovalSettings:
    direct_manager_only_up_to_minor: int
    final_approvers: tuple[FinalStep, ...]
    finance_position_ids: frozenset[str]
    saved: bool


def default_settings(org: OrgSnapshot) -> ApprovalSettings:
    finals = []
    financial_manager = org.template_position("financial_manager")
    if financial_manager is not None:
        finals.append(FinalStep("position", financial_manager.position_id, 0))
    finals.append(FinalStep("owner", None, DEFAULT_OWNER_ABOVE_MINOR))
    finance = {
        position.position_id
        for key in DEFAULT_FINANCE_POSITIONS
        if (position := org.template_position(key)) is not None
    }
    return ApprovalSettings(
        direct_manager_only_up_to_minor=DEFAULT_DIRECT_MANAGER_ONLY_UP_TO_MINOR,
        final_approvers=tuple(finals),
        finance_position_ids=frozenset(finance),
        saved=False,
    )


def load_settings(org: OrgSnapshot) -> ApprovalSettings:
    try:
        stored = FinanceSettings.get(SETTINGS_KEY, SETTINGS_KEY)
    except DoesNotExist:
        return default_settings(org)
    return ApprovalSettings(
        direct_manager_only_up_to_minor=int(stored.direct_manager_only_up_to_minor),
        final_approvers=tuple(
            FinalStep(item.kind, item.position_id, int(item.above_minor))
            for item in stored.final_approvers
        ),
        finance_position_ids=frozenset(stored.finance_position_ids or []),
        saved=True,
    )


def save_settings(body: SettingsBody, org: OrgSnapshot, user_id: str) -> None:
    for index, step in enumerate(body.final_approvers):
        field = f"final_approvers.{index}.position_id"
        if step.kind == "position" and step.position_id not in org.positions:
            raise InvalidInput(
                f"Invalid field '{field}': name an existing position.", field=field
            )
        if step.kind == "owner" and step.position_id is not None:
            raise InvalidInput(
                f"Invalid field '{field}': an owner step names no position.",
                field=field,
            )
    for index, position_id in enumerate(body.finance_position_ids):
        if position_id not in org.positions:
            field = f"finance_position_ids.{index}"
            raise InvalidInput(
                f"Invalid field '{field}': position '{position_id}' does not exist.",
                field=field,
            )
    FinanceSettings(
        direct_manager_only_up_to_minor=body.direct_manager_only_up_to,
        final_approvers=[
            FinalApprover(
                kind=step.kind, position_id=step.position_id, above_minor=step.above
            )
            for step in body.final_approvers
        ],
        finance_position_ids=list(dict.fromkeys(body.finance_position_ids)),
        updated_at=utc_now(),
        updated_by=user_id,
    ).save()
    logger.info("finance settings saved by=%s", user_id)


def settings_json(settings: ApprovalSettings, org: OrgSnapshot) -> dict:
    return {
        "saved": settings.saved,
        "direct_manager_only_up_to": format_amount(
            settings.direct_manager_only_up_to_minor
        ),
        "final_approvers": [
            {
                "kind": step.kind,
                "position_id": step.position_id,
                "position_name": (
                    org.position_name(step.position_id) if step.position_id else None
                ),
                "above": format_amount(step.above_minor),
            }
            for step in settings.final_approvers
        ],
        "finance_position_ids": sorted(settings.finance_position_ids),
    }
