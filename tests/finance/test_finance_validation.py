"""Bad input on every finance route: a 4xx that names the field, never a 5xx."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import re

import pytest

DRAFT = "{draft}"
ON_APPROVAL = "{on_approval}"
APPROVED = "{approved}"
CATEGORY = "{category}"
# An attachment id that was never created.
MISSING = "{missing}"

VALID_REQUEST = {
    "amount": "100.00",
    "category_id": "software",
    "counterparty": "ООО «Софт»",
    "problem": "Нужна лицензия",
    "solution": "Купить лицензию на год",
    "pay_by": "2026-12-20",
    "period": "2026-12",
}
FINAL_APPROVER = {"kind": "owner", "above": "0"}

# (person, method, path, body, status, field); a path or body value in braces is
# the id of a request in that state.
CASES = [
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "amount": None}, 400, "amount"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "amount": 100.5}, 400, "amount"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "amount": "1.005"}, 400, "amount"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "amount": "0.00"}, 400, "amount"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "amount": "-3"}, 400, "amount"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "amount": "1000000000001"}, 400, "amount"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "amount": "1e5"}, 400, "amount"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "currency": "XYZ"}, 400, "currency"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "currency": None}, 400, "currency"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "category_id": "nope"}, 400, "category_id"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "category_id": 7}, 400, "category_id"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "counterparty": " "}, 400, "counterparty"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "counterparty": "ж" * 201}, 400, "counterparty"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "problem": ""}, 400, "problem"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "solution": "ж" * 4001}, 400, "solution"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "pay_by": "2026-02-30"}, 400, "pay_by"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "pay_by": "20.12.2026"}, 400, "pay_by"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "pay_by": 1766188800}, 400, "pay_by"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "pay_by": "0001-01-01"}, 400, "pay_by"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "pay_by": "9999-12-31"}, 400, "pay_by"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "period": "2026-13"}, 400, "period"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "period": "12.2026"}, 400, "period"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "task_id": "no-such-task"}, 400, "task_id"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "launch_id": "no-such-launch"}, 400, "launch_id"),
    ("anna", "PATCH", f"/api/finance/requests/{DRAFT}", {"launch_id": 5}, 400, "launch_id"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "surprise": 1}, 400, "surprise"),
    ("anna", "POST", "/api/finance/requests", {"amount": "1.00"}, 400, "category_id"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "counterparty": "\u202eevil"}, 400, "counterparty"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "counterparty": "\u200b\ufeff"}, 400, "counterparty"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "problem": "Счёт\u000bприложен"}, 400, "problem"),
    ("anna", "POST", "/api/finance/requests", {**VALID_REQUEST, "solution": "a\x00b"}, 400, "solution"),
    ("anna", "PATCH", f"/api/finance/requests/{DRAFT}", {}, 400, None),
    ("anna", "PATCH", f"/api/finance/requests/{DRAFT}", {"amount": None}, 400, "amount"),
    ("anna", "PATCH", f"/api/finance/requests/{DRAFT}", {"amount": "abc"}, 400, "amount"),
    ("anna", "PATCH", f"/api/finance/requests/{DRAFT}", {"period": 202612}, 400, "period"),
    ("anna", "PATCH", f"/api/finance/requests/{DRAFT}", {"counterparty": None}, 400, "counterparty"),
    ("anna", "PATCH", f"/api/finance/requests/{DRAFT}", {"category_id": "nope"}, 400, "category_id"),
    ("anna", "PATCH", f"/api/finance/requests/{DRAFT}", {"status": "paid"}, 400, "status"),
    ("anna", "POST", f"/api/finance/requests/{DRAFT}/submit", {"now": True}, 400, "now"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/approve", {"rate": "abc"}, 400, "rate"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/approve", {"rate": 92.5}, 400, "rate"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/approve", {"comment": 5}, 400, "comment"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/approve", {"comment": "ж" * 2001}, 400, "comment"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/reject", {}, 400, "reason"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/reject", {"reason": "\u200b"}, 400, "reason"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/approve", {"comment": "ок\x00\u202e"}, 400, "comment"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/reject", {"reason": " "}, 400, "reason"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/reject", {"reason": "ж" * 2001}, 400, "reason"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/return", {}, 400, "reason"),
    ("boris", "POST", f"/api/finance/requests/{ON_APPROVAL}/return", {"reason": ["x"]}, 400, "reason"),
    ("anna", "POST", f"/api/finance/requests/{ON_APPROVAL}/withdraw", {"why": "x"}, 400, "why"),
    ("alla", "POST", f"/api/finance/requests/{APPROVED}/schedule", {}, 400, "pay_on"),
    ("alla", "POST", f"/api/finance/requests/{APPROVED}/schedule", {"pay_on": "tomorrow"}, 400, "pay_on"),
    ("alla", "POST", f"/api/finance/requests/{APPROVED}/pay", {}, 400, "amount"),
    ("alla", "POST", f"/api/finance/requests/{APPROVED}/pay", {"amount": "0"}, 400, "amount"),
    ("alla", "POST", f"/api/finance/requests/{APPROVED}/pay", {"amount": 5}, 400, "amount"),
    ("alla", "POST", f"/api/finance/requests/{APPROVED}/pay", {"amount": "100.001"}, 400, "amount"),
    ("alla", "POST", f"/api/finance/requests/{APPROVED}/pay", {"amount": "100.01"}, 409, "amount"),
    ("anna", "POST", f"/api/finance/requests/{DRAFT}/attachments", {"file_name": "a.pdf", "content_type": "application/pdf"}, 400, "size"),
    ("anna", "POST", f"/api/finance/requests/{DRAFT}/attachments", {"file_name": "a.exe", "content_type": "application/x-msdownload", "size": 5}, 400, "content_type"),
    ("anna", "POST", f"/api/finance/requests/{DRAFT}/attachments", {"file_name": ["a"], "content_type": "application/pdf", "size": 5}, 400, "file_name"),
    ("anna", "POST", f"/api/finance/requests/{DRAFT}/attachments/{MISSING}/complete", {"now": True}, 400, "now"),
    ("anna", "POST", f"/api/finance/requests/{DRAFT}/attachments/{MISSING}/complete", None, 404, None),
    ("anna", "GET", "/api/finance/requests?view=everything", None, 400, "view"),
    ("anna", "GET", "/api/finance/requests?status=lost", None, 400, "status"),
    ("anna", "GET", "/api/finance/requests?limit=0", None, 400, "limit"),
    ("anna", "GET", "/api/finance/requests?limit=201", None, 400, "limit"),
    ("anna", "GET", "/api/finance/requests?limit=ten", None, 400, "limit"),
    ("anna", "GET", "/api/finance/requests?cursor=abc", None, 400, "cursor"),
    ("anna", "GET", "/api/finance/requests?page=2", None, 400, "page"),
    ("anna", "GET", "/api/finance/calendar?to=2026-12-31", None, 400, "from"),
    ("anna", "GET", "/api/finance/calendar?from=2026-12-01", None, 400, "to"),
    ("anna", "GET", "/api/finance/calendar?from=2026-12-1&to=2026-12-31", None, 400, "from"),
    ("anna", "GET", "/api/finance/calendar?from=2026-12-31&to=2026-12-01", None, 400, "to"),
    ("anna", "GET", "/api/finance/calendar?from=2026-01-01&to=2027-01-02", None, 400, "to"),
    ("anna", "GET", "/api/finance/plan", None, 400, "month"),
    ("anna", "GET", "/api/finance/plan?month=2026-1", None, 400, "month"),
    ("anna", "GET", "/api/finance/plan?month=2026-12&extra=1", None, 400, "extra"),
    ("anna", "GET", "/api/finance/requests/export?format=pdf", None, 400, "format"),
    ("anna", "GET", "/api/finance/requests/export?period=2026", None, 400, "period"),
    ("owner", "POST", "/api/finance/categories", {}, 400, "name"),
    ("owner", "POST", "/api/finance/categories", {"name": "\u202eevil"}, 400, "name"),
    ("owner", "POST", "/api/finance/categories", {"name": "X", "monthly_limit": "1.234"}, 400, "monthly_limit"),
    ("owner", "POST", "/api/finance/categories", {"name": "X", "parent_id": "nope"}, 400, "parent_id"),
    ("owner", "POST", "/api/finance/categories", {"name": "X", "department_id": "nope"}, 404, "department_id"),
    ("owner", "POST", "/api/finance/categories", {"name": "X", "position_id": "nope"}, 404, "position_id"),
    ("owner", "POST", "/api/finance/categories", {"name": "X", "color": "red"}, 400, "color"),
    ("owner", "PATCH", f"/api/finance/categories/{CATEGORY}", {"name": None}, 400, "name"),
    ("owner", "PATCH", f"/api/finance/categories/{CATEGORY}", {"parent_id": CATEGORY}, 400, "parent_id"),
    ("owner", "PATCH", f"/api/finance/categories/{CATEGORY}", {}, 400, None),
    ("owner", "PATCH", "/api/finance/categories/nope", {"name": "Y"}, 404, "id"),
    ("owner", "PUT", "/api/finance/settings", {}, 400, "direct_manager_only_up_to"),
    ("owner", "PUT", "/api/finance/settings", {"direct_manager_only_up_to": "50000"}, 400, "final_approvers"),
    ("owner", "PUT", "/api/finance/settings", {"direct_manager_only_up_to": "-1", "final_approvers": []}, 400, "direct_manager_only_up_to"),
    ("owner", "PUT", "/api/finance/settings", {"direct_manager_only_up_to": "1", "final_approvers": [{"kind": "boss", "above": "0"}]}, 400, "final_approvers.0.kind"),
    ("owner", "PUT", "/api/finance/settings", {"direct_manager_only_up_to": "1", "final_approvers": [{"kind": "position", "position_id": "nope", "above": "0"}]}, 400, "final_approvers.0.position_id"),
    ("owner", "PUT", "/api/finance/settings", {"direct_manager_only_up_to": "1", "final_approvers": [{"kind": "owner", "above": "x"}]}, 400, "final_approvers.0.above"),
    ("owner", "PUT", "/api/finance/settings", {"direct_manager_only_up_to": "1", "final_approvers": [FINAL_APPROVER] * 11}, 400, "final_approvers"),
    ("owner", "PUT", "/api/finance/settings", {"direct_manager_only_up_to": "1", "final_approvers": [], "finance_position_ids": ["nope"]}, 400, "finance_position_ids.0"),
    ("anna", "POST", "/api/finance/categories", {"name": "Моя"}, 403, None),
    ("anna", "PATCH", f"/api/finance/categories/{CATEGORY}", {"name": "Моя"}, 403, None),
    ("anna", "GET", "/api/finance/settings", None, 403, None),
    ("anna", "PUT", "/api/finance/settings", {"direct_manager_only_up_to": "1", "final_approvers": []}, 403, None),
]  # fmt: skip


@pytest.fixture(scope="module")
def ids(world) -> dict[str, str]:
    from tests.finance.conftest import Requests

    requests_api = Requests()
    draft = requests_api.create(world.anna)
    on_approval = requests_api.submitted(world.anna, currency="USD")
    approved = requests_api.submitted(world.anna, amount="100.00")
    requests_api.act(world.boris, approved["id"], "approve")
    requests_api.act(world.fedor, approved["id"], "approve")
    category = world.owner.client.post("/api/finance/categories", {"name": "Разное"})
    assert category.status == 201, category.body
    return {
        "draft": draft["id"],
        "on_approval": on_approval["id"],
        "approved": approved["id"],
        "category": category.json["category"]["id"],
        "missing": "01JAAAAAAAAAAAAAAAAAAAAAAA",
    }


def fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


@pytest.mark.parametrize(
    ("person", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(world, ids, person, method, path, body, status, field):
    client = getattr(world, person).client
    response = client.request(method, fill(path, ids), fill(body, ids))
    assert (response.status, response.error_field()) == (status, field), response.body


@pytest.mark.parametrize(
    "raw", [b"[]", b"{", b'"text"', b"\xff\xfe", b"null"], ids=repr
)
@pytest.mark.parametrize("action", ["submit", "approve", "reject", "pay"])
def test_malformed_body_is_400(world, ids, raw, action):
    response = world.anna.client.post(
        f"/api/finance/requests/{ids['draft']}/{action}", raw=raw
    )
    assert response.status == 400


def test_request_state_unchanged_by_rejected_input(world, ids):
    before = world.anna.client.get(f"/api/finance/requests/{ids['draft']}").json
    world.anna.client.patch(
        f"/api/finance/requests/{ids['draft']}", {"amount": "1.001"}
    )
    after = world.anna.client.get(f"/api/finance/requests/{ids['draft']}").json
    assert after["request"]["version"] == before["request"]["version"]


def test_blank_query_parameters_mean_no_filter(world):
    response = world.anna.client.get(
        "/api/finance/requests?view=mine&status=&cursor=&limit="
    )
    assert response.status == 200


def test_unsigned_call_is_401(world):
    assert world.api.get("/api/finance/requests").status == 401


def _route_shape(path: str) -> str:
    """Turn every {placeholder} into {} so case paths match route templates."""
    return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])


def test_cases_cover_every_write_route(app_module):
    covered = {(case[1], _route_shape(case[2])) for case in CASES}
    write_routes = {
        (method, _route_shape(path))
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method in ("POST", "PATCH", "PUT") and path.startswith("/api/finance/")
    }
    assert write_routes - covered == set()
