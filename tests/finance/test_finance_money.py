"""Money parsing and formatting: decimal strings in, integer minor units stored."""

import pytest

from chalicelib.finance import money


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("12500.50", 1250050),
        ("12500.5", 1250050),
        ("12500", 1250000),
        ("0.01", 1),
        ("007.10", 710),
        ("1000000000000", 10**14),
        ("1000000000000.00", 10**14),
        ("0.1", 10),
    ],
)
def test_amount_parses_to_minor_units(text, minor):
    assert money.parse_amount(text) == minor


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("-5", "not a decimal amount"),
        ("1.234", "at most 2 decimal places"),
        ("1000000000000.01", "maximum"),
        ("99999999999999999999", "maximum"),
        ("1,50", "with a dot, not a comma"),
        ("1e3", "not a decimal amount"),
        ("NaN", "not a decimal amount"),
        ("Infinity", "not a decimal amount"),
        (" 12", "not a decimal amount"),
        ("12\n", "not a decimal amount"),
        ("12 500", "not a decimal amount"),
        ("", "not a decimal amount"),
        (".5", "not a decimal amount"),
        ("5.", "not a decimal amount"),
        ("١٢", "not a decimal amount"),
        (12500, "decimal string"),
        (12.5, "decimal string"),
        (None, "decimal string"),
        (True, "decimal string"),
    ],
)
def test_bad_amount_rejected(value, message):
    with pytest.raises(money.MoneyError, match=message):
        money.parse_amount(value)


def test_zero_allowed_where_asked():
    assert money.parse_amount("0", allow_zero=True) == 0


@pytest.mark.parametrize(
    ("minor", "text"),
    [(1250050, "12500.50"), (1, "0.01"), (0, "0.00"), (10**14, "1000000000000.00")],
)
def test_minor_units_format_as_decimal_string(minor, text):
    assert money.format_amount(minor) == text


def test_amount_round_trips_exactly():
    for text in ("0.01", "0.10", "19.99", "123456789012.34"):
        assert money.format_amount(money.parse_amount(text)) == text


def test_display_amount_russian():
    assert money.display_amount(1250050, "RUB", "ru") == "12 500,50 RUB"


def test_display_amount_english():
    assert money.display_amount(1250050, "USD", "en") == "12,500.50 USD"


@pytest.mark.parametrize(("text", "normalized"), [("92.4500", "92.45"), ("100", "100")])
def test_rate_normalized(text, normalized):
    assert money.parse_rate(text) == normalized


@pytest.mark.parametrize("value", ["0", "-1", "1.1234567", "abc", 92.5, "2000000"])
def test_bad_rate_rejected(value):
    with pytest.raises(money.MoneyError):
        money.parse_rate(value)


def test_conversion_rounds_half_kopeck_up():
    # 0.01 USD at 92.45 is 0.9245 RUB, which is 0.92 RUB; 0.05 USD is 4.6225.
    assert money.convert_to_rub(5, "USD", "92.45") == 462


def test_conversion_keeps_rub_as_is():
    assert money.convert_to_rub(1250050, "RUB", None) == 1250050


def test_conversion_without_rate_is_unknown():
    assert money.convert_to_rub(100, "USD", None) is None


def test_large_conversion_is_exact():
    assert money.convert_to_rub(10**14, "CNY", "12.345678") == 1234567800000000


@pytest.mark.parametrize("value", ["2026-12", "2000-01", "2100-12"])
def test_period_accepted(value):
    assert money.parse_period(value) == value


@pytest.mark.parametrize(
    "value", ["2026-13", "2026-00", "2026-1", "1999-12", "26-12", 202612]
)
def test_bad_period_rejected(value):
    with pytest.raises(money.MoneyError):
        money.parse_period(value)


@pytest.mark.parametrize("value", ["RUB", "USD", "CNY"])
def test_currency_accepted(value):
    assert money.parse_currency(value) == value


@pytest.mark.parametrize("value", ["rub", "JPY", "XXX", "", 643])
def test_bad_currency_rejected(value):
    with pytest.raises(money.MoneyError):
        money.parse_currency(value)
