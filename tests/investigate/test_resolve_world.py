"""Entity resolution on a simulated world, scored against who really holds each account.

The simulator's truth lists every person's accounts on every platform; a party is one
organisation's record of one account. Pairwise F1 over parties must reach 0.95.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.investigate.resolve import ResolveReport, resolve
from fraudlink.investigate.resolve_records import PersonRecords
from fraudlink.investigate.resolve_score import pairwise_scores, world_truth
from fraudlink.investigate.resolve_world import read_world
from fraudlink.sim.world import simulate

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world-small-7")
    simulate("small", 7, out)
    return out


@pytest.fixture(scope="module")
def people(world: Path) -> PersonRecords:
    return read_world(world)


@pytest.fixture(scope="module")
def report(people: PersonRecords) -> ResolveReport:
    return resolve(people)


def test_pairwise_f1_on_the_small_world(world: Path, report: ResolveReport) -> None:
    res = report.resolution
    scores = pairwise_scores(res.cluster_ids(), world_truth(world, res.record_ids))
    print(f"\nsmall world, seed 7: {scores.as_dict()} {report.stats()}")
    assert scores.true_pairs > 10_000
    assert scores.precision >= 0.95
    assert scores.recall >= 0.95
    assert scores.f1 >= 0.95


def test_both_kinds_of_evidence_are_used_and_recorded(report: ResolveReport) -> None:
    merges = report.resolution.merges
    kinds = set(merges.column("kind").to_pylist())
    assert kinds == {"hard", "probabilistic"}
    splink = merges.filter(pc.equal(merges.column("kind"), "probabilistic")).to_pylist()
    for m in splink:
        assert m["probability"] >= 0.99
        assert "name " in m["evidence"]  # the levels of each compared field, in words
    hard = merges.filter(pc.equal(merges.column("kind"), "hard")).to_pylist()
    assert all(m["probability"] is None for m in hard)
    assert {e.split(" ")[0] for m in hard for e in m["evidence"].split("; ")} >= {
        "phone",
        "id_number",
        "email",
        "bank_card",
    }
    # Devices are weighed by the model, never a merge of their own.
    assert "devices" in report.weights
    assert not any(e.startswith("device") for m in hard for e in m["evidence"].split("; "))


def test_a_gang_device_farm_does_not_glue_its_mules(world: Path, report: ResolveReport) -> None:
    """Mules' wallets are worked from the coordinator's phones: one person each, still."""
    truth = json.loads((world / "truth.json").read_bytes())
    res = report.resolution
    ids = res.record_ids.to_pylist()
    owner = dict(zip(ids, world_truth(world, res.record_ids).to_pylist(), strict=True))
    cluster = dict(zip(ids, res.cluster_ids().to_pylist(), strict=True))
    record_of = {r.split(":PTY-", 1)[1]: r for r in ids}
    mules = 0
    for gang in truth["gangs"]:
        if gang["typology"] != "impersonation_scam":
            continue
        people_in: dict[str, set[str]] = {}
        for member in gang["members"]:
            for account in member["accounts"]:
                record = record_of[account]
                people_in.setdefault(cluster[record], set()).add(owner[record])
                mules += 1
        assert all(len(p) == 1 for p in people_in.values()), gang["gang_id"]
    assert mules > 20


def test_undoing_a_probabilistic_merge_splits_its_cluster(report: ResolveReport) -> None:
    res = report.resolution
    merges = res.merges.filter(pc.equal(res.merges.column("kind"), "probabilistic")).to_pylist()
    assert merges
    first = merges[0]
    before = len(set(res.cluster_ids().to_pylist()))
    after, result = res.unmerge(first["merge_id"])
    if result.split:
        assert len(set(after.cluster_ids().to_pylist())) == before + 1
        assert after.cluster_of(first["left"]) != after.cluster_of(first["right"])
    else:
        assert result.still_joined_by


def test_the_same_records_give_the_same_merges(
    people: PersonRecords, report: ResolveReport
) -> None:
    again = resolve(people)
    cols = ["merge_id", "left", "right", "kind", "evidence"]
    assert again.resolution.merges.select(cols).equals(report.resolution.merges.select(cols))
    assert again.resolution.cluster_ids().equals(report.resolution.cluster_ids())


def test_cli_world_summary_clusters_and_undo(world: Path, tmp_path: Path) -> None:
    out, merges = tmp_path / "clusters.csv", tmp_path / "merges.jsonl"
    args = ["resolve", "--world", str(world), "--hard-only", "--out", str(out)]
    result = runner.invoke(app, [*args, "--merges", str(merges), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["score"]["f1"] > 0.95
    assert summary["stats"]["probabilistic_merges"] == 0
    assert summary["merges_by_evidence"]["phone"] > 1000
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["record_id", "cluster_id"]
    assert len(rows) - 1 == summary["stats"]["records"]
    assert len({r[1] for r in rows[1:]}) == summary["stats"]["clusters"]
    first = json.loads(merges.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"merge_id", "left", "right", "kind", "evidence", "probability", "undone"}

    undone = runner.invoke(app, [*args, "--undo", first["merge_id"]])
    assert undone.exit_code == 0, undone.output
    assert f"undid {first['merge_id']}" in undone.output
    missing = runner.invoke(app, [*args, "--undo", "m-000000000000"])
    assert missing.exit_code == 2
    assert "no merge m-000000000000" in missing.output
