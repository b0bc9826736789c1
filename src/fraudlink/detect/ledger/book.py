"""The ledger of a replay, loaded once into DuckDB for the ledger rules to query.

Views every rule can read (times as microseconds since 1970 UTC, ``*_us``):

- ``events``: every canonical event of the files, as written (the columnar layout
  of :mod:`fraudlink.model.columns`).
- ``transfers``: completed ``wallet_transfer`` events: ``event_id``, ``transfer_id``,
  ``ts_us``, ``from_account``, ``to_account``, ``amount`` (minor units),
  ``currency``, ``channel``, ``org``, ``to_org``, ``memo`` and ``external``
  (``payer`` or ``payee`` when that side is outside the customer base, such as a
  merchant named on a statement; else null).
- ``customers``: the accounts an alert may name (``account``): every account seen
  as the subject of an event or on a side of a transfer that is not external.
- ``opened``: each account's registration time (``account``, ``ts_us``), when the
  data has one.

Amounts are compared in minor units of one currency: :attr:`Ledger.currency` is the
currency most of the transfers are in, and ``transfers`` keeps only those (a ledger
in several currencies is judged one currency at a time by loading it per currency).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from fraudlink.detect.explain import format_time
from fraudlink.detect.readers import read_events
from fraudlink.model.columns import EVENT_SCHEMA
from fraudlink.model.money import format_money

_US = "epoch_us(ts)"


@dataclass
class Ledger:
    """A DuckDB connection holding the views above, and how to write its values."""

    con: duckdb.DuckDBPyConnection
    currency: str
    zone: tzinfo = UTC
    start_us: int = 0
    end_us: int = 0

    def money(self, minor: int | float) -> str:
        """An amount in the ledger's currency as a person reads it: ``$1,234.50``."""
        return format_money(round(minor), self.currency)

    def time(self, us: int) -> str:
        """A moment in the pack's zone: ``2026-09-01 01:20:00 +08:00``."""
        return format_time(us, self.zone)

    def rows(
        self, sql: str, params: Sequence[object] | Mapping[str, object] = ()
    ) -> list[tuple[Any, ...]]:
        """The rows of a query; ``params`` by position (``?``) or by name (``$name``)."""
        bound = dict(params) if isinstance(params, Mapping) else list(params)
        return self.con.execute(sql, bound).fetchall()


def _columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(r[0]) for r in con.execute("DESCRIBE events").fetchall()}


def _events_view(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """``events`` over the files: Parquet read in place, JSON lines decoded and checked
    as canonical events first (a bad line stops with its file and number)."""
    parquet = [p for p in paths if p.suffix == ".parquet"]
    lines = [p for p in paths if p.suffix != ".parquet"]
    # A view cannot take parameters: the file names go in as quoted SQL literals.
    files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in parquet)
    if not lines:
        con.execute(
            f"CREATE VIEW events AS SELECT * FROM read_parquet([{files}], union_by_name = true)"
        )
        return
    tables = [t for path in lines for t in read_events(path)]
    decoded = pa.concat_tables(tables) if tables else EVENT_SCHEMA.empty_table()
    con.register("decoded_lines", decoded)
    con.execute("CREATE TABLE events AS SELECT * FROM decoded_lines")
    con.unregister("decoded_lines")
    if parquet:
        con.execute(
            "INSERT INTO events BY NAME "
            f"SELECT * FROM read_parquet([{files}], union_by_name = true)"
        )


def load_ledger(paths: Sequence[Path], zone: tzinfo = UTC, currency: str | None = None) -> Ledger:
    """Open canonical event files (``events.parquet`` or JSON lines) as one ledger.

    ``currency`` picks which transfers are judged; by default the most common one.
    """
    if not paths:
        raise ValueError("no event files to read")
    con = duckdb.connect(":memory:")
    _events_view(con, paths)
    cols = _columns(con)
    external = "external" if "external" in cols else "CAST(NULL AS VARCHAR)"
    if currency is None:
        found = con.execute(
            "SELECT currency FROM events WHERE type = 'wallet_transfer' AND currency IS NOT NULL "
            "GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1"
        ).fetchone()
        currency = str(found[0]) if found else "USD"
    con.execute(
        f"""
        CREATE TABLE transfers AS
        SELECT event_id, transfer_id, {_US} AS ts_us, from_account, to_account, amount,
               currency, channel, org, to_org, memo, {external} AS external
        FROM events
        WHERE type = 'wallet_transfer' AND status = 'completed' AND currency = $currency
        ORDER BY ts_us, event_id
        """,
        {"currency": currency},
    )
    con.execute(
        """
        CREATE VIEW customers AS
        SELECT DISTINCT account FROM (
            SELECT from_account AS account FROM transfers
            WHERE external IS DISTINCT FROM 'payer'
            UNION ALL
            SELECT to_account FROM transfers WHERE external IS DISTINCT FROM 'payee'
            UNION ALL
            SELECT account FROM events WHERE account IS NOT NULL
        )
        """
    )
    con.execute(
        f"""
        CREATE VIEW opened AS
        SELECT account, min({_US}) AS ts_us FROM events
        WHERE type = 'account_registered' GROUP BY account
        """
    )
    span = con.execute(f"SELECT min({_US}), max({_US}) FROM events").fetchone()
    start, end = (int(span[0]), int(span[1])) if span and span[0] is not None else (0, 0)
    return Ledger(con=con, currency=currency, zone=zone, start_us=start, end_us=end)
