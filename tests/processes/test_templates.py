"""Process templates: listing, resolving positions, and admins' own templates."""

import pytest

from tests.processes.conftest import STEPS, position_ids


def step_body(key: str, position_id: str, **fields) -> dict:
    body = {
        "key": key,
        "position_id": position_id,
        "due_offset_days": -10,
        "duration_days": 5,
        "title": {"ru": f"Шаг {key}", "en": f"Step {key}"},
        "description": {"ru": "Сделать шаг", "en": "Do the step"},
        "checklist": [{"ru": "Проверить", "en": "Check"}],
    }
    body.update(fields)
    return body


def template_body(steps: list[dict]) -> dict:
    return {
        "name": {"ru": "Поставка на склад", "en": "Warehouse supply"},
        "description": {"ru": "Отгрузка партии", "en": "Ship a batch"},
        "steps": steps,
    }


@pytest.fixture
def positions(company, owner) -> dict[str, str]:
    return position_ids(owner)


def test_list_shows_shipped_template(owner, company):
    response = owner.client.get("/api/process-templates")
    assert response.status == 200, response.body
    shipped = {item["id"]: item for item in response.json["templates"]}
    assert shipped["product-launch"]["step_count"] == len(STEPS)
    assert shipped["product-launch"]["read_only"] is True
    assert (
        shipped["product-launch"]["name"]["en"] == "New product launch on marketplaces"
    )


def test_get_resolves_positions_and_holders(owner, positions, hire):
    analyst = hire("Аналитик", positions["analyst"])
    response = owner.client.get("/api/process-templates/product-launch")
    assert response.status == 200, response.body
    steps = {step["key"]: step for step in response.json["template"]["steps"]}
    niche = steps["niche_analysis"]
    assert niche["position"]["id"] == positions["analyst"]
    assert niche["holders"] == [{"id": analyst.id, "name": "Аналитик"}]
    assert niche["vacant"] is False
    assert steps["card_wb"]["position"]["id"] == positions["wb_manager"]
    assert steps["card_wb"]["vacant"] is True
    assert steps["card_wb"]["holders"] == []
    vacant = response.json["template"]["vacant_steps"]
    assert "niche_analysis" not in vacant
    assert len(vacant) == len(STEPS) - 1


def test_get_without_org_template_all_vacant(owner):
    response = owner.client.get("/api/process-templates/product-launch")
    assert response.status == 200, response.body
    for step in response.json["template"]["steps"]:
        assert step["position"] is None, step["key"]
        assert step["vacant"] is True, step["key"]


def test_get_unknown_template_not_found(owner):
    response = owner.client.get("/api/process-templates/no-such-template")
    assert response.status == 404, response.body


def test_admin_creates_template(owner, positions):
    body = template_body(
        [
            step_body("pack", positions["logistician"], due_offset_days=-5),
            step_body(
                "ship", positions["logistician"], depends_on=["pack"], due_offset_days=0
            ),
        ]
    )
    response = owner.client.post("/api/process-templates", body)
    assert response.status == 201, response.body
    created = response.json["template"]
    assert created["step_count"] == 2
    assert created["read_only"] is False
    listed = owner.client.get("/api/process-templates").json["templates"]
    assert created["id"] in {item["id"] for item in listed}
    detail = owner.client.get(f"/api/process-templates/{created['id']}")
    assert detail.status == 200, detail.body
    steps = detail.json["template"]["steps"]
    assert [step["key"] for step in steps] == ["pack", "ship"]
    assert steps[1]["position"]["id"] == positions["logistician"]


def test_employee_cannot_create_template(positions, hire):
    employee = hire("Логист", positions["logistician"])
    body = template_body([step_body("pack", positions["logistician"])])
    response = employee.client.post("/api/process-templates", body)
    assert response.status == 403, response.body


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([step_body("pack", "no-such-position")], "steps.0.position_id"),
        (
            [step_body("pack", "{logistician}", depends_on=["ghost"])],
            "steps.0.depends_on",
        ),
        (
            [step_body("pack", "{logistician}"), step_body("pack", "{logistician}")],
            "steps.1.key",
        ),
        (
            [
                step_body("a", "{logistician}", depends_on=["b"]),
                step_body("b", "{logistician}", depends_on=["a"]),
            ],
            "steps",
        ),
        ([step_body("a", "{logistician}", depends_on=["a"])], "steps.0.depends_on"),
        (
            [
                step_body("a", "{logistician}", due_offset_days=-1),
                step_body("b", "{logistician}", depends_on=["a"], due_offset_days=0),
            ],
            "steps.1.due_offset_days",
        ),
        ([step_body("Bad Key", "{logistician}")], "steps.0.key"),
        ([step_body("a", "{logistician}", duration_days=0)], "steps.0.duration_days"),
        ([step_body("a", "{logistician}", title={"ru": "Шаг"})], "steps.0.title.en"),
        ([], "steps"),
        ([step_body(f"s{n}", "{logistician}") for n in range(61)], "steps"),
    ],
)
def test_create_template_rejects(owner, positions, steps, field):
    for step in steps:
        if step["position_id"] == "{logistician}":
            step["position_id"] = positions["logistician"]
    response = owner.client.post("/api/process-templates", template_body(steps))
    assert response.status == 400, response.body
    assert response.error_field() == field


def test_create_template_sixty_steps_allowed(owner, positions):
    steps = [step_body(f"s{n}", positions["logistician"]) for n in range(60)]
    response = owner.client.post("/api/process-templates", template_body(steps))
    assert response.status == 201, response.body
    assert response.json["template"]["step_count"] == 60


def test_shipped_template_has_no_write_routes(owner, company):
    for method in ("patch", "delete"):
        response = getattr(owner.client, method)(
            "/api/process-templates/product-launch"
        )
        assert response.status in (403, 405), response.body
