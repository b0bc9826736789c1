"""An optional learned ranker: logistic regression on log-scaled, standardised features.

Trained on labels (accounts known to be fraud against the rest) over the features of
:mod:`.features` plus each rule's strongest value on the account (``rule:<id>``).
A linear model is chosen on purpose: an account's logit is the intercept plus, per
feature, coefficient × standardised value, so those terms *are* the contributions,
exact and readable, and they add up to the score. The model is saved as plain JSON
(features, scaler, coefficients) and checked field by field when loaded: a model file
from elsewhere is data, never code (no pickle).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec
import numpy as np

from fraudlink.detect.ranking.combine import Contribution, Evidence, RankedAccount
from fraudlink.detect.ranking.features import FeatureTable

FORMAT = "fraudlink-ranker/1"


class ModelFileError(ValueError):
    """A model file that cannot be used, naming the file and the field."""


class LinearRanker(msgspec.Struct, frozen=True, kw_only=True):
    """What a trained ranker is: enough to apply it and to explain every score."""

    format: str = FORMAT
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    trained_on: int = 0
    positives: int = 0


def design(
    table: FeatureTable, evidence: Iterable[Evidence], features: Sequence[str]
) -> np.ndarray:
    """The raw matrix (accounts × ``features``): feature values and ``rule:<id>`` values."""
    rules: dict[tuple[str, str], float] = {}
    for e in evidence:
        key = (e.account, "rule:" + e.source)
        rules[key] = max(rules.get(key, 0.0), e.value)
    index = {n: i for i, n in enumerate(table.names)}
    x = np.zeros((len(table.accounts), len(features)))
    for row, account in enumerate(table.accounts):
        values = table.rows[account]
        for col, name in enumerate(features):
            i = index.get(name)
            x[row, col] = values[i] if i is not None else rules.get((account, name), 0.0)
    return np.log1p(np.maximum(x, 0.0))


def feature_names(table: FeatureTable, evidence: Iterable[Evidence]) -> list[str]:
    """The table's features, then one ``rule:<id>`` per rule seen (sorted): a rule may
    share a feature's name (``pass_through``), its prefix keeps them apart."""
    rules = sorted({"rule:" + e.source for e in evidence})
    return [*table.names, *rules]


def train(table: FeatureTable, evidence: Sequence[Evidence], fraud: set[str]) -> LinearRanker:
    """Fit on every account of ``table``: those in ``fraud`` against the rest.

    Classes are balanced (fraud is rare) and regularisation is sklearn's default.
    """
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    features = feature_names(table, evidence)
    x = design(table, evidence, features)
    y = np.array([a in fraud for a in table.accounts], dtype=int)
    if y.sum() == 0 or y.sum() == len(y):
        raise ValueError(
            f"training needs both classes: {int(y.sum())} of {len(y)} accounts are labelled fraud"
        )
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(class_weight="balanced", max_iter=2000)
    model.fit((x - mean) / scale, y)
    return LinearRanker(
        features=features,
        mean=[float(v) for v in mean],
        scale=[float(v) for v in scale],
        coef=[float(v) for v in model.coef_[0]],
        intercept=float(model.intercept_[0]),
        trained_on=len(y),
        positives=int(y.sum()),
    )


def apply(
    model: LinearRanker, table: FeatureTable, evidence: Sequence[Evidence]
) -> list[RankedAccount]:
    """Accounts by logit, highest first (then account); contributions add up to the logit."""
    x = design(table, evidence, model.features)
    z = (x - np.array(model.mean)) / np.array(model.scale)
    terms = z * np.array(model.coef)
    scored = []
    for row, account in enumerate(table.accounts):
        parts = [
            Contribution(source=name, value=round(float(np.expm1(x[row, col])), 6),
                         contribution=round(float(terms[row, col]), 6))
            for col, name in enumerate(model.features)
        ]  # fmt: skip
        parts.append(Contribution(source="intercept", value=1.0,
                                  contribution=round(model.intercept, 6)))  # fmt: skip
        parts.sort(key=lambda c: (-c.contribution, c.source))
        logit = round(sum(c.contribution for c in parts), 6)
        reasons = [
            f"{c.source} = {c.value:,.4g} adds {c.contribution:+.2f} to the logit"
            for c in parts[:3]
            if c.contribution > 0 and c.source != "intercept"
        ]
        scored.append((logit, account, parts, reasons))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [
        RankedAccount(account=a, rank=i + 1, score=s, contributions=p, reasons=r)
        for i, (s, a, p, r) in enumerate(scored)
    ]


def save_model(model: LinearRanker, path: Path) -> None:
    path.write_bytes(msgspec.json.format(msgspec.json.encode(model), indent=2) + b"\n")


def load_model(path: Path) -> LinearRanker:
    """A model file, checked: its format, every field's type, lengths that agree, finite
    numbers and positive scales. The error names the file and the field."""
    try:
        model = msgspec.json.decode(path.read_bytes(), type=LinearRanker)
    except FileNotFoundError as exc:
        raise ModelFileError(f"{path} not found") from exc
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ModelFileError(f"{path}: not a ranker model ({exc})") from exc
    if model.format != FORMAT:
        raise ModelFileError(f"{path}: field 'format' is {model.format!r}, expected {FORMAT!r}")
    n = len(model.features)
    for name in ("mean", "scale", "coef"):
        values: list[float] = getattr(model, name)
        if len(values) != n:
            raise ModelFileError(
                f"{path}: field {name!r} has {len(values)} values, 'features' has {n}"
            )
        if not all(math.isfinite(v) for v in values):
            raise ModelFileError(f"{path}: field {name!r} holds a value that is not finite")
    if not math.isfinite(model.intercept):
        raise ModelFileError(f"{path}: field 'intercept' is not finite")
    if any(v <= 0 for v in model.scale):
        raise ModelFileError(f"{path}: field 'scale' must hold positive values")
    if len(set(model.features)) != n:
        raise ModelFileError(f"{path}: field 'features' names a feature twice")
    return model
