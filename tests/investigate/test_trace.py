"""Fund tracing on hand-made and generated ledgers: money is conserved, time is respected."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.investigate.ledger import Ledger, build_ledger
from fraudlink.investigate.trace import METHODS, Direction, Method, trace_funds
from fraudlink.investigate.trace_result import TraceResult

Transfer = tuple[str, str, int, int]  # payer, payee, amount, time


def ledger_of(transfers: list[Transfer], external: tuple[str, ...] = ()) -> Ledger:
    """A ledger from (payer, payee, amount, time) rows; transfer ids are t0, t1, …"""
    names = sorted({t[0] for t in transfers} | {t[1] for t in transfers})
    code = {n: i for i, n in enumerate(names)}
    return build_ledger(
        account_ids=names,
        account_orgs=["qb-pay"] * len(names),
        external=[n in external for n in names],
        src=[code[t[0]] for t in transfers],
        dst=[code[t[1]] for t in transfers],
        amount=[t[2] for t in transfers],
        time_us=[t[3] for t in transfers],
        currency=["CNY"] * len(transfers),
        transfer_ids=[f"t{i}" for i in range(len(transfers))],
    )


def seeds(ledger: Ledger, *ids: str) -> list[int]:
    return ledger.transfer_positions(list(ids))


def by_account(result: TraceResult) -> dict[str, tuple[int, int, int, int]]:
    """Account → (seeded + received, passed on, withdrawn, held)."""
    return {a.account: (a.seeded + a.received, a.passed_on, a.withdrawn, a.held)
            for a in result.accounts}  # fmt: skip


# -- the worked example of docs/investigate-trace.md ----------------------------------------
# M holds ¥1 of its own, gets ¥3 from the victim, sends ¥1.50 to A, then ¥1 to B.
EXAMPLE: list[Transfer] = [
    ("X", "M", 100, 1),  # t0: M's own money
    ("V", "M", 300, 2),  # t1: the victim's payment (the seed)
    ("M", "A", 150, 3),  # t2
    ("M", "B", 100, 4),  # t3
]


@pytest.mark.parametrize(
    ("method", "to_a", "to_b", "held"),
    [
        ("fifo", 50, 100, 150),
        ("lifo", 150, 100, 50),
        ("match", 150, 0, 150),  # the ¥1 to B is read as the ¥1 that came from X
        ("proportional", 112, 75, 113),
    ],
)
def test_worked_example_splits_mixed_money_by_the_method(
    method: Method, to_a: int, to_b: int, held: int
) -> None:
    ledger = ledger_of(EXAMPLE)
    result = trace_funds(ledger, seeds(ledger, "t1"), method=method)
    flows = by_account(result)
    assert flows["M"] == (300, to_a + to_b, 0, held)
    assert flows["A"] == (to_a, 0, 0, to_a)
    assert flows.get("B", (0, 0, 0, 0)) == (to_b, 0, 0, to_b)
    assert result.seeded == 300 and result.held == 300
    assert "X" not in flows  # M's own money is not traced back to its payer


def test_cash_out_is_withdrawn_and_listed_as_a_cash_out_point() -> None:
    ledger = ledger_of(
        [("V", "M", 500, 1), ("M", "C", 400, 2), ("M", "N", 60, 3), ("N", "card", 60, 4)],
        external=("card",),
    )
    result = trace_funds(ledger, seeds(ledger, "t0"))
    flows = by_account(result)
    assert flows["M"] == (500, 460, 0, 40)
    assert flows["N"] == (60, 0, 60, 0)
    assert [(c.account, c.amount) for c in result.cash_outs] == [("card", 60)]
    assert "card" not in flows  # the money left the wallets: not an account that holds it
    assert {a.account: a.hop for a in result.accounts} == {"V": 0, "M": 1, "C": 2, "N": 2}


def test_money_sent_before_it_arrived_is_not_traced() -> None:
    ledger = ledger_of([("M", "A", 200, 1), ("V", "M", 300, 2), ("M", "B", 100, 3)])
    for method in METHODS:
        result = trace_funds(ledger, seeds(ledger, "t1"), method=method)
        flows = by_account(result)
        assert "A" not in flows, method
        assert flows["B"] == (100, 0, 0, 100), method


def test_balance_from_before_the_data_is_untraced_and_never_below_zero() -> None:
    # M sent ¥0.70 it had before the data starts: that is not a debt the victim's money pays.
    ledger = ledger_of([("M", "A", 70, 1), ("V", "M", 50, 2), ("M", "B", 30, 3)])
    result = trace_funds(ledger, seeds(ledger, "t1"), method="fifo")
    assert by_account(result)["B"] == (30, 0, 0, 30)
    # With ¥1 of its own received first, FIFO spends that before the victim's money.
    ledger = ledger_of([("X", "M", 100, 1), ("V", "M", 50, 2), ("M", "B", 30, 3)])
    result = trace_funds(ledger, seeds(ledger, "t1"), method="fifo")
    assert "B" not in by_account(result)
    assert by_account(result)["M"] == (50, 0, 0, 50)


def test_hop_horizon_stops_following_and_reports_where_money_went() -> None:
    chain = [("V", "A", 100, 1), ("A", "B", 100, 2), ("B", "C", 100, 3), ("C", "D", 100, 4)]
    ledger = ledger_of(chain)
    result = trace_funds(ledger, seeds(ledger, "t0"), max_hops=2)
    assert [a.account for a in result.accounts] == ["V", "A", "B"]
    assert [(b.account, b.amount) for b in result.beyond_horizon] == [("C", 100)]
    assert result.seeded == result.held + result.cashed_out + result.beyond == 100


def test_now_leaves_later_transfers_out() -> None:
    ledger = ledger_of([("V", "M", 500, 1), ("M", "card", 500, 5)], external=("card",))
    early = trace_funds(ledger, seeds(ledger, "t0"), now_us=3)
    assert by_account(early)["M"] == (500, 0, 0, 500)  # a freeze at time 3 saves it all
    late = trace_funds(ledger, seeds(ledger, "t0"))
    assert by_account(late)["M"] == (500, 0, 500, 0)


def test_back_from_a_cash_out_finds_the_victims() -> None:
    ledger = ledger_of(
        [
            ("V1", "M", 300, 1),
            ("V2", "M", 200, 2),
            ("X", "N", 900, 3),  # N's own money
            ("M", "N", 450, 4),
            ("N", "card", 400, 5),
        ],
        external=("card",),
    )
    result = trace_funds(ledger, ledger.transfer_positions(["t4"]), direction="back")
    origins = {a.account: a.held for a in result.accounts if a.held}
    # Read back: the ¥4 came from the ¥4.50 just before it (8/9 of it traced), and that
    # ¥4.50 from M's latest money first: V2's ¥2, then ¥2.50 of V1's, 8/9 of each traced.
    assert origins == {"V1": 223, "V2": 177}
    assert result.seeded == 400 and result.held == 400
    assert [t.target for t in result.transfers] == ["N", "M", "V2", "V1"]


def test_refuses_what_it_cannot_trace() -> None:
    ledger = ledger_of(EXAMPLE)
    with pytest.raises(ValueError, match="no seed"):
        trace_funds(ledger, [])
    with pytest.raises(ValueError, match="unknown method"):
        trace_funds(ledger, [1], method="average")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_hops"):
        trace_funds(ledger, [1], max_hops=0)
    with pytest.raises(ValueError, match="after now"):
        trace_funds(ledger, [3], now_us=2)
    mixed = build_ledger(["a", "b"], ["w", "w"], [False, False], [0, 0], [1, 1], [5, 5],
                         [1, 2], ["CNY", "USD"], ["x", "y"])  # fmt: skip
    with pytest.raises(ValueError, match="several currencies"):
        trace_funds(mixed, [0, 1])


# -- properties on generated ledgers --------------------------------------------------------
@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[Transfer], tuple[str, ...]]:
    """Random transfers among a few accounts; account "s" only ever pays (never receives).

    Keeping the seeds' account a pure source makes every traced amount checkable: any
    money it sends was never traced money it received.
    """
    n = draw(st.integers(2, 6))
    names = ["s"] + [f"a{i}" for i in range(1, n)]
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(1, n - 1),
                st.integers(0, 1_000),
                st.integers(0, 30),
            ),
            min_size=1,
            max_size=30,
        )
    )
    rows = [r for r in rows if r[0] != r[1]] or [(0, 1, 100, 0)]
    external = tuple(draw(st.sets(st.sampled_from(names[1:]), max_size=2)))
    return [(names[a], names[b], amount, t) for a, b, amount, t in rows], external


def check_conserved(result: TraceResult) -> None:
    for a in result.accounts:
        assert min(a.seeded, a.received, a.passed_on, a.withdrawn, a.held) >= 0, a
        assert a.seeded + a.received == a.passed_on + a.withdrawn + a.held, a
    assert result.seeded == result.held + result.cashed_out + result.beyond
    carried: dict[str, int] = defaultdict(int)
    for t in result.transfers:
        carried[t.kind] += t.amount
    assert carried["transfer"] == sum(a.received for a in result.accounts)
    assert carried["cash_out"] == sum(a.withdrawn for a in result.accounts) == result.cashed_out
    assert carried["beyond_horizon"] == result.beyond


def check_time_respecting(result: TraceResult, ledger: Ledger) -> None:
    """Walking the traced transfers in order, nobody passes on more than has reached them."""
    available: dict[str, int] = defaultdict(int)
    times = [t.at_us for t in result.transfers]
    assert times == sorted(times, reverse=result.direction == "back")
    amount_of = dict(zip(ledger.transfer_ids.to_pylist(), ledger.amount.tolist(), strict=True))
    for t in result.transfers:
        assert 0 < t.amount <= amount_of[t.transfer_id]
        if t.seed:
            assert t.amount == amount_of[t.transfer_id]
        else:
            assert t.amount <= available[t.source], t
            available[t.source] -= t.amount
        if t.kind == "transfer":
            available[t.target] += t.amount


@given(
    graph=graphs(),
    method=st.sampled_from(METHODS),
    direction=st.sampled_from(["forward", "back"]),
    hops=st.integers(1, 8),
    data=st.data(),
)
@settings(max_examples=300, deadline=None)
def test_tracing_conserves_money_and_respects_time(
    graph: tuple[list[Transfer], tuple[str, ...]],
    method: Method,
    direction: Direction,
    hops: int,
    data: st.DataObject,
) -> None:
    transfers, external = graph
    if direction == "back":  # read back, "s" must only ever be paid: flip every transfer
        transfers = [(b, a, amount, t) for a, b, amount, t in transfers]
        external = ()
    ledger = ledger_of(transfers, external)
    side = ledger.dst if direction == "back" else ledger.src
    (code,) = ledger.account_codes("s") or [-1]
    own = [k for k in range(ledger.n_transfers) if side[k] == code]
    if not own:
        return
    chosen = data.draw(st.lists(st.sampled_from(own), min_size=1, unique=True))
    result = trace_funds(ledger, chosen, method=method, direction=direction, max_hops=hops)
    check_conserved(result)
    check_time_respecting(result, ledger)
    assert result.seeded == sum(int(ledger.amount[k]) for k in chosen)
    assert {t.transfer_id for t in result.transfers if t.seed} == {
        ledger.transfer_ids[k].as_py() for k in chosen if ledger.amount[k] > 0
    }


@st.composite
def unmixed(draw: st.DrawFn) -> tuple[list[Transfer], dict[str, int]]:
    """One payment, then only that money moving on: nobody holds any other money.

    Returns the transfers and what each account holds at the end.
    """
    n = draw(st.integers(2, 6))
    names = [f"m{i}" for i in range(n)] + ["card"]
    first = draw(st.integers(1, 10_000))
    balance = dict.fromkeys(names, 0)
    balance[names[0]] = first
    rows: list[Transfer] = [("victim", names[0], first, 0)]
    for t in range(1, draw(st.integers(0, 25)) + 1):
        holders = [x for x in names[:-1] if balance[x] > 0]
        if not holders:  # all of it cashed out
            break
        payer = draw(st.sampled_from(holders))
        payee = draw(st.sampled_from([x for x in names if x != payer]))
        amount = draw(st.integers(1, balance[payer]))
        balance[payer] -= amount
        balance[payee] += amount
        rows.append((payer, payee, amount, t))
    return rows, balance


@given(case=unmixed())
@settings(max_examples=200, deadline=None)
def test_without_mixing_every_method_agrees_and_finds_every_balance(
    case: tuple[list[Transfer], dict[str, int]],
) -> None:
    transfers, balance = case
    ledger = ledger_of(transfers, external=("card",))
    results = [trace_funds(ledger, [0], method=m, max_hops=64) for m in METHODS]
    for other in results[1:]:
        assert other.accounts == results[0].accounts
        assert other.transfers == results[0].transfers
        assert other.cash_outs == results[0].cash_outs
    held = {a.account: a.held for a in results[0].accounts if a.held}
    cashed = {c.account: c.amount for c in results[0].cash_outs}
    assert held | cashed == {acc: amount for acc, amount in balance.items() if amount}


def test_same_input_same_trace() -> None:
    ledger = ledger_of(EXAMPLE)
    assert trace_funds(ledger, [1], method="proportional") == trace_funds(
        ledger, [1], method="proportional"
    )


def test_two_victims_mixed_in_one_mule_are_told_apart_by_their_amounts() -> None:
    # The xlarge world's one victim LIFO left under 95 %, in small: V1's ¥20 reaches mule
    # M, V2's ¥5 ten minutes later, then M forwards V1's ¥20 whole to A and V2's ¥5 to B.
    # LIFO pays the ¥20 with V2's ¥5 first, since arrival order cannot tell the lots
    # apart; amount matching reads the ¥20 out as the ¥20 that came in.
    ledger = ledger_of(
        [("V1", "M", 2000, 1), ("V2", "M", 500, 2), ("M", "A", 2000, 3), ("M", "B", 500, 4)]
    )
    v1, v2 = trace_funds(ledger, seeds(ledger, "t0")), trace_funds(ledger, seeds(ledger, "t1"))
    assert v1.ends() == {"A": 2000} and v2.ends() == {"B": 500}
    lifo = [trace_funds(ledger, seeds(ledger, t), method="lifo") for t in ("t0", "t1")]
    assert lifo[0].ends() == {"A": 1500, "B": 500} and lifo[1].ends() == {"A": 500}
    both = trace_funds(ledger, seeds(ledger, "t0", "t1"), method="lifo")
    assert both.ends() == {"A": 2000, "B": 500}  # together, every fen is where it went
