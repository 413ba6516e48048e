"""The shipped product launch template: positions, dependencies and dates agree."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = json.loads(
    (ROOT / "chalicelib/processes/data/product_launch.json").read_text("utf-8")
)
ORG = json.loads(
    (ROOT / "chalicelib/org/data/marketplace_business.json").read_text("utf-8")
)
STEPS = {step["key"]: step for step in LAUNCH["steps"]}
POSITIONS = {position["key"]: position for position in ORG["positions"]}


def start_offset(step: dict) -> int:
    return step["due_offset_days"] - step["duration_days"]


def test_has_at_least_sixteen_steps():
    assert len(LAUNCH["steps"]) >= 16


def test_step_keys_are_unique():
    keys = [step["key"] for step in LAUNCH["steps"]]
    assert len(keys) == len(set(keys))


def test_template_names_its_org_template():
    assert LAUNCH["org_template"] == ORG["key"]


@pytest.mark.parametrize("key", sorted(STEPS))
def test_step_owner_is_template_position(key):
    assert STEPS[key]["position"] in POSITIONS


@pytest.mark.parametrize("key", sorted(STEPS))
def test_step_texts_in_both_languages(key):
    step = STEPS[key]
    for field in ("title", "description"):
        assert step[field]["ru"].strip(), field
        assert step[field]["en"].strip(), field
    assert step["checklist"]
    for item in step["checklist"]:
        assert item["ru"].strip()
        assert item["en"].strip()


@pytest.mark.parametrize("key", sorted(STEPS))
def test_step_starts_after_dependencies_end(key):
    step = STEPS[key]
    assert step["duration_days"] >= 1
    for dependency in step["depends_on"]:
        assert dependency in STEPS, dependency
        assert STEPS[dependency]["due_offset_days"] <= start_offset(step), dependency


def test_dependencies_have_no_cycle():
    visiting, done = set(), set()

    def visit(key: str, chain: list[str]) -> None:
        assert key not in visiting, " -> ".join([*chain, key])
        if key in done:
            return
        visiting.add(key)
        for dependency in STEPS[key]["depends_on"]:
            visit(dependency, [*chain, key])
        visiting.discard(key)
        done.add(key)

    for key in STEPS:
        visit(key, [])


def test_steps_span_departments():
    departments = {POSITIONS[step["position"]]["department"] for step in STEPS.values()}
    assert len(departments) >= 7


@pytest.mark.parametrize(
    "topic",
    [
        "ниш",
        "Юнит-экономика",
        "образц",
        "Честный знак",
        "Сертификац",
        "SEO",
        "Фотосъёмка",
        "Инфографика",
        "Wildberries",
        "Ozon",
        "Яндекс Маркет",
        "акци",
        "FBO",
        "слот",
        "реклам",
        "отзыв",
        "разбор",
    ],
)
def test_covers_launch_topic(topic):
    texts = " ".join(
        step["title"]["ru"] + " " + step["description"]["ru"] for step in STEPS.values()
    )
    assert topic.lower() in texts.lower()


def test_only_final_steps_fall_after_target():
    after = sorted(key for key, step in STEPS.items() if start_offset(step) >= 0)
    assert after == ["launch_review", "reviews_questions"]
