"""Another department's payment requests reach no list, sum, export or push.

Анна (marketplaces) has requests in every state; Кира (content) has one of
her own. Кира and her head Глеб must not get Анна's requests, their chat
thread or their amounts from any route or live event, while Анна, Борис (her
head) and Фёдор (finance) do, and Глеб does get Кира's.
"""

import base64
import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from chalicelib.finance.export import XLSX_MEDIA_TYPE
from tests.support.row_visibility import (  # noqa: F401 - fixtures
    Company,
    browsable_ids,
    channel_ids,
    chat_search,
    company_fixture,
    followed_threads,
    reactions_succeed,
    unread_summary,
)

PERIOD = "2033-04"
TODAY = datetime.now(UTC).date()
PAY_BY = (TODAY + timedelta(days=20)).isoformat()
WINDOW = (
    f"from={(TODAY - timedelta(days=1)).isoformat()}"
    f"&to={(TODAY + timedelta(days=40)).isoformat()}"
)
# A word that only Анна's requests contain, so a search or an export that
# shows it has leaked them.
SECRET_WORD = "Кварцитстрой"
SECRET_AMOUNT = "7777.77"
OWN_AMOUNT = "111.11"


@dataclass
class Requests:
    approved: str
    waiting: str
    draft: str
    kira: str
    channel_id: str
    thread_id: str

    @property
    def secret_ids(self) -> list[str]:
        return [self.approved, self.waiting, self.draft]


def body(**overrides) -> dict:
    fields = {
        "amount": SECRET_AMOUNT,
        "currency": "RUB",
        "category_id": "purchase-of-goods",
        "counterparty": f"ООО «{SECRET_WORD}»",
        "problem": f"Нужны образцы {SECRET_WORD}",
        "solution": "Оплатить счёт поставщика",
        "pay_by": PAY_BY,
        "period": PERIOD,
    }
    fields.update(overrides)
    return fields


def created(person, **overrides) -> dict:
    response = person.client.post("/api/finance/requests", body(**overrides))
    assert response.status == 201, response.body
    return response.json["request"]


def act(person, request_id: str, action: str) -> dict:
    response = person.client.post(f"/api/finance/requests/{request_id}/{action}")
    assert response.status == 200, response.body
    return response.json["request"]


def approve_all(company: Company, request: dict) -> None:
    approvers = {
        person.id: person
        for person in (company.boris, company.gleb, company.vera, company.fedor)
    }
    current = request
    while current["status"] == "on_approval":
        step = current["path"][current["current_step"]]
        current = act(approvers[step["approvers"][0]["id"]], request["id"], "approve")
    assert current["status"] == "approved", current


@pytest.fixture(scope="module")
def requests(company) -> Requests:
    # The financial manager approves every request last and, as finance, sees
    # every request; the direct manager alone approves up to 50 000 RUB.
    financial_manager = company.positions["financial_manager"]
    saved = company.owner.client.request(
        "PUT",
        "/api/finance/settings",
        {
            "direct_manager_only_up_to": "50000.00",
            "final_approvers": [
                {"kind": "position", "position_id": financial_manager, "above": "0"}
            ],
            "finance_position_ids": [financial_manager],
        },
    )
    assert saved.status == 200, saved.body

    approved = act(company.anna, created(company.anna)["id"], "submit")
    approve_all(company, approved)
    waiting = act(company.anna, created(company.anna)["id"], "submit")
    draft = created(company.anna)
    kira = act(
        company.kira,
        created(
            company.kira,
            amount=OWN_AMOUNT,
            counterparty="ИП Смирнова",
            problem="Фотосъёмка карточек",
        )["id"],
        "submit",
    )
    approve_all(company, kira)
    company.pump.drain()

    detail = company.anna.client.get(f"/api/finance/requests/{approved['id']}")
    assert detail.status == 200, detail.body
    thread = detail.json["request"]["thread"]
    assert thread is not None, "the approved request has no chat thread"
    return Requests(
        approved=approved["id"],
        waiting=waiting["id"],
        draft=draft["id"],
        kira=kira["id"],
        channel_id=thread["channel_id"],
        thread_id=thread["thread_id"],
    )


