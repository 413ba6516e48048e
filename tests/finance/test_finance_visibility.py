"""Who sees which request, in lists, the calendar, the plan and the export.

Борис manages Анна and Олег; Глеб manages another department; Вера (CEO)
manages every head; Фёдор and Алла are finance; the owner sees everything.
All requests here are in one period of their own, so the sums are this
module's alone.
"""

import base64
import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from chalicelib.finance.export import XLSX_MEDIA_TYPE

PERIOD = "2031-05"
TODAY = datetime.now(UTC).date()
SOON = TODAY + timedelta(days=30)
LATER = TODAY + timedelta(days=31)
PAST = TODAY - timedelta(days=2)
WINDOW = f"from={(TODAY - timedelta(days=5)).isoformat()}&to={LATER.isoformat()}"


@dataclass
class Dataset:
    anna: str
    anna_overdue: str
    anna_draft: str
    oleg: str
    gleb: str
    owner: str


def approve_all(world, requests_api, request: dict) -> None:
    by_id = {
        person.id: person
        for person in (world.boris, world.vera, world.fedor, world.owner)
    }
    current = request
    while current["status"] == "on_approval":
        step = current["path"][current["current_step"]]
        approver = by_id[step["approvers"][0]["id"]]
        current = requests_api.act(approver, request["id"], "approve")


@pytest.fixture(scope="module")
def dataset(world) -> Dataset:
    from tests.finance.conftest import Requests

    requests_api = Requests()

    def approved(person, amount, pay_by) -> str:
        request = requests_api.submitted(
            person, amount=amount, pay_by=pay_by.isoformat(), period=PERIOD
        )
        approve_all(world, requests_api, request)
        return request["id"]

    return Dataset(
        anna=approved(world.anna, "1000.00", SOON),
        anna_overdue=approved(world.anna, "100.00", PAST),
        anna_draft=requests_api.create(world.anna, period=PERIOD)["id"],
        oleg=approved(world.oleg, "2000.00", SOON),
        gleb=approved(world.gleb, "4000.00", LATER),
        owner=approved(world.owner, "8000.00", LATER),
    )


def everyone(world) -> dict:
    return {
        "anna": world.anna,
        "boris": world.boris,
        "oleg": world.oleg,
        "gleb": world.gleb,
        "vera": world.vera,
        "fedor": world.fedor,
        "alla": world.alla,
        "owner": world.owner,
    }


EXPECTED = {
    "anna": {"anna", "anna_overdue", "anna_draft"},
    "boris": {"anna", "anna_overdue", "anna_draft", "oleg"},
    "gleb": {"gleb"},
    "vera": {"anna", "anna_overdue", "anna_draft", "oleg", "gleb"},
    "fedor": {"anna", "anna_overdue", "anna_draft", "oleg", "gleb", "owner"},
    "alla": {"anna", "anna_overdue", "anna_draft", "oleg", "gleb", "owner"},
    "owner": {"anna", "anna_overdue", "anna_draft", "oleg", "gleb", "owner"},
}
# What each one sees among the approved requests, in roubles.
PAYABLE_TOTAL = {
    "anna": "1100.00",
    "boris": "3100.00",
    "gleb": "4000.00",
    "vera": "7100.00",
    "fedor": "15100.00",
    "alla": "15100.00",
    "owner": "15100.00",
}


def names_of(dataset: Dataset, ids) -> set[str]:
    by_id = {value: name for name, value in vars(dataset).items()}
    return {by_id[request_id] for request_id in ids if request_id in by_id}


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_list_all_shows_only_visible(world, dataset, requests_api, viewer):
    person = everyone(world)[viewer]
    listed = requests_api.listed(person, "view=all&limit=200")
    assert names_of(dataset, listed) == EXPECTED[viewer]


def test_mine_lists_own_requests(world, dataset, requests_api):
    listed = requests_api.listed(world.anna, "view=mine")
    assert names_of(dataset, listed) == {"anna", "anna_overdue", "anna_draft"}


def test_status_filter(world, dataset, requests_api):
    listed = requests_api.listed(world.anna, "view=mine&status=draft")
    assert names_of(dataset, listed) == {"anna_draft"}


