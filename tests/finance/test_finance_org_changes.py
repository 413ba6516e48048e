"""Paths follow the org structure as it changes; settings and categories by admins.

Tests here change who holds which position and the approval settings, so they
put things back for the tests after them.
"""

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.finance.handover import handle_user_record as hand_over_approvals
from tests.finance.conftest import stream_records


def move(world, person, position_key: str | None) -> None:
    position_id = world.positions[position_key] if position_key else None
    response = world.owner.client.patch(
        f"/api/users/{person.id}", {"position_id": position_id}
    )
    assert response.status == 200, response.body
    world.pump.drain()


@pytest.fixture
def boris_moved_away(world):
    """Борис leaves the head of marketplaces post for the content manager's."""
    move(world, world.boris, "content_manager")
    yield
    move(world, world.boris, "head_of_marketplaces")


@pytest.fixture
def new_head(world):
    if not hasattr(world, "new_head"):
        world.new_head = world.hire("Нина", None, role="manager")
    return world.new_head


def test_pending_step_moves_to_new_holder(world, requests_api, new_head):
    request = requests_api.submitted(world.anna)
    move(world, world.boris, "content_manager")
    move(world, new_head, "head_of_marketplaces")
    try:
        waiting = requests_api.listed(new_head, "view=to_approve")
        approved = new_head.client.post(
            f"/api/finance/requests/{request['id']}/approve"
        )
    finally:
        move(world, new_head, None)
        move(world, world.boris, "head_of_marketplaces")
    assert request["id"] in waiting
    assert approved.status == 200


def test_former_holder_can_no_longer_approve(world, requests_api):
    request = requests_api.submitted(world.anna)
    move(world, world.boris, "content_manager")
    try:
        response = world.boris.client.post(
            f"/api/finance/requests/{request['id']}/approve"
        )
        waiting = requests_api.listed(world.boris, "view=to_approve")
    finally:
        move(world, world.boris, "head_of_marketplaces")
    assert response.status == 403
    assert request["id"] not in waiting


def test_path_shows_current_holder(world, requests_api, new_head):
    request = requests_api.submitted(world.anna)
    move(world, world.boris, "content_manager")
    move(world, new_head, "head_of_marketplaces")
    try:
        step = requests_api.get(world.anna, request["id"])["path"][0]
    finally:
        move(world, new_head, None)
        move(world, world.boris, "head_of_marketplaces")
    assert step["approvers"] == [{"id": new_head.id, "name": "Нина"}]


def test_vacant_direct_manager_escalates(world, requests_api, boris_moved_away):
    request = requests_api.submitted(world.anna)
    assert [step["status"] for step in request["path"]] == [
        "skipped",
        "current",
        "pending",
    ]


def test_vacated_step_waits_and_author_can_withdraw(world, requests_api):
    request = requests_api.submitted(world.anna)
    move(world, world.boris, "content_manager")
    try:
        approvers = requests_api.get(world.anna, request["id"])["path"][0]["approvers"]
        withdrawn = requests_api.act(world.anna, request["id"], "withdraw")
    finally:
        move(world, world.boris, "head_of_marketplaces")
    assert approvers == []
    assert withdrawn["status"] == "draft"


def test_submit_with_whole_path_vacant_conflicts(world, requests_api):
    move(world, world.vera, None)
    move(world, world.fedor, None)
    try:
        request = requests_api.create(world.boris)
        response = world.boris.client.post(
            f"/api/finance/requests/{request['id']}/submit"
        )
    finally:
        move(world, world.vera, "ceo")
        move(world, world.fedor, "financial_manager")
    assert response.status == 409


def test_owner_alone_approved_at_once(world, requests_api):
    move(world, world.fedor, None)
    try:
        request = requests_api.create(world.owner, amount="10.00")
        submitted = requests_api.act(world.owner, request["id"], "submit")
    finally:
        move(world, world.fedor, "financial_manager")
    assert submitted["status"] == "approved"


def test_default_settings_use_template_positions(world):
    settings = world.owner.client.get("/api/finance/settings").json["settings"]
    assert settings["saved"] is False
    assert settings["direct_manager_only_up_to"] == "50000.00"
    assert [(step["kind"], step["above"]) for step in settings["final_approvers"]] == [
        ("position", "0.00"),
        ("owner", "500000.00"),
    ]
    assert (
        settings["final_approvers"][0]["position_id"]
        == world.positions["financial_manager"]
    )


@pytest.fixture
def custom_settings(world):
    body = {
        "direct_manager_only_up_to": "0",
        "final_approvers": [{"kind": "owner", "above": "1000"}],
        "finance_position_ids": [world.positions["accountant"]],
    }
    response = world.owner.client.request("PUT", "/api/finance/settings", body)
    assert response.status == 200, response.body
    yield response.json["settings"]
    default = {
        "direct_manager_only_up_to": "50000",
        "final_approvers": [
            {
                "kind": "position",
                "position_id": world.positions["financial_manager"],
                "above": "0",
            },
            {"kind": "owner", "above": "500000"},
        ],
        "finance_position_ids": [
            world.positions["financial_manager"],
            world.positions["accountant"],
        ],
    }
    world.owner.client.request("PUT", "/api/finance/settings", default)


def test_saved_settings_are_returned(world, custom_settings):
    assert custom_settings["saved"] is True
    assert custom_settings["final_approvers"][0]["above"] == "1000.00"


def test_settings_change_the_path(world, requests_api, custom_settings):
    request = requests_api.create(world.anna, amount="1000.01")
    kinds = [step["position_name"] or step["kind"] for step in request["path"]]
    assert kinds == [
        "Руководитель отдела маркетплейсов",
        "Генеральный директор",
        "Собственник",
        "owner",
    ]


