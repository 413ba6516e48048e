"""Export of the requests a viewer may see, as CSV or an Excel workbook.

Amounts are exact decimal strings in both formats (the workbook stores them
as text), so no spreadsheet rounds a kopeck away.
"""

import csv
import io

from chalicelib.finance.listing import visible_requests
from chalicelib.finance.money import convert_to_rub, format_amount
from chalicelib.finance.visibility import Viewer

# NOTE: an export reads every matching request in one Lambda call; past about
# this many rows it would need paging or a background job.
MAX_ROWS = 10_000
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = (
    "id",
    "created_at",
    "status",
    "author",
    "category_id",
    "counterparty",
    "amount",
    "currency",
    "rate",
    "amount_rub",
    "paid",
    "remaining",
    "pay_by",
    "pay_on",
    "period",
    "task_id",
    "problem",
    "solution",
)


# A cell that starts with one of these runs as a formula in Excel and in
# openpyxl, so text typed by people gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str:
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def export_rows(
    viewer: Viewer, view: str, status: str | None, period: str | None
) -> list[list[str]]:
    rows = []
    for request in visible_requests(view, viewer, status):
        if period is not None and request.period != period:
            continue
        amount = int(request.amount_minor)
        paid = int(request.paid_minor or 0)
        amount_rub = convert_to_rub(amount, request.currency, request.rate)
        rows.append(
            [
                request.request_id,
                request.created_at.date().isoformat(),
                request.status,
                _text(request.author_name),
                request.category_id,
                _text(request.counterparty),
                format_amount(amount),
                request.currency,
                request.rate or "",
                format_amount(amount_rub) if amount_rub is not None else "",
                format_amount(paid),
                format_amount(amount - paid),
                request.pay_by,
                request.pay_on or "",
                request.period,
                request.task_id or "",
                _text(request.problem),
                _text(request.solution),
            ]
        )
        if len(rows) >= MAX_ROWS:
            break
    return rows


def to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    # The byte order mark makes Excel read the file as UTF-8 (Cyrillic names).
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def to_xlsx(rows: list[list[str]]) -> bytes:
    # Imported here: only the xlsx export needs openpyxl.
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("requests")
    sheet.append(list(COLUMNS))
    for row in rows:
        # XML cannot carry most control characters, and texts saved before
        # they were rejected may still hold some: they are dropped here.
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell
                for cell in row
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