def test_list_is_newest_first(world, dataset, requests_api):
    listed = requests_api.listed(world.anna, "view=mine")
    assert listed == sorted(listed, reverse=True)


def test_pages_follow_cursor(world, dataset, requests_api):
    first = world.fedor.client.get("/api/finance/requests?view=all&limit=2").json
    cursor = first["next_cursor"]
    second = world.fedor.client.get(
        f"/api/finance/requests?view=all&limit=2&cursor={cursor}"
    ).json
    first_ids = [request["id"] for request in first["requests"]]
    second_ids = [request["id"] for request in second["requests"]]
    assert len(first_ids) == 2
    assert set(first_ids).isdisjoint(second_ids)
    assert max(second_ids) < min(first_ids)


def test_to_approve_lists_waiting_requests(world, dataset, requests_api):
    waiting = requests_api.submitted(world.oleg, period=PERIOD)
    assert waiting["id"] in requests_api.listed(world.boris, "view=to_approve")
    requests_api.act(world.oleg, waiting["id"], "withdraw")


def test_to_approve_excludes_other_approvers_requests(world, dataset, requests_api):
    waiting = requests_api.submitted(world.oleg, period=PERIOD)
    assert waiting["id"] not in requests_api.listed(world.fedor, "view=to_approve")
    requests_api.act(world.oleg, waiting["id"], "withdraw")


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("gleb", 403), ("oleg", 403), ("boris", 200), ("vera", 200), ("alla", 200)],
)
def test_detail_visibility(world, dataset, viewer, status):
    person = everyone(world)[viewer]
    response = person.client.get(f"/api/finance/requests/{dataset.anna}")
    assert response.status == status


@pytest.mark.parametrize("viewer", sorted(PAYABLE_TOTAL))
def test_calendar_totals_only_visible(world, dataset, viewer):
    person = everyone(world)[viewer]
    calendar = person.client.get(f"/api/finance/calendar?{WINDOW}").json
    assert calendar["totals"] == {"RUB": PAYABLE_TOTAL[viewer]}


def test_calendar_groups_by_day(world, dataset):
    calendar = world.boris.client.get(f"/api/finance/calendar?{WINDOW}").json
    days = {day["date"]: day["totals"]["RUB"] for day in calendar["days"]}
    assert days == {PAST.isoformat(): "100.00", SOON.isoformat(): "3000.00"}


def test_calendar_groups_by_iso_week(world, dataset):
    calendar = world.fedor.client.get(f"/api/finance/calendar?{WINDOW}").json
    year, week, _ = SOON.isocalendar()
    weeks = {item["week"]: item["totals"]["RUB"] for item in calendar["weeks"]}
    assert f"{year}-W{week:02d}" in weeks


def test_calendar_flags_overdue(world, dataset):
    calendar = world.anna.client.get(f"/api/finance/calendar?{WINDOW}").json
    flags = {
        request["id"]: (request["due"], request["overdue"])
        for day in calendar["days"]
        for request in day["requests"]
    }
    assert flags[dataset.anna_overdue] == (True, True)
    assert flags[dataset.anna] == (False, False)


def test_calendar_drops_paid_requests(world, dataset, requests_api):
    request = requests_api.submitted(
        world.oleg, amount="5.00", pay_by=SOON.isoformat(), period="2031-08"
    )
    approve_all(world, requests_api, request)
    requests_api.act(world.alla, request["id"], "pay", {"amount": "5.00"})
    calendar = world.oleg.client.get(f"/api/finance/calendar?{WINDOW}").json
    listed = [item["id"] for day in calendar["days"] for item in day["requests"]]
    assert request["id"] not in listed


def test_calendar_moves_scheduled_request(world, dataset, requests_api):
    request = requests_api.submitted(
        world.oleg, amount="7.00", pay_by=SOON.isoformat(), period="2031-06"
    )
    approve_all(world, requests_api, request)
    requests_api.act(
        world.alla, request["id"], "schedule", {"pay_on": LATER.isoformat()}
    )
    calendar = world.oleg.client.get(f"/api/finance/calendar?{WINDOW}").json
    # Paid, it leaves the calendar, so the other tests' sums stay as they were.
    requests_api.act(world.alla, request["id"], "pay", {"amount": "7.00"})
    dates = {
        item["id"]: day["date"] for day in calendar["days"] for item in day["requests"]
    }
    assert dates[request["id"]] == LATER.isoformat()


