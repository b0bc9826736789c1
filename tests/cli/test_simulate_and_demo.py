from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec
from typer.testing import CliRunner

from fraudlink.cases import package
from fraudlink.cli import app
from fraudlink.exchange.node import Node
from fraudlink.investigate import evidence
from fraudlink.model.money import format_money
from fraudlink.sim.truth import Truth

runner = CliRunner()


def test_simulate_writes_a_world_and_summarises_it(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["simulate", "--scale", "tiny", "--seed", "3", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["scale"] == "tiny" and manifest["seed"] == 3
    assert f"{manifest['events']:,} events" in result.output
    assert "Planted gangs" in result.output
    for name, count in manifest["event_counts"].items():
        assert name in result.output and f"{count:,}" in result.output


def test_simulate_refuses_an_unknown_scale(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--scale", "huge", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "huge" in result.output and "tiny" in result.output
    assert not any(tmp_path.iterdir())


def test_demo_prints_planted_gangs_victims_and_losses(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    truth = msgspec.json.decode((tmp_path / "world" / "truth.json").read_bytes(), type=Truth)
    total = sum(v.loss for v in truth.victims)
    assert format_money(total, "CNY") in result.output
    assert "Victims and losses by province" in result.output
    for gang in truth.gangs[:5]:
        assert gang.gang_id in result.output
    # Step 2: detection over the same world, with the strongest alert of each rule.
    alerts = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_bytes().splitlines()]
    assert alerts
    assert "The strongest alert of each rule" in result.output
    for rule in {a["rule_id"] for a in alerts}:
        assert rule in result.output
    assert "refunds" in result.output and "totalling" in result.output  # wrapped in a cell
    assert "honest look-alikes flagged: 0" in result.output
    # Step 3: real referral over loopback HTTP between two real nodes, receipts verified.
    police = tmp_path / "nodes" / "hz-cyber"
    cases = sorted(p.name for p in (police / "inbox").iterdir())
    assert len(cases) == 3
    for case_id in cases:
        assert case_id in result.output
        package.verify(police / "inbox" / case_id)
    assert result.output.count("accepted") >= 5  # 3 cases, a freeze request, its answer
    node = Node.load(police, None)
    with node.store() as store:
        (freeze,) = store.list_freezes()
        assert freeze.state in ("held", "partial") and freeze.held_minor
        assert store.verify_audit().ok
    assert format_money(freeze.held_minor, "CNY") in result.output
    # Step 4: the police side follows the biggest victim's money.
    biggest = max(truth.victims, key=lambda v: (v.loss, v.person_id))
    assert f"victim {biggest.person_id}" in result.output
    share = re.search(r"([\d.]+)% of the loss traced", result.output)
    assert share is not None and float(share.group(1)) >= 95.0
    # Step 5: the gangs behind it, scored against the truth.
    ari = re.search(r"membership ARI ([\d.]+)", result.output)
    assert ari is not None and float(ari.group(1)) >= 0.9
    assert f"{len(truth.gangs)} gangs" in result.output
    # And the case report of the biggest gang, written for people to open.
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "<svg" in html and "Where the money went" in html
    assert "report.html" in result.output
    # The police side worked from its evidence store: the referred packages (imported on
    # arrival) and the platforms' exports; the report lists each package with its receipt.
    held = evidence.sources(police)
    assert sorted(i.kind for _, i in held) == ["case_package"] * 3 + ["events"]
    assert 'aria-label="timeline of' in html and "Case packages received" in html
    for _, info in held:
        if info.kind == "case_package":
            assert info.case_id in html and str(info.manifest_sha256) in html
            assert str(info.message_id) in html
    assert html.count("<b>accepted</b>") == 3
