"""The police node's evidence store: received packages become the platform's own events,
each counted once however many packages hold it; a tampered package writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import msgspec
import pyarrow.parquet as pq
import pytest

from fraudlink.cases import evidence as gathering
from fraudlink.cases import package
from fraudlink.investigate import evidence, timeline, timeline_sources
from fraudlink.investigate.evidence import EvidenceError
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.trace import trace_funds
from fraudlink.investigate.trace_seeds import seeds_from_transfers
from fraudlink.model.columns import EVENT_COLUMNS, EVENT_SCHEMA
from fraudlink.sim.truth import Truth
from fraudlink.sim.world import simulate

T0 = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    out = tmp_path_factory.mktemp("world")
    simulate("small", 7, out)
    return out, msgspec.json.decode((out / "truth.json").read_bytes(), type=Truth)


def make_package(world: Path, folder: Path, case_id: str, account: str, hops: int = 2) -> Path:
    """A case package about ``account``, as a platform refers it (rows tagged by subject)."""
    tables = gathering.gather(world / "events.parquet", account, hops=hops,
                              accounts=world / "accounts.parquet",
                              parties=world / "parties.parquet")  # fmt: skip
    tagged = {name: [{"subject": account, **r} for r in rows] for name, rows in tables.items()}
    alert = {"alert_id": f"al-{case_id}", "rule_id": "mule-pass-through", "score": 90,
             "ts": T0.isoformat(), "accounts": [account], "reasons": ["passed on"]}  # fmt: skip
    manifest, blobs = package.build(case_id=case_id, title=f"mule {account}",
                                    subject_accounts=[account], alerts=[alert], tables=tagged,
                                    sender="lt-pay", recipient="hz-cyber",
                                    created=T0)  # fmt: skip
    package.write(folder / case_id, manifest, blobs)
    return folder / case_id


@pytest.fixture(scope="module")
def pair(world: tuple[Path, Truth], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two packages about mules of one gang where one paid the other: they overlap."""
    folder, truth = world
    mules = {a for a, label in truth.accounts.items() if label.role.startswith("mule")}
    first, second = duckdb.sql(
        f"SELECT from_account, to_account FROM '{folder}/events.parquet' "
        "WHERE type = 'wallet_transfer' AND status = 'completed' "
        "AND list_contains($m, from_account) AND list_contains($m, to_account) "
        "ORDER BY ts, event_id LIMIT 1",
        params={"m": sorted(mules)},
    ).fetchall()[0]
    out = tmp_path_factory.mktemp("packages")
    return make_package(folder, out, "case-a", first), make_package(folder, out, "case-b", second)


def test_a_package_becomes_the_platforms_own_events(
    world: tuple[Path, Truth], pair: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, _ = world
    got = evidence.import_package(tmp_path, pair[0], message_id="m-1")
    assert got.changed and got.folder == tmp_path / "evidence" / "case-a"
    events = got.folder / "events.parquet"
    assert pq.read_schema(events).remove_metadata() == EVENT_SCHEMA
    cols = ", ".join(EVENT_COLUMNS)
    # Every row is, column for column, an event of the platform's own file ...
    extra = duckdb.sql(f"SELECT {cols} FROM '{events}' EXCEPT "
                       f"SELECT {cols} FROM '{folder}/events.parquet'").fetchall()  # fmt: skip
    assert extra == []
    # ... every transfer the package lists is there, once, in event-time order.
    table = pq.read_table(events)
    ids = table.column("event_id").to_pylist()
    assert len(ids) == len(set(ids)) == got.info.events > 0
    assert table.column("ts").to_pylist() == sorted(table.column("ts").to_pylist())
    manifest = package.verify(pair[0])
    listed = {r["event_id"] for name in ("transactions", "linked_transactions")
              for r in _rows(pair[0], manifest, name)}  # fmt: skip
    assert listed <= set(ids)
    info = got.info
    assert info.case_id == "case-a" and info.sender == "lt-pay" and info.message_id == "m-1"
    assert info.tables == {k: v.sha256 for k, v in manifest.tables.items()}
    assert info.accounts == info.parties == 1  # the subject's KYC record
    assert evidence.case_folder(tmp_path, "case-a") == got.folder
    assert evidence.case_folder(tmp_path, "case-z") is None


def _rows(folder: Path, manifest: package.Manifest, name: str) -> list[dict[str, object]]:
    text = (folder / manifest.tables[name].file).read_text("utf-8")
    return [msgspec.json.decode(line) for line in text.splitlines()]


def test_importing_again_changes_nothing(pair: tuple[Path, Path], tmp_path: Path) -> None:
    first = evidence.import_package(tmp_path, pair[0])
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in first.folder.iterdir()}
    again = evidence.import_package(tmp_path, pair[0])
    assert not again.changed and again.info == first.info
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
            for p in again.folder.iterdir()} == before  # fmt: skip
    assert evidence.evidence_folders(tmp_path) == [first.folder]