@pytest.mark.parametrize("viewer", sorted(PAYABLE_TOTAL))
def test_plan_totals_only_visible(world, dataset, viewer):
    person = everyone(world)[viewer]
    plan = person.client.get(f"/api/finance/plan?month={PERIOD}").json
    assert plan["totals"]["approved"] == PAYABLE_TOTAL[viewer]


def test_plan_leaves_drafts_out_of_requested(world, dataset):
    plan = world.anna.client.get(f"/api/finance/plan?month={PERIOD}").json
    assert plan["totals"]["requested"] == "1100.00"


def test_plan_rolls_up_to_parent_category(world, dataset):
    plan = world.owner.client.get(f"/api/finance/plan?month={PERIOD}").json
    rows = {row["id"]: row for row in plan["categories"]}
    assert rows["goods"]["approved"] == rows["purchase-of-goods"]["approved"]


def test_plan_scope_tells_partial_view(world, dataset):
    plan = world.anna.client.get(f"/api/finance/plan?month={PERIOD}").json
    assert plan["scope"] == "visible"


def test_plan_warns_over_limit(world, dataset):
    world.owner.client.patch(
        "/api/finance/categories/purchase-of-goods", {"monthly_limit": "10000.00"}
    )
    plan = world.owner.client.get(f"/api/finance/plan?month={PERIOD}").json
    world.owner.client.patch(
        "/api/finance/categories/purchase-of-goods", {"monthly_limit": None}
    )
    row = next(row for row in plan["categories"] if row["id"] == "purchase-of-goods")
    assert row["limit"] == "10000.00"
    assert row["over_limit"] is True


def test_plan_keeps_foreign_currency_without_rate_apart(world, dataset, requests_api):
    request = requests_api.submitted(
        world.gleb, amount="10.00", currency="EUR", period="2031-07"
    )
    plan = world.gleb.client.get("/api/finance/plan?month=2031-07").json
    requests_api.act(world.gleb, request["id"], "withdraw")
    assert plan["unconverted"]["EUR"]["requested"] == "10.00"
    assert plan["totals"]["requested"] == "0.00"


def export_csv(person, query="") -> list[dict]:
    response = person.client.get(
        f"/api/finance/requests/export?format=csv&period={PERIOD}{query}"
    )
    assert response.status == 200, response.body
    text = response.body.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_export_shows_only_visible(world, dataset, viewer):
    rows = export_csv(everyone(world)[viewer])
    assert names_of(dataset, [row["id"] for row in rows]) == EXPECTED[viewer]


def test_export_keeps_exact_amounts(world, dataset):
    rows = {row["id"]: row for row in export_csv(world.anna)}
    assert rows[dataset.anna]["amount"] == "1000.00"
    assert rows[dataset.anna]["remaining"] == "1000.00"


def test_export_is_csv_attachment(world, dataset):
    response = world.anna.client.get("/api/finance/requests/export?format=csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]


def test_export_defuses_formulas(world, dataset, requests_api):
    request = requests_api.create(
        world.anna, counterparty="=HYPERLINK(1)", period=PERIOD
    )
    rows = {row["id"]: row for row in export_csv(world.anna)}
    requests_api.act(world.anna, request["id"], "submit")
    requests_api.act(world.anna, request["id"], "withdraw")
    assert rows[request["id"]]["counterparty"] == "'=HYPERLINK(1)"


def test_export_xlsx_has_exact_amounts(world, dataset):
    response = world.boris.client.get(
        f"/api/finance/requests/export?format=xlsx&period={PERIOD}",
        headers={"Accept": XLSX_MEDIA_TYPE},
    )
    assert response.status == 200
    # The in-process client returns the Lambda result, whose binary body is
    # base64 as API Gateway receives it.
    workbook = load_workbook(io.BytesIO(base64.b64decode(response.body)))
    rows = list(workbook.active.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    amounts = {row[header.index("id")]: row[header.index("amount")] for row in data}
    assert amounts[dataset.oleg] == "2000.00"
    assert names_of(dataset, amounts) == EXPECTED["boris"]
