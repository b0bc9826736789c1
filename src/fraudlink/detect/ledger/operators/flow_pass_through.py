"""Pass-through: money in and most of it out again, judged at every time scale.

An inflow is *passed on* within ``w`` when at least ``min_share`` of its amount
leaves the account within ``w`` to payees it does not deal with regularly (not its
sender, not the saver's own savings account, not a shop owner's daily sweep). At a
month nearly everyone passes their pay on; within an hour almost no one does. So
each scale has its own rate over the population (passed-on inflows per inflow), and
an account is found at the fastest scale where it passes on more of its inflows than
that rate gives, by ``z`` binomial deviations (a count alone would grow with a shop's
volume; a share alone would flag an account with three inflows).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from fraudlink.detect.durations import parse_duration
from fraudlink.detect.explain import count_of
from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.flow_legs import legs, regular_pairs
from fraudlink.detect.ledger.operators.population import robust_spread, strength
from fraudlink.detect.ledger.run import Known, operator
from fraudlink.detect.rules.ledger_schema import PassThroughLedgerSpec

_REGULAR_BUCKET_US = 15 * 86_400 * 1_000_000
_REGULAR_AFTER = 3
# A mule passes on a good part of what reaches it; a shop that pays a supplier soon
# after a few of its thousands of sales does not. The count alone would grow with
# volume: the share of an account's inflows passed on is judged instead.
_MIN_SHARE_OF_INFLOWS = 1 / 3


@operator("pass_through")
def pass_through(ledger: Ledger, spec: PassThroughLedgerSpec, known: Known) -> Iterator[Finding]:
    scales = sorted((parse_duration(w), str(w)) for w in spec.windows)
    longest = scales[-1][0]
    regular = regular_pairs(ledger, _REGULAR_BUCKET_US, _REGULAR_AFTER)
    table = legs(ledger)
    passed_cols = ",\n".join(
        f"sum(o.amount) FILTER (WHERE o.ts_us <= i.ts_us + {us}) AS out_{n},"
        f" sum(o.amount) FILTER (WHERE o.ts_us <= i.ts_us + {us} AND NOT o.regular)"
        f" AS odd_{n}, min(o.ts_us) FILTER (WHERE o.ts_us <= i.ts_us + {us}) AS first_{n}"
        for n, (us, _) in enumerate(scales)
    )
    per_inflow = ledger.rows(
        f"""
        WITH flagged AS (
            SELECT l.*, r.account IS NOT NULL AS regular
            FROM {table} l LEFT JOIN {regular} r USING (account, counterparty)
        ),
        i AS (SELECT * FROM flagged WHERE direction = 'in' AND account <> counterparty),
        o AS (
            SELECT * FROM flagged WHERE direction = 'out' AND account <> counterparty AND NOT spend
        )
        SELECT i.account, i.event_id, i.ts_us, i.amount, i.regular, {passed_cols}
        FROM i JOIN o ON o.account = i.account AND o.ts_us > i.ts_us
             AND o.ts_us <= i.ts_us + {longest} AND o.counterparty <> i.counterparty
        GROUP BY i.account, i.event_id, i.ts_us, i.amount, i.regular
        """
    )
    inflows = dict(
        ledger.rows(f"SELECT account, count(*) FROM {table} WHERE direction='in' GROUP BY ALL")
    )
    # account -> scale -> [(inflow event, ts, amount, passed on, first outflow)]
    passed: dict[str, dict[int, list[tuple[str, int, int, int, int]]]] = {}
    for row in per_inflow:
        account, event_id, ts, amount = row[:4]
        for n in range(len(scales)):
            out, odd, first = row[5 + 3 * n : 8 + 3 * n]
            # Money on to a regular payee (the saver's own savings, a shop's daily
            # sweep to its owner) is not passed through in this sense.
            if odd is None or odd < spec.min_share * amount:
                continue
            passed.setdefault(account, {}).setdefault(n, []).append(
                (str(event_id), int(ts), int(amount), int(out), int(first))
            )
    total_in = sum(inflows.values())
    if total_in == 0:
        return
    rates = [sum(len(s.get(n, [])) for s in passed.values()) / total_in for n in range(len(scales))]
    spreads = [
        robust_spread([len(passed.get(a, {}).get(n, [])) / k for a, k in inflows.items()])
        for n in range(len(scales))
    ]
    for account in sorted(passed):
        for n, (_, label) in enumerate(scales):
            hits = sorted(passed[account].get(n, []), key=lambda h: (h[1], h[0]))
            bar = binomial_bar(inflows[account], rates[n], spreads[n], spec.z)
            if len(hits) < spec.min_transfers or len(hits) <= bar:
                continue
            inflow = sum(h[2] for h in hits)
            holds = sorted(h[4] - h[1] for h in hits)
            median_hold = holds[len(holds) // 2]
            yield Finding(
                account=str(account),
                ts_us=max(h[4] for h in hits),
                window_start_us=min(h[1] for h in hits),
                reason=(
                    f"passed on {count_of(len(hits), 'inflow')} of {ledger.money(inflow)} "
                    f"(of its {inflows[account]:,}) within {label} each (at least "
                    f"{spec.min_share:.0%} out again to others; median hold "
                    f"{_hold(median_hold)}): the population's "
                    f"rate at that scale ({rates[n]:.1%} of inflows) gives "
                    f"{inflows[account] * rates[n]:.1f}"
                ),
                metrics={
                    "scale": label,
                    "inflows_passed": len(hits),
                    "amount_in": inflow,
                    "median_hold_s": median_hold // 1_000_000,
                    "inflows": inflows[account],
                    "population_rate": round(rates[n], 4),
                },
                event_ids=tuple(h[0] for h in hits),
                strength=strength(len(hits), bar),
            )
            break


def binomial_bar(inflows: int, rate: float, spread: float, z: float) -> float:
    """How many of its ``inflows`` an account may pass on at one scale before it stands
    out: what the population's rate gives plus ``z`` deviations, and at least a third
    of them. The deviation is the binomial one plus the accounts' own spread of shares
    (``spread``, over-dispersion): a busy shop is not judged as if each sale were a
    coin toss, and an account with three inflows not by a share of 2/3.

    >>> round(binomial_bar(4, 0.01, 0.0, 3.5), 2)
    1.33
    >>> binomial_bar(3, 0.2, 0.0, 3.5) > 3
    True
    """
    expected = inflows * rate
    deviation = math.sqrt(inflows * rate * (1 - rate)) + inflows * spread
    return max(inflows * _MIN_SHARE_OF_INFLOWS, expected + z * deviation)


def _hold(us: int) -> str:
    seconds = us // 1_000_000
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds} s"
