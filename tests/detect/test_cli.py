"""The three entry points as a user runs them: ``detect``, ``watch`` and ``backtest``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import msgspec
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.detect.alerts import Alert
from fraudlink.model.columns import table_to_events
from fraudlink.sim.world import WorldSummary
from tests.detect.streams import HOUR, MINUTE, T0, claim, login, scan, table

runner = CliRunner()
FRAUDLINK = [str(Path(sys.executable).with_name("fraudlink"))]


def _alerts(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(msgspec.json.encode(e) + b"\n" for e in table_to_events(table(rows)))


def _burst(account: str = "a", start: int = T0) -> list[dict[str, Any]]:
    """Three signed-for parcels, then three not-received claims on them within the hour."""
    rows = [scan(start + i * MINUTE, account, f"o{account}{i}", "signed") for i in range(3)]
    rows += [
        claim(start + HOUR + i * 10 * MINUTE, account, f"o{account}{i}", 500_000) for i in range(3)
    ]
    return rows


def test_detect_writes_the_same_alerts_byte_for_byte_every_run(
    tiny_world: WorldSummary, tmp_path: Path
) -> None:
    events = tiny_world.out_dir / "events.parquet"
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for out in (first, second):
        result = runner.invoke(app, ["detect", str(events), "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    alerts = _alerts(first)
    assert alerts, "the tiny world has planted fraud; the built-in pack must see some"
    assert len({a["alert_id"] for a in alerts}) == len(alerts)
    for a in alerts:
        assert 0 <= a["score"] <= 100
        assert a["reasons"] and all(any(ch.isdigit() for ch in r) for r in a["reasons"])
    assert "Alerts written to" in result.output
    assert not list(tmp_path.glob(".*.partial"))


def test_detect_refund_burst_reason_has_the_actual_numbers(tmp_path: Path) -> None:
    src = tmp_path / "events.jsonl"
    src.write_bytes(_jsonl(_burst()))
    out = tmp_path / "alerts.jsonl"
    result = runner.invoke(app, ["detect", str(src), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    (alert,) = [a for a in _alerts(out) if a["rule_id"] == "refund-burst-signed"]
    assert alert["entity"] == "a"
    assert alert["reasons"][0] == (
        "3 refunds totalling ¥15,000.00 within 20 m, reason not_received; "
        "3 of 3 parcels scanned as signed for"
    )
    assert alert["metrics"]["claims"] == 3
    assert alert["metrics"]["total"] == 1_500_000


def test_detect_refuses_a_bad_rule_file_naming_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nrules:\n  - id: x\n    title: x\n    typology: t\n    weight: 0.5\n"
        "    on: [login]\n    detect: {op: windw, key: account, length: 1h}\n"
        "    when: {n: {ge: 1}}\n    reason: x\n",
        encoding="utf-8",
    )
    src = tmp_path / "events.jsonl"
    src.write_bytes(_jsonl(_burst()))
    out = tmp_path / "alerts.jsonl"
    result = runner.invoke(app, ["detect", str(src), "--out", str(out), "--rules", str(rules)])
    assert result.exit_code != 0
    assert "rules.yaml" in result.output
    assert "rules.yaml:8:" in result.output
    assert not out.exists()


def test_detect_reads_foreign_files_through_a_mapping(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    mapping = root / "examples" / "mappings"
    sources = root / "examples" / "foreign"
    pairs = [
        (m, s)
        for m in sorted(mapping.glob("*.yaml"))
        for s in sorted(sources.iterdir())
        if s.stem.split("-")[0] == m.stem.split("-")[0]
    ]
    assert pairs, "the examples folder pairs a foreign file with its mapping"
    mapping_file, source = pairs[0]
    out = tmp_path / "alerts.jsonl"
    result = runner.invoke(
        app, ["detect", str(source), "--mapping", str(mapping_file), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "mapped" in result.output
    assert out.exists()


def test_late_events_are_counted_and_listed_never_dropped_silently(tmp_path: Path) -> None:
    rows = [login(T0 + 2 * HOUR, "a"), login(T0 + 3 * HOUR, "b"), login(T0, "c")]
    src = tmp_path / "events.jsonl"
    src.write_bytes(_jsonl(rows))
    late = tmp_path / "late.jsonl"
    out = tmp_path / "alerts.jsonl"
    args = ["detect", str(src), "--out", str(out), "--late", str(late), "--lateness", "5m"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 event arrived later than the lateness allows and was not used" in " ".join(
        result.output.split()
    )
    (entry,) = [json.loads(x) for x in late.read_bytes().splitlines()]
    assert entry["event_id"] == "ev-000002"
    assert entry["behind_us"] == 2 * HOUR  # behind the event already released (a)
    # Within the lateness the same event is put back in order and used.
    args[-1] = "3h"
    result = runner.invoke(app, args)
    assert "later than the lateness" not in result.output
    assert late.read_bytes() == b""


def test_backtest_json_scores_every_typology(small_world: WorldSummary) -> None:
    events = small_world.out_dir / "events.parquet"
    truth = small_world.out_dir / "truth.json"
    result = runner.invoke(app, ["backtest", str(events), "--truth", str(truth), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    # The platform world plants these; the ledger typologies (bank profile) have no
    # positives here and are scored only where they are labelled.
    planted = {"refund_fraud", "impersonation_scam", "account_takeover", "scam_victim"}
    assert {t for t, s in report["typologies"].items() if s["positives"]} == planted
    for name, score in report["typologies"].items():
        if name not in planted:
            continue
        assert score["precision"] >= 0.9, name
        assert score["recall_active"] >= 0.9, name
    assert report["lookalikes_flagged"] == {}
    assert report["alerts_per_10k_events"] > 0
    assert {r["rule_id"] for r in report["rules"]} >= {"refund-burst-signed", "impossible-travel"}


def test_backtest_prints_tables(tiny_world: WorldSummary) -> None:
    events = tiny_world.out_dir / "events.parquet"
    truth = tiny_world.out_dir / "truth.json"
    result = runner.invoke(app, ["backtest", str(events), "--truth", str(truth)])
    assert result.exit_code == 0, result.output
    assert "By typology" in result.output
    assert "By rule" in result.output
    assert "per 10k events" in result.output


def _read_line(stream: IO[bytes], seconds: float) -> bytes:
    """One line from a pipe, or b'' if none came in time (never hangs the suite)."""
    fd = stream.fileno()
    os.set_blocking(fd, False)
    buf = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 1)
        except BlockingIOError:
            time.sleep(0.005)
            continue
        if not chunk:
            break
        buf += chunk
        if chunk == b"\n":
            return buf
    return buf


def test_watch_alerts_while_the_stream_is_still_open_and_reloads_rules(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    rules = tmp_path / "rules.yaml"
    pack = (root / "src/fraudlink/detect/builtin/pack.yaml").read_text(encoding="utf-8")
    rules.write_text(pack, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    proc = subprocess.Popen(
        [*FRAUDLINK, "watch", "--rules", str(rules)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    try:
        proc.stdin.write(_jsonl(_burst("a")) + b"this is not json\n")
        proc.stdin.flush()
        line = _read_line(proc.stdout, 30)
        alert = msgspec.json.decode(line, type=Alert)
        assert alert.rule_id == "refund-burst-signed"
        assert alert.entity == "a"
        # Tighten the rule (three claims are no longer enough) and send another burst.
        time.sleep(0.02)  # a new modification time even on coarse file systems
        rules.write_text(pack.replace("claims: {ge: 3}", "claims: {ge: 4}"), encoding="utf-8")
        os.utime(rules, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
        proc.stdin.write(_jsonl(_burst("b", T0 + 3 * HOUR)))
        proc.stdin.flush()
        assert _read_line(proc.stdout, 1.5) == b""
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    err = proc.stderr.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == 0, err
    assert "line 7: not a canonical event" in err
    assert "rules reloaded" in err
    assert "1 bad line," in err


@pytest.mark.parametrize("command", ["detect", "watch", "backtest"])
def test_help_explains_each_entry_point(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "rules" in result.output
