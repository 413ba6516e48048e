"""Launching the shipped product launch template in a fully staffed company."""

from datetime import date, timedelta

from chalicelib.processes.launching import launch_template
from chalicelib.processes.schemas import LaunchCreate
from tests.processes.conftest import (
    STEPS,
    get_launch,
    launch,
    launched,
    moscow_today,
    set_status,
)
from tests.tasks.conftest import race, viewer_for

EXPECTED_CRITICAL_PATH = [
    "niche_analysis",
    "unit_economics",
    "launch_decision",
    "supplier_search",
    "samples_check",
    "supplier_terms",
    "production_order",
    "production_delivery",
    "packaging_fbo",
    "shipment",
    "ads_launch",
    "reviews_questions",
    "launch_review",
]


def tasks_by_step(view: dict) -> dict[str, dict]:
    return {row["step"]: row for row in view["tasks"]}


def test_launch_creates_task_per_step(staffed):
    target = (moscow_today() + timedelta(days=150)).isoformat()
    view = launched(staffed.owner, name="Термокружка", target_date=target)
    rows = tasks_by_step(view)
    assert sorted(rows) == sorted(STEPS)
    for key, step in STEPS.items():
        row = rows[key]
        due = date.fromisoformat(target) + timedelta(days=step["due_offset_days"])
        assert row["due_date"] == due.isoformat(), key
        if step["position"] != "wb_manager":
            assert row["assignee_id"] == staffed.holders[step["position"]].id, key
            assert row["co_assignee_ids"] == [], key


def test_launch_task_fields_stored(staffed):
    view = launched(staffed.owner, name="Фляга", product="Фляга 500 мл")
    rows = tasks_by_step(view)
    step = STEPS["infographics"]
    response = staffed.owner.client.get(f"/api/tasks/{rows['infographics']['task_id']}")
    assert response.status == 200, response.body
    task = response.json["task"]
    assert task["title"] == f"Фляга: {step['title']['ru']}"
    assert "Фляга 500 мл" in task["description"]
    assert [item["text"] for item in task["checklist"]] == [
        item["ru"] for item in step["checklist"]
    ]
    assert task["due"] == {"kind": "date", "date": rows["infographics"]["due_date"]}
    expected_blockers = [rows[key]["task_id"] for key in step["depends_on"]]
    assert task["blocked_by_ids"] == expected_blockers
    assert task["creator_id"] == staffed.owner.id


def test_launch_two_holders_share_step(staffed):
    view = launched(staffed.owner, name="Коврик для йоги")
    row = tasks_by_step(view)["card_wb"]
    holders = sorted([staffed.holders["wb_manager"].id, staffed.second_wb_manager.id])
    assert row["assignee_id"] == holders[0]
    assert row["co_assignee_ids"] == [holders[1]]


def test_launch_task_department_is_position(staffed):
    view = launched(staffed.owner, name="Сумка-шоппер")
    positions = {
        item["id"]: item
        for item in staffed.owner.client.get("/api/org/positions").json["positions"]
    }
    for row in view["tasks"]:
        position = positions[row["position_id"]]
        assert row["department_id"] == position["department_id"], row["step"]
        assert row["position_id"] == staffed.positions[STEPS[row["step"]]["position"]]


def test_launch_marks_dependent_tasks_blocked(staffed):
    view = launched(staffed.owner, name="Лампа настольная")
    for row in view["tasks"]:
        has_dependencies = bool(STEPS[row["step"]]["depends_on"])
        assert row["blocked"] is has_dependencies, row["step"]
        assert row["waiting_for"] == STEPS[row["step"]]["depends_on"], row["step"]
    assert view["progress"]["blocked"] == sum(
        1 for step in STEPS.values() if step["depends_on"]
    )


def test_launch_is_one_transaction(staffed):
    from tests.conftest import DYNAMODB_CALLS

    with DYNAMODB_CALLS.measure() as calls:
        launched(staffed.owner, name="Органайзер")
    assert calls["TransactWriteItems"] == 1
    assert calls["PutItem"] == 0
    assert calls["BatchWriteItem"] == 0