def test_settings_change_who_is_finance(world, requests_api, custom_settings):
    mine = requests_api.create(world.anna)
    listed = requests_api.listed(world.fedor, "view=all")
    assert mine["id"] not in listed


def test_template_categories_listed(world):
    categories = world.anna.client.get("/api/finance/categories").json["categories"]
    names = {category["id"]: category["name"] for category in categories}
    assert names["purchase-of-goods"] == "Закупка товара"
    assert names["software"] == "Программное обеспечение"


def test_template_categories_have_english_names(world):
    categories = world.anna.client.get("/api/finance/categories").json["categories"]
    names = {category["id"]: category["name_en"] for category in categories}
    assert names["logistics-to-warehouses"] == "Logistics to marketplace warehouses"


def test_template_categories_form_a_tree(world):
    categories = world.anna.client.get("/api/finance/categories").json["categories"]
    parents = {category["id"]: category["parent_id"] for category in categories}
    assert parents["marketplace-commission"] == "marketplaces"


def test_template_categories_created_once(world):
    first = world.anna.client.get("/api/finance/categories").json["categories"]
    second = world.owner.client.get("/api/finance/categories").json["categories"]
    template = [category for category in second if "-" in category["id"]]
    assert len(first) == len(second)
    assert len({category["id"] for category in template}) == len(template)


def test_admin_creates_category_with_limit(world):
    response = world.owner.client.post(
        "/api/finance/categories",
        {"name": "Аренда", "name_en": "Rent", "monthly_limit": "150000.00"},
    )
    assert response.status == 201
    assert response.json["category"]["monthly_limit"] == "150000.00"


def test_admin_sets_category_limit(world):
    response = world.owner.client.patch(
        "/api/finance/categories/storage", {"monthly_limit": "20000.5"}
    )
    assert response.json["category"]["monthly_limit"] == "20000.50"


@pytest.fixture
def content_only_category(world):
    response = world.owner.client.post(
        "/api/finance/categories",
        {
            "name": "Фотосъёмка для карточек",
            "parent_id": "marketing",
            "department_id": content_department(world),
        },
    )
    assert response.status == 201, response.body
    return response.json["category"]["id"]


def content_department(world) -> str:
    positions = world.owner.client.get("/api/org/positions").json["positions"]
    head = next(p for p in positions if p["id"] == world.positions["head_of_content"])
    return head["department_id"]


def test_category_tied_to_department_rejects_others(
    world, requests_api, content_only_category
):
    response = world.anna.client.post(
        "/api/finance/requests",
        {
            "amount": "10.00",
            "category_id": content_only_category,
            "counterparty": "Студия",
            "problem": "Нет фото",
            "solution": "Снять",
            "pay_by": "2026-12-20",
            "period": "2026-12",
        },
    )
    assert response.status == 403
    assert response.error_field() == "category_id"


def test_category_tied_to_department_accepts_its_people(
    world, requests_api, content_only_category
):
    request = requests_api.create(world.gleb, category_id=content_only_category)
    assert request["category_id"] == content_only_category


def notifications(person) -> list[str]:
    channels = person.client.get("/api/chat/channels").json["channels"]
    channel = next(item for item in channels if item["kind"] == "notifications")
    page = person.client.get(f"/api/chat/channels/{channel['id']}/messages")
    assert page.status == 200, page.body
    return [message["text"] for message in page.json["messages"]]


def handovers(person) -> list[str]:
    return [text for text in notifications(person) if "ждут заявки" in text]


def test_new_holder_gets_summary_of_waiting(world, requests_api, new_head):
    requests_api.submitted(world.anna, counterparty="ООО «Передача»")
    world.pump.drain()
    # Нина may have held the post in an earlier test of this module.
    before = len(handovers(new_head))
    move(world, world.boris, "content_manager")
    move(world, new_head, "head_of_marketplaces")
    try:
        summaries = handovers(new_head)
    finally:
        move(world, new_head, None)
        move(world, world.boris, "head_of_marketplaces")
    assert len(summaries) == before + 1
    listed = [text for text in summaries if "Передача" in text]
    assert len(listed) == 1
    assert "«ООО «Передача»» на 12 500,50 RUB, автор — Анна" in listed[0]


def test_summary_posted_once_on_replay(world, requests_api, new_head, database):
    requests_api.submitted(world.anna)
    world.pump.drain()
    move(world, world.boris, "content_manager")
    move(world, new_head, "head_of_marketplaces")
    try:
        before = handovers(new_head)
        # Each users-stream record handled again, without the idempotency
        # layer: the message ids come from the records, so nothing is new.
        for record in stream_records(database, "users"):
            hand_over_approvals(DynamoDBRecord(record))
        world.pump.drain()
        after = handovers(new_head)
    finally:
        move(world, new_head, None)
        move(world, world.boris, "head_of_marketplaces")
    assert after == before


def test_summary_lists_ten_and_counts_rest(world, requests_api):
    person = world.hire("Кира", None, role="manager")
    for number in range(11):
        requests_api.submitted(world.oleg, counterparty=f"Поставщик {number}")
        world.pump.drain()
    move(world, world.boris, "content_manager")
    move(world, person, "head_of_marketplaces")
    try:
        summaries = handovers(person)
    finally:
        move(world, person, None)
        move(world, world.boris, "head_of_marketplaces")
    assert len(summaries) == 1
    assert summaries[0].count("• ") == 10
    assert "…и ещё" in summaries[0]


def test_transfer_without_waiting_requests_posts_nothing(world, requests_api):
    person = world.hire("Лев", None)
    move(world, person, "head_of_content")
    assert handovers(person) == []
