"""The monthly plan: per category, what was requested, approved and paid.

Sums are in RUB. A request in another currency counts at the rate its
approvers recorded; one that has no rate yet is listed under ``unconverted``
in its own currency instead. A category's sums include its subcategories',
and its monthly limit is compared with them.
"""

from collections import defaultdict

from chalicelib.finance.categories import list_categories
from chalicelib.finance.models import FinanceRequest
from chalicelib.finance.money import convert_to_rub, format_amount
from chalicelib.finance.visibility import Viewer, can_see

REQUESTED_STATUSES = ("on_approval", "approved", "scheduled", "partially_paid", "paid")
APPROVED_STATUSES = ("approved", "scheduled", "partially_paid", "paid")
MEASURES = ("requested", "approved", "paid")


def _measures(request: FinanceRequest, amount: int, paid: int) -> dict[str, int]:
    counted = {"requested": 0, "approved": 0, "paid": paid}
    if request.status in REQUESTED_STATUSES:
        counted["requested"] = amount
    if request.status in APPROVED_STATUSES:
        counted["approved"] = amount
    return counted


def monthly_plan(month: str, viewer: Viewer) -> dict:
    categories = list_categories()
    parents = {category.category_id: category.parent_id for category in categories}
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[str, int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    unconverted: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    for request in FinanceRequest.period_index.query(month):
        if request.status not in REQUESTED_STATUSES or not can_see(request, viewer):
            continue
        amount = convert_to_rub(
            int(request.amount_minor), request.currency, request.rate
        )
        paid = convert_to_rub(
            int(request.paid_minor or 0), request.currency, request.rate
        )
        if amount is None or paid is None:
            own = _measures(request, int(request.amount_minor), int(request.paid_minor))
            for measure, value in own.items():
                unconverted[request.currency][measure] += value
            continue
        measures = _measures(request, amount, paid)
        for measure, value in measures.items():
            totals[measure] += value
        # Add the request to its category and every category above it.
        cursor: str | None = request.category_id
        visited: set[str] = set()
        while cursor is not None and cursor not in visited:
            visited.add(cursor)
            counts[cursor] += 1
            for measure, value in measures.items():
                sums[cursor][measure] += value
            cursor = parents.get(cursor)

    rows = []
    for category in categories:
        own = sums[category.category_id]
        limit = category.monthly_limit_minor
        limit = int(limit) if limit is not None else None
        rows.append(
            {
                "id": category.category_id,
                "name": category.name,
                "name_en": category.name_en,
                "parent_id": category.parent_id,
                "requests": counts[category.category_id],
                **{measure: format_amount(own[measure]) for measure in MEASURES},
                "limit": format_amount(limit) if limit is not None else None,
                "over_limit": limit is not None and own["approved"] > limit,
                "requested_over_limit": limit is not None and own["requested"] > limit,
            }
        )
    return {
        "month": month,
        "currency": "RUB",
        # Totals cover only what the viewer may see; "all" means every request.
        "scope": "all" if viewer.sees_all else "visible",
        "categories": rows,
        "totals": {measure: format_amount(totals[measure]) for measure in MEASURES},
        "unconverted": {
            currency: {measure: format_amount(values[measure]) for measure in MEASURES}
            for currency, values in sorted(unconverted.items())
        },
    }
