"""Counterparty explosion against the account's own history: a window with far more
new counterparties (never dealt with before) than the account's past windows had.

Judged only where the account has ``history`` of past to compare with; its mean and
standard deviation of new counterparties per window over that history set the bar
(``z`` deviations above, at least ``min_new``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from fraudlink.detect.durations import parse_duration
from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.flow_legs import legs
from fraudlink.detect.ledger.operators.population import strength
from fraudlink.detect.ledger.run import Known, operator
from fraudlink.detect.rules.ledger_schema import CounterpartyExplosionSpec


@operator("counterparty_explosion")
def counterparty_explosion(
    ledger: Ledger, spec: CounterpartyExplosionSpec, known: Known
) -> Iterator[Finding]:
    window = parse_duration(spec.window)
    history = parse_duration(spec.history)
    past = max(history // window, 1)
    rows = ledger.rows(
        f"""
        WITH firsts AS (
            SELECT account, counterparty, min(ts_us) AS ts_us, arg_min(event_id, ts_us) AS eid
            FROM {legs(ledger)} WHERE account <> counterparty GROUP BY account, counterparty
        ),
        born AS (SELECT account, min(ts_us) AS born FROM {legs(ledger)} GROUP BY account),
        per AS (
            SELECT f.account, (f.ts_us - b.born) // $window AS k, count(*) AS n,
                   list(f.eid ORDER BY f.ts_us) AS ids, list(f.counterparty) AS who
            FROM firsts f JOIN born b USING (account) GROUP BY ALL
        )
        SELECT p.account, p.k, p.n, p.ids, p.who, b.born,
               (SELECT list(q.n) FROM per q WHERE q.account = p.account
                AND q.k < p.k AND q.k >= p.k - $past) AS before
        FROM per p JOIN born b USING (account)
        WHERE p.k >= $past AND p.n >= $min
        ORDER BY p.account, p.k
        """,
        {"window": window, "past": past, "min": spec.min_new},
    )
    for account, k, n, ids, who, born, before in rows:
        counts = [float(x) for x in before or []] + [0.0] * (past - len(before or []))
        mean = sum(counts) / past
        sd = math.sqrt(sum((c - mean) ** 2 for c in counts) / past)
        # Never tighter than a Poisson count at the account's own mean.
        bar = mean + spec.z * max(sd, math.sqrt(mean), 1.0)
        if n <= bar:
            continue
        start = int(born) + int(k) * window
        yield Finding(
            account=str(account),
            ts_us=start + window,
            window_start_us=start,
            reason=(
                f"{_new(int(n))} "
                f"within {spec.window} from {ledger.time(start)}, against "
                f"{mean:.1f} ± {sd:.1f} per {spec.window} over its previous {spec.history}"
            ),
            metrics={
                "new_counterparties": int(n),
                "own_mean": round(mean, 2),
                "own_sd": round(sd, 2),
            },
            event_ids=tuple(str(i) for i in ids),
            strength=strength(float(n), bar),
            linked=tuple(sorted(str(w) for w in who))[:20],
        )


def _new(n: int) -> str:
    return f"{n:,} new counterpart{'y' if n == 1 else 'ies'}"
