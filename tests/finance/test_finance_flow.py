"""A payment request from draft to paid, and every way off that road."""

import pytest


@pytest.fixture
def flow(world, requests_api):
    return requests_api


def pending_names(request: dict) -> list[str]:
    return [
        step["position_name"] or step["kind"]
        for step in request["path"]
        if step["status"] in ("pending", "current")
    ]


def test_new_request_is_a_draft(world, flow):
    assert flow.create(world.anna)["status"] == "draft"


def test_amount_comes_back_exactly(world, flow):
    assert flow.create(world.anna, amount="1234567.89")["amount"] == "1234567.89"


def test_draft_shows_path_before_submit(world, flow):
    request = flow.create(world.anna)
    assert request["path_preview"] is True
    assert pending_names(request) == [
        "Руководитель отдела маркетплейсов",
        "Финансовый менеджер",
    ]


def test_path_names_current_holders(world, flow):
    request = flow.create(world.anna)
    assert request["path"][0]["approvers"] == [{"id": world.boris.id, "name": "Борис"}]


def test_submit_puts_request_on_approval(world, flow):
    assert flow.submitted(world.anna)["status"] == "on_approval"


def test_submitted_path_is_kept(world, flow):
    assert flow.submitted(world.anna)["path_preview"] is False


def test_first_step_is_current(world, flow):
    assert flow.submitted(world.anna)["path"][0]["status"] == "current"


def test_full_flow_through_two_steps(world, flow):
    request = flow.submitted(world.anna)
    after_manager = flow.act(world.boris, request["id"], "approve", {"comment": "Ок"})
    assert after_manager["status"] == "on_approval"
    assert after_manager["current_step"] == 1
    assert after_manager["path"][0]["acted_by_name"] == "Борис"
    assert after_manager["path"][0]["comment"] == "Ок"
    after_finance = flow.act(world.fedor, request["id"], "approve")
    assert after_finance["status"] == "approved"
    assert after_finance["current_step"] is None
    assert [step["status"] for step in after_finance["path"]] == ["approved"] * 2


def test_history_has_one_entry_per_transition(world, flow):
    request = flow.submitted(world.anna)
    flow.act(world.boris, request["id"], "approve")
    history = flow.act(world.fedor, request["id"], "approve")["history"]
    assert [entry["action"] for entry in history] == [
        "created",
        "submitted",
        "approved",
        "approved",
    ]
    assert [entry["version"] for entry in history] == [1, 2, 3, 4]


def test_approver_of_later_step_cannot_act_early(world, flow):
    request = flow.submitted(world.anna)
    response = world.fedor.client.post(f"/api/finance/requests/{request['id']}/approve")
    assert response.status == 403
    assert "Руководитель отдела маркетплейсов" in response.json["error"]["message"]


def test_author_cannot_approve_own_request(world, flow):
    request = flow.submitted(world.anna)
    response = world.anna.client.post(f"/api/finance/requests/{request['id']}/approve")
    assert response.status == 403


def test_admin_without_step_cannot_approve(world, flow):
    request = flow.submitted(world.anna)
    response = world.owner.client.post(f"/api/finance/requests/{request['id']}/approve")
    assert response.status == 403


def test_allowed_actions_for_current_approver(world, flow):
    request = flow.submitted(world.anna)
    seen = flow.get(world.boris, request["id"])
    assert seen["allowed_actions"] == ["approve", "reject", "return"]


def test_allowed_actions_for_author_on_approval(world, flow):
    request = flow.submitted(world.anna)
    assert flow.get(world.anna, request["id"])["allowed_actions"] == ["withdraw"]


def test_reject_needs_reason(world, flow):
    request = flow.submitted(world.anna)
    response = world.boris.client.post(
        f"/api/finance/requests/{request['id']}/reject", {}
    )
    assert response.status == 400
    assert response.error_field() == "reason"


