"""Checks the «Бизнес на маркетплейсах» org template data for consistency."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

TEMPLATE_PATH = (
    Path(__file__).resolve().parents[2]
    / "chalicelib"
    / "org"
    / "data"
    / "marketplace_business.json"
)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
LANGUAGES = ("ru", "en")


@pytest.fixture(scope="module")
def template():
    with TEMPLATE_PATH.open(encoding="utf-8") as file:
        return json.load(file)


@pytest.fixture(scope="module")
def departments(template):
    return template["departments"]


@pytest.fixture(scope="module")
def positions(template):
    return template["positions"]


def assert_translated(text, where):
    for language in LANGUAGES:
        assert isinstance(text.get(language), str), (
            f"{where}: missing '{language}' text"
        )
        assert text[language].strip(), f"{where}: empty '{language}' text"


def test_template_identity(template):
    assert template["key"] == "marketplace-business", (
        f"unexpected template key {template['key']!r}"
    )
    assert_translated(template["name"], "template name")
    assert_translated(template["description"], "template description")


def test_department_count(departments):
    assert len(departments) >= 10, (
        f"expected at least 10 departments, found {len(departments)}"
    )


def test_position_count(positions):
    assert len(positions) >= 30, (
        f"expected at least 30 positions, found {len(positions)}"
    )


def test_department_keys_unique(departments):
    counts = Counter(department["key"] for department in departments)
    for key, count in counts.items():
        assert count == 1, f"department key {key!r} appears {count} times"


def test_position_keys_unique(positions):
    counts = Counter(position["key"] for position in positions)
    for key, count in counts.items():
        assert count == 1, f"position key {key!r} appears {count} times"


def test_keys_are_snake_case(departments, positions):
    for department in departments:
        key = department["key"]
        assert KEY_PATTERN.match(key), (
            f"department key {key!r} is not lowercase snake_case"
        )
    for position in positions:
        key = position["key"]
        assert KEY_PATTERN.match(key), (
            f"position key {key!r} is not lowercase snake_case"
        )


def test_departments_have_name_and_purpose(departments):
    for department in departments:
        key = department["key"]
        assert_translated(department["name"], f"department {key!r} name")
        assert_translated(department["purpose"], f"department {key!r} purpose")


def test_department_parents_resolve(departments):
    keys = {department["key"] for department in departments}
    for department in departments:
        parent = department["parent"]
        if parent is None:
            continue
        assert parent in keys, (
            f"department {department['key']!r} has unknown parent {parent!r}"
        )
        assert parent != department["key"], f"department {parent!r} is its own parent"


def test_department_parents_have_no_cycles(departments):
    parents = {department["key"]: department["parent"] for department in departments}
    for key, parent in parents.items():
        chain = [key]
        while parent is not None and parent in parents:
            cycle = " -> ".join(chain + [parent])
            assert parent not in chain, (
                f"department {key!r} is in a parent cycle: {cycle}"
            )
            chain.append(parent)
            parent = parents[parent]


def test_positions_have_name_and_purpose(positions):
    for position in positions:
        key = position["key"]
        assert_translated(position["name"], f"position {key!r} name")
        assert_translated(position["purpose"], f"position {key!r} purpose")


def test_every_position_has_three_functions(positions):
    for position in positions:
        key = position["key"]
        count = len(position["functions"])
        assert count >= 3, (
            f"position {key!r} has {count} functions, expected at least 3"
        )
        for index, function in enumerate(position["functions"]):
            assert_translated(function, f"position {key!r} function {index}")


def test_position_departments_resolve(departments, positions):
    keys = {department["key"] for department in departments}
    for position in positions:
        department = position["department"]
        assert department in keys, (
            f"position {position['key']!r} names unknown department {department!r}"
        )


def test_every_department_has_position(departments, positions):
    staffed = {position["department"] for position in positions}
    for department in departments:
        key = department["key"]
        assert key in staffed, f"department {key!r} has no positions"


def test_reports_to_resolves(positions):
    keys = {position["key"] for position in positions}
    for position in positions:
        manager = position["reports_to"]
        if manager is None:
            continue
        assert manager in keys, (
            f"position {position['key']!r} reports to unknown {manager!r}"
        )


def test_owner_is_only_root(positions):
    roots = [
        position["key"] for position in positions if position["reports_to"] is None
    ]
    assert len(roots) == 1, f"expected exactly one root position, found {roots}"
    assert roots == ["owner"], f"expected 'owner' as the root position, found {roots}"


def test_reports_to_has_no_cycles(positions):
    managers = {position["key"]: position["reports_to"] for position in positions}
    for key, manager in managers.items():
        chain = [key]
        while manager is not None and manager in managers:
            cycle = " -> ".join(chain + [manager])
            assert manager not in chain, (
                f"position {key!r} is in a reporting cycle: {cycle}"
            )
            chain.append(manager)
            manager = managers[manager]


def test_required_position_keys_present(positions):
    required = {
        "owner",
        "ceo",
        "head_of_marketplaces",
        "wb_manager",
        "ozon_manager",
        "ym_manager",
        "content_manager",
        "designer",
        "photographer",
        "seo_copywriter",
        "ads_manager",
        "reviews_manager",
        "purchasing_manager",
        "certification_specialist",
        "logistician",
        "warehouse_worker",
        "analyst",
        "financial_manager",
        "accountant",
        "hr_manager",
    }
    keys = {position["key"] for position in positions}
    for key in sorted(required):
        assert key in keys, f"required position {key!r} is missing"
