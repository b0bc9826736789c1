"""The fast trace equals a naive replay of the whole ledger, transfer by transfer.

:func:`trace_funds` only visits accounts holding traced money, queues only their outgoing
transfers and catches up what arrived in between as one sum. The reference below does
none of that: it walks every transfer and keeps every account's balance, so any shortcut
that changed an answer shows up as a difference. For amount matching it reads each
account's statement itself and hands it to the matching rules.
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.trace import METHODS, Direction, Method, trace_funds
from fraudlink.investigate.trace_holdings import Holding, MatchedLots, new_holding
from fraudlink.investigate.trace_matching import fund_departures
from tests.investigate.test_trace import Transfer, ledger_of

Totals = dict[str, list[int]]  # account → [hop, seeded, received, passed on, withdrawn, held]


def reference(
    ledger: Ledger, seeds: set[int], method: Method, back: bool, max_hops: int
) -> tuple[Totals, list[tuple[str, str, str, int]]]:
    payer, payee = (ledger.dst, ledger.src) if back else (ledger.src, ledger.dst)
    n = ledger.n_transfers
    balance: dict[int, int] = defaultdict(int)  # every account, floored at zero
    holdings: dict[int, Holding] = {}
    totals: dict[int, list[int]] = {}
    # Each account's statement, in ledger order, for amount matching: k → its place there.
    statements: dict[int, list[int]] = defaultdict(list)
    for k in range(n):
        statements[int(ledger.src[k])].append(k)
        statements[int(ledger.dst[k])].append(k)
    place = {(c, k): i for c, ks in statements.items() for i, k in enumerate(ks)}

    def start(code: int) -> Holding:
        if method != "match" or back:
            return new_holding("lifo" if method == "match" else method, balance[code])
        ks = statements[code]
        funding = fund_departures(
            [int(ledger.time_us[k]) for k in ks],
            [int(ledger.amount[k]) for k in ks],
            [int(ledger.src[k]) == code for k in ks],
        )
        return MatchedLots(funding)

    moved: list[tuple[str, str, str, int]] = []
    for k in range(n - 1, -1, -1) if back else range(n):
        a, b, amount = int(payer[k]), int(payee[k]), int(ledger.amount[k])
        traced = holdings[a].take(amount, place[a, k]) if a in holdings else 0
        if k in seeds:
            source = totals.setdefault(a, [0, 0, 0, 0, 0, 0])
            source[0] = 0
            source[1] += amount - traced
            traced = amount
        if traced and ledger.external[b]:
            totals[a][4] += traced
            moved.append(("cash_out", ledger.account(a), ledger.account(b), traced))
        elif traced:
            hop = totals[a][0] + 1
            if b not in holdings and b in totals:
                hop = min(hop, totals[b][0])
            if b not in holdings and hop > max_hops:
                totals[a][3] += traced
                moved.append(("beyond_horizon", ledger.account(a), ledger.account(b), traced))
            else:
                if b not in holdings:
                    holdings[b] = start(b)
                totals[a][3] += traced
                flow = totals.setdefault(b, [hop, 0, 0, 0, 0, 0])
                flow[0] = min(flow[0], hop)
                flow[2] += traced
                moved.append(("transfer", ledger.account(a), ledger.account(b), traced))
        if b in holdings:
            holdings[b].put(amount, traced, place[b, k])
        balance[a] = max(0, balance[a] - amount)
        balance[b] += amount
        if a in holdings and holdings[a].traced == 0:
            del holdings[a]
    for code, holding in holdings.items():
        totals[code][5] = holding.traced
    return {ledger.account(c): t for c, t in totals.items()}, moved


@given(
    rows=st.lists(
        st.tuples(st.integers(0, 5), st.integers(1, 5), st.integers(0, 500), st.integers(0, 40)),
        min_size=1,
        max_size=40,
    ),
    method=st.sampled_from(METHODS),
    direction=st.sampled_from(["forward", "back"]),
    hops=st.integers(1, 6),
    external=st.sets(st.integers(1, 5), max_size=2),
    data=st.data(),
)
@settings(max_examples=300, deadline=None)
def test_fast_trace_equals_a_full_replay(
    rows: list[tuple[int, int, int, int]],
    method: Method,
    direction: Direction,
    hops: int,
    external: set[int],
    data: st.DataObject,
) -> None:
    transfers: list[Transfer] = [(f"a{x}", f"a{y}", amount, t) for x, y, amount, t in rows]
    if direction == "back":
        transfers = [(y, x, amount, t) for x, y, amount, t in transfers]
        external = set()
    ledger = ledger_of(transfers, tuple(f"a{i}" for i in external))
    if ledger.n_transfers == 0:
        return
    chosen = data.draw(st.sets(st.integers(0, ledger.n_transfers - 1), min_size=1, max_size=3))
    result = trace_funds(ledger, chosen, method=method, direction=direction, max_hops=hops)
    totals, moved = reference(ledger, chosen, method, direction == "back", hops)
    got = {a.account: [a.hop, a.seeded, a.received, a.passed_on, a.withdrawn, a.held]
           for a in result.accounts}  # fmt: skip
    assert got == totals
    assert [(t.kind, t.source, t.target, t.amount) for t in result.transfers] == moved