def test_reject_keeps_reason(world, flow):
    request = flow.submitted(world.anna)
    rejected = flow.act(world.boris, request["id"], "reject", {"reason": "Дорого"})
    assert rejected["status"] == "rejected"
    assert rejected["reason"] == "Дорого"


def test_rejected_request_cannot_be_resubmitted(world, flow):
    request = flow.submitted(world.anna)
    flow.act(world.boris, request["id"], "reject", {"reason": "Не нужно"})
    response = world.anna.client.post(f"/api/finance/requests/{request['id']}/submit")
    assert response.status == 409


def test_return_sends_request_back_to_author(world, flow):
    request = flow.submitted(world.anna)
    returned = flow.act(world.boris, request["id"], "return", {"reason": "Нет счёта"})
    assert returned["status"] == "returned"
    assert returned["allowed_actions"] == []
    allowed = flow.get(world.anna, request["id"])["allowed_actions"]
    assert allowed == ["edit", "submit", "attach"]


def test_returned_request_is_reworked_and_resubmitted(world, flow):
    request = flow.submitted(world.anna)
    flow.act(world.boris, request["id"], "approve")
    flow.act(world.fedor, request["id"], "return", {"reason": "Приложите счёт"})
    edited = world.anna.client.patch(
        f"/api/finance/requests/{request['id']}", {"solution": "Счёт № 15 приложен"}
    )
    assert edited.status == 200
    resubmitted = flow.act(world.anna, request["id"], "submit")
    assert resubmitted["status"] == "on_approval"
    assert resubmitted["current_step"] == 0
    assert resubmitted["reason"] is None
    assert [step["status"] for step in resubmitted["path"]] == ["current", "pending"]


def test_resubmitted_request_can_be_approved(world, flow):
    request = flow.submitted(world.anna)
    flow.act(world.boris, request["id"], "return", {"reason": "Уточните сумму"})
    world.anna.client.patch(f"/api/finance/requests/{request['id']}", {"amount": "900"})
    flow.act(world.anna, request["id"], "submit")
    flow.act(world.boris, request["id"], "approve")
    assert flow.act(world.fedor, request["id"], "approve")["status"] == "approved"


def test_edit_records_changed_fields(world, flow):
    request = flow.create(world.anna)
    world.anna.client.patch(
        f"/api/finance/requests/{request['id']}",
        {"amount": "10.00", "period": "2027-01"},
    )
    history = flow.get(world.anna, request["id"])["history"]
    assert history[-1]["changed_fields"] == ["amount", "period"]


def test_edit_by_someone_else_is_forbidden(world, flow):
    request = flow.create(world.anna)
    response = world.owner.client.patch(
        f"/api/finance/requests/{request['id']}", {"amount": "10.00"}
    )
    assert response.status == 403


def test_edit_on_approval_conflicts(world, flow):
    request = flow.submitted(world.anna)
    response = world.anna.client.patch(
        f"/api/finance/requests/{request['id']}", {"amount": "10.00"}
    )
    assert response.status == 409


def test_task_id_can_be_cleared(world, flow):
    task = world.owner.client.post(
        "/api/tasks", {"title": "Закупка", "assignee_id": world.anna.id}
    ).json["task"]
    request = flow.create(world.anna, task_id=task["id"])
    response = world.anna.client.patch(
        f"/api/finance/requests/{request['id']}", {"task_id": None}
    )
    assert response.json["request"]["task_id"] is None


def test_withdraw_returns_request_to_draft(world, flow):
    request = flow.submitted(world.anna)
    assert flow.act(world.anna, request["id"], "withdraw")["status"] == "draft"


def test_withdrawn_request_leaves_approver_list(world, flow):
    request = flow.submitted(world.anna)
    flow.act(world.anna, request["id"], "withdraw")
    assert request["id"] not in flow.listed(world.boris, "view=to_approve")


