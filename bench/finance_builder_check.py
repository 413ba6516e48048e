"""A check that RequestBuilder stores what the finance routes store.

Two requests go through the real routes and through ``RequestBuilder`` side by
side, and the stored fields are compared after every step. The requests are
deleted afterwards, so the benchmark's seeded counts stay exact.
"""

from datetime import date

from bench.finance_company import (
    CALENDAR_VIEWER,
    MEASURED_APPROVER,
    RATES,
    Company,
    RequestBuilder,
    RequestDetails,
)

# Fields the builder must set as the service does, compared after each step.
COMPARED_FIELDS = (
    "status",
    "version",
    "author_position_id",
    "current_step",
    "approver_key",
    "pay_by",
    "period",
    "pay_on",
    "pay_month",
    "pay_key",
    "paid_minor",
    "rate",
    "amount_rub_minor",
    "reason",
)


def stored_fields(request) -> dict:
    fields = {name: getattr(request, name) for name in COMPARED_FIELDS}
    fields["steps"] = [
        (step.kind, step.position_id, step.status, step.note, step.acted_by, step.rate)
        for step in request.steps or []
    ]
    return fields


def checked_json(response, expected_status: int, action: str) -> dict:
    if response.status != expected_status:
        raise RuntimeError(
            f"{action} failed: expected status {expected_status}, "
            f"got {response.status}: {response.body}"
        )
    return response.json


class BuilderCheck:
    """One request run through the routes and through RequestBuilder side by side."""

    def __init__(self, company: Company, author_key: str, body: dict) -> None:
        from chalicelib.finance.money import parse_amount, parse_currency

        self.company = company
        author = company.signed_in[author_key]
        created = checked_json(
            author.client.post("/api/finance/requests", body), 201, "creating"
        )["request"]
        self.request_id = created["id"]
        details = RequestDetails(
            amount_minor=parse_amount(body["amount"]),
            currency=parse_currency(body["currency"]),
            category_id=body["category_id"],
            counterparty=body["counterparty"],
            problem=body["problem"],
            solution=body["solution"],
            pay_by=date.fromisoformat(body["pay_by"]),
        )
        stored = self.stored()
        self.builder = RequestBuilder(
            company, author_key, self.request_id, stored.created_at, details
        )
        self.stages = ["created"]
        self.compare("created")

    def stored(self):
        from chalicelib.finance.transitions import get_request

        return get_request(self.request_id, consistent=True)

    def compare(self, stage: str) -> None:
        expected = stored_fields(self.stored())
        built = stored_fields(self.builder.request)
        differences = {
            name: {"service": expected[name], "builder": built[name]}
            for name in expected
            if expected[name] != built[name]
        }
        if differences:
            raise RuntimeError(
                f"RequestBuilder differs from the service after {stage}: {differences}"
            )

    def act(self, person_key: str, action: str, body, build) -> None:
        person = self.company.signed_in[person_key]
        path = f"/api/finance/requests/{self.request_id}/{action}"
        checked_json(person.client.post(path, body), 200, action)
        build()
        self.stages.append(action)
        self.compare(action)

    def delete(self) -> None:
        """Delete the request and its history, so that the seeded counts stay exact."""
        from chalicelib.finance.payment_requests import list_history

        for entry in list_history(self.request_id):
            entry.delete()
        self.stored().delete()


def check_builder(company: Company) -> dict:
    """Compare RequestBuilder with the service on two requests, then delete them.

    The first goes through two approvals, scheduling and two payments. The
    second is in yuan, so its approval records a rate, and it is returned.
    """
    body = {
        "amount": "12500.50",
        "currency": "RUB",
        "category_id": "purchase-of-goods",
        "counterparty": "ООО «Ромашка»",
        "problem": "Заканчиваются коробки для упаковки",
        "solution": "Купить 500 коробок",
        "pay_by": "2026-12-15",
        "period": "2026-12",
    }
    paid = BuilderCheck(company, "wb_manager", body)
    builder = paid.builder
    paid.act("wb_manager", "submit", None, builder.submit)
    paid.act(MEASURED_APPROVER, "approve", None, builder.approve)
    paid.act(CALENDAR_VIEWER, "approve", None, builder.approve)
    paid.act(
        CALENDAR_VIEWER,
        "schedule",
        {"pay_on": "2026-12-20"},
        lambda: builder.schedule(date(2026, 12, 20)),
    )
    paid.act(CALENDAR_VIEWER, "pay", {"amount": "5000.00"}, lambda: builder.pay(500000))
    paid.act(CALENDAR_VIEWER, "pay", {"amount": "7500.50"}, lambda: builder.pay(750050))

    yuan_body = dict(body, amount="60000.00", currency="CNY")
    returned = BuilderCheck(company, "ozon_manager", yuan_body)
    builder = returned.builder
    reason = "Нет в бюджете этого месяца"
    returned.act("ozon_manager", "submit", None, builder.submit)
    returned.act(MEASURED_APPROVER, "approve", {"rate": RATES["CNY"]}, builder.approve)
    returned.act(
        "ceo",
        "return",
        {"reason": reason},
        lambda: returned.builder.decline("returned", reason),
    )
    for check in (paid, returned):
        check.delete()
    return {"paid_request": paid.stages, "returned_request": returned.stages}
