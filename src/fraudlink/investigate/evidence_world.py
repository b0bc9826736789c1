"""Many evidence sources seen as one world folder, for the readers that take one folder
(entity resolution reads a world's ``parties``, ``accounts`` and ``events``).

Two case packages about accounts held by the same person both carry that party's KYC
record; here each party and account is kept once (its first row, sources in name order),
and each event once, so a person is not split from, or merged with, a copy of themself.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

_FIRST = """
COPY (SELECT * EXCLUDE (filename) FROM (
        SELECT * FROM read_parquet($files, union_by_name = true, filename = true)
        QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY filename) = 1))
TO '{out}' (FORMAT parquet)
"""
# Only what the readers of a merged world need (resolve_world's devices, cards, wallets).
_EVENTS = """
COPY (SELECT DISTINCT type, org, account, from_account, to_account, channel, device_id,
             method, instrument
      FROM read_parquet($files, union_by_name = true))
TO '{out}' (FORMAT parquet)
"""


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


def merged_world(folders: Sequence[Path], out: Path) -> Path:
    """Write ``out`` as one world folder of ``folders``' parties, accounts and events."""
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        for name, key in (("parties", "org, party_id"), ("accounts", "org, account_id")):
            files = [
                str(f / f"{name}.parquet") for f in folders if (f / f"{name}.parquet").exists()
            ]
            if files:
                sql = _FIRST.format(key=key, out=_literal(out / f"{name}.parquet"))
                con.execute(sql, {"files": files})
        events = [str(f / "events.parquet") for f in folders if (f / "events.parquet").exists()]
        if events:
            con.execute(_EVENTS.format(out=_literal(out / "events.parquet")), {"files": events})
    return out
