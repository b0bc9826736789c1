"""The run as a whole: output layout and order, sort engines, progress, all-or-nothing outputs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fraudlink.ingest import FileProgress, SourceError, event_sink, ingest_files, ordering
from fraudlink.model.columns import EVENT_SCHEMA
from tests.ingest.helpers import LOGIN_HEADER, LOGIN_MAPPING, login_row, mapping, run, write_csv


def logins(path: Path, n: int, **changes: str) -> Path:
    return write_csv(path, [login_row(i, **changes) for i in range(n)], LOGIN_HEADER)


def test_output_is_exactly_the_event_schema_sorted_by_time_then_id(tmp_path: Path) -> None:
    rows = [login_row(i) for i in (5, 3, 9, 1)]
    rows += [login_row(7, id="L00000"), login_row(7, id="L00001", user="zz")]
    source = write_csv(tmp_path / "in.csv", rows, LOGIN_HEADER)
    _, events, _ = run(tmp_path, LOGIN_MAPPING, [source])
    assert pq.read_schema(tmp_path / "out" / "events.parquet").equals(EVENT_SCHEMA)
    keys = [(e.ts, e.event_id) for e in events]
    assert keys == sorted(keys)
    assert [e.event_id for e in events] == ["L00001", "L00003", "L00005", "L00000", "L00001",
                                            "L00009"]  # fmt: skip


def test_full_ties_keep_arrival_order_on_every_engine(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    rows = [login_row(1, user=f"u{i}") for i in range(30)] + [login_row(0)]
    source = write_csv(tmp_path / "in.csv", rows, LOGIN_HEADER)
    tables = {}
    for engine in ("arrow", "duckdb"):
        summary, events, _ = run(tmp_path / engine, LOGIN_MAPPING, [source], sort_engine=engine)
        assert summary.sort_engine == engine
        assert [e.account for e in events] == ["u0"] + [f"u{i}" for i in range(30)]
        tables[engine] = pq.read_table(tmp_path / engine / "out" / "events.parquet")
    assert tables["arrow"].equals(tables["duckdb"])
    assert tables["duckdb"].schema.equals(EVENT_SCHEMA)


@pytest.mark.skipif(not ordering.duckdb_available(), reason="duckdb is not installed")
def test_auto_sorts_large_outputs_with_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ordering, "ARROW_SORT_LIMIT", 3)
    small = logins(tmp_path / "small.csv", 3)
    large = logins(tmp_path / "large.csv", 4)
    assert run(tmp_path / "s", LOGIN_MAPPING, [small])[0].sort_engine == "arrow"
    assert run(tmp_path / "l", LOGIN_MAPPING, [large])[0].sort_engine == "duckdb"


def test_events_are_written_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_sink, "BATCH_ROWS", 7)
    source = logins(tmp_path / "in.csv", 50)
    summary, events, _ = run(tmp_path, LOGIN_MAPPING, [source])
    assert summary.accepted == len(events) == 50
    assert [e.event_id for e in events] == sorted(e.event_id for e in events)


def test_summary_json_adds_up(tmp_path: Path) -> None:
    a = logins(tmp_path / "a.csv", 4)
    b = write_csv(tmp_path / "b.csv", [login_row(9), login_row(10, ip="x")], LOGIN_HEADER)
    run(tmp_path, LOGIN_MAPPING, [a, b])
    data = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert data["totals"] == {
        "read": 6,
        "accepted": 5,
        "quarantined": 1,
        "reasons": {"invalid_event": 1},
    }
    assert [(s["source"], s["read"], s["accepted"]) for s in data["sources"]] == [
        (str(a), 4, 4),
        (str(b), 2, 1),
    ]
    assert data["events_by_type"] == {"login": 5}


def test_outputs_get_ordinary_file_modes(tmp_path: Path) -> None:
    run(tmp_path, LOGIN_MAPPING, [logins(tmp_path / "in.csv", 2)])
    umask = os.umask(0)
    os.umask(umask)
    for name in ("events.parquet", "quarantine.jsonl", "summary.json"):
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_header_only_input_gives_an_empty_event_file(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(",".join(LOGIN_HEADER) + "\n", encoding="utf-8")
    summary, events, quarantined = run(tmp_path, LOGIN_MAPPING, [source])
    assert (summary.read, events, quarantined) == (0, [], [])
    assert pq.read_schema(tmp_path / "out" / "events.parquet").equals(EVENT_SCHEMA)


def test_progress_reports_every_file_to_the_end(tmp_path: Path) -> None:
    a, b = logins(tmp_path / "a.csv", 3), logins(tmp_path / "b.csv", 5)
    seen: list[FileProgress] = []
    ingest_files([a, b], mapping(LOGIN_MAPPING), tmp_path / "out", progress=seen.append)
    finished = [p for p in seen if p.finished]
    assert [(p.index, p.files, p.rows, p.unit) for p in finished] == [
        (0, 2, 3, "bytes"),
        (1, 2, 5, "bytes"),
    ]
    assert all(p.done == p.total == p.total for p in finished)


def test_a_missing_column_stops_before_anything_is_written(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", [login_row(1)], [h for h in LOGIN_HEADER if h != "ip"])
    out = tmp_path / "out"
    with pytest.raises(SourceError) as caught:
        ingest_files([source], mapping(LOGIN_MAPPING, "m.yaml"), out)
    assert "has no column 'ip', which events.login.ip reads (m.yaml:9)" in str(caught.value)
    assert not out.exists()


def test_a_close_column_name_is_suggested(tmp_path: Path) -> None:
    header = ["IP" if h == "ip" else h for h in LOGIN_HEADER]
    source = write_csv(tmp_path / "in.csv", [login_row(1)], header)
    with pytest.raises(SourceError) as caught:
        ingest_files([source], mapping(LOGIN_MAPPING), tmp_path / "out")
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("did you mean 'IP'?")


def test_a_fatal_error_mid_run_leaves_the_previous_outputs_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = logins(tmp_path / "good.csv", 3)
    ingest_files([good], mapping(LOGIN_MAPPING), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    bad = logins(tmp_path / "bad.csv", 3000)  # the broken bytes come after the header is read
    with bad.open("ab") as f:
        f.write("L9,2026/10/03 00:00:00,张三,10.0.0.1,上海,d,成功\n".encode("gbk"))
    with pytest.raises(SourceError, match="not utf-8 text"):
        ingest_files([good, bad], mapping(LOGIN_MAPPING), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
