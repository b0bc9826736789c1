"""What ingest writes for bank data loads into the ledger the ledger rules read.

The ledger's ``events`` view reads every canonical event (Parquet, union by column
name), so a new event type such as ``credential_changed`` and the new transfer
field ``external`` must arrive there as written, and ``customers`` must leave the
external side of a statement out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fraudlink.detect.ledger.book import load_ledger
from fraudlink.ingest import ingest_files, load_mapping
from fraudlink.model.columns import events_to_table
from fraudlink.model.events import CredentialChanged

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _ingest(tmp_path: Path, source: str, mapping: str) -> Path:
    out = tmp_path / Path(mapping).stem
    ingest_files(
        [EXAMPLES / "foreign" / source], load_mapping(EXAMPLES / "mappings" / mapping), out
    )
    return out / "events.parquet"


@pytest.fixture
def statement_events(tmp_path: Path) -> Path:
    return _ingest(tmp_path, "statements/c-1042.csv", "statement.yaml")


def test_a_statement_has_one_customer_and_external_counterparties(
    statement_events: Path,
) -> None:
    ledger = load_ledger([statement_events])
    assert ledger.currency == "GBP"
    assert ledger.rows("SELECT account FROM customers") == [("c-1042",)]
    sides = ledger.rows("SELECT external, count(*) FROM transfers GROUP BY 1 ORDER BY 1")
    assert sides == [("payee", 5), ("payer", 1)]
    outside = ledger.rows(
        "SELECT DISTINCT CASE external WHEN 'payee' THEN to_account ELSE from_account END "
        "FROM transfers ORDER BY 1"
    )
    assert all(str(name).startswith("ext:") for (name,) in outside) and len(outside) == 5


def test_credential_changes_and_bare_registrations_reach_the_events_view(
    tmp_path: Path,
) -> None:
    bank = _ingest(tmp_path, "bank-ledger.csv", "bank-ledger.yaml")
    change = tmp_path / "credentials.parquet"
    pq.write_table(
        events_to_table(
            [
                CredentialChanged(
                    event_id="cc-1",
                    ts=datetime(2017, 1, 1, 2, tzinfo=UTC),
                    org="bank-x",
                    account="C1001",
                    kind="phone",
                )
            ]
        ),
        change,
    )
    ledger = load_ledger([bank, change])
    kinds = ledger.rows("SELECT type, count(*) FROM events GROUP BY 1 ORDER BY 1")
    assert kinds == [
        ("account_registered", 3),
        ("credential_changed", 1),
        ("login", 1),
        ("wallet_transfer", 4),
    ]
    assert ledger.rows("SELECT account, kind FROM events WHERE type = 'credential_changed'") == [
        ("C1001", "phone")
    ]
    assert ledger.rows("SELECT count(*) FROM opened") == [(3,)]
    assert ledger.rows("SELECT count(*) FROM transfers WHERE external IS NOT NULL") == [(0,)]