def test_withdraw_between_steps(world, flow):
    request = flow.submitted(world.anna)
    flow.act(world.boris, request["id"], "approve")
    assert flow.act(world.anna, request["id"], "withdraw")["status"] == "draft"


def test_withdraw_by_approver_is_forbidden(world, flow):
    request = flow.submitted(world.anna)
    response = world.boris.client.post(
        f"/api/finance/requests/{request['id']}/withdraw"
    )
    assert response.status == 403


def test_withdraw_after_approval_conflicts(world, flow):
    request = flow.submitted(world.anna)
    flow.act(world.boris, request["id"], "approve")
    flow.act(world.fedor, request["id"], "approve")
    response = world.anna.client.post(f"/api/finance/requests/{request['id']}/withdraw")
    assert response.status == 409


def test_second_submit_conflicts(world, flow):
    request = flow.submitted(world.anna)
    response = world.anna.client.post(f"/api/finance/requests/{request['id']}/submit")
    assert response.status == 409


@pytest.fixture
def approved(world, flow):
    request = flow.submitted(world.anna, amount="12500.50")
    flow.act(world.boris, request["id"], "approve")
    return flow.act(world.fedor, request["id"], "approve")


def test_partial_payment(world, flow, approved):
    paid = flow.act(world.alla, approved["id"], "pay", {"amount": "500.50"})
    assert paid["status"] == "partially_paid"
    assert paid["paid"] == "500.50"
    assert paid["remaining"] == "12000.00"


def test_partial_payments_add_up_to_paid(world, flow, approved):
    flow.act(world.alla, approved["id"], "pay", {"amount": "0.50"})
    flow.act(world.alla, approved["id"], "pay", {"amount": "12000"})
    paid = flow.act(world.alla, approved["id"], "pay", {"amount": "500.00"})
    assert paid["status"] == "paid"
    assert paid["remaining"] == "0.00"
    assert paid["paid_at"] is not None


def test_paying_more_than_remainder_conflicts(world, flow, approved):
    flow.act(world.alla, approved["id"], "pay", {"amount": "12000.00"})
    response = world.alla.client.post(
        f"/api/finance/requests/{approved['id']}/pay", {"amount": "500.51"}
    )
    assert response.status == 409
    assert response.error_field() == "amount"


def test_paid_request_takes_no_more_payments(world, flow, approved):
    flow.act(world.alla, approved["id"], "pay", {"amount": "12500.50"})
    response = world.alla.client.post(
        f"/api/finance/requests/{approved['id']}/pay", {"amount": "0.01"}
    )
    assert response.status == 409


def test_only_finance_pays(world, approved):
    response = world.boris.client.post(
        f"/api/finance/requests/{approved['id']}/pay", {"amount": "1.00"}
    )
    assert response.status == 403


def test_payment_before_approval_conflicts(world, flow):
    request = flow.submitted(world.anna)
    response = world.alla.client.post(
        f"/api/finance/requests/{request['id']}/pay", {"amount": "1.00"}
    )
    assert response.status == 409


def test_schedule_sets_date(world, flow, approved):
    scheduled = flow.act(
        world.alla, approved["id"], "schedule", {"pay_on": "2026-12-20"}
    )
    assert scheduled["status"] == "scheduled"
    assert scheduled["pay_on"] == "2026-12-20"


def test_reschedule_keeps_partial_payment_status(world, flow, approved):
    flow.act(world.alla, approved["id"], "pay", {"amount": "1.00"})
    moved = flow.act(world.alla, approved["id"], "schedule", {"pay_on": "2026-12-21"})
    assert moved["status"] == "partially_paid"


def test_only_finance_schedules(world, approved):
    response = world.anna.client.post(
        f"/api/finance/requests/{approved['id']}/schedule", {"pay_on": "2026-12-20"}
    )
    assert response.status == 403


