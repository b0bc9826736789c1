"""The learned ranker: trained on one world's labels, judged on another's; exact
contributions; a model file read as data and refused field by field."""

from __future__ import annotations

import json
import math
from pathlib import Path

import msgspec
import numpy as np
import pytest

from fraudlink.detect.ranking.budget import Budget
from fraudlink.detect.ranking.gather import Gathered, budget_recalls, gather
from fraudlink.detect.ranking.learned import (
    LinearRanker,
    ModelFileError,
    design,
    load_model,
    save_model,
)
from fraudlink.detect.rules.loader import builtin_pack
from tests.detect.ranking.worlds import mule_world


def world(seed: int, folder: Path) -> tuple[Gathered, set[str]]:
    builder, bad = mule_world(seed)
    folder.mkdir()
    builder.ledger(folder)
    return gather([folder / "events.parquet"], builtin_pack(), []), bad


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[LinearRanker, Gathered, set[str]]:
    root = tmp_path_factory.mktemp("worlds")
    first, bad = world(1, root / "one")
    held_out, held_bad = world(2, root / "two")
    return first.train(bad), held_out, held_bad


def test_a_ranker_trained_on_labels_ranks_the_mules_of_another_world_first(
    trained: tuple[LinearRanker, Gathered, set[str]],
) -> None:
    model, held_out, bad = trained
    ranked = held_out.rank_by_model(model)
    assert {r.account for r in ranked[: len(bad)]} == bad
    [at5, at10] = budget_recalls(held_out, bad, [Budget(percent=5), Budget(percent=10)], model)
    assert at5.reviewed == math.ceil(0.05 * len(held_out.table.accounts))
    assert at5.model == 1.0 and at10.model == 1.0
    assert model.positives == 5 and model.trained_on > 100


def test_contributions_are_coefficient_times_standardised_value_and_sum_to_the_logit(
    trained: tuple[LinearRanker, Gathered, set[str]],
) -> None:
    model, held_out, _ = trained
    x = design(held_out.table, held_out.rules, model.features)
    logits = model.intercept + ((x - model.mean) / np.array(model.scale)) @ np.array(model.coef)
    expected = dict(zip(held_out.table.accounts, logits, strict=True))
    for r in held_out.rank_by_model(model):
        assert math.isclose(r.score, expected[r.account], abs_tol=1e-4)
        assert math.isclose(sum(c.contribution for c in r.contributions), r.score, abs_tol=1e-4)
        assert {c.source for c in r.contributions} == {*model.features, "intercept"}


def test_the_mules_are_explained_by_pass_through_and_hold_time(
    trained: tuple[LinearRanker, Gathered, set[str]],
) -> None:
    model, held_out, _ = trained
    top = held_out.rank_by_model(model)[0]
    named = {c.source for c in top.contributions[:4]}
    assert named & {"pass_through", "median_hold_hours"}
    assert top.reasons and "adds +" in top.reasons[0]


def test_a_model_round_trips_through_json(
    trained: tuple[LinearRanker, Gathered, set[str]], tmp_path: Path
) -> None:
    model, held_out, _ = trained
    path = tmp_path / "model.json"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded == model
    assert held_out.rank_by_model(loaded) == held_out.rank_by_model(model)
    assert json.loads(path.read_text())["format"] == "fraudlink-ranker/1"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(coef=d["coef"][:-1]), "'coef'"),
        (lambda d: d.update(scale=[0.0] * len(d["scale"])), "'scale'"),
        (lambda d: d.update(format="pickle"), "'format'"),
        (lambda d: d.update(mean="lots"), "$.mean"),
        (lambda d: d.pop("intercept"), "intercept"),
        (lambda d: d.update(features=[d["features"][0]] * len(d["features"])), "'features'"),
    ],
)
def test_a_malformed_model_file_is_refused_naming_the_field(
    trained: tuple[LinearRanker, Gathered, set[str]],
    tmp_path: Path,
    change: object,
    field: str,
) -> None:
    data = msgspec.to_builtins(trained[0])
    change(data)  # type: ignore[operator]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError) as err:
        load_model(path)
    assert str(path) in str(err.value) and field in str(err.value)


def test_a_non_finite_coefficient_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text(
        '{"features": ["in_count"], "mean": [0], "scale": [1], "coef": [1e999], "intercept": 0}'
    )
    with pytest.raises(ModelFileError, match="coef"):
        load_model(path)


def test_training_needs_both_classes(trained: tuple[LinearRanker, Gathered, set[str]]) -> None:
    _, held_out, _ = trained
    with pytest.raises(ValueError, match="both classes"):
        held_out.train(set())
