"""The payment calendar: approved, scheduled and partly paid requests by date.

A request's payment date is the date finance scheduled (``pay_on``), or else
the date the author needs it paid by (``pay_by``). Totals are what is left to
pay, per currency, so no rate is needed to add them up.
"""

from collections import defaultdict
from datetime import date, timedelta

from chalicelib.clock import utc_now
from chalicelib.errors import InvalidInput
from chalicelib.finance.models import FinanceRequest
from chalicelib.finance.money import format_amount
from chalicelib.finance.visibility import Viewer, can_see

MAX_DAYS = 366


def _months(start: date, end: date) -> list[str]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _totals_json(totals: dict[str, int]) -> dict[str, str]:
    return {currency: format_amount(totals[currency]) for currency in sorted(totals)}


def payments_between(start: date, end: date) -> list[FinanceRequest]:
    """Query the payment index month by month for dates from ``start`` to ``end``."""
    # "~" sorts after "#" and every id character, so the range ends after
    # every key of the last day.
    condition = FinanceRequest.pay_key.between(start.isoformat(), f"{end.isoformat()}~")
    found = []
    for month in _months(start, end):
        found.extend(
            FinanceRequest.payment_index.query(month, range_key_condition=condition)
        )
    return found


def payment_calendar(start: date, end: date, viewer: Viewer) -> dict:
    if end < start:
        raise InvalidInput(
            "Invalid field 'to': it must not be before 'from'.", field="to"
        )
    if (end - start) > timedelta(days=MAX_DAYS - 1):
        raise InvalidInput(
            f"Invalid field 'to': the calendar covers at most {MAX_DAYS} days.",
            field="to",
        )
    # NOTE: "today" is the UTC date; in Moscow the day turns 3 hours earlier.
    today = utc_now().date()
    days: dict[str, list[dict]] = defaultdict(list)
    day_totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    week_totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)

    for request in payments_between(start, end):
        if not can_see(request, viewer):
            continue
        pay_date = request.pay_key.split("#", 1)[0]
        day = date.fromisoformat(pay_date)
        remaining = int(request.amount_minor) - int(request.paid_minor or 0)
        days[pay_date].append(
            {
                "id": request.request_id,
                "status": request.status,
                "counterparty": request.counterparty,
                "category_id": request.category_id,
                "author": {"id": request.author_id, "name": request.author_name},
                "currency": request.currency,
                "amount": format_amount(int(request.amount_minor)),
                "remaining": format_amount(remaining),
                "pay_by": request.pay_by,
                "pay_on": request.pay_on,
                "due": day <= today,
                "overdue": day < today,
            }
        )
        day_totals[pay_date][request.currency] += remaining
        week_totals[iso_week(day)][request.currency] += remaining
        totals[request.currency] += remaining

    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "today": today.isoformat(),
        "days": [
            {
                "date": pay_date,
                "week": iso_week(date.fromisoformat(pay_date)),
                "due": date.fromisoformat(pay_date) <= today,
                "overdue": date.fromisoformat(pay_date) < today,
                "totals": _totals_json(day_totals[pay_date]),
                "requests": days[pay_date],
            }
            for pay_date in sorted(days)
        ],
        "weeks": [
            {"week": week, "totals": _totals_json(week_totals[week])}
            for week in sorted(week_totals)
        ],
        "totals": _totals_json(totals),
    }
