"""Launch requests in a company with vacant positions, and their input checks."""

from datetime import timedelta

import pytest

from tests.processes.conftest import (
    STEPS,
    launch,
    moscow_today,
    position_ids,
)


@pytest.fixture
def positions(company, owner) -> dict[str, str]:
    return position_ids(owner)


def test_vacant_positions_reject_launch(owner, positions, hire):
    hire("Аналитик", positions["analyst"])
    response = launch(owner, name="Термокружка")
    assert response.status == 409, response.body
    error = response.json["error"]
    assert error["field"] == "allow_vacant"
    vacant = {item["step"]: item for item in error["vacant_steps"]}
    assert sorted(vacant) == sorted(key for key in STEPS if key != "niche_analysis")
    card = vacant["card_wb"]
    assert card["position"]["id"] == positions["wb_manager"]
    assert card["position_ref"] == "wb_manager"
    assert card["title"] == STEPS["card_wb"]["title"]["ru"]
    listed = owner.client.get("/api/tasks?creator=me")
    assert listed.json["tasks"] == []


def test_allow_vacant_assigns_to_named_person(owner, positions, hire):
    analyst = hire("Аналитик", positions["analyst"])
    stand_in = hire("Заместитель", positions["head_of_marketplaces"], role="manager")
    response = launch(
        owner, name="Термокружка", allow_vacant=True, assign_vacant_to=stand_in.id
    )
    assert response.status == 201, response.body
    rows = {row["step"]: row for row in response.json["launch"]["tasks"]}
    assert rows["niche_analysis"]["assignee_id"] == analyst.id
    assert rows["niche_analysis"]["assigned_for_vacancy"] is False
    for key, row in rows.items():
        if STEPS[key]["position"] not in ("analyst", "head_of_marketplaces"):
            assert row["assignee_id"] == stand_in.id, key
            assert row["assigned_for_vacancy"] is True, key
    # A vacant step still counts in its position's department.
    assert rows["card_wb"]["position_id"] == positions["wb_manager"]


def test_launch_tasks_reach_lists_through_streams(owner, positions, hire, pump):
    analyst = hire("Аналитик", positions["analyst"])
    response = launch(owner, name="Фляга", allow_vacant=True, assign_vacant_to=owner.id)
    assert response.status == 201, response.body
    rows = {row["step"]: row for row in response.json["launch"]["tasks"]}
    pump.drain(timeout=120)
    assert pump.parked == []
    listed = analyst.client.get("/api/tasks?view=mine")
    assert listed.status == 200, listed.body
    assert [task["id"] for task in listed.json["tasks"]] == [
        rows["niche_analysis"]["task_id"]
    ]
    department_id = rows["niche_analysis"]["department_id"]
    department_list = analyst.client.get(
        f"/api/tasks?view=department&department_id={department_id}"
    )
    assert department_list.status == 200, department_list.body
    listed_ids = {task["id"] for task in department_list.json["tasks"]}
    assert rows["niche_analysis"]["task_id"] in listed_ids


def test_allow_vacant_needs_person(owner, company):
    response = launch(owner, name="Термокружка", allow_vacant=True)
    assert response.status == 400, response.body
    assert response.error_field() == "assign_vacant_to"


def test_allow_vacant_unknown_person(owner, company):
    response = launch(
        owner, name="Термокружка", allow_vacant=True, assign_vacant_to="nobody"
    )
    assert response.status == 400, response.body
    assert response.error_field() == "assign_vacant_to"


def test_assign_vacant_without_allow(owner, company):
    response = launch(owner, name="Термокружка", assign_vacant_to=owner.id)
    assert response.status == 400, response.body
    assert response.error_field() == "assign_vacant_to"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Термокружка", "target_date": "15.12.2026"}, "target_date"),
        ({"name": "Термокружка", "target_date": "2026-02-30"}, "target_date"),
        ({"name": "Термокружка", "target_date": "1999-01-01"}, "target_date"),
        ({"name": "Термокружка", "target_date": 20261215}, "target_date"),
        ({"name": "Термокружка", "target_date": "2000-01-05"}, "target_date"),
        ({"target_date": "2030-01-01"}, "name"),
        ({"name": "", "target_date": "2030-01-01"}, "name"),
        ({"name": "Термокружка", "target_date": "2030-01-01", "extra": 1}, "extra"),
        (
            {"name": "Термокружка", "target_date": "2030-01-01", "allow_vacant": "yes"},
            "allow_vacant",
        ),
        (
            {"name": "Термокружка", "target_date": "2030-01-01", "idempotency_key": ""},
            "idempotency_key",
        ),
    ],
)
def test_launch_rejects_bad_input(owner, company, body, field):
    response = owner.client.post("/api/process-templates/product-launch/launch", body)
    assert response.status == 400, response.body
    assert response.error_field() == field


def test_launch_unknown_template(owner, company):
    response = launch(owner, template_id="no-such-template", name="Термокружка")
    assert response.status == 404, response.body


def test_launch_empty_body(owner, company):
    response = owner.client.post("/api/process-templates/product-launch/launch")
    assert response.status == 400, response.body


def test_admin_template_launch(owner, positions, hire):
    logistician = hire("Логист", positions["logistician"])
    body = {
        "name": {"ru": "Поставка", "en": "Supply"},
        "description": {"ru": "Отгрузка", "en": "Shipping"},
        "steps": [
            {
                "key": "pack",
                "position_id": positions["logistician"],
                "due_offset_days": -3,
                "duration_days": 2,
                "title": {"ru": "Упаковать", "en": "Pack"},
                "description": {"ru": "Упаковать партию", "en": "Pack the batch"},
            },
            {
                "key": "ship",
                "position_id": positions["logistician"],
                "due_offset_days": 0,
                "duration_days": 3,
                "depends_on": ["pack"],
                "title": {"ru": "Отгрузить", "en": "Ship"},
                "description": {"ru": "Отгрузить партию", "en": "Ship the batch"},
            },
        ],
    }
    created = owner.client.post("/api/process-templates", body)
    assert created.status == 201, created.body
    target = (moscow_today() + timedelta(days=10)).isoformat()
    response = launch(
        owner,
        template_id=created.json["template"]["id"],
        name="Партия 12",
        target_date=target,
    )
    assert response.status == 201, response.body
    view = response.json["launch"]
    rows = {row["step"]: row for row in view["tasks"]}
    assert rows["pack"]["assignee_id"] == logistician.id
    assert rows["ship"]["blocked"] is True
    assert rows["ship"]["due_date"] == target
    assert view["critical_path"]["steps"] == ["pack", "ship"]
    assert view["critical_path"]["remaining_days"] == 5
