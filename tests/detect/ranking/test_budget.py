"""Review budgets: a share of the accounts or a count, parsed strictly."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fraudlink.detect.ranking.budget import Budget, BudgetError, parse_budget

percents = st.floats(min_value=0.01, max_value=100, allow_nan=False).map(lambda p: round(p, 2))


@given(percents, st.integers(min_value=0, max_value=10**6))
def test_a_percentage_reviews_at_least_that_share_and_less_than_one_more(
    percent: float, accounts: int
) -> None:
    budget = parse_budget(f"{percent:g}%")
    assert budget == Budget(percent=float(f"{percent:g}"))
    n = budget.of(accounts)
    assert 0 <= n <= accounts
    if accounts:
        assert n >= 1
        exact = budget.percent * accounts / 100  # type: ignore[operator]
        assert n >= math.floor(exact) and n <= max(1, math.ceil(exact))


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=10**6))
def test_a_count_reviews_that_many_or_every_account(count: int, accounts: int) -> None:
    budget = parse_budget(str(count))
    assert budget == Budget(count=count)
    assert budget.of(accounts) == min(count, accounts)


def test_five_percent_of_a_thousand_is_fifty() -> None:
    assert parse_budget("5%").of(1000) == 50
    assert parse_budget("10%").of(12_043) == 1205


@pytest.mark.parametrize("text", ["", "5", "0", "0%", "101%", "-3", "five", "5 %%", "2.5", "%"])
def test_a_bad_budget_is_refused_with_what_was_expected(text: str) -> None:
    if text == "5":
        assert parse_budget(text) == Budget(count=5)
        return
    with pytest.raises(BudgetError) as err:
        parse_budget(text)
    assert repr(text) in str(err.value)


@given(st.text(alphabet="0123456789.%x -", max_size=8))
def test_parsing_any_text_gives_a_budget_or_a_budget_error(text: str) -> None:
    try:
        budget = parse_budget(text)
    except BudgetError:
        return
    assert budget.of(100) >= 1
