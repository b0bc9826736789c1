"""Structuring: repeated amounts just under a reporting threshold.

The one rule with an amount in it, because the amount is set by law, not by the data:
each currency's threshold (``StructuringSpec.thresholds``, minor units). A ledger in
a currency without one is not judged by this rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from fraudlink.detect.durations import parse_duration
from fraudlink.detect.explain import count_of
from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.flow_legs import legs
from fraudlink.detect.ledger.operators.population import strength
from fraudlink.detect.ledger.run import Known, operator
from fraudlink.detect.rules.ledger_schema import StructuringSpec


@operator("structuring")
def structuring(ledger: Ledger, spec: StructuringSpec, known: Known) -> Iterator[Finding]:
    threshold = spec.thresholds.get(ledger.currency)
    if threshold is None:
        return
    low = int(threshold * (1 - spec.band))
    window = parse_duration(spec.window)
    rows = ledger.rows(
        f"""
        WITH near AS (
            SELECT account, event_id, ts_us, amount FROM {legs(ledger)}
            WHERE amount >= $low AND amount < $high
        ),
        counted AS (
            SELECT *, count(*) OVER w AS n, sum(amount) OVER w AS total,
                   list(event_id) OVER w AS ids, max(ts_us) OVER w AS last
            FROM near
            WINDOW w AS (PARTITION BY account ORDER BY ts_us
                         RANGE BETWEEN CURRENT ROW AND $window FOLLOWING)
        )
        SELECT account, arg_max(ts_us, n * 1e9 - ts_us), max(n),
               arg_max(total, n * 1e9 - ts_us), arg_max(ids, n * 1e9 - ts_us),
               arg_max(last, n * 1e9 - ts_us)
        FROM counted GROUP BY account HAVING max(n) >= $min ORDER BY account
        """,
        {"low": low, "high": threshold, "window": window, "min": spec.min_count},
    )
    for account, start, n, total, ids, last in rows:
        yield Finding(
            account=str(account),
            ts_us=int(last),
            window_start_us=int(start),
            reason=(
                f"{count_of(int(n), 'transfer')} of {ledger.money(int(total))} in "
                f"{ledger.money(low)}–{ledger.money(threshold - 1)} within {spec.window}, "
                f"just under the {ledger.money(threshold)} reporting threshold"
            ),
            metrics={"transfers": int(n), "amount": int(total), "threshold": threshold},
            event_ids=tuple(sorted(str(i) for i in ids)),
            strength=strength(int(n), spec.min_count - 0.5),
        )