def test_double_launch_creates_one(staffed):
    body = {"name": "Чехол для телефона", "target_date": "2031-03-01"}
    first = launch(staffed.owner, **body)
    second = launch(staffed.owner, **body)
    assert first.status == 201, first.body
    assert second.status == 200, second.body
    assert second.json["created"] is False
    assert second.json["launch"]["id"] == first.json["launch"]["id"]
    first_ids = [row["task_id"] for row in first.json["launch"]["tasks"]]
    second_ids = [row["task_id"] for row in second.json["launch"]["tasks"]]
    assert second_ids == first_ids


def test_double_launch_name_case_insensitive(staffed):
    first = launched(staffed.owner, name="Зонт складной", target_date="2031-04-01")
    again = launch(staffed.owner, name="ЗОНТ СКЛАДНОЙ", target_date="2031-04-01")
    # Same launch key, another request: the name differs in case only.
    assert again.status == 409, again.body
    assert again.error_field() == "idempotency_key"
    assert again.json["error"]["launch_id"] == first["id"]


def test_double_launch_racing_creates_one(staffed):
    from tests.conftest import DYNAMODB_CALLS

    request = LaunchCreate.model_validate(
        {"name": "Бутылка спортивная", "target_date": "2031-05-01"}
    )
    results = []

    def attempt():
        results.append(
            launch_template(
                "product-launch", request, viewer_for(staffed.owner, "owner")
            )
        )

    with DYNAMODB_CALLS.measure() as calls:
        outcomes = race([attempt, attempt])
    assert outcomes == ["ok", "ok"]
    assert len({result.launch.launch_id for result in results}) == 1
    assert sorted(result.created for result in results) == [False, True]
    # The loser's transaction was cancelled, so only one set of tasks exists.
    assert calls["TransactWriteItems"] <= 2


def test_idempotency_key_repeats(staffed):
    body = {
        "name": "Набор кистей",
        "target_date": "2031-06-01",
        "idempotency_key": "launch-form-7f3a",
    }
    first = launch(staffed.owner, **body)
    again = launch(staffed.owner, **body)
    assert first.status == 201, first.body
    assert again.status == 200, again.body
    assert again.json["launch"]["id"] == first.json["launch"]["id"]
    other_key = launch(staffed.owner, **{**body, "idempotency_key": "another-click"})
    assert other_key.status == 201, other_key.body
    assert other_key.json["launch"]["id"] != first.json["launch"]["id"]
    reused = launch(staffed.owner, **{**body, "target_date": "2031-07-01"})
    assert reused.status == 409, reused.body
    assert reused.error_field() == "idempotency_key"


def test_critical_path_of_shipped_template(staffed):
    view = launched(staffed.owner, name="Рюкзак городской")
    path = view["critical_path"]
    assert path["steps"] == EXPECTED_CRITICAL_PATH
    assert path["remaining_days"] == sum(
        STEPS[key]["duration_days"] for key in EXPECTED_CRITICAL_PATH
    )
    assert (
        path["earliest_finish"]
        == (moscow_today() + timedelta(days=path["remaining_days"])).isoformat()
    )
    rows = tasks_by_step(view)
    for key, row in rows.items():
        assert row["critical"] is (key in EXPECTED_CRITICAL_PATH), key
        if key in EXPECTED_CRITICAL_PATH:
            assert row["slack_days"] == 0, key
    # Certification, marking, the cards and the supply plan run beside
    # production: 62 days of work after the samples against 47.
    assert rows["certification"]["slack_days"] == 15
    assert rows["marking"]["slack_days"] == 15
    assert rows["supply_planning"]["slack_days"] == 15
    assert rows["pricing_promo"]["slack_days"] == 24
    assert rows["card_wb"]["slack_days"] == 15


