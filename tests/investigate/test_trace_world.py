"""Fund tracing on a simulated world, scored against its ground truth, and the CLI."""

from __future__ import annotations

import json
import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.trace import METHODS, trace_funds
from fraudlink.investigate.trace_seeds import (
    SeedError,
    exact_share,
    seeds_from_account,
    seeds_from_transfers,
    traced_share,
    victim_destinations,
)
from fraudlink.sim.truth import Truth, Victim
from fraudlink.sim.world import simulate

runner = CliRunner()


@dataclass
class World:
    path: Path
    ledger: Ledger
    truth: Truth


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    out = tmp_path_factory.mktemp("small-7")
    simulate("small", 7, out)
    truth = msgspec.json.decode((out / "truth.json").read_bytes(), type=Truth)
    return World(out, load_ledger([out]), truth)


def _payments(victim: Victim) -> list[str]:
    return [p.transfer_id for p in victim.payments]


def test_every_victims_money_is_traced_to_where_it_really_went(world: World) -> None:
    assert len(world.truth.victims) >= 10
    shares, exact = [], []
    for victim in world.truth.victims:
        result = trace_funds(world.ledger, seeds_from_transfers(world.ledger, _payments(victim)))
        destinations = victim_destinations(victim)
        assert result.seeded == victim.loss == sum(destinations.values())
        assert result.beyond == 0  # 8 hops reach every gang's cash-out
        shares.append(traced_share(result, destinations))
        exact.append(exact_share(result, destinations))
    print(f"traced share per victim: min {min(shares):.4f}, mean {statistics.mean(shares):.4f}; "
          f"to the amount: min {min(exact):.4f}, mean {statistics.mean(exact):.4f}")  # fmt: skip
    assert min(shares) >= 0.95
    assert statistics.mean(exact) >= 0.95


@pytest.mark.parametrize("method", METHODS)
def test_every_method_conserves_each_victims_loss(world: World, method: str) -> None:
    for victim in world.truth.victims:
        seeds = seeds_from_transfers(world.ledger, _payments(victim))
        result = trace_funds(world.ledger, seeds, method=method)  # type: ignore[arg-type]
        assert result.held + result.cashed_out + result.beyond == victim.loss
        for a in result.accounts:
            assert a.seeded + a.received == a.passed_on + a.withdrawn + a.held


def _cash_out_card(world: World, victim: Victim) -> str:
    destinations = victim_destinations(victim)
    external = {world.ledger.account(c) for c, e in enumerate(world.ledger.external) if e}
    return max((a for a in destinations if a in external), key=destinations.__getitem__)


def test_back_from_a_cash_out_card_reaches_its_victims(world: World) -> None:
    victim = world.truth.victims[0]
    card = _cash_out_card(world, victim)
    seeds = seeds_from_account(world.ledger, card, direction="back")
    result = trace_funds(world.ledger, seeds, direction="back")
    origins = {a.account for a in result.accounts if a.held}
    victims_of_card = {
        p.from_account for v in world.truth.victims for p in v.payments if card in p.destinations
    }
    assert victim.payments[0].from_account in origins
    traced_to_victims = sum(a.held for a in result.accounts if a.account in victims_of_card)
    # The card also takes its holder's own withdrawals; most of it is still victims' money.
    assert traced_to_victims >= 0.5 * result.seeded


def test_seeds_name_what_is_missing(world: World) -> None:
    with pytest.raises(SeedError, match="T-none"):
        seeds_from_transfers(world.ledger, ["T-none"])
    with pytest.raises(SeedError, match="no completed transfers"):
        seeds_from_account(world.ledger, "qb-nobody")


# -- the command line -----------------------------------------------------------------------
def test_cli_traces_a_victim_as_json(world: World) -> None:
    victim = world.truth.victims[0]
    result = runner.invoke(
        app, ["trace", "--events", str(world.path), "--victim", victim.person_id, "--json"]
    )
    assert result.exit_code == 0, result.output
    trace = json.loads(result.stdout)
    assert trace["seeded"] == victim.loss
    assert trace["method"] == "match" and trace["max_hops"] == 8
    assert {c["account"] for c in trace["cash_outs"]} <= set(victim_destinations(victim))
    assert sorted(trace["seed_transfers"]) == sorted(_payments(victim))


def test_cli_table_shows_accounts_cash_outs_and_the_truth_score(world: World) -> None:
    victim = world.truth.victims[0]
    card = _cash_out_card(world, victim)
    result = runner.invoke(
        app,
        ["trace", "-e", str(world.path / "events.parquet"), "--victim", victim.person_id],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Accounts on the way" in out and "Cash-out points" in out
    assert card in out and victim.payments[0].to_account in out
    assert "held now" in out and "first traced" in out
    assert "of the loss traced to the accounts it really ended in" in out


def test_cli_takes_payment_ids_when_there_is_no_truth(world: World, tmp_path: Path) -> None:
    victim = world.truth.victims[0]
    events = tmp_path / "events.parquet"
    shutil.copy(world.path / "events.parquet", events)
    ids = ",".join(_payments(victim))
    result = runner.invoke(app, ["trace", "-e", str(events), "--victim", ids, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["seeded"] == victim.loss


def test_cli_traces_back_from_an_account(world: World) -> None:
    victim = world.truth.victims[0]
    card = _cash_out_card(world, victim)
    args = ["trace", "-e", str(world.path), "--from", card, "--back", "--hops", "6", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    trace = json.loads(result.stdout)
    assert trace["direction"] == "back" and trace["max_hops"] == 6
    assert victim.payments[0].from_account in {a["account"] for a in trace["accounts"]}
    assert max(a["hop"] for a in trace["accounts"]) <= 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either --from ACCOUNT or --victim ID"),
        (["--from", "qb-nobody"], "no completed transfers"),
        (["--victim", "T-none"], "no completed transfer T-none"),
        (["--from", "x", "--victim", "y"], "give either"),
    ],
)
def test_cli_errors_say_what_to_fix(world: World, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["trace", "-e", str(world.path), *args])
    assert result.exit_code == 2
    assert message in result.stderr
