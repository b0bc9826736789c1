"""Gather the evidence about one account from a platform's event files (DuckDB over Parquet).

Each table is a list of plain rows, ordered so the same data always gives the same
rows in the same order (and so the same hashes in the manifest):

* ``account``: the account record and its holder (party) where the platform has them;
* ``transactions``: every wallet transfer in or out of the account (the 流水), with its
  initiation and completion times and status;
* ``refunds``: every refund claim beside the latest parcel scan of its order before it;
* ``logins``: every login and registration, with IP, city, device and result;
* ``linked``: accounts sharing a device or IP with it, and counterparties within ``hops``
  transfers, each with how it is linked;
* ``linked_transactions``: every transfer in or out of those counterparties (the account's
  own are in ``transactions``), so the police can follow the money past the account
  without asking again. Nearest counterparties first (by hop, then time, then event id),
  at most ``MAX_LINKED_TRANSACTIONS`` rows: a hop-2 merchant with a million sales must
  not swell the package, and the cut falls on the farthest, latest transfers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

Row = dict[str, Any]
MAX_LINKED_TRANSACTIONS = 20_000


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | dict[str, object]
) -> list[Row]:
    # Through Arrow: time zones come back as zoneinfo, without DuckDB's pytz dependency.
    bound = dict(params) if isinstance(params, dict) else list(params)
    rows: list[Row] = con.sql(sql, params=bound).to_arrow_table().to_pylist()
    return rows


def gather(
    events: Path,
    account: str,
    *,
    accounts: Path | None = None,
    parties: Path | None = None,
    hops: int = 2,
) -> dict[str, list[Row]]:
    """The evidence tables for ``account`` (see the module docstring)."""
    con = duckdb.connect()
    try:
        # DDL takes no parameters: quote the path as an SQL string literal.
        literal = "'" + str(events).replace("'", "''") + "'"
        con.execute(f"CREATE VIEW ev AS SELECT * FROM read_parquet({literal})")
        tables = {
            "account": _account(con, account, accounts, parties),
            "transactions": _rows(con, TRANSACTIONS, [account, account]),
            "refunds": _rows(con, REFUNDS, [account]),
            "logins": _rows(con, LOGINS, [account]),
            "linked": (linked := _linked(con, account, hops)),
            "linked_transactions": _linked_transactions(con, account, linked),
        }
    finally:
        con.close()
    return {name: [_plain(r) for r in rows] for name, rows in tables.items()}


TRANSACTIONS = """
SELECT event_id, transfer_id, org, from_account, to_account, to_org, amount, currency,
       channel, status, initiated_at, completed_at, memo
FROM ev WHERE type = 'wallet_transfer' AND (from_account = ? OR to_account = ?)
ORDER BY ts, event_id
"""

REFUNDS = """
WITH claims AS (
    SELECT event_id, ts, org, account, order_id, refund_id, amount, currency, reason, text
    FROM ev WHERE type = 'refund_requested' AND account = ?
), scans AS (
    SELECT order_id, event_id AS scan_event_id, ts AS scan_ts, scan_status,
           city AS scan_city, carrier
    FROM ev WHERE type = 'parcel_scan'
)
SELECT c.*, s.scan_status AS latest_scan, s.scan_ts AS latest_scan_at, s.scan_city, s.carrier,
       s.scan_event_id
FROM claims c ASOF LEFT JOIN scans s ON c.order_id = s.order_id AND c.ts >= s.scan_ts
ORDER BY c.ts, c.event_id
"""

LOGINS = """
SELECT event_id, ts, type, org, ip, city, device_id, success
FROM ev WHERE type IN ('login', 'account_registered') AND account = ?
ORDER BY ts, event_id
"""

SHARED = """
WITH mine AS (
    SELECT DISTINCT device_id, ip FROM ev
    WHERE type IN ('login', 'account_registered') AND account = $acc
)
SELECT account, 'device ' || device_id AS link, count(*) AS events
FROM ev WHERE type IN ('login', 'account_registered') AND account <> $acc
  AND device_id IN (SELECT device_id FROM mine)
