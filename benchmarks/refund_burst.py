"""The refund-burst rule two ways over one Parquet file: the engine, and one DuckDB SQL query.

Run as its own process by ``detect.py`` so that each way's peak RSS is its own; it
imports only what the chosen way needs. Prints the seconds spent (start-up and
imports excluded) and the accounts flagged, as JSON.

    python benchmarks/refund_burst.py engine|sql EVENTS.parquet
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

PACK = Path(__file__).resolve().parents[1] / "src/fraudlink/detect/builtin/pack.yaml"
RULE = "refund-burst-signed"

# Mirrors the rule: "not received" claims, each joined to the latest earlier scan of its
# order (seen within 60 days), counted per account over the two hours up to the claim.
SQL = """
WITH events AS (SELECT * FROM read_parquet($path, file_row_number = true)),
claims AS (
    SELECT file_row_number AS row, account, ts, amount, order_id FROM events
    WHERE type = 'refund_requested' AND reason = 'not_received' AND account IS NOT NULL
),
scans AS (
    SELECT file_row_number AS row, order_id, ts, scan_status FROM events
    WHERE type = 'parcel_scan' AND order_id IS NOT NULL
),
joined AS (
    SELECT c.account, c.ts, c.amount,
           s.ts >= c.ts - INTERVAL 60 DAY AND s.scan_status = 'signed' AS signed
    FROM claims c ASOF LEFT JOIN scans s ON c.order_id = s.order_id AND c.row > s.row
),
windowed AS (
    SELECT account,
           count(*) OVER w AS claims,
           sum(amount) OVER w AS total,
           count(*) FILTER (WHERE signed) OVER w AS signed
    FROM joined
    WINDOW w AS (PARTITION BY account ORDER BY ts
                 RANGE BETWEEN INTERVAL 2 HOURS PRECEDING AND CURRENT ROW)
)
SELECT DISTINCT account FROM windowed WHERE claims >= 3 AND signed >= 3
"""


def rule_pack() -> Any:
    """The built-in pack's settings with its refund-burst rule alone."""
    from fraudlink.detect.rules.loader import load_rules_text

    text = PACK.read_text(encoding="utf-8")
    head, rules = text.split("\nrules:\n", 1)
    blocks = re.split(r"(?m)^(?=  - id: )", rules)
    block = next(b for b in blocks if re.match(rf"  - id: {re.escape(RULE)}\s", b))
    return load_rules_text(f"{head}\nrules:\n{block}", f"{PACK.name}#{RULE}")


def by_engine(events: Path) -> tuple[float, set[str]]:
    from fraudlink.detect.replay import replay

    pack = rule_pack()
    assert [r.id for r in pack.rules] == [RULE]
    started = time.perf_counter()
    result = replay([events], pack, keep=True)
    return time.perf_counter() - started, {a.entity for a in result.alerts}


def by_sql(events: Path) -> tuple[float, set[str]]:
    import duckdb

    with duckdb.connect() as con:
        started = time.perf_counter()
        rows = con.execute(SQL, {"path": str(events)}).fetchall()
        return time.perf_counter() - started, {r[0] for r in rows}


def main() -> None:
    how, events = sys.argv[1], Path(sys.argv[2])
    seconds, accounts = (by_engine if how == "engine" else by_sql)(events)
    print(json.dumps({"seconds": seconds, "accounts": sorted(accounts)}))


if __name__ == "__main__":
    main()
