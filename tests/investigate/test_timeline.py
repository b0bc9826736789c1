"""An account's timeline: every event once, in order, across sources, with what stands out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.investigate import timeline, timeline_sources
from fraudlink.sim.truth import Truth
from fraudlink.sim.world import simulate

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    import msgspec

    out = tmp_path_factory.mktemp("world")
    simulate("tiny", 4, out)
    return out, msgspec.json.decode((out / "truth.json").read_bytes(), type=Truth)


def login(i: int, city: str, minutes: float, account: str = "a") -> dict[str, object]:
    return {"type": "login", "event_id": f"l{i}", "ts": T0 + timedelta(minutes=minutes),
            "org": "hx-mall", "account": account, "city": city, "ip": "1.2.3.4",
            "device_id": "d1", "success": True}  # fmt: skip


def transfer(i: int, src: str, dst: str, amount: int, minutes: float,
             took: float = 0.5) -> dict[str, object]:  # fmt: skip
    start = T0 + timedelta(minutes=minutes)
    return {"type": "wallet_transfer", "event_id": f"t{i}", "ts": start, "org": "qb-pay",
            "from_account": src, "to_account": dst, "to_org": "qb-pay", "amount": amount,
            "currency": "CNY", "channel": "app", "status": "completed", "initiated_at": start,
            "completed_at": start + timedelta(minutes=took), "transfer_id": f"T{i}"}  # fmt: skip


def test_every_event_of_the_account_appears_once_in_order(world: tuple[Path, Truth]) -> None:
    folder, truth = world
    mule = next(a for a, label in truth.accounts.items() if label.role.startswith("mule"))
    rows = list(timeline_sources.from_events([folder], mule))
    story = timeline.build(mule, rows)
    expected = duckdb.sql(
        f"SELECT count(*) FROM '{folder}/events.parquet' WHERE account = '{mule}' "
        f"OR from_account = '{mule}' OR to_account = '{mule}'"
    ).fetchall()[0][0]
    assert len(story.entries) >= expected > 0
    assert [e.ts for e in story.entries] == sorted(e.ts for e in story.entries)
    ids = [e.event_id for e in story.entries]
    assert len(ids) == len(set(ids))
    transfers = [e for e in story.entries if e.kind.startswith("transfer")]
    assert transfers and all(e.ends is None or e.ends >= e.ts for e in transfers)
    # The same rows from a second source are merged, not doubled.
    again = timeline.build(mule, rows + [("copy", r) for _, r in rows])
    assert len(again.entries) == len(story.entries)


def test_a_city_jump_is_flagged_and_ordinary_travel_is_not() -> None:
    story = timeline.build("a", [("s", login(1, "Hangzhou", 0)), ("s", login(2, "Chengdu", 30)),
                                 ("s", login(3, "Chengdu", 600)),
                                 ("s", login(4, "Chongqing", 1200))])  # fmt: skip
    jumps = [f for f in story.flags if f.kind == "city_jump"]
    assert len(jumps) == 1  # Chengdu → Chongqing (~270 km in 10 h) is ordinary
    assert "Hangzhou → Chengdu" in jumps[0].what and "km/h" in jumps[0].what
    assert jumps[0].event_ids == ["l1", "l2"]


def test_quick_pass_on_silence_and_overlap() -> None:
    rows = [("s", transfer(1, "victim", "a", 1_000_000, 0)),
            ("s", transfer(2, "a", "b", 500_000, 5, took=20)),
            ("s", transfer(3, "a", "c", 400_000, 10)),
            ("s", transfer(4, "x", "a", 200_000, 60 * 24 * 10))]  # fmt: skip
    story = timeline.build("a", rows)
    kinds = {f.kind: f for f in story.flags}
    assert "¥10,000.00 from victim passed on" in kinds["quick_pass_on"].what
    assert kinds["quick_pass_on"].event_ids == ["t1", "t2", "t3"]
    assert kinds["overlap"].event_ids == ["t2", "t3"]
    assert kinds["silence"].what.startswith("nothing for 9 d")
    slow = timeline.build("a", [rows[0], ("s", transfer(5, "a", "b", 900_000, 120))])
    assert not [f for f in slow.flags if f.kind == "quick_pass_on"]


@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["Beijing", "Shanghai"]),
                          st.floats(0, 10_000)), max_size=30))  # fmt: skip
def test_entries_are_sorted_and_unique(raw: list[tuple[int, str, float]]) -> None:
    rows = [("s", login(i, city, minutes)) for i, city, minutes in raw]
    story = timeline.build("a", rows)
    assert len(story.entries) == len({i for i, _, _ in raw})
    assert [e.ts for e in story.entries] == sorted(e.ts for e in story.entries)
    for flag in story.flags:
        assert flag.kind == "city_jump"


def test_cli_json_and_errors(world: tuple[Path, Truth]) -> None:
    folder, truth = world
    account = next(iter(truth.accounts))
    result = runner.invoke(app, ["timeline", account, "--events", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    story = json.loads(result.output)
    assert story["account"] == account and story["entries"]
    table = runner.invoke(app, ["timeline", account, "--events", str(folder)],
                          env={"COLUMNS": "200"})  # fmt: skip
    assert table.exit_code == 0 and account in table.output
    missing = runner.invoke(app, ["timeline", "nobody", "--events", str(folder)])
    assert missing.exit_code != 0 and "nothing about account nobody" in missing.output
    zone = runner.invoke(app, ["timeline", account, "--events", str(folder), "--tz", "Mars/Base"])
    assert zone.exit_code != 0 and "unknown time zone" in zone.output
    none = runner.invoke(app, ["timeline", account])
    assert none.exit_code != 0 and "--events" in none.output


def test_a_received_case_package_reads_as_the_same_events(
    world: tuple[Path, Truth], tmp_path: Path
) -> None:
    from fraudlink.cases import evidence, package

    folder, truth = world
    mule = next(a for a, label in truth.accounts.items() if label.role.startswith("mule"))
    tables = evidence.gather(folder / "events.parquet", mule)
    alert = {"alert_id": "al-1", "rule_id": "mule-pass-through", "score": 90,
             "ts": T0.isoformat(), "accounts": [mule], "reasons": ["passed on"]}  # fmt: skip
    manifest, blobs = package.build(case_id="case-1", title="t", subject_accounts=[mule],
                                    alerts=[alert], tables=tables, sender="qb-pay",
                                    recipient="hz-cyber", created=T0)  # fmt: skip
    package.write(tmp_path / "case-1", manifest, blobs)
    rows, alerts = timeline_sources.from_package(tmp_path / "case-1", mule)
    from_files = timeline.build(mule, timeline_sources.from_events([folder], mule))
    from_case = timeline.build(mule, rows, alerts)
    file_ids = {e.event_id for e in from_files.entries}
    case_ids = {e.event_id for e in from_case.entries if e.kind != "alert"}
    assert case_ids and case_ids <= file_ids  # the package's rows are the same events
    assert [e.kind for e in from_case.entries].count("alert") == 1
    both = timeline.build(mule, [*timeline_sources.from_events([folder], mule), *rows], alerts)
    assert len(both.entries) == len(from_files.entries) + 1  # merged, plus the alert
    assert both.sources == sorted([str(folder / "events.parquet"), "case case-1 from qb-pay"])


def test_logins_without_place_say_nothing_made_up_and_credential_changes_show() -> None:
    bare = {"type": "login", "event_id": "l1", "ts": T0, "org": "bank-a", "account": "a",
            "success": True, "city": None, "ip": None, "device_id": None}  # fmt: skip
    partial = {**bare, "event_id": "l2", "ts": T0 + timedelta(hours=1), "ip": "1.2.3.4"}
    changed = {"type": "credential_changed", "event_id": "c1", "ts": T0 + timedelta(hours=2),
               "org": "bank-a", "account": "a", "kind": "phone", "ip": None,
               "device_id": "d9"}  # fmt: skip
    story = timeline.build("a", [("s", bare), ("s", partial), ("s", changed)])
    assert [e.what for e in story.entries] == [
        "logged in",
        "logged in from — (1.2.3.4, device —)",
        "changed its phone (IP —, device d9)",
    ]
    assert [e.kind for e in story.entries] == ["login", "login", "credential"]
    assert not story.flags and story.cities == []