GROUP BY account, device_id
UNION ALL
SELECT account, 'ip ' || ip AS link, count(*) AS events
FROM ev WHERE type IN ('login', 'account_registered') AND account <> $acc
  AND ip IN (SELECT ip FROM mine)
GROUP BY account, ip
"""


def _linked(con: duckdb.DuckDBPyConnection, account: str, hops: int) -> list[Row]:
    out: list[Row] = [{**r, "hops": 0} for r in _rows(con, SHARED, {"acc": account})]
    # Counterparties hop by hop over completed transfers, in either direction.
    seen, frontier = {account}, [account]
    for hop in range(1, hops + 1):
        if not frontier:
            break
        found = _rows(
            con,
            """
            SELECT other, count(*) AS transfers, sum(amount) AS amount FROM (
                SELECT to_account AS other, amount FROM ev
                WHERE type = 'wallet_transfer' AND status = 'completed'
                  AND from_account IN (SELECT unnest($f))
                UNION ALL
                SELECT from_account AS other, amount FROM ev
                WHERE type = 'wallet_transfer' AND status = 'completed'
                  AND to_account IN (SELECT unnest($f))
            ) GROUP BY other
            """,
            {"f": frontier},
        )
        frontier = []
        for row in found:
            other, transfers, amount = row["other"], row["transfers"], row["amount"]
            if other in seen:
                continue
            seen.add(other)
            frontier.append(other)
            out.append({"account": other, "link": "counterparty", "hops": hop,
                        "transfers": int(transfers), "amount": int(amount)})  # fmt: skip
    return sorted(out, key=lambda r: (r["hops"], r["account"], r["link"]))


LINKED_TRANSACTIONS = """
WITH near AS (SELECT unnest($accounts) AS account, unnest($hops) AS hop),
hit AS (
    SELECT ev.event_id, near.hop FROM ev JOIN near ON ev.from_account = near.account
    WHERE ev.type = 'wallet_transfer'
    UNION ALL
    SELECT ev.event_id, near.hop FROM ev JOIN near ON ev.to_account = near.account
    WHERE ev.type = 'wallet_transfer'
), nearest AS (SELECT event_id, min(hop) AS hop FROM hit GROUP BY event_id)
SELECT event_id, transfer_id, org, from_account, to_account, to_org, amount, currency,
       channel, status, initiated_at, completed_at, memo
FROM ev JOIN nearest USING (event_id)
WHERE ev.type = 'wallet_transfer' AND from_account <> $acc AND to_account <> $acc
ORDER BY nearest.hop, ts, event_id
LIMIT $limit
"""


def _linked_transactions(
    con: duckdb.DuckDBPyConnection, account: str, linked: list[Row]
) -> list[Row]:
    near: dict[str, int] = {}
    for row in linked:
        if row["link"] == "counterparty":
            near.setdefault(row["account"], row["hops"])
    if not near:
        return []
    params = {"accounts": list(near), "hops": list(near.values()), "acc": account,
              "limit": MAX_LINKED_TRANSACTIONS}  # fmt: skip
    return _rows(con, LINKED_TRANSACTIONS, params)


def _account(
    con: duckdb.DuckDBPyConnection, account: str, accounts: Path | None, parties: Path | None
) -> list[Row]:
    if accounts is None:
        return [{"account_id": account}]
    rows = _rows(
        con, "SELECT * FROM read_parquet(?) WHERE account_id = ?", [str(accounts), account]
    )
    if parties is not None and rows:
        holder = _rows(
            con,
            "SELECT * FROM read_parquet(?) WHERE party_id = ?",
            [str(parties), rows[0]["party_id"]],
        )
        rows = [{**rows[0], **{f"holder_{k}": v for k, v in p.items()}} for p in holder] or rows
    return rows


def _plain(row: Row) -> Row:
    """JSON-ready values: times as UTC text, dates as ISO dates."""
    out: Row = {}
    for key, value in row.items():
        if isinstance(value, datetime) or hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out