def test_progress_after_completing_tasks(staffed):
    view = launched(staffed.owner, name="Термос дорожный")
    rows = tasks_by_step(view)
    analyst = staffed.holders["analyst"]
    pricing = staffed.holders["pricing_analyst"]
    set_status(analyst, rows["niche_analysis"]["task_id"], "done")
    set_status(pricing, rows["unit_economics"]["task_id"], "in_progress")

    after = get_launch(staffed.owner, view["id"])
    progress = after["progress"]
    assert progress["done"] == 1
    assert progress["total"] == len(STEPS)
    assert progress["in_progress"] == 1
    assert (
        progress["blocked"]
        == sum(1 for step in STEPS.values() if step["depends_on"]) - 1
    )
    updated = tasks_by_step(after)
    assert updated["niche_analysis"]["status"] == "done"
    assert updated["unit_economics"]["blocked"] is False
    assert updated["launch_decision"]["blocked"] is True
    assert after["critical_path"]["steps"] == EXPECTED_CRITICAL_PATH[1:]
    assert after["critical_path"]["remaining_days"] == 118 - 7
    assert updated["niche_analysis"]["critical"] is False
    assert updated["niche_analysis"]["slack_days"] is None

    analyst_department = rows["niche_analysis"]["department_id"]
    by_department = {row["department_id"]: row for row in after["departments"]}
    assert by_department[analyst_department]["done"] >= 1
    assert sum(row["total"] for row in after["departments"]) == len(STEPS)
    assert sum(row["done"] for row in after["departments"]) == 1
    assert sum(row["in_progress"] for row in after["departments"]) == 1


def test_task_unblocks_when_all_blockers_done(staffed):
    view = launched(staffed.owner, name="Плед флисовый")
    rows = tasks_by_step(view)
    set_status(staffed.owner, rows["photo_shoot"]["task_id"], "done")
    still = tasks_by_step(get_launch(staffed.owner, view["id"]))["infographics"]
    assert still["blocked"] is True
    assert still["waiting_for"] == ["seo_text"]
    set_status(staffed.holders["seo_copywriter"], rows["seo_text"]["task_id"], "done")
    free = tasks_by_step(get_launch(staffed.owner, view["id"]))["infographics"]
    assert free["blocked"] is False
    assert free["waiting_for"] == []


def test_lateness_against_moscow_today(staffed):
    days_ahead = 30
    target = (moscow_today() + timedelta(days=days_ahead)).isoformat()
    view = launched(staffed.owner, name="Кружка керамическая", target_date=target)
    late = {row["step"] for row in view["tasks"] if row["late"]}
    expected = {
        key for key, step in STEPS.items() if step["due_offset_days"] < -days_ahead
    }
    assert late == expected
    assert view["progress"]["late"] == len(expected)
    assert view["target_date_passed"] is False
    rows = tasks_by_step(view)
    first_late = sorted(expected)[0]
    set_status(staffed.owner, rows[first_late]["task_id"], "done")
    after = get_launch(staffed.owner, view["id"])
    assert after["progress"]["late"] == len(expected) - 1


def test_past_target_date_accepted_and_flagged(staffed):
    target = (moscow_today() - timedelta(days=3)).isoformat()
    view = launched(staffed.owner, name="Свеча ароматическая", target_date=target)
    assert view["target_date_passed"] is True
    assert view["progress"]["late"] > 0


def test_launch_visible_to_people_on_it(staffed):
    view = launched(staffed.owner, name="Полотенце банное")
    assignee = staffed.holders["designer"]
    assert get_launch(assignee, view["id"])["id"] == view["id"]
    outsider = staffed.outsider.client.get(f"/api/launches/{view['id']}")
    assert outsider.status == 404, outsider.body
    missing = staffed.owner.client.get("/api/launches/01J00000000000000000000000")
    assert missing.status == 404, missing.body


def test_employee_launches_and_sees_it(staffed):
    manager = staffed.holders["head_of_marketplaces"]
    view = launched(manager, name="Термокружка мини")
    assert view["launcher_id"] == manager.id
    assert get_launch(manager, view["id"])["id"] == view["id"]
    assert get_launch(staffed.owner, view["id"])["id"] == view["id"]
    # The outsider launching the same name and date is told it exists, not shown it.
    again = launch(
        staffed.outsider, name="Термокружка мини", target_date=view["target_date"]
    )
    assert again.status == 409, again.body
    assert again.error_field() == "name"
