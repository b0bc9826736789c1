"""Fan-in and fan-out: many one-off counterparties into or out of one account.

Judged per sliding window (``window``, stepped by half of it) against two baselines:
the population (the account's busiest window must pass the robust fence of every
account's busiest window) and the account itself (at least twice its own typical
window since it was first seen), so a shop's steady stream of customers or a
landlord's monthly tenants do not look like a collection account's burst.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fraudlink.detect.durations import parse_duration
from fraudlink.detect.explain import count_of
from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.flow_legs import legs, regular_pairs
from fraudlink.detect.ledger.operators.population import robust_fence, strength
from fraudlink.detect.ledger.run import Known, operator
from fraudlink.detect.rules.ledger_schema import FanLedgerSpec

# The busiest window must be this many times what the account's own pace gives.
_OWN_MULTIPLE = 2.0
_DAY_US = 86_400 * 1_000_000


def window_counts(ledger: Ledger, spec: FanLedgerSpec) -> list[tuple[Any, ...]]:
    """Per account: its busiest window (start bucket, distinct one-off counterparties,
    amount), and every window's start and count, and how many windows it spans."""
    window = parse_duration(spec.window)
    half = max(window // 2, 1)
    regular = regular_pairs(ledger, half, spec.regular_after)
    rows: list[tuple[Any, ...]] = ledger.rows(
        f"""
        WITH leg AS (
            SELECT l.account, l.counterparty, l.amount, l.ts_us,
                   (l.ts_us - $start) // $half AS bucket
            FROM {legs(ledger)} l
            ANTI JOIN {regular} r USING (account, counterparty)
            WHERE l.direction = $direction AND l.account <> l.counterparty
        ),
        win AS (  -- window k holds buckets k and k + 1
            SELECT account, bucket - shift AS k, counterparty, amount
            FROM leg, (SELECT unnest([0, 1]) AS shift)
        ),
        per AS (
            SELECT account, k, count(DISTINCT counterparty) AS n, sum(amount) AS total
            FROM win GROUP BY account, k
        ),
        daily AS (  -- one-off counterparties per day, for the account's own pace
            SELECT account, (ts_us - $start) // $day AS d, count(DISTINCT counterparty) AS n
            FROM leg GROUP BY account, d
        ),
        own AS (
            SELECT account, list(d ORDER BY d) AS days, list(n ORDER BY d) AS counts
            FROM daily GROUP BY account
        ),
        best AS (
            SELECT account, arg_max(k, n * 1e9 - k) AS k, max(n) AS n
            FROM per GROUP BY account
        )
        SELECT b.account, b.k, b.n, p.total, o.days, o.counts
        FROM best b JOIN per p USING (account, k) JOIN own o USING (account)
        ORDER BY b.account
        """,
        {"start": ledger.start_us, "half": half, "day": _DAY_US, "direction": spec.direction},
    )
    return rows


def own_pace(days: list[int], counts: list[int], peak_from: int, peak_to: int) -> float:
    """The account's median one-off counterparties per day outside its peak window,
    over every day from its first to its last (quiet days count as 0): 0 for an
    account whose whole life is the peak. A shop's steady customers give a high
    pace; a collection account's burst stands out from a pace of nearly nothing."""
    outside = [n for d, n in zip(days, counts, strict=True) if not peak_from <= d < peak_to]
    span = sum(1 for d in range(min(days), max(days) + 1) if not peak_from <= d < peak_to)
    if span == 0:
        return 0.0
    padded = sorted(outside + [0] * (span - len(outside)))
    return float(padded[len(padded) // 2])


@operator("fan")
def fan(ledger: Ledger, spec: FanLedgerSpec, known: Known) -> Iterator[Finding]:
    window = parse_duration(spec.window)
    half = max(window // 2, 1)
    rows = window_counts(ledger, spec)
    # Everyone with money in that direction sets the fence, those with only regular
    # counterparties at zero.
    (everyone,) = ledger.rows(
        f"SELECT count(DISTINCT account) FROM {legs(ledger)} WHERE direction = $d",
        {"d": spec.direction},
    )[0]
    counts = [float(r[2]) for r in rows] + [0.0] * max(int(everyone) - len(rows), 0)
    fence = robust_fence(counts, spec.z, spec.min_counterparties - 1)
    noun = "one-off payer" if spec.direction == "in" else "one-off payee"
    per_day = window / _DAY_US
    for account, k, count, total, days, per_day_counts in rows:
        n = int(count)
        start = ledger.start_us + int(k) * half
        first_day = (start - ledger.start_us) // _DAY_US
        pace = own_pace(list(days), list(per_day_counts), first_day, first_day + round(per_day))
        own = pace * per_day
        if n <= fence or n < _OWN_MULTIPLE * own:
            continue
        end = start + window
        ids = ledger.rows(
            f"SELECT event_id FROM {legs(ledger)} WHERE account = $a AND direction = $d "
            "AND ts_us >= $s AND ts_us < $e ORDER BY ts_us",
            {"a": account, "d": spec.direction, "s": start, "e": end},
        )
        verb = "received" if spec.direction == "in" else "sent"
        yield Finding(
            account=str(account),
            ts_us=end,
            window_start_us=start,
            reason=(
                f"{verb} {ledger.money(float(total))} "
                f"{'from' if spec.direction == 'in' else 'to'} {count_of(n, noun)} "
                f"between {ledger.time(start)} and "
                f"{ledger.time(end)}: past the population's fence of {fence:.1f} per "
                f"{spec.window} and twice the {own:.0f} this account's own pace gives"
            ),
            metrics={
                "counterparties": n,
                "amount": float(total),
                "population_fence": round(fence, 2),
                "own_pace_per_day": pace,
            },
            event_ids=tuple(str(r[0]) for r in ids),
            strength=strength(n, fence),
        )
