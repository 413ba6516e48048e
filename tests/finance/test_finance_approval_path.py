"""Approval path derivation from the org structure, the amount and the settings.

These run on an org structure in memory; the flow tests check the same rules
through the API.
"""

from dataclasses import dataclass

import pytest

from chalicelib.finance.approval_path import derive_path
from chalicelib.finance.org_snapshot import OrgSnapshot
from chalicelib.finance.settings import (
    ApprovalSettings,
    FinalStep,
    default_settings,
)

RUB = 100  # minor units per rouble


@dataclass
class FakePosition:
    position_id: str
    name: str
    reports_to: str | None
    source_key: str | None = None


@dataclass
class FakeUser:
    user_id: str
    name: str
    position_id: str | None
    role: str = "employee"
    is_active: bool = True


# owner_position <- ceo <- head_of_sales <- seller
#                       <- cfo <- financial_manager
CHART = {
    "owner_position": None,
    "ceo": "owner_position",
    "head_of_sales": "ceo",
    "seller": "head_of_sales",
    "cfo": "ceo",
    "financial_manager": "cfo",
}


class FakeOrg(OrgSnapshot):
    def __init__(self, people: list[FakeUser]) -> None:
        super().__init__()
        self.people = people
        self.__dict__["positions"] = {
            key: FakePosition(key, key, manager, f"marketplace-business/{key}")
            for key, manager in CHART.items()
        }
        self.__dict__["owner"] = next(
            (person for person in people if person.role == "owner"), None
        )

    def holders(self, position_id: str) -> list[FakeUser]:
        return [person for person in self.people if person.position_id == position_id]


OWNER = FakeUser("owner", "Owner", None, role="owner")
CEO = FakeUser("ceo-person", "Вера", "ceo")
HEAD = FakeUser("head-person", "Борис", "head_of_sales")
SELLER = FakeUser("seller-person", "Анна", "seller")
FINANCE = FakeUser("finance-person", "Фёдор", "financial_manager")
EVERYONE = [OWNER, CEO, HEAD, SELLER, FINANCE]


def path_of(author, amount_roubles, people=EVERYONE, settings=None):
    org = FakeOrg(people)
    settings = settings or default_settings(org)
    steps = derive_path(
        author,
        author.position_id,
        amount_roubles * RUB if amount_roubles else None,
        settings,
        org,
    )
    return [(step.kind, step.position_id, step.status, step.note) for step in steps]


def pending(path):
    return [
        position or kind for kind, position, status, _ in path if status == "pending"
    ]


def test_small_amount_goes_to_direct_manager_and_finance():
    assert pending(path_of(SELLER, 50_000)) == ["head_of_sales", "financial_manager"]


def test_medium_amount_climbs_the_whole_chain():
    assert pending(path_of(SELLER, 50_001)) == [
        "head_of_sales",
        "ceo",
        "financial_manager",
    ]


def test_medium_amount_notes_vacant_top_position():
    assert ("position", "owner_position", "skipped", "vacant") in path_of(
        SELLER, 100_000
    )


def test_amount_at_owner_threshold_leaves_owner_out():
    assert "owner" not in pending(path_of(SELLER, 500_000))


def test_large_amount_adds_owner_last():
    assert pending(path_of(SELLER, 500_001))[-1] == "owner"


def test_unknown_rub_amount_gets_longest_path():
    assert pending(path_of(SELLER, None)) == [
        "head_of_sales",
        "ceo",
        "financial_manager",
        "owner",
    ]


def test_vacant_direct_manager_escalates_to_next_manager():
    people = [OWNER, CEO, SELLER, FINANCE]
    assert pending(path_of(SELLER, 10_000, people)) == ["ceo", "financial_manager"]


def test_vacant_direct_manager_is_noted():
    people = [OWNER, CEO, SELLER, FINANCE]
    assert path_of(SELLER, 10_000, people)[0] == (
        "position",
        "head_of_sales",
        "skipped",
        "vacant",
    )


def test_author_who_is_a_manager_starts_above_themselves():
    assert pending(path_of(HEAD, 10_000)) == ["ceo", "financial_manager"]


def test_finance_manager_skips_own_finance_step():
    path = path_of(FINANCE, 10_000)
    assert ("position", "financial_manager", "skipped", "author") in path


def test_finance_manager_request_goes_up_their_chain():
    # The CFO position is vacant, so the CEO approves instead.
    assert pending(path_of(FINANCE, 10_000)) == ["ceo"]


def test_owner_request_skips_owner_step():
    assert ("owner", None, "skipped", "author") in path_of(OWNER, 600_000)


def test_owner_request_still_needs_finance():
    assert pending(path_of(OWNER, 600_000)) == ["financial_manager"]


def test_owner_holding_chain_position_appears_once():
    owner_as_ceo = FakeUser("owner", "Owner", "ceo", role="owner")
    people = [owner_as_ceo, HEAD, SELLER, FINANCE]
    assert pending(path_of(SELLER, 600_000, people)) == [
        "head_of_sales",
        "ceo",
        "financial_manager",
    ]


def test_final_position_already_in_chain_appears_once():
    settings = ApprovalSettings(
        direct_manager_only_up_to_minor=0,
        final_approvers=(FinalStep("position", "ceo", 0),),
        finance_position_ids=frozenset(),
        saved=True,
    )
    assert pending(path_of(SELLER, 1_000, settings=settings)) == [
        "head_of_sales",
        "ceo",
    ]


def test_final_step_thresholds_follow_settings():
    settings = ApprovalSettings(
        direct_manager_only_up_to_minor=1_000 * RUB,
        final_approvers=(
            FinalStep("position", "financial_manager", 0),
            FinalStep("owner", None, 10_000 * RUB),
        ),
        finance_position_ids=frozenset(),
        saved=True,
    )
    assert pending(path_of(SELLER, 10_001, settings=settings)) == [
        "head_of_sales",
        "ceo",
        "financial_manager",
        "owner",
    ]


@pytest.mark.parametrize("author", [SELLER, HEAD, FINANCE, OWNER])
def test_author_never_pending_on_own_path(author):
    org_people = {person.position_id: person for person in EVERYONE}
    for kind, position, status, _ in path_of(author, 700_000):
        approver = OWNER if kind == "owner" else org_people.get(position)
        assert status != "pending" or approver is not author
