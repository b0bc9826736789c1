"""Person records from the platforms' KYC parties, and the identifiers their events show.

A world folder (the simulator's, or a police node's export) holds ``parties.parquet``
(each organisation's KYC record), ``accounts.parquet`` (account → party) and
``events.parquet``. Besides the KYC fields, the events tell which **devices** an
account was used from, which **bank cards** it withdrew to, and which **cards and
wallets** paid its orders: identifiers the KYC record does not carry.

A party id means something only within its organisation, so a record is
``org:party_id``. Only the columns needed are read, so a large world's events never
become Python objects.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.investigate.resolve_records import (
    LINK_SCHEMA,
    PersonRecords,
    empty_links,
    normalise_records,
)

PARTY_COLUMNS = ("party_id", "org", "name")

# Party column → record field; a column the file lacks is a field left empty.
PARTY_FIELDS = {
    "name": "name",
    "phone": "phone",
    "email": "email",
    "birth_date": "birth_date",
    "national_id_hash": "id_number",
    "address": "address",
    "city": "city",
}
_ACCOUNTS = """
CREATE TEMP TABLE acc AS
SELECT org, account_id AS account, org || ':' || party_id AS record_id, kind
FROM read_parquet($accounts)
"""
# A wallet or card identifies its holder's party; the events add who else used it. One
# scan of the events: devices of logins and registrations, the card or wallet that paid
# an order, the card a wallet withdrew to.
_LINKS = """
WITH used AS (
  SELECT DISTINCT org,
    CASE WHEN type = 'wallet_transfer' THEN from_account ELSE account END AS account,
    CASE WHEN type IN ('login', 'account_registered') THEN 'device'
         WHEN type = 'payment' AND method = 'wallet' THEN 'wallet'
         ELSE 'bank_card' END AS kind,
    CASE WHEN type IN ('login', 'account_registered') THEN device_id
         WHEN type = 'payment' THEN instrument
         ELSE to_account END AS value
  FROM read_parquet($events)
  WHERE (type IN ('login', 'account_registered') AND device_id IS NOT NULL)
     OR (type = 'payment' AND instrument IS NOT NULL AND method IN ('bank_card', 'wallet'))
     OR (type = 'wallet_transfer' AND channel = 'withdrawal')
)
SELECT acc.record_id, used.kind, used.value FROM used JOIN acc USING (org, account)
UNION
SELECT record_id, kind, account FROM acc WHERE kind IN ('bank_card', 'wallet')
"""
_OWN_INSTRUMENTS = """
SELECT DISTINCT record_id, kind, account AS value FROM acc
WHERE kind IN ('bank_card', 'wallet')
"""


def read_parties(parties: Path) -> PersonRecords:
    """The KYC fields of a ``parties.parquet`` file alone (no events, no devices)."""
    return _read(parties, None, None)


def read_world(folder: Path) -> PersonRecords:
    """The parties of a world folder with the devices, cards and wallets its events show."""
    parties = folder / "parties.parquet"
    accounts = folder / "accounts.parquet"
    events = folder / "events.parquet"
    if not parties.exists():
        raise FileNotFoundError(f"{parties} not found: a world folder has parties.parquet")
    return _read(
        parties,
        accounts if accounts.exists() else None,
        events if events.exists() else None,
    )


def _read(parties: Path, accounts: Path | None, events: Path | None) -> PersonRecords:
    if not parties.exists():
        raise FileNotFoundError(f"{parties} not found")
    names = _check_columns(parties)
    fields = [
        f"CAST({col} AS {'DATE' if col == 'birth_date' else 'VARCHAR'}) AS {field}"
        for col, field in PARTY_FIELDS.items()
        if col in names
    ]
    select = (
        f"SELECT org || ':' || party_id AS record_id, {', '.join(fields)} FROM read_parquet($p)"
    )
    con = duckdb.connect()
    try:
        table = con.sql(select, params={"p": str(parties)}).to_arrow_table()
        links = empty_links()
        if accounts is not None:
            _check_columns(accounts, ("account_id", "org", "party_id", "kind"))
            con.sql(_ACCOUNTS, params={"accounts": str(accounts)}).fetchall()
            if events is not None:
                links = con.sql(_LINKS, params={"events": str(events)}).to_arrow_table()
            else:
                links = con.sql(_OWN_INSTRUMENTS).to_arrow_table()
    finally:
        con.close()
    records = normalise_records(table)
    _check_unique(parties, records)
    return PersonRecords(records, links.cast(LINK_SCHEMA), str(parties))


def _check_columns(path: Path, needed: tuple[str, ...] = PARTY_COLUMNS) -> set[str]:
    try:
        names = set(pq.read_schema(path).names)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ValueError(f"{path}: not a Parquet file ({exc})") from exc
    missing = [c for c in needed if c not in names]
    if missing:
        raise ValueError(
            f"{path}: no column {', '.join(missing)}; expected a party table with "
            f"{', '.join(needed)} (docs/simulator.md)"
        )
    return names


def _check_unique(path: Path, records: pa.Table) -> None:
    ids = records.column("record_id")
    if ids.null_count:
        raise ValueError(f"{path}: a party has no party_id or org")
    if len(ids.unique()) != records.num_rows:
        raise ValueError(f"{path}: the same org and party_id appear on more than one row")
