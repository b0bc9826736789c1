"""Amount matching: which arrival paid for each transfer out of one account."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.investigate.trace import trace_funds
from fraudlink.investigate.trace_matching import PRE_DATA, MatchRules, fund_departures
from tests.investigate.test_trace import ledger_of

MIN = 60_000_000  # a minute in microseconds


def statement(*rows: tuple[int, str, int]) -> tuple[list[int], list[int], list[bool]]:
    """(minute, "in" | "out", amount) rows as the three lists ``fund_departures`` takes."""
    return (
        [m * MIN for m, _, _ in rows],
        [amount for _, _, amount in rows],
        [way == "out" for _, way, _ in rows],
    )


def test_a_lot_passed_on_whole_is_paid_from_itself_not_the_newer_arrival() -> None:
    # 0: victim A's 20,991 arrives; 1: victim B's 5,225; 2: A's lot goes on whole.
    funding = fund_departures(*statement((0, "in", 20_991), (10, "in", 5_225), (31, "out", 20_991)))
    assert funding == {2: [(0, 20_991)]}


def test_a_split_less_commission_sent_in_a_row_is_paid_from_its_lot() -> None:
    # The real case that made matching read transfers in a row: lot 1 went on as 3, 4, 5
    # less 2 %, lot 2 whole as 6, lot 0 as 7, 8, 9 less 1 %. Any three of the six parts
    # that fall short of a lot by under 3 % are ambiguous, so only parts in a row count.
    times, amounts, out = statement(
        (0, "in", 1_587_740),
        (88, "in", 2_116_270),
        (92, "in", 1_297_070),
        (96, "out", 642_922),
        (98, "out", 456_267),
        (102, "out", 974_756),
        (115, "out", 1_297_070),
        (118, "out", 613_026),
        (119, "out", 314_372),
        (120, "out", 644_465),
    )
    funding = fund_departures(times, amounts, out)
    assert {d: [a for a, _ in paid] for d, paid in funding.items()} == {
        3: [1], 4: [1], 5: [1], 6: [2], 7: [0], 8: [0], 9: [0],
    }  # fmt: skip


def test_a_sum_near_two_lots_is_not_guessed() -> None:
    # 990 is within 3 % of both 1,000 and 1,010: LIFO decides, newest first.
    funding = fund_departures(*statement((0, "in", 1_000), (1, "in", 1_010), (5, "out", 990)))
    assert funding == {2: [(1, 990)]}


def test_without_commission_only_exact_sums_match() -> None:
    rows = statement((0, "in", 1_000), (1, "in", 300), (5, "out", 990))
    assert fund_departures(*rows, MatchRules(commission=0)) == {2: [(1, 300), (0, 690)]}
    assert fund_departures(*rows) == {2: [(0, 990)]}


def test_a_lot_older_than_the_horizon_is_not_matched() -> None:
    rows = statement((0, "in", 1_000), (1, "in", 300), (25 * 60, "out", 1_000))
    assert fund_departures(*rows) == {2: [(1, 300), (0, 700)]}


def test_money_held_for_a_later_group_pays_a_transfer_out_the_balance_needs() -> None:
    # 500 is matched to the transfer at minute 20, but at minute 10 only it is there.
    funding = fund_departures(*statement((0, "in", 500), (10, "out", 200), (20, "out", 500)))
    assert funding == {1: [(0, 200)], 2: [(0, 300), (PRE_DATA, 200)]}


@pytest.mark.parametrize(
    "bad",
    [
        {"commission": 1.0},
        {"commission": -0.1},
        {"group": 0},
        {"look_ahead": 1},
        {"window_us": -1},
        {"horizon_us": -1},
    ],
)
def test_rules_out_of_range_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        MatchRules(**bad)  # type: ignore[arg-type]


@st.composite
def statements(draw: st.DrawFn) -> tuple[list[int], list[int], list[bool]]:
    """Random statements, with many repeated and near amounts so that matches happen."""
    n = draw(st.integers(0, 30))
    gaps = draw(st.lists(st.integers(0, 40 * MIN), min_size=n, max_size=n))
    base = draw(st.sampled_from([97, 100, 1_000]))
    amounts = draw(
        st.lists(st.integers(1, 4).map(lambda x: x * base) | st.integers(1, 5_000), min_size=n,
                 max_size=n)
    )  # fmt: skip
    out = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    times, t = [], 0
    for gap in gaps:
        t += gap
        times.append(t)
    return times, amounts, out


@given(
    case=statements(),
    commission=st.sampled_from([0.0, 0.03, 0.2]),
    group=st.integers(1, 3),
)
@settings(max_examples=400, deadline=None)
def test_every_transfer_out_is_paid_in_full_by_earlier_money_that_was_there(
    case: tuple[list[int], list[int], list[bool]], commission: float, group: int
) -> None:
    times, amounts, out = case
    funding = fund_departures(times, amounts, out, MatchRules(commission=commission, group=group))
    assert set(funding) == {i for i, o in enumerate(out) if o}
    spent = [0] * len(amounts)
    for d, paid in funding.items():
        assert sum(part for _, part in paid) == amounts[d]
        assert all(part > 0 for _, part in paid)
        for a, part in paid:
            if a != PRE_DATA:
                assert a < d and not out[a]
                spent[a] += part
    assert all(spent[a] <= amounts[a] for a in range(len(amounts)) if not out[a])
    # Money from before the statement is used only where the balance truly ran short:
    # as much as a running balance floored at zero says, and not a cent more.
    balance = short = 0
    for amount, o in zip(amounts, out, strict=True):
        balance += -amount if o else amount
        if balance < 0:
            short, balance = short - balance, 0
    assert sum(p for paid in funding.values() for a, p in paid if a == PRE_DATA) == short


def test_two_victims_in_one_mule_are_told_apart_by_amount_not_by_order() -> None:
    # Victim A pays m 20,991; victim B pays m 5,225 ten minutes later. The mule sends A's
    # lot on less 1 % to n, then B's whole to o. LIFO pays n with B's money first.
    ledger = ledger_of(
        [
            ("A", "m", 20_991, 0),
            ("B", "m", 5_225, 10 * MIN),
            ("m", "n", 20_781, 31 * MIN),
            ("m", "o", 5_225, 40 * MIN),
        ]
    )
    assert trace_funds(ledger, [0], method="match").ends() == {"n": 20_781, "m": 210}
    assert trace_funds(ledger, [0], method="lifo").ends() == {"n": 15_556, "o": 5_225, "m": 210}
