"""Request bodies and query parameters of the finance routes.

Money fields arrive as decimal strings and leave validation as integers of
minor units; a bad value fails with a message that names the field.
"""

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from chalicelib.finance import money
from chalicelib.finance.models import STATUSES
from chalicelib.text import CleanLine, CleanText, OptionalCleanText

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def _checked(parse, code: str):
    """Wrap a money parser so that its message becomes the validation message."""

    def validate(value):
        try:
            return parse(value)
        except money.MoneyError as error:
            raise PydanticCustomError(code, str(error)) from None

    return validate


# The same years as the plan's periods (money.parse_period).
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


def _iso_date(value: object) -> date:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and _FIRST_YEAR <= parsed.year <= _LAST_YEAR:
            return parsed
    raise PydanticCustomError(
        "date",
        'use a date "YYYY-MM-DD" from {first}-01-01 to {last}-12-31, '
        'such as "2026-12-15"',
        {"first": _FIRST_YEAR, "last": _LAST_YEAR},
    )


def _cursor(value: object) -> str:
    if isinstance(value, str) and _ULID.fullmatch(value):
        return value
    raise PydanticCustomError("cursor", "use the next_cursor of an earlier page")


def _limit(value: object) -> int:
    if isinstance(value, str) and value.isdigit() and 1 <= int(value) <= 200:
        return int(value)
    raise PydanticCustomError("limit", "use a whole number from 1 to 200")


# The wire format is a decimal string, which the validator turns into minor
# units, so the JSON Schema describes the string and not the int.
AMOUNT_JSON_SCHEMA = WithJsonSchema(
    {
        "type": "string",
        "pattern": r"^[0-9]+(\.[0-9]{1,2})?$",
        "description": 'A decimal amount in major units, such as "12500.50".',
    }
)
Amount = Annotated[
    int,
    BeforeValidator(_checked(money.parse_amount, "amount")),
    AMOUNT_JSON_SCHEMA,
]
AmountOrZero = Annotated[
    int,
    BeforeValidator(
        _checked(lambda value: money.parse_amount(value, allow_zero=True), "amount")
    ),
    AMOUNT_JSON_SCHEMA,
]
Currency = Annotated[str, BeforeValidator(_checked(money.parse_currency, "currency"))]
Rate = Annotated[str, BeforeValidator(_checked(money.parse_rate, "rate"))]
Period = Annotated[str, BeforeValidator(_checked(money.parse_period, "period"))]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Identifier = Annotated[str, Field(min_length=1, max_length=64)]
# Texts are checked for control and bidirectional characters: the XLSX export
# cannot write the former, and the latter make a name display reversed.
Text = Annotated[CleanText, Field(min_length=1, max_length=4000)]
Reason = Annotated[CleanText, Field(min_length=1, max_length=2000)]
Comment = Annotated[OptionalCleanText, Field(max_length=2000)]
Counterparty = Annotated[CleanLine, Field(min_length=1, max_length=200)]
CategoryName = Annotated[CleanLine, Field(min_length=1, max_length=120)]
Status = Literal[STATUSES]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RequestCreate(Strict):
    amount: Amount
    currency: Currency = money.DEFAULT_CURRENCY
    category_id: Identifier
    counterparty: Counterparty
    problem: Text
    solution: Text
    pay_by: IsoDate
    period: Period
    task_id: Identifier | None = None
    launch_id: Identifier | None = None


class RequestUpdate(Strict):
    """Fields to change; only ``task_id`` and ``launch_id`` may be set to null."""

    amount: Amount | None = None
    currency: Currency | None = None
    category_id: Identifier | None = None
    counterparty: Counterparty | None = None
    problem: Text | None = None
    solution: Text | None = None
    pay_by: IsoDate | None = None
    period: Period | None = None
    task_id: Identifier | None = None
    launch_id: Identifier | None = None


class NoBody(Strict):
    """A body for actions that take no fields: empty or ``{}``."""


class ApproveBody(Strict):
    comment: Comment | None = None
    rate: Rate | None = None


class ReasonBody(Strict):
    reason: Reason


class ScheduleBody(Strict):
    pay_on: IsoDate
    comment: Comment | None = None


class PayBody(Strict):
    amount: Amount
    comment: Comment | None = None


class CategoryCreate(Strict):
    name: CategoryName
    name_en: CategoryName | None = None
    parent_id: Identifier | None = None
    department_id: Identifier | None = None
    position_id: Identifier | None = None
    monthly_limit: Amount | None = None


class CategoryUpdate(Strict):
    """Fields to change; null clears every field but ``name``."""

    name: CategoryName | None = None
    name_en: CategoryName | None = None
    parent_id: Identifier | None = None
    department_id: Identifier | None = None
    position_id: Identifier | None = None
    monthly_limit: Amount | None = None


class FinalApproverBody(Strict):
    kind: Literal["position", "owner"]
    position_id: Identifier | None = None
    # The step applies to requests of more than this amount in RUB.
    above: AmountOrZero


class SettingsBody(Strict):
    direct_manager_only_up_to: AmountOrZero
    final_approvers: list[FinalApproverBody] = Field(max_length=10)
    finance_position_ids: list[Identifier] = Field(default_factory=list, max_length=20)


class ListQuery(Strict):
    view: Literal["mine", "to_approve", "all"] = "mine"
    status: Status | None = None
    cursor: Annotated[str, BeforeValidator(_cursor)] | None = None
    limit: Annotated[int, BeforeValidator(_limit)] = 50


class CalendarQuery(Strict):
    from_: IsoDate = Field(alias="from")
    to: IsoDate


class PlanQuery(Strict):
    month: Period


class ExportQuery(Strict):
    format: Literal["csv", "xlsx"] = "csv"
    view: Literal["mine", "to_approve", "all"] = "all"
    status: Status | None = None
    period: Period | None = None


class AttachmentCreate(Strict):
    """A file about to be uploaded; the limits are checked in ``files.limits``."""

    file_name: str = Field(min_length=1, max_length=400)
    content_type: str = Field(min_length=1, max_length=200)
    size: int = Field(strict=True)
