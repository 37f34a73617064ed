"""Amount parsing: exact decimals as printed; empty, zero and —— stay distinct."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder.parse.amounts import (
    AmountError,
    is_numeric_token,
    looks_like_amount,
    parse_amount,
    parse_count,
)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("5, 256. 96", Decimal("5256.96")),  # spaces inside (seed 002)
        ("5,987.71", Decimal("5987.71")),  # thousands separators (seed 003)
        ("5885.11", Decimal("5885.11")),
        ("14000", Decimal("14000")),
        ("92.635", Decimal("92.635")),  # three decimals kept as printed
        ("3,621.803", Decimal("3621.803")),
        ("0.00", Decimal("0.00")),
        ("１２３.４５", Decimal("123.45")),  # full-width digits
        (" 1.44 ", Decimal("1.44")),
    ],
)
def test_numbers_are_exact_decimals(printed: str, expected: Decimal) -> None:
    amount = parse_amount(printed)
    assert amount.kind == "number"
    assert amount.value == expected
    assert isinstance(amount.value, Decimal)
    assert str(amount.value) == str(expected)  # same digits, not just the same value


def test_empty_zero_and_not_applicable_are_distinct() -> None:
    empty, zero, dash = parse_amount(""), parse_amount("0"), parse_amount("——")
    assert (empty.kind, zero.kind, dash.kind) == ("empty", "number", "not_applicable")
    assert empty.value is None
    assert zero.value == 0
    assert dash.value is None
    assert (empty.to_json(), zero.to_json(), dash.to_json()) == (None, "0", "——")


@pytest.mark.parametrize("printed", ["——", "———", "————", "—", "-", "－"])
def test_dash_runs_mean_not_applicable(printed: str) -> None:
    assert parse_amount(printed).kind == "not_applicable"


@pytest.mark.parametrize("printed", ["12.3.4", "1,23", "abc", "12a", "1.2.3,4"])
def test_garbage_raises_with_the_raw_text(printed: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(printed)
    assert caught.value.raw == printed


def test_counts_are_whole_numbers() -> None:
    assert parse_count("3") == 3
    assert parse_count("") is None
    with pytest.raises(AmountError):
        parse_count("1.5")


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_plain_round_trip(value: Decimal) -> None:
    assert parse_amount(str(value)).value == value


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_grouped_round_trip(value: Decimal) -> None:
    printed = f"{value:,}"
    assert parse_amount(printed).value == value


@given(
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    st.lists(st.sampled_from([" ", "\u3000"]), max_size=3),
    st.integers(min_value=0, max_value=20),
)
def test_spaces_anywhere_do_not_change_the_value(
    value: Decimal, spaces: list[str], position: int
) -> None:
    printed = f"{value:,}"
    cut = position % (len(printed) + 1)
    noisy = printed[:cut] + "".join(spaces) + printed[cut:]
    assert parse_amount(noisy).value == value


@given(st.text(max_size=12))
def test_any_text_is_a_result_or_amount_error(text: str) -> None:
    try:
        amount = parse_amount(text)
    except AmountError:
        return
    assert amount.kind in {"empty", "number", "not_applicable"}
    if amount.kind == "number":
        assert is_numeric_token(text)


@pytest.mark.parametrize(
    ("printed", "looks"),
    [
        ("5, 256. 96", True),
        ("12.3.4", True),
        ("△12.00", True),  # a decrease mark: read as null in a table
        ("▲3", True),
        ("(1.00)", True),  # an accounting negative
        ("（1.00）", True),
        ("−5.00", True),  # U+2212 minus sign
        ("12.00元", True),
        ("3万元", True),
        ("2024年", False),
        ("≤1500万元", False),  # a performance target, kept as text
        ("=100%", False),
        ("1. 副部（省）级及以上领导用车", False),
        ("——", False),
        ("", False),
    ],
)
def test_amount_looking_cells(printed: str, looks: bool) -> None:
    assert looks_like_amount(printed) is looks