def listed(person, query: str) -> set[str]:
    response = person.client.get(f"/api/finance/requests?{query}&limit=200")
    assert response.status == 200, response.body
    return {request["id"] for request in response.json["requests"]}


LIST_QUERIES = [
    "view=all",
    "view=mine",
    "view=to_approve",
    "view=all&status=approved",
    "view=all&status=on_approval",
    "view=all&status=draft",
]


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
@pytest.mark.parametrize("query", LIST_QUERIES)
def test_lists_hide_other_department(company, requests, outsider, query):
    person = company.outsiders[outsider]
    assert listed(person, query).isdisjoint(requests.secret_ids)


def test_lists_show_own_department(company, requests):
    assert set(requests.secret_ids) <= listed(company.anna, "view=all")
    assert set(requests.secret_ids) <= listed(company.boris, "view=all")
    # Finance sees every submitted request, and nobody sees another's draft.
    fedor_sees = listed(company.fedor, "view=all")
    assert {requests.approved, requests.waiting, requests.kira} <= fedor_sees
    assert requests.kira in listed(company.gleb, "view=all")
    assert requests.kira in listed(company.kira, "view=mine")


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_detail_and_attachments_forbidden(company, requests, outsider):
    person = company.outsiders[outsider]
    for request_id in requests.secret_ids:
        detail = person.client.get(f"/api/finance/requests/{request_id}")
        assert detail.status == 403, detail.body
        assert SECRET_WORD not in detail.body.decode()
        download = person.client.get(
            f"/api/finance/requests/{request_id}/attachments/01ARZ3NDEKTSV4RRFFQ69G5FAV"
        )
        assert download.status == 403, download.body
    # The insider passes the same check and only then misses the attachment.
    missing = company.boris.client.get(
        f"/api/finance/requests/{requests.approved}/attachments/"
        "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    )
    assert missing.status == 404, missing.body


def calendar_of(person) -> dict:
    response = person.client.get(f"/api/finance/calendar?{WINDOW}")
    assert response.status == 200, response.body
    return response.json


def calendar_ids(calendar: dict) -> set[str]:
    return {item["id"] for day in calendar["days"] for item in day["requests"]}


@pytest.mark.parametrize(
    ("viewer", "expected_ids", "total"),
    [
        ("kira", {"kira"}, OWN_AMOUNT),
        ("gleb", {"kira"}, OWN_AMOUNT),
        ("anna", {"approved"}, SECRET_AMOUNT),
        ("boris", {"approved"}, SECRET_AMOUNT),
        ("fedor", {"approved", "kira"}, "7888.88"),
    ],
)
def test_calendar_rows_and_totals(company, requests, viewer, expected_ids, total):
    calendar = calendar_of(getattr(company, viewer))
    expected = {getattr(requests, name) for name in expected_ids}
    assert calendar_ids(calendar) == expected
    assert calendar["totals"] == {"RUB": total}
    week_sum = sum(float(week["totals"]["RUB"]) for week in calendar["weeks"])
    assert f"{week_sum:.2f}" == total


def plan_of(person) -> dict:
    response = person.client.get(f"/api/finance/plan?month={PERIOD}")
    assert response.status == 200, response.body
    return response.json


@pytest.mark.parametrize(
    ("viewer", "requested", "count"),
    [
        ("kira", OWN_AMOUNT, 1),
        ("gleb", OWN_AMOUNT, 1),
        # The draft is not requested yet, so two of Анна's three count.
        ("anna", "15555.54", 2),
        ("boris", "15555.54", 2),
        ("fedor", "15666.65", 3),
    ],
)
def test_plan_totals_and_counts(company, requests, viewer, requested, count):
    plan = plan_of(getattr(company, viewer))
    assert plan["totals"]["requested"] == requested
    rows = {row["id"]: row for row in plan["categories"]}
    assert rows["purchase-of-goods"]["requests"] == count
    assert rows["purchase-of-goods"]["requested"] == requested


def export_csv(person) -> tuple[str, list[dict]]:
    response = person.client.get(
        f"/api/finance/requests/export?format=csv&period={PERIOD}"
    )
    assert response.status == 200, response.body
    text = response.body.decode("utf-8-sig")
    return text, list(csv.DictReader(io.StringIO(text)))


def export_xlsx(person) -> list[tuple]:
    response = person.client.get(
        f"/api/finance/requests/export?format=xlsx&period={PERIOD}",
        headers={"Accept": XLSX_MEDIA_TYPE},
    )
    assert response.status == 200, response.body
    # The in-process client returns the Lambda result, whose binary body is
    # base64 as API Gateway receives it.
    workbook = load_workbook(io.BytesIO(base64.b64decode(response.body)))
    return list(workbook.active.iter_rows(values_only=True))


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_exports_hide_other_department(company, requests, outsider):
    person = company.outsiders[outsider]
    text, rows = export_csv(person)
    assert {row["id"] for row in rows} == {requests.kira}
    assert SECRET_WORD not in text
    sheet = export_xlsx(person)
    header, data = sheet[0], sheet[1:]
    assert {row[header.index("id")] for row in data} == {requests.kira}
    assert SECRET_WORD not in repr(sheet)


def test_exports_show_own_department(company, requests):
    _, rows = export_csv(company.boris)
    assert {row["id"] for row in rows} == set(requests.secret_ids)
    sheet = export_xlsx(company.anna)
    header, data = sheet[0], sheet[1:]
    assert {row[header.index("id")] for row in data} == set(requests.secret_ids)


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_request_channel_closed_to_outsiders(company, requests, outsider):
    person = company.outsiders[outsider]
    channel_id = requests.channel_id
    assert channel_id not in channel_ids(person)
    assert channel_id not in browsable_ids(person)
    assert person.client.get(f"/api/chat/channels/{channel_id}").status == 404
    for path in (
        f"/api/chat/channels/{channel_id}/messages",
        f"/api/chat/channels/{channel_id}/messages?after_seq=0",
        f"/api/chat/channels/{channel_id}/pins",
        f"/api/chat/channels/{channel_id}/members",
        f"/api/chat/messages/{requests.thread_id}/thread",
        f"/api/chat/messages/{requests.thread_id}/thread?after_seq=0",
    ):
        response = person.client.get(path)
        assert response.status == 403, (path, response.body)
    joined = person.client.post(f"/api/chat/channels/{channel_id}/join")
    assert joined.status == 404, joined.body
    followed = person.client.post(f"/api/chat/messages/{requests.thread_id}/follow")
    assert followed.status == 403, followed.body


@pytest.mark.parametrize("outsider", ["kira", "gleb"])
def test_request_thread_absent_from_chat_views(company, requests, outsider):
    person = company.outsiders[outsider]
    assert chat_search(person, SECRET_WORD)["results"] == []
    summary = unread_summary(person)
    assert requests.channel_id not in {
        entry["channel_id"] for entry in summary["channels"]
    }
    assert requests.channel_id not in {
        entry["channel_id"] for entry in summary["threads"]
    }
    threads = followed_threads(person)["threads"]
    assert requests.channel_id not in {entry["channel_id"] for entry in threads}


def test_request_thread_in_insiders_chat_views(company, requests):
    found = chat_search(company.anna, SECRET_WORD)["results"]
    assert requests.channel_id in {message["channel_id"] for message in found}
    # Борис approved; the thread's events for him sit unread in his channels.
    summary = unread_summary(company.boris)
    assert requests.channel_id in {entry["channel_id"] for entry in summary["channels"]}
    assert requests.channel_id in channel_ids(company.boris)


def test_pushes_reach_only_the_request_people(company, requests):
    # One more request, submitted and approved while everyone is online.
    request = act(
        company.anna,
        created(company.anna, period="2033-05", pay_by=PAY_BY)["id"],
        "submit",
    )
    act(company.boris, request["id"], "approve")
    company.pump.drain()

    for name, person in company.outsiders.items():
        pushed = company.pushed_text(person)
        assert SECRET_WORD not in pushed, name
        assert requests.channel_id not in pushed, name
        assert request["id"] not in pushed, name
        for request_id in requests.secret_ids:
            assert request_id not in pushed, name
    for insider in (company.anna, company.boris):
        assert SECRET_WORD in company.pushed_text(insider)
