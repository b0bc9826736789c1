"""``fraudlink rank`` and the ranking part of ``backtest``, as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.detect.labels import LabelledAlert, Labels
from fraudlink.sim.truth import AccountLabel, Truth
from tests.detect.ranking.worlds import mule_world

runner = CliRunner()


def world(seed: int, folder: Path) -> tuple[Path, set[str]]:
    builder, bad = mule_world(seed)
    folder.mkdir()
    builder.ledger(folder)
    return folder / "events.parquet", bad


def labels_file(bad: set[str], path: Path) -> Path:
    at = datetime(2025, 6, 1, tzinfo=UTC)
    alerts = [
        LabelledAlert(alert_id=f"al-{a}", rule_id="pass_through", rule_version=1,
                      entity_kind="account", entity=a, accounts=[a], ts=at,
                      verdict="true_positive")
        for a in sorted(bad)
    ]  # fmt: skip
    path.write_bytes(msgspec.json.encode(Labels(org="bank", exported_at=at, alerts=alerts)))
    return path


def truth_file(bad: set[str], path: Path) -> Path:
    truth = Truth(
        seed=2, scale="test", start="2025-01-01", end="2025-06-01",
        accounts={a: AccountLabel(person_id=a, typology="pass_through", role="mule")
                  for a in bad},
    )  # fmt: skip
    path.write_bytes(msgspec.json.encode(truth))
    return path


def test_rank_writes_every_account_with_its_contributions(tmp_path: Path) -> None:
    events, _ = world(1, tmp_path / "w")
    out = tmp_path / "ranked.jsonl"
    result = runner.invoke(app, ["rank", str(events), "--budget", "5%", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) > 100
    for r in rows:
        assert set(r) == {"account", "rank", "score", "contributions", "reasons"}
        assert abs(sum(c["contribution"] for c in r["contributions"]) - r["score"]) < 1e-5
        assert len(r["reasons"]) == len(r["contributions"])
    assert rows[0]["score"] > 0 and rows[0]["contributions"]
    shown = 7  # 5 % of 131 accounts, rounded up
    assert f"Top {shown} of {len(rows)} accounts (5%)" in result.output


def test_train_then_rank_another_world_with_the_saved_model(tmp_path: Path) -> None:
    first, bad = world(1, tmp_path / "one")
    second, held_bad = world(2, tmp_path / "two")
    model = tmp_path / "model.json"
    labels = labels_file(bad, tmp_path / "labels.json")
    trained = runner.invoke(
        app, ["rank", str(first), "--train", str(labels), "--model", str(model), "--quiet"]
    )
    assert trained.exit_code == 0, trained.output
    assert json.loads(model.read_text())["positives"] == len(bad)
    out = tmp_path / "ranked.jsonl"
    args = ["rank", str(second), "--model", str(model), "--budget", "5", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["account"] for r in rows[: len(held_bad)]} == held_bad
    assert "intercept" in {c["source"] for c in rows[0]["contributions"]}
    assert "learned ranker" in result.output


def test_backtest_shows_recall_at_budgets_for_rules_and_model(tmp_path: Path) -> None:
    first, bad = world(1, tmp_path / "one")
    second, held_bad = world(2, tmp_path / "two")
    model = tmp_path / "model.json"
    labels = labels_file(bad, tmp_path / "labels.json")
    runner.invoke(app, ["rank", str(first), "--train", str(labels), "--model", str(model), "-q"])
    truth = truth_file(held_bad, tmp_path / "truth.json")
    args = ["backtest", str(second), "--truth", str(truth), "--model", str(model)]
    result = runner.invoke(app, [*args, "--budget", "20", "--json"])
    assert result.exit_code == 0, result.output
    ranking = json.loads(result.output)["ranking"]
    assert [r["budget"] for r in ranking] == ["5%", "10%", "20"]
    assert all(r["positives"] == len(held_bad) for r in ranking)
    assert [r["model"] for r in ranking] == [1.0, 1.0, 1.0]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "Account ranking" in table.output and "recall (model)" in table.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget", "half"], "expected a percentage"),
        (["--budget", "0%"], "above 0"),
        (["--model", "{missing}"], "not found"),
        (["--model", "{bad}"], "'coef'"),
        (["--train", "{missing}"], "not found"),
    ],
)
def test_bad_options_fail_with_a_clear_message(
    tmp_path: Path, args: list[str], message: str
) -> None:
    events, _ = world(1, tmp_path / "w")
    bad = tmp_path / "bad.json"
    bad.write_text('{"features": ["in_count"], "mean": [0], "scale": [1], "coef": [], '
                   '"intercept": 0}')  # fmt: skip
    filled = [a.format(missing=tmp_path / "nope.json", bad=bad) for a in args]
    result = runner.invoke(app, ["rank", str(events), *filled])
    assert result.exit_code == 2
    assert message in result.output


def test_rank_reads_a_bank_ledger_through_a_mapping_without_writing_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(__file__).resolve().parents[3]
    [source] = sorted((root / "examples" / "foreign").glob("bank-*"))
    monkeypatch.chdir(tmp_path)
    mapping = root / "examples" / "mappings" / "bank-ledger.yaml"
    result = runner.invoke(app, ["rank", str(source), "--mapping", str(mapping), "--budget", "3"])
    assert result.exit_code == 0, result.output
    assert "mapped" in result.output and "Top 3 of" in result.output
    assert list(tmp_path.iterdir()) == []


def test_backtest_against_verdicts_alone_reports_the_ranking_too(tmp_path: Path) -> None:
    events, bad = world(1, tmp_path / "w")
    labels = labels_file(bad, tmp_path / "labels.json")
    result = runner.invoke(app, ["backtest", str(events), "--labels", str(labels), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["fraud_accounts"] == len(bad)
    assert [r["budget"] for r in report["ranking"]] == ["5%", "10%"]
    assert all(r["model"] is None for r in report["ranking"])


def test_rank_reads_canonical_json_lines_as_it_reads_parquet(tmp_path: Path) -> None:
    builder, _ = mule_world(1)
    lines = tmp_path / "events.jsonl"
    ordered = sorted(builder.events, key=lambda e: (e.ts, e.event_id))
    lines.write_bytes(b"".join(msgspec.json.encode(e) + b"\n" for e in ordered))
    parquet, _ = world(1, tmp_path / "w")
    outs = []
    for source in (lines, parquet):
        out = tmp_path / f"{source.suffix[1:]}.jsonl"
        result = runner.invoke(app, ["rank", str(source), "--out", str(out), "-q"])
        assert result.exit_code == 0, result.output
        outs.append(out.read_text())
    assert outs[0] == outs[1]
    assert len(outs[0].splitlines()) > 100
