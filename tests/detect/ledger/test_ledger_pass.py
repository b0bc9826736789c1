"""The ledger pass as a user runs it: ``fraudlink detect`` and ``backtest`` on a bank's
ledger write ledger-rule alerts beside the stream rules', with reasons and numbers."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pyarrow.parquet as pq
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.model.columns import table_to_events
from tests.detect.ledger.builders import LedgerBuilder, background, days, minutes

runner = CliRunner()


def _bank_ledger(tmp_path: Path) -> Path:
    b = LedgerBuilder()
    background(b, [f"c{i:03d}" for i in range(120)], months=3)
    for i in range(6):
        b.pay(f"victim{i}", "mule", 1_200_00 + 50_00 * i, days(30 + 5 * i))
        b.pay("mule", f"onward{i}", 1_150_00 + 50_00 * i, days(30 + 5 * i) + minutes(9))
    b.ledger(tmp_path)
    return tmp_path / "events.parquet"


def test_detect_writes_ledger_alerts_with_reasons(tmp_path: Path) -> None:
    events = _bank_ledger(tmp_path)
    out = tmp_path / "alerts.jsonl"
    result = runner.invoke(app, ["detect", str(events), "--out", str(out)])
    assert result.exit_code == 0, result.output
    alerts = [json.loads(line) for line in out.read_text().splitlines()]
    mine = [a for a in alerts if a["entity"] == "mule" and a["rule_id"] == "pass_through"]
    assert len(mine) == 1
    assert "passed on 6 inflows" in mine[0]["reasons"][0]
    assert "$" in mine[0]["reasons"][0]
    assert mine[0]["score"] >= 50
    assert "pass_through" in result.output  # the by-rule table lists the ledger rules


def test_detect_reads_json_lines_for_the_ledger_too(tmp_path: Path) -> None:
    events = _bank_ledger(tmp_path)
    lines = tmp_path / "events.jsonl"
    lines.write_bytes(
        b"".join(msgspec.json.encode(e) + b"\n" for e in table_to_events(pq.read_table(events)))
    )
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert runner.invoke(app, ["detect", str(events), "-o", str(a), "-q"]).exit_code == 0
    assert runner.invoke(app, ["detect", str(lines), "-o", str(b), "-q"]).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_backtest_on_the_bank_profile_scores_the_ledger_typologies(tmp_path: Path) -> None:
    out = tmp_path / "bank"
    made = runner.invoke(
        app, ["simulate", "--profile", "bank", "--out", str(out), "--accounts", "600", "-q"]
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(
        app,
        ["backtest", str(out / "events.parquet"), "--truth", str(out / "truth.json"), "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    rules = {r["rule_id"]: r for r in report["rules"]}
    for rule_id in ("fan_in", "pass_through", "structuring", "dormant_burst"):
        assert rules[rule_id]["accounts"] >= 1, rule_id
    typologies = report["typologies"]
    for typology in ("structuring", "dormant_burst", "fan_in"):
        assert typologies[typology]["recall"] >= 0.5, typology
