"""``fraudlink ingest`` end to end through typer: exit codes, what is printed, what is left."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from tests.ingest.helpers import LOGIN_HEADER, LOGIN_MAPPING, login_row, write_csv

runner = CliRunner()


def setup(tmp_path: Path, mapping_text: str = LOGIN_MAPPING) -> tuple[Path, Path]:
    rows = [login_row(i) for i in range(5)] + [login_row(5, result="超时"), login_row(6, ip="?")]
    source = write_csv(tmp_path / "logins.csv", rows, LOGIN_HEADER)
    map_file = tmp_path / "map.yaml"
    map_file.write_text(mapping_text, encoding="utf-8")
    return source, map_file


def flat(output: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(output.split())


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".")) if out.exists() else []


def test_ingest_prints_the_summary_and_writes_the_outputs(tmp_path: Path) -> None:
    source, map_file = setup(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["ingest", str(source), "--mapping", str(map_file), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Ingest summary" in result.output
    assert "not_in_map 1" in result.output and "invalid_event 1" in result.output
    assert "logins.csv row 6 (line 7)" in result.output
    assert "Events by type: login 5" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "events.parquet",
        "quarantine.jsonl",
        "summary.json",
    ]
    assert len((out / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_fail_on_quarantine_exits_1_but_still_writes(tmp_path: Path) -> None:
    source, map_file = setup(tmp_path)
    out = tmp_path / "out"
    args = [
        "ingest",
        str(source),
        "-m",
        str(map_file),
        "-o",
        str(out),
        "-q",
        "--fail-on-quarantine",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert (out / "summary.json").exists()
    clean = write_csv(tmp_path / "clean.csv", [login_row(1)], LOGIN_HEADER)
    args[1] = str(clean)
    assert runner.invoke(app, args).exit_code == 0


def test_a_bad_mapping_exits_2_naming_line_and_key(tmp_path: Path) -> None:
    source, map_file = setup(
        tmp_path, LOGIN_MAPPING.replace("    ip: ip\n", "    ip: {colum: ip}\n")
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["ingest", str(source), "-m", str(map_file), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{map_file}:9: events.login.ip.colum: unknown key `colum`" in flat(result.output)
    assert "hint:" in result.output and "column, const" in result.output
    assert not out.exists()


def test_brackets_in_an_error_are_printed_not_eaten_as_markup(tmp_path: Path) -> None:
    text = LOGIN_MAPPING.replace("city: city", "city: {column: [city, 3]}")
    source, map_file = setup(tmp_path, text)
    result = runner.invoke(
        app, ["ingest", str(source), "-m", str(map_file), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "events.login.city.column[1]: expected text, got a number" in flat(result.output)


def test_a_missing_source_exits_2(tmp_path: Path) -> None:
    _, map_file = setup(tmp_path)
    missing = tmp_path / "nope.csv"
    result = runner.invoke(
        app, ["ingest", str(missing), "-m", str(map_file), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert f"{missing}: no such file" in flat(result.output)
    assert not (tmp_path / "o").exists()


def test_an_unreadable_file_mid_run_exits_2_and_leaves_no_temp_files(tmp_path: Path) -> None:
    source, map_file = setup(tmp_path)
    bad = write_csv(tmp_path / "bad.csv", [login_row(i) for i in range(3000)], LOGIN_HEADER)
    with bad.open("ab") as f:
        f.write("L9,2026/10/03 00:00:00,张三,10.0.0.1,上海,d,成功\n".encode("gbk"))
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["ingest", str(source), str(bad), "-m", str(map_file), "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "not utf-8 text" in flat(result.output) and "source.encoding" in flat(result.output)
    assert not out.exists()


def test_the_mapping_and_sources_are_required(tmp_path: Path) -> None:
    _, map_file = setup(tmp_path)
    assert runner.invoke(app, ["ingest", "-m", str(map_file), "-o", str(tmp_path)]).exit_code == 2
    source = tmp_path / "logins.csv"
    assert runner.invoke(app, ["ingest", str(source), "-o", str(tmp_path)]).exit_code == 2


def test_sort_option(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    source, map_file = setup(tmp_path)
    out = tmp_path / "out"
    args = ["ingest", str(source), "-m", str(map_file), "-o", str(out), "--sort", "duckdb", "-q"]
    assert runner.invoke(app, args).exit_code == 0
    assert '"sort_engine": "duckdb"' in (out / "summary.json").read_text(encoding="utf-8")
    assert leftovers(out) == []
