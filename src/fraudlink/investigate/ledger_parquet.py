"""Build a :class:`~fraudlink.investigate.ledger.Ledger` from canonical Parquet event files.

DuckDB reads only the transfer columns of the completed ``wallet_transfer`` rows, gives
each (org, account) a dense integer code and hands back columns, so the multi-gigabyte
event files of a large world never pass through Python objects.

Cash-out points are the accounts money leaves the wallets for: accounts held by a bank
(``kind == "bank"`` in an ``organisations.parquet`` beside the events, or ``bank_orgs``)
and the payee of any transfer on the ``withdrawal`` channel.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import duckdb

from fraudlink.investigate.ledger import Ledger, build_ledger

Progress = Callable[[str], None]

_TRANSFERS = """
CREATE TEMP TABLE t AS
SELECT org, transfer_id, from_account, to_org, to_account, amount, currency, channel,
       epoch_us(completed_at) AS t_us
FROM read_parquet($files, union_by_name = true)
WHERE type = 'wallet_transfer' AND status = 'completed' AND completed_at IS NOT NULL
"""
# The same file read twice, or two exports that overlap, must not move the money twice.
_DEDUPE = """
CREATE OR REPLACE TEMP TABLE t AS
SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY org, transfer_id ORDER BY t_us) = 1
"""
_ACCOUNTS = """
CREATE TEMP TABLE acc AS
SELECT org, account, external, (row_number() OVER (ORDER BY account, org) - 1)::INTEGER AS code
FROM (
    SELECT org, account, bool_or(external) AS external FROM (
        SELECT org, from_account AS account, false AS external FROM t
        UNION ALL
        SELECT to_org, to_account,
               channel = 'withdrawal' OR list_contains($banks::VARCHAR[], to_org)
        FROM t
    ) GROUP BY org, account
)
"""
_COLUMNS = """
SELECT s.code AS src, d.code AS dst, t.amount, t.t_us, t.currency, t.transfer_id
FROM t
JOIN acc s ON s.org = t.org AND s.account = t.from_account
JOIN acc d ON d.org = t.to_org AND d.account = t.to_account
ORDER BY t.t_us, t.org, t.transfer_id
"""


def event_files(paths: Sequence[Path]) -> list[Path]:
    """The Parquet files named, a world folder standing for its ``events.parquet``."""
    files = [p / "events.parquet" if p.is_dir() else p for p in paths]
    for f in files:
        if not f.exists():
            raise FileNotFoundError(f"{f} not found")
        if f.suffix != ".parquet":
            raise ValueError(f"{f}: fund tracing reads canonical Parquet event files")
    return files


def bank_orgs_beside(files: Sequence[Path]) -> set[str]:
    """Organisations of kind ``bank`` listed in ``organisations.parquet`` next to the files."""
    banks: set[str] = set()
    for folder in {f.parent for f in files}:
        orgs = folder / "organisations.parquet"
        if orgs.exists():
            with duckdb.connect() as con:
                rows = con.execute(
                    "SELECT org_id FROM read_parquet($f) WHERE kind = 'bank'", {"f": str(orgs)}
                ).fetchall()
            banks.update(str(r[0]) for r in rows)
    return banks


def load_ledger(
    paths: Sequence[Path],
    *,
    bank_orgs: Collection[str] | None = None,
    progress: Progress | None = None,
) -> Ledger:
    """Completed transfers of the event files (or world folders) as a :class:`Ledger`."""
    say = progress or (lambda _phase: None)
    files = event_files(paths)
    banks = sorted(bank_orgs if bank_orgs is not None else bank_orgs_beside(files))
    con = duckdb.connect()
    try:
        say("reading transfers")
        con.execute(_TRANSFERS, {"files": [str(f) for f in files]})
        if len(files) > 1:
            con.execute(_DEDUPE)
        say("numbering accounts")
        con.execute(_ACCOUNTS, {"banks": banks})
        accounts = con.sql("SELECT account, org, external FROM acc ORDER BY code").to_arrow_table()
        say("sorting transfers")
        table = con.sql(_COLUMNS).to_arrow_table()
    finally:
        con.close()
    say("indexing accounts")
    return build_ledger(
        account_ids=accounts.column("account").combine_chunks(),
        account_orgs=accounts.column("org").combine_chunks(),
        external=accounts.column("external").to_numpy(),
        src=table.column("src").to_numpy(),
        dst=table.column("dst").to_numpy(),
        amount=table.column("amount").to_numpy(),
        time_us=table.column("t_us").to_numpy(),
        currency=table.column("currency").combine_chunks(),
        transfer_ids=table.column("transfer_id").combine_chunks(),
    )
