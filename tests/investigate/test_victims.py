"""Victims and losses: counted once, totals that add up, frozen money never counted twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.investigate.gang_result import Gang
from fraudlink.investigate.gangs import GangSettings, find_gangs
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.trace import trace_funds
from fraudlink.investigate.victims import victims_and_losses
from fraudlink.sim.truth import Truth
from fraudlink.sim.world import simulate
from fraudlink.store import FreezeRecord

T = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    simulate("small", 7, out)
    return out


def test_losses_match_the_truth_and_add_up(world: Path) -> None:
    truth = msgspec.json.decode((world / "truth.json").read_bytes(), type=Truth)
    gangs = find_gangs([world], GangSettings()).gangs
    ledger = load_ledger([world])
    report = victims_and_losses(gangs, ledger)
    assert report.total.victims == len(truth.victims)
    assert report.total.loss == sum(v.loss for v in truth.victims)
    assert len({v.person for v in report.victims}) == len(report.victims)  # each once
    for groups in (report.by_province, report.by_city, report.by_gang):
        assert sum(g.loss for g in groups.values()) == report.total.loss
        assert sum(g.victims for g in groups.values()) == report.total.victims
    assert all(0 <= v.recoverable <= v.loss for v in report.victims)
    assert victims_and_losses(gangs, ledger, []) == report  # deterministic
    # A freeze on one account is split between the victims whose money is there.
    shared = _account_with_most_victims(gangs, ledger)
    freeze = FreezeRecord(id="frz-1", account=shared, platform_org="x", police_org="y",
                          amount_minor=10**9, currency="CNY", legal_basis="b", deadline=T,
                          state="held", held_minor=50_000, created_at=T, updated_at=T)  # fmt: skip
    frozen = victims_and_losses(gangs, ledger, [freeze])
    assert 0 < frozen.total.frozen <= 50_000
    assert all(v.frozen <= v.recoverable for v in frozen.victims)
    assert sum(v.frozen > 0 for v in frozen.victims) >= 1


def _account_with_most_victims(gangs: list[Gang], ledger: Ledger) -> str:
    counts: dict[str, int] = {}
    for g in gangs:
        inside = {(a.org, a.account) for m in g.members for a in m.accounts}
        for v in g.victims:
            for acc in v.accounts:
                for code in ledger.account_codes(acc.account, acc.org):
                    mine = ledger.transfers_of(code)
                    mine = mine[ledger.src[mine] == code]
                    seeds = [int(k) for k in mine
                             if (ledger.org(int(ledger.dst[k])),
                                 ledger.account(int(ledger.dst[k]))) in inside]  # fmt: skip
                    if seeds:
                        for a in trace_funds(ledger, seeds).accounts:
                            if a.held:
                                counts[a.account] = counts.get(a.account, 0) + 1
    return max(counts, key=lambda a: (counts[a], a))


def test_cli_prints_and_writes_json(world: Path) -> None:
    result = CliRunner().invoke(app, ["victims", "--events", str(world), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["total"]["victims"] == len(report["victims"]) > 0
    table = CliRunner().invoke(app, ["victims", "--events", str(world)], env={"COLUMNS": "150"})
    assert table.exit_code == 0 and "By province" in table.output
