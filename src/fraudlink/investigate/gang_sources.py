"""Load what gang finding reads into DuckDB temp tables, straight from Parquet.

Only the columns gang finding needs are read, and only from the event types that carry
them, so the many gigabytes of a large world's events never become Python objects:

- ``tr``     completed wallet transfers (payer, payee, amount, time, channel)
- ``use``    which account was used from which device and IP (logins, registrations)
- ``claims`` "not received" refund requests
- ``ident``  KYC identifiers per account (national id hash, phone, e-mail), when the
             world folder has ``accounts.parquet`` and ``parties.parquet``
- ``kyc``    the name and kind of each account, for people to read
- ``banks``  organisations of kind ``bank``: money sent there has left the wallets

An account is ``(org, account)``: ids mean something only within their organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class GangSources:
    """The event files, and the entity files found beside them."""

    events: list[Path]
    accounts: list[Path]
    parties: list[Path]
    organisations: list[Path]


def locate(paths: Sequence[Path]) -> GangSources:
    """Event Parquet files (a world folder stands for its ``events.parquet``) and neighbours."""
    if not paths:
        raise ValueError("no event files given")
    events = [p / "events.parquet" if p.is_dir() else p for p in paths]
    for f in events:
        if not f.exists():
            raise FileNotFoundError(f"{f} not found")
        if f.suffix != ".parquet":
            raise ValueError(f"{f}: gang finding reads canonical Parquet event files")
    folders = sorted({f.parent for f in events})

    def beside(name: str) -> list[Path]:
        return [d / name for d in folders if (d / name).exists()]

    return GangSources(
        events=events,
        accounts=beside("accounts.parquet"),
        parties=beside("parties.parquet"),
        organisations=beside("organisations.parquet"),
    )


_TRANSFERS = """
CREATE TEMP TABLE tr AS
SELECT org AS src_org, from_account AS src, to_org AS dst_org, to_account AS dst,
       amount, currency, channel, epoch_us(completed_at) AS ts, transfer_id
FROM read_parquet($files, union_by_name = true)
WHERE type = 'wallet_transfer' AND status = 'completed' AND completed_at IS NOT NULL
"""
# Overlapping exports must not count a transfer twice.
_DEDUPE = """
CREATE OR REPLACE TEMP TABLE tr AS
SELECT * FROM tr QUALIFY row_number() OVER (PARTITION BY src_org, transfer_id ORDER BY ts) = 1
"""
_USE = """
CREATE TEMP TABLE use AS
SELECT org, account, device_id, ip, city, count(*) AS n,
       bool_or(type = 'account_registered') AS registered
FROM read_parquet($files, union_by_name = true)
WHERE type IN ('login', 'account_registered')
GROUP BY ALL
"""
# DISTINCT: a claim in two overlapping exports is still one claim in a burst.
_CLAIMS = """
CREATE TEMP TABLE claims AS
SELECT DISTINCT org, account, refund_id, epoch_us(ts) AS ts, amount, currency
FROM read_parquet($files, union_by_name = true)
WHERE type = 'refund_requested' AND reason = 'not_received'
"""
_BANKS = """
CREATE TEMP TABLE banks AS
SELECT DISTINCT org_id AS org FROM read_parquet($files, union_by_name = true)
WHERE kind = 'bank'
"""
_KYC = """
CREATE TEMP TABLE kyc AS
SELECT a.org, a.account_id AS account, any_value(a.kind) AS kind,
       any_value(p.name) AS name, any_value(p.national_id_hash) AS nid,
       any_value(p.phone) AS phone, any_value(lower(p.email)) AS email
FROM read_parquet($accounts, union_by_name = true) a
LEFT JOIN read_parquet($parties, union_by_name = true) p
  ON p.party_id = a.party_id AND p.org = a.org
GROUP BY a.org, a.account_id
"""
# One row per identifier an account's KYC record gives; prefixes keep kinds apart.
_IDENT = """
CREATE TEMP TABLE ident AS
SELECT org, account, 'national id ' || nid AS key FROM kyc WHERE nid IS NOT NULL
UNION ALL SELECT org, account, 'phone ' || phone FROM kyc WHERE phone IS NOT NULL
UNION ALL SELECT org, account, 'e-mail ' || email FROM kyc WHERE email IS NOT NULL
"""
_NO_KYC = """
CREATE TEMP TABLE kyc (org VARCHAR, account VARCHAR, kind VARCHAR, name VARCHAR,
                       nid VARCHAR, phone VARCHAR, email VARCHAR);
CREATE TEMP TABLE ident (org VARCHAR, account VARCHAR, key VARCHAR);
"""


def load_sources(con: duckdb.DuckDBPyConnection, sources: GangSources) -> None:
    """Create the temp tables of the module docstring on ``con``."""
    files = [str(f) for f in sources.events]
    con.execute(_TRANSFERS, {"files": files})
    if len(files) > 1:
        con.execute(_DEDUPE)
    con.execute(_USE, {"files": files})
    con.execute(_CLAIMS, {"files": files})
    if sources.organisations:
        con.execute(_BANKS, {"files": [str(f) for f in sources.organisations]})
    else:
        con.execute("CREATE TEMP TABLE banks (org VARCHAR)")
    if sources.accounts and sources.parties:
        con.execute(
            _KYC,
            {
                "accounts": [str(f) for f in sources.accounts],
                "parties": [str(f) for f in sources.parties],
            },
        )
        con.execute(_IDENT)
    else:
        con.execute(_NO_KYC)
