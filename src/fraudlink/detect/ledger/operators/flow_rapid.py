"""Rapid in-out on a new account: a fresh account that receives money and sends it
straight on, the life of a rented or freshly opened mule account.

*New* means opened at most ``new_within`` before the money arrives. Without a
registration in the data an account's age is only known when the data saw at least
``new_within`` without it first: an account first seen in a ledger's first month has
no known age (in a 30-day ledger, nearly every account) and is left to the other rules.
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
from fraudlink.detect.rules.ledger_schema import RapidInOutSpec

_DAY_US = 86_400 * 1_000_000


@operator("rapid_in_out")
def rapid_in_out(ledger: Ledger, spec: RapidInOutSpec, known: Known) -> Iterator[Finding]:
    young = parse_duration(spec.new_within)
    within = parse_duration(spec.within)
    table = legs(ledger)
    rows = ledger.rows(
        f"""
        WITH born AS (
            SELECT account, coalesce(o.ts_us, f.first) AS born, o.ts_us IS NOT NULL AS opened
            FROM (SELECT account, min(ts_us) AS first FROM {table} GROUP BY account) f
            LEFT JOIN opened o USING (account)
        ),
        i AS (
            SELECT l.* , b.born FROM {table} l JOIN born b USING (account)
            WHERE l.direction = 'in' AND l.ts_us <= b.born + $young
              AND (b.opened OR b.born > $start + $young)
        ),
        passed AS (
            SELECT i.account, i.event_id, i.ts_us, i.amount, i.born,
                   sum(o.amount) AS out, max(o.ts_us) AS last
            FROM i JOIN {table} o ON o.account = i.account AND o.direction = 'out' AND NOT o.spend
                 AND o.ts_us > i.ts_us AND o.ts_us <= i.ts_us + $within
                 AND o.counterparty <> i.counterparty
            GROUP BY ALL
        )
        SELECT account, min(born), count(*), sum(amount), list(event_id ORDER BY ts_us),
               max(last), min(ts_us)
        FROM passed WHERE out >= $share * amount
        GROUP BY account HAVING count(*) >= $min ORDER BY account
        """,
        {
            "young": young,
            "within": within,
            "start": ledger.start_us,
            "share": spec.min_share,
            "min": spec.min_transfers,
        },
    )
    for account, born, n, total, ids, last, first in rows:
        age = (int(first) - int(born)) / _DAY_US
        yield Finding(
            account=str(account),
            ts_us=int(last),
            window_start_us=int(first),
            reason=(
                f"new account ({age:.1f} days old at the first inflow) received "
                f"{count_of(int(n), 'inflow')} of {ledger.money(int(total))} and sent at "
                f"least {spec.min_share:.0%} of each on within {spec.within}"
            ),
            metrics={"inflows_passed": int(n), "amount_in": int(total), "age_days": round(age, 1)},
            event_ids=tuple(str(i) for i in ids),
            strength=strength(int(n), spec.min_transfers - 0.5),
        )
