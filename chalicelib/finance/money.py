"""Money as integers of minor units: parsing decimal strings, rates and formatting.

Amounts travel through the API as decimal strings ("12500.50") and are stored as
integers of minor units (kopecks for RUB), so no float ever touches them. Every
supported currency has two decimal places.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DEFAULT_CURRENCY = "RUB"
# ISO 4217 codes of currencies whose minor unit is one hundredth. Currencies
# with 0 or 3 decimal places (JPY, KWD) would need another scale, so they are
# not accepted.
CURRENCIES = (
    "RUB",
    "USD",
    "EUR",
    "CNY",
    "KZT",
    "BYN",
    "UZS",
    "KGS",
    "AMD",
    "GEL",
    "TRY",
    "AED",
    "GBP",
    "CHF",
    "HKD",
)
MINOR_UNITS_PER_MAJOR = 100
MAX_AMOUNT_MAJOR = 10**12
MAX_AMOUNT_MINOR = MAX_AMOUNT_MAJOR * MINOR_UNITS_PER_MAJOR
MAX_RATE = Decimal(10**6)
RATE_DECIMAL_PLACES = 6

_AMOUNT = re.compile(r"^(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?$")
_PERIOD = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{2})$")


class MoneyError(ValueError):
    """An amount, rate or currency that cannot be accepted; the message explains why."""


def parse_amount(value: object, *, allow_zero: bool = False) -> int:
    """Parse a decimal string such as "12500.50" into minor units (1250050).

    Raise MoneyError for anything but a plain decimal string with at most two
    decimal places, more than zero (or zero with ``allow_zero``) and at most
    10^12 major units.
    """
    if not isinstance(value, str):
        raise MoneyError('send the amount as a decimal string, such as "12500.50"')
    match = _AMOUNT.fullmatch(value)
    if match is None:
        hint = " with a dot, not a comma" if "," in value else ""
        raise MoneyError(
            f'"{value}" is not a decimal amount; write digits{hint}, such as "12500.50"'
        )
    fraction = match["fraction"] or ""
    if len(fraction) > 2:
        raise MoneyError("use at most 2 decimal places")
    whole = int(match["whole"])
    if whole > MAX_AMOUNT_MAJOR:
        raise MoneyError(f"the amount is more than the maximum of {MAX_AMOUNT_MAJOR}")
    minor = whole * MINOR_UNITS_PER_MAJOR + int(fraction.ljust(2, "0"))
    if minor > MAX_AMOUNT_MINOR:
        raise MoneyError(f"the amount is more than the maximum of {MAX_AMOUNT_MAJOR}")
    if minor == 0 and not allow_zero:
        raise MoneyError("the amount must be more than zero")
    return minor


def format_amount(minor: int) -> str:
    """Format minor units as the API's decimal string: 1250050 -> "12500.50"."""
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), MINOR_UNITS_PER_MAJOR)
    return f"{sign}{whole}.{fraction:02d}"


def display_amount(minor: int, currency: str, locale: str | None = "ru") -> str:
    """Format an amount for people: "12 500,50 RUB" in Russian, "12,500.50 RUB"."""
    whole, fraction = divmod(abs(minor), MINOR_UNITS_PER_MAJOR)
    sign = "-" if minor < 0 else ""
    if locale == "en":
        return f"{sign}{whole:,}.{fraction:02d} {currency}"
    grouped = f"{whole:,}".replace(",", " ")
    return f"{sign}{grouped},{fraction:02d} {currency}"


def parse_currency(value: object) -> str:
    if not isinstance(value, str) or value not in CURRENCIES:
        known = ", ".join(CURRENCIES)
        raise MoneyError(f"use an ISO 4217 code of a supported currency: {known}")
    return value


def parse_rate(value: object) -> str:
    """Check an exchange rate (RUB per unit of the currency) and return it normalized.

    The rate stays a decimal string so that it is stored exactly as approved.
    """
    if not isinstance(value, str):
        raise MoneyError('send the rate as a decimal string, such as "92.4531"')
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise MoneyError(f'"{value}" is not a decimal rate, such as "92.4531"')
    if len(match["fraction"] or "") > RATE_DECIMAL_PLACES:
        raise MoneyError(f"use at most {RATE_DECIMAL_PLACES} decimal places")
    try:
        rate = Decimal(value)
    except InvalidOperation:
        raise MoneyError(f'"{value}" is not a decimal rate') from None
    if rate <= 0:
        raise MoneyError("the rate must be more than zero")
    if rate > MAX_RATE:
        raise MoneyError(f"the rate is more than the maximum of {MAX_RATE}")
    return format(rate.normalize(), "f")


def convert_to_rub(minor: int, currency: str, rate: str | None) -> int | None:
    """Return the amount in RUB minor units, or None for a currency without a rate.

    Half a kopeck rounds up, as banks round a converted sum.
    """
    if currency == DEFAULT_CURRENCY:
        return minor
    if rate is None:
        return None
    converted = (Decimal(minor) * Decimal(rate)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return int(converted)


def parse_period(value: object) -> str:
    """Check a budget period "YYYY-MM" and return it."""
    if not isinstance(value, str):
        raise MoneyError('send the period as a string "YYYY-MM", such as "2026-12"')
    match = _PERIOD.fullmatch(value)
    if match is None or not 1 <= int(match["month"]) <= 12:
        raise MoneyError(f'"{value}" is not a period; use "YYYY-MM", such as "2026-12"')
    if not 2000 <= int(match["year"]) <= 2100:
        raise MoneyError("use a year from 2000 to 2100")
    return value
