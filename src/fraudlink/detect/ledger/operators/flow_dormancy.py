"""Dormant then burst: an account silent for long (longer than ``quiet`` and than its
own usual gaps) that wakes with far more transfers than its own rate would give.

Someone back from a long trip resumes at their usual pace and is not found; an
account woken to launder moves money at many times its old rate. The burst is
judged as a count of events against a Poisson rate: more than ``z`` deviations
above what the account's own past rate gives for a ``burst``-long stretch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from fraudlink.detect.durations import parse_duration
from fraudlink.detect.explain import count_of
from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.flow_legs import legs
from fraudlink.detect.ledger.operators.population import robust_fence, strength
from fraudlink.detect.ledger.run import Known, operator
from fraudlink.detect.rules.ledger_schema import DormantBurstSpec

_DAY_US = 86_400 * 1_000_000


@operator("dormant_burst")
def dormant_burst(ledger: Ledger, spec: DormantBurstSpec, known: Known) -> Iterator[Finding]:
    quiet = parse_duration(spec.quiet)
    burst = parse_duration(spec.burst)
    rows = ledger.rows(
        f"""
        WITH g AS (
            SELECT account, event_id, ts_us, amount,
                   ts_us - lag(ts_us) OVER (PARTITION BY account ORDER BY ts_us) AS gap,
                   row_number() OVER (PARTITION BY account ORDER BY ts_us) AS seq
            FROM {legs(ledger)}
        ),
        wake AS (SELECT * FROM g WHERE gap >= $quiet),
        hist AS (SELECT account, list(gap) FILTER (WHERE gap IS NOT NULL) AS gaps FROM g
                 GROUP BY account)
        SELECT w.account, w.ts_us, w.gap, w.seq,
               (SELECT min(ts_us) FROM g f WHERE f.account = w.account) AS first,
               count(b.event_id) AS n, sum(b.amount) AS total,
               list(b.event_id ORDER BY b.ts_us) AS ids, max(b.ts_us) AS last, h.gaps
        FROM wake w
        JOIN g b ON b.account = w.account AND b.ts_us >= w.ts_us AND b.ts_us < w.ts_us + $burst
        JOIN hist h ON h.account = w.account
        GROUP BY w.account, w.ts_us, w.gap, w.seq, h.gaps
        HAVING count(b.event_id) >= $min
        ORDER BY w.account, w.ts_us
        """,
        {"quiet": quiet, "burst": burst, "min": spec.min_transfers},
    )
    for account, woke, gap, seq, first, n, total, ids, last, gaps in rows:
        before = int(seq) - 1  # transfers before the silence
        if before < 1:
            continue
        # Its own usual gaps, the silence and the burst left out.
        usual = [float(x) for x in gaps if x is not None and x < gap]
        if gap <= robust_fence(usual, spec.z):
            continue
        active = max(int(woke) - int(gap) - int(first), _DAY_US)
        expected = before / active * burst
        needed = expected + spec.z * math.sqrt(max(expected, 1.0))
        if n <= needed:
            continue
        yield Finding(
            account=str(account),
            ts_us=int(last),
            window_start_us=int(woke),
            reason=(
                f"silent for {int(gap) / _DAY_US:.0f} days, then "
                f"{count_of(int(n), 'transfer')} of {ledger.money(int(total))} within "
                f"{spec.burst} from {ledger.time(int(woke))}; its own rate before gives "
                f"{expected:.1f} in that time"
            ),
            metrics={
                "silent_days": round(int(gap) / _DAY_US, 1),
                "burst_transfers": int(n),
                "expected": round(expected, 2),
                "amount": int(total),
            },
            event_ids=tuple(str(i) for i in ids),
            strength=strength(float(n), needed),
        )
