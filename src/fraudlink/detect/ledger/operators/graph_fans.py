"""Scatter-gather and gather-scatter: money split over many accounts and rejoined,
or pooled from many and spread again.

*scatter_gather*: a source pays at least ``min_middle`` intermediaries, each of
whom passes at least ``min_retained`` of what it got on to one common sink, later
and within ``within`` of the first payment. Every account of the shape is alerted.

*gather_scatter*: a hub receives from at least ``min_middle`` payers and, within
``within`` of the first of those inflows, pays at least ``min_middle`` payees at
least ``min_retained`` of what came in, and the fan (the fewer of its payers and
payees in that window) stands beyond the robust fence (``z``) of every account's
widest such window: in a ledger where everyone pays many people, three in and
three out is ordinary. Only the hub is alerted: its payers may be the victims.

Look-alikes are ordinary because they repeat: a payroll pays the same employees
every month, tenants pay the same landlord. Pairs paid in ``regular_after`` or more
distinct periods of ``within`` are left out of both shapes, and an employee's rent
is far less than ``min_retained`` of the pay anyway. A landlord who spends
normally pays few people little, so no gather-scatter either.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator

import numpy as np

from fraudlink.detect.durations import human_duration, parse_duration
from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.graph_edges import (
    Edges,
    load_edges,
    regular_mask,
    regular_pairs,
)
from fraudlink.detect.ledger.operators.population import robust_fence, strength
from fraudlink.detect.ledger.run import Known, operator
from fraudlink.detect.rules.ledger_schema import ScatterGatherSpec

_MAX_LINKED = 30
# Onward payments of an intermediary looked at per inflow: a mule pays on at once; an
# exchange with thousands of payouts a week is no intermediary of a fan.
_MAX_ONWARD = 50


def _by_account(edges: Edges, keep: np.ndarray, side: np.ndarray) -> dict[int, list[int]]:
    """Transfer indices per account on ``side`` (src or dst), in time order."""
    out: dict[int, list[int]] = {}
    for k in np.flatnonzero(keep).tolist():
        out.setdefault(int(side[k]), []).append(k)
    return out


@operator("scatter_gather")
def scatter_gather(ledger: Ledger, spec: ScatterGatherSpec, known: Known) -> Iterator[Finding]:
    edges = load_edges(ledger)
    within = parse_duration(spec.within)
    keep = ~regular_mask(edges, regular_pairs(edges, within, spec.regular_after))
    incoming = _by_account(edges, keep, edges.dst)
    outgoing = _by_account(edges, keep, edges.src)
    if spec.shape == "scatter_gather":
        yield from _scatter_gather(ledger, edges, spec, within, incoming, outgoing)
    else:
        yield from _gather_scatter(ledger, edges, spec, within, incoming, outgoing)


def _scatter_gather(
    ledger: Ledger,
    edges: Edges,
    spec: ScatterGatherSpec,
    within: int,
    incoming: dict[int, list[int]],
    outgoing: dict[int, list[int]],
) -> Iterator[Finding]:
    ts, amount, src, dst = edges.ts, edges.amount, edges.src, edges.dst
    # (source, sink) → [(first hop, second hop)] through one middle each.
    legs: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for middle, ins in incoming.items():
        outs = outgoing.get(middle)
        if not outs:
            continue
        out_ts = [int(ts[k]) for k in outs]
        for k1 in ins:
            lo = bisect_right(out_ts, int(ts[k1]))
            hi = min(bisect_right(out_ts, int(ts[k1]) + within), lo + _MAX_ONWARD)
            for k2 in outs[lo:hi]:
                if dst[k2] != src[k1] and amount[k2] >= spec.min_retained * amount[k1]:
                    legs.setdefault((int(src[k1]), int(dst[k2])), []).append((k1, k2))
    for (source, sink), pairs in sorted(legs.items()):
        best = _best_scatter(pairs, edges, within)
        if len({int(dst[k1]) for k1, _ in best}) >= spec.min_middle:
            yield from _scatter_findings(ledger, edges, spec, source, sink, best)


def _best_scatter(pairs: list[tuple[int, int]], edges: Edges, within: int) -> list[tuple[int, int]]:
    """The legs, starting at one first hop, that all finish within ``within`` of it:
    the start with the most distinct middles."""
    pairs = sorted(pairs, key=lambda p: (int(edges.ts[p[0]]), p))
    best: list[tuple[int, int]] = []
    best_n = 0
    for i, (k1, _) in enumerate(pairs):
        end = int(edges.ts[k1]) + within
        chosen: dict[int, tuple[int, int]] = {}
        for a, b in pairs[i:]:
            if int(edges.ts[b]) <= end:
                chosen.setdefault(int(edges.dst[a]), (a, b))
        if len(chosen) > best_n:
            best, best_n = list(chosen.values()), len(chosen)
    return best


def _scatter_findings(
    ledger: Ledger,
    edges: Edges,
    spec: ScatterGatherSpec,
    source: int,
    sink: int,
    legs: list[tuple[int, int]],
) -> Iterator[Finding]:
    names = edges.names
    middles = [int(edges.dst[k1]) for k1, _ in legs]
    sent = float(sum(edges.amount[k1] for k1, _ in legs))
    gathered = float(sum(edges.amount[k2] for _, k2 in legs))
    start = min(int(edges.ts[k1]) for k1, _ in legs)
    end = max(int(edges.ts[k2]) for _, k2 in legs)
    listed = ", ".join(names[m] for m in middles[:10]) + (" …" if len(middles) > 10 else "")
    reason = (
        f"{names[source]} paid {ledger.money(sent)} to {len(middles)} accounts ({listed}) "
        f"from {ledger.time(start)}; they passed {ledger.money(gathered)} on to "
        f"{names[sink]} within {human_duration(end - start)}"
    )
    metrics: dict[str, int | float | str | None] = {
        "middles": len(middles),
        "scattered": ledger.money(sent),
        "gathered": ledger.money(gathered),
        "retained_share": round(gathered / sent, 3) if sent else None,
    }
    power = strength(float(len(middles)), float(spec.min_middle))
    event_ids = tuple(edges.event_ids[k] for leg in legs for k in leg)
    members = [source, *middles, sink]
    for node in members:
        role = "source" if node == source else "sink" if node == sink else "intermediary"
        yield Finding(
            account=names[node],
            ts_us=end,
            window_start_us=start,
            reason=f"{role} of a scatter-gather: {reason}",
            metrics={**metrics, "role": role},
            event_ids=event_ids,
            strength=power,
            linked=tuple(names[m] for m in members if m != node)[:_MAX_LINKED],
        )


def _gather_scatter(
    ledger: Ledger,
    edges: Edges,
    spec: ScatterGatherSpec,
    within: int,
    incoming: dict[int, list[int]],
    outgoing: dict[int, list[int]],
) -> Iterator[Finding]:
    ts, amount, src, dst = edges.ts, edges.amount, edges.src, edges.dst
    widest = dict.fromkeys(range(len(edges.names)), 0)
    candidates: dict[int, tuple[int, int, int]] = {}
    for hub in sorted(incoming):
        ins, outs = incoming[hub], outgoing.get(hub, [])
        if not outs:
            continue
        out_ts = [int(ts[k]) for k in outs]
        best: tuple[int, int, int] | None = None  # (score, start index, end time)
        # Two sliding windows, in and out, each moved forward once: linear in transfers.
        payers: Counter[int] = Counter()
        payees: Counter[int] = Counter()
        money_in = money_out = 0.0
        j = lo = hi = 0
        for i, k in enumerate(ins):
            end = int(ts[k]) + within
            while j < len(ins) and int(ts[ins[j]]) <= end:
                payers[int(src[ins[j]])] += 1
                money_in += float(amount[ins[j]])
                j += 1
            while hi < len(outs) and out_ts[hi] <= end:
                payees[int(dst[outs[hi]])] += 1
                money_out += float(amount[outs[hi]])
                hi += 1
            while lo < hi and out_ts[lo] <= int(ts[k]):
                _drop(payees, int(dst[outs[lo]]))
                money_out -= float(amount[outs[lo]])
                lo += 1
            fan = min(len(payers), len(payees))
            widest[hub] = max(widest[hub], fan)
            passed = money_out >= spec.min_retained * money_in
            if fan >= spec.min_middle and passed and (best is None or fan > best[0]):
                best = (fan, i, end)
            _drop(payers, int(src[k]))
            money_in -= float(amount[k])
        if best is not None:
            candidates[hub] = best
    # How wide an account's widest in-and-out window is, against every account's.
    fence = robust_fence(list(widest.values()), spec.z, floor=spec.min_middle - 0.5)
    for hub, best in sorted(candidates.items()):
        if best[0] > fence:
            ins, outs = incoming[hub], outgoing[hub]
            out_ts = [int(ts[k]) for k in outs]
            yield _gather_finding(ledger, edges, hub, ins, outs, out_ts, best, fence)


def _drop(counts: Counter[int], key: int) -> None:
    counts[key] -= 1
    if counts[key] == 0:
        del counts[key]


def _gather_finding(
    ledger: Ledger,
    edges: Edges,
    hub: int,
    ins: list[int],
    outs: list[int],
    out_ts: list[int],
    best: tuple[int, int, int],
    fence: float,
) -> Finding:
    names = edges.names
    fan, i, end = best
    start = int(edges.ts[ins[i]])
    window_ins = [k for k in ins[i:] if int(edges.ts[k]) <= end]
    window_outs = outs[bisect_left(out_ts, start + 1) : bisect_right(out_ts, end)]
    payers = sorted({int(edges.src[k]) for k in window_ins})
    payees = sorted({int(edges.dst[k]) for k in window_outs})
    money_in = float(sum(edges.amount[k] for k in window_ins))
    money_out = float(sum(edges.amount[k] for k in window_outs))
    last = max(int(edges.ts[k]) for k in [*window_ins, *window_outs])
    reason = (
        f"gathered {ledger.money(money_in)} from {len(payers)} payers and paid "
        f"{ledger.money(money_out)} on to {len(payees)} payees "
        f"({round(100 * money_out / money_in)} %) within {human_duration(last - start)} "
        f"from {ledger.time(start)}"
    )
    return Finding(
        account=names[hub],
        ts_us=last,
        window_start_us=start,
        reason=reason,
        metrics={
            "payers": len(payers),
            "payees": len(payees),
            "gathered": ledger.money(money_in),
            "scattered": ledger.money(money_out),
            "passed_share": round(money_out / money_in, 3) if money_in else None,
            "fence": round(fence, 2),
        },
        event_ids=tuple(edges.event_ids[k] for k in [*window_ins, *window_outs]),
        strength=strength(float(fan), fence),
        linked=tuple(names[n] for n in [*payers, *payees] if n != hub)[:_MAX_LINKED],
    )
