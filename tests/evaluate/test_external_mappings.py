"""The external generators' mappings ingest their real files and refuse broken ones by name."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fraudlink.ingest import SourceError, ingest_files, load_mapping

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = ROOT / "examples" / "mappings"
DATA = Path(__file__).with_name("data")
CASES = [
    ("finforge-statements.yaml", "finforge.csv"),
    ("synthfin-aml-transactions.yaml", "synthfin-transactions.csv"),
]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(("mapping", "sample"), CASES)
def test_every_row_of_the_real_format_becomes_an_event(
    mapping: str, sample: str, tmp_path: Path
) -> None:
    summary = ingest_files([DATA / sample], load_mapping(MAPPINGS / mapping), tmp_path / "out")
    (source,) = summary.sources
    assert (source.read, source.accepted, source.quarantined) == (len(rows(DATA / sample)),) * 2 + (
        0,
    )


def test_finforge_postings_keep_the_customer_and_make_the_merchant_external(tmp_path: Path) -> None:
    ingest_files(
        [DATA / "finforge.csv"], load_mapping(MAPPINGS / "finforge-statements.yaml"), tmp_path
    )
    events = {e["event_id"]: e for e in pq.read_table(tmp_path / "events.parquet").to_pylist()}
    for row in rows(DATA / "finforge.csv"):
        event = events[row["transaction_id"]]
        debit = row["amount"].startswith("-")
        customer, other = (
            ("from_account", "to_account") if debit else ("to_account", "from_account")
        )
        assert event[customer] == row["user_id"]
        assert event[other].startswith("ext:")
        assert event["external"] == ("payee" if debit else "payer")
        assert event["amount"] == round(abs(float(row["amount"])) * 100)
        assert event["memo"] == row["merchant"]


def test_synthfin_transfers_are_between_two_accounts_of_the_bank(tmp_path: Path) -> None:
    mapping = load_mapping(MAPPINGS / "synthfin-aml-transactions.yaml")
    ingest_files([DATA / "synthfin-transactions.csv"], mapping, tmp_path)
    events = {e["event_id"]: e for e in pq.read_table(tmp_path / "events.parquet").to_pylist()}
    for row in rows(DATA / "synthfin-transactions.csv"):
        event = events[row["txn_id"]]
        assert (event["from_account"], event["to_account"]) == (row["source_id"], row["target_id"])
        assert event["external"] is None
        assert event["amount"] == round(float(row["amount"]) * 100)
        assert event["ts"].isoformat().startswith(row["timestamp"][:19].replace(" ", "T"))


@pytest.mark.parametrize(("mapping", "sample"), CASES)
def test_a_file_without_a_column_the_mapping_reads_is_refused_by_name(
    mapping: str, sample: str, tmp_path: Path
) -> None:
    original = rows(DATA / sample)
    dropped = "amount"
    broken = tmp_path / sample
    with broken.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, [c for c in original[0] if c != dropped], extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(original)
    with pytest.raises(
        SourceError, match=rf"has no column '{dropped}', which .* \(.*{re.escape(mapping)}:\d+\)"
    ):
        ingest_files([broken], load_mapping(MAPPINGS / mapping), tmp_path / "out")
    assert not (tmp_path / "out").exists()