def test_a_tampered_package_is_refused_and_nothing_is_written(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(pair[1], bad)
    table = bad / "evidence" / "transactions.jsonl"
    table.write_bytes(table.read_bytes().replace(b'"amount":', b'"amount":9', 1))
    home = tmp_path / "home"
    with pytest.raises(EvidenceError, match=r"table transactions .*SHA-256.*Nothing was imported"):
        evidence.import_package(home, bad)
    assert not (home / "evidence").exists() or not any((home / "evidence").iterdir())
    assert evidence.case_folder(home, "case-b") is None
    # A package already imported stays as it was when a tampered copy comes in.
    good = evidence.import_package(home, pair[1])
    kept = (good.folder / "events.parquet").read_bytes()
    with pytest.raises(EvidenceError):
        evidence.import_package(home, bad)
    assert (good.folder / "events.parquet").read_bytes() == kept
    assert [p.name for p in (home / "evidence").iterdir()] == ["case-b"]  # no leftovers


def test_overlapping_packages_count_each_transfer_once(
    world: tuple[Path, Truth], pair: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, truth = world
    for p in pair:
        evidence.import_package(tmp_path, p)
    folders = evidence.evidence_folders(tmp_path)
    files = [str(f / "events.parquet") for f in folders]
    shared = duckdb.sql("SELECT count(*) FROM (SELECT event_id FROM read_parquet($f) "
                        "GROUP BY event_id HAVING count(*) > 1)", params={"f": files}
                        ).fetchall()[0][0]  # fmt: skip
    assert shared > 0, "the two packages must overlap for this test to mean anything"
    distinct = duckdb.sql("SELECT count(DISTINCT transfer_id) FROM read_parquet($f) "
                          "WHERE type = 'wallet_transfer' AND status = 'completed'",
                          params={"f": files}).fetchall()[0][0]  # fmt: skip
    ledger = load_ledger(folders)
    assert ledger.n_transfers == distinct  # each transfer once, not once per package
    # A trace over both packages moves exactly what the platform's own file moves.
    world_ledger = load_ledger([folder])
    victim = next(v for v in truth.victims
                  if ledger.transfer_positions([v.payments[0].transfer_id]))  # fmt: skip
    payment = [victim.payments[0].transfer_id]
    both = trace_funds(ledger, seeds_from_transfers(ledger, payment), max_hops=2)
    whole = trace_funds(world_ledger, seeds_from_transfers(world_ledger, payment), max_hops=2)
    assert both.seeded == whole.seeded == victim.payments[0].amount
    first_hop = {a.account: a.received for a in both.accounts if a.hop == 1}
    assert first_hop == {a.account: a.received for a in whole.accounts if a.hop == 1}
    # The timeline of an account in both packages shows each of its events once.
    account = duckdb.sql("SELECT to_account FROM read_parquet($f) WHERE event_id IN (SELECT "
                         "event_id FROM read_parquet($f) GROUP BY 1 HAVING count(*) > 1) "
                         "AND type = 'wallet_transfer' ORDER BY 1 LIMIT 1",
                         params={"f": files}).fetchall()[0][0]  # fmt: skip
    rows, alerts = timeline_sources.from_evidence(tmp_path, account)
    story = timeline.build(account, rows, alerts)
    ids = [e.event_id for e in story.entries]
    assert len(ids) == len(set(ids))
    assert {str(r["event_id"]) for _, r in rows} == {i for i in ids if not i.startswith("al-")}


def test_raw_event_files_are_a_source_too(world: tuple[Path, Truth], tmp_path: Path) -> None:
    folder, _ = world
    got = evidence.import_events(tmp_path, [folder], "lt-pay export")
    assert got.folder.name == "events-lt-pay_export-" + got.folder.name.rsplit("-", 1)[1]
    # One file is kept byte for byte: its SHA-256 is the one the platform can recompute.
    assert (got.folder / "events.parquet").read_bytes() == (folder / "events.parquet").read_bytes()
    assert {p.name for p in got.folder.iterdir()} >= {"accounts.parquet", "parties.parquet",
                                                       "organisations.parquet"}  # fmt: skip
    assert not evidence.import_events(tmp_path, [folder], "lt-pay export").changed
    with pytest.raises(EvidenceError, match=r"accounts\.parquet: no column 'event_id'"):
        evidence.import_events(tmp_path, [folder / "accounts.parquet"], "wrong")
    with pytest.raises(EvidenceError, match="not found"):
        evidence.import_events(tmp_path, [tmp_path / "nowhere"], "wrong")
    assert [f.name for f in evidence.evidence_folders(tmp_path)] == [got.folder.name]


def test_several_event_files_merge_into_one_with_each_event_once(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    imported = [evidence.import_package(tmp_path / "a", p).folder for p in pair]
    merged = evidence.import_events(tmp_path / "b", imported, "both cases")
    files = [str(f / "events.parquet") for f in imported]
    distinct = duckdb.sql("SELECT count(DISTINCT (org, event_id)) FROM read_parquet($f)",
                          params={"f": files}).fetchall()[0][0]  # fmt: skip
    table = pq.read_table(merged.folder / "events.parquet")
    assert table.schema.remove_metadata() == EVENT_SCHEMA
    assert table.num_rows == merged.info.events == distinct
    assert table.column("ts").to_pylist() == sorted(table.column("ts").to_pylist())