def test_foreign_currency_approval_needs_rate(world, flow):
    request = flow.submitted(world.anna, currency="USD", amount="100.00")
    response = world.boris.client.post(
        f"/api/finance/requests/{request['id']}/approve", {"comment": "ok"}
    )
    assert response.status == 400
    assert response.error_field() == "rate"


def test_foreign_currency_rate_is_recorded(world, flow):
    request = flow.submitted(world.anna, currency="USD", amount="100.00")
    approved = flow.act(world.boris, request["id"], "approve", {"rate": "92.4531"})
    assert approved["rate"] == "92.4531"
    assert approved["amount_rub"] == "9245.31"
    assert approved["path"][0]["rate"] == "92.4531"


def test_rouble_approval_takes_no_rate(world, flow):
    request = flow.submitted(world.anna)
    response = world.boris.client.post(
        f"/api/finance/requests/{request['id']}/approve", {"rate": "1"}
    )
    assert response.status == 400
    assert response.error_field() == "rate"


def test_foreign_currency_without_rate_gets_full_path(world, flow):
    request = flow.create(world.anna, currency="CNY", amount="10.00")
    assert pending_names(request)[-1] == "owner"


def test_large_request_climbs_to_owner(world, flow):
    request = flow.submitted(world.anna, amount="600000.00")
    assert pending_names(request) == [
        "Руководитель отдела маркетплейсов",
        "Генеральный директор",
        "Финансовый менеджер",
        "owner",
    ]


def test_large_request_notes_vacant_owner_position(world, flow):
    request = flow.create(world.anna, amount="600000.00")
    vacant = [step["position_name"] for step in request["path"] if step["note"]]
    assert vacant == ["Собственник"]


def test_large_request_approved_by_owner_last(world, flow):
    request = flow.submitted(world.anna, amount="600000.00")
    for person in (world.boris, world.vera, world.fedor):
        flow.act(person, request["id"], "approve")
    assert flow.act(world.owner, request["id"], "approve")["status"] == "approved"


def test_manager_request_goes_to_their_manager(world, flow):
    request = flow.create(world.boris)
    assert pending_names(request) == ["Генеральный директор", "Финансовый менеджер"]


def test_finance_manager_request_skips_their_own_step(world, flow):
    request = flow.create(world.fedor)
    steps = [(step["position_name"], step["note"]) for step in request["path"]]
    assert steps == [
        ("Финансовый директор", "vacant"),
        ("Генеральный директор", None),
        ("Финансовый менеджер", "author"),
    ]


def test_owner_request_needs_finance_only(world, flow):
    request = flow.create(world.owner, amount="700000.00")
    assert pending_names(request) == ["Финансовый менеджер"]


def test_owner_request_shows_own_step_skipped(world, flow):
    request = flow.create(world.owner, amount="700000.00")
    assert request["path"][-1]["note"] == "author"


def test_unknown_request_is_404(world):
    response = world.anna.client.get("/api/finance/requests/01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert response.status == 404


def test_multiline_problem_keeps_line_breaks(world, flow):
    text = "Коробки кончились.\r\nНужно 500 штук.\n\tСрочно."
    request = flow.create(world.anna, problem=text)
    assert request["problem"] == "Коробки кончились.\nНужно 500 штук.\n\tСрочно."


def test_request_links_launch_project(world, flow):
    launched = world.owner.client.post(
        "/api/process-templates/product-launch/launch",
        {
            "name": "Термокружка",
            "target_date": "2027-06-01",
            "allow_vacant": True,
            "assign_vacant_to": world.owner.id,
        },
    )
    assert launched.status in (200, 201), launched.body
    launch_id = launched.json["launch"]["id"]
    request = flow.create(world.anna, launch_id=launch_id)
    assert request["launch_id"] == launch_id
    cleared = world.anna.client.patch(
        f"/api/finance/requests/{request['id']}", {"launch_id": None}
    )
    assert cleared.status == 200, cleared.body
    assert cleared.json["request"]["launch_id"] is None
