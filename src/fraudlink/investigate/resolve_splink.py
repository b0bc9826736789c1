"""Probabilistic linkage with Splink (DuckDB backend): train, then score open pairs.

Training is unsupervised, as Splink's authors recommend: the chance that two random
records match from deterministic rules (equal hard identifiers, or equal name and birth
date, assumed to find 80 % of the matches); the u probabilities (how often non-matches
agree) from random pairs; the m probabilities (how often matches agree) by expectation
maximisation, once on pairs blocked by name and once on pairs blocked by birth year and
place (or a hard identifier), so every field is estimated in at least one session.

Only pairs the hard identifiers left apart are scored (``l.hard <> r.hard`` in every
blocking rule): what shares a phone is merged already, and scoring it again would cost
time and add nothing.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from fraudlink.investigate.resolve_model import FieldComparison

# Deterministic rules admit few false positives but miss matches written differently.
DETERMINISTIC_RECALL = 0.8


@dataclass(frozen=True)
class ModelSettings:
    """How the probabilistic model is trained and where it draws the line."""

    # A merge needs 99 % match probability. On FEBRL 4 and the medium world every
    # threshold from 0.5 to 0.999 scores within 0.001 F1 (docs/investigate-resolve.md):
    # below 0.99 the world gains wrong merges, above it FEBRL loses true ones. Wrong
    # merges weigh more: one can put an innocent person into a gang.
    threshold: float = 0.99
    u_max_pairs: float = 2_000_000
    em_max_pairs: float = 2_000_000
    seed: int = 42


@dataclass(frozen=True)
class SplinkEdges:
    edges: pa.Table  # left_idx, right_idx (record indices), probability, weight, levels
    weights: dict[str, dict[str, float]] = field(default_factory=dict)  # field → level → log2 BF
    probability_two_random_records_match: float = 0.0
    notes: list[str] = field(default_factory=list)


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink logs its training notes as warnings on stderr; keep them out of the CLI."""
    log = logging.getLogger("splink")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def splink_edges(
    con: duckdb.DuckDBPyConnection,
    comparisons: list[FieldComparison],
    keys: list[tuple[str, ...]],
    hard_rules: list[tuple[str, ...]],
    settings: ModelSettings,
) -> SplinkEdges:
    """Score the blocked pairs of table ``people`` on ``con``; keep those over threshold.

    ``people`` has ``unique_id`` (the record index), ``hard`` (its hard-identifier
    cluster) and the compared fields.
    """
    if not comparisons or not keys:
        return SplinkEdges(edges=_empty_edges())
    creator = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[c.creator() for c in comparisons],
        blocking_rules_to_generate_predictions=[_open_pairs(k) for k in keys],
        # Matching columns carry the comparison vector (gamma_*); intermediate ones the
        # match weight of each field (mw_*): both are the evidence of a merge.
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        max_iterations=20,
    )
    api = DuckDBAPI(connection=con)
    with _quiet_splink():
        linker = Linker(api.register("people"), creator, log_level=None)
        deterministic: list[str | BlockingRuleCreator] = [block_on(*r) for r in hard_rules]
        if deterministic:
            linker.training.estimate_probability_two_random_records_match(
                deterministic, recall=DETERMINISTIC_RECALL
            )
        linker.training.estimate_u_using_random_sampling(
            max_pairs=settings.u_max_pairs, seed=settings.seed
        )
        notes = []
        for rule in _training_rules(comparisons, hard_rules):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    CustomRule(rule), max_pairs=settings.em_max_pairs
                )
            except ValueError as exc:
                # Splink refuses an m probability that underflows: EM on a blocked set
                # of (nearly) only matches. The other session still trains every field
                # but the blocked ones, which keep Splink's defaults.
                notes.append(f"EM training blocked on {rule} skipped: {exc}")
        predictions = linker.inference.predict(
            threshold_match_probability=settings.threshold, warning_mode="never"
        )
        model = linker.misc.save_model_to_json()
    table = predictions.physical_name
    columns = {row[0] for row in con.sql(f"DESCRIBE {table}").fetchall()}
    edges = con.sql(_edges_sql(table, columns, comparisons)).to_arrow_table()
    predictions.drop_table_from_database_and_remove_from_cache()
    return SplinkEdges(
        edges=edges,
        weights=_level_weights(model, comparisons),
        probability_two_random_records_match=float(model["probability_two_random_records_match"]),
        notes=notes,
    )


def _open_pairs(key: tuple[str, ...]) -> CustomRule:
    equal = " AND ".join(f"l.{c} = r.{c}" for c in key)
    return CustomRule(f"{equal} AND l.hard <> r.hard")


def _training_rules(
    comparisons: list[FieldComparison], hard_rules: list[tuple[str, ...]]
) -> list[str]:
    """Block once on the name, once on the birth year and place (or a hard identifier).

    EM cannot estimate a field it blocks on, so two sessions on different fields cover
    every field. Each blocked set must mix matches and non-matches: an exact birth date
    would not (a person's wallet and bank card share it, hardly anyone else does), the
    birth *year* in one city does.
    """
    fields = {c.field for c in comparisons}
    rules = []
    names = next((n for n in (("first_name", "last_name"), ("name",)) if set(n) <= fields), ())
    if names:
        rules.append(" AND ".join(f"l.{c} = r.{c}" for c in names))
    place = next((p for p in ("city", "postcode") if p in fields), None)
    if "birth_date" in fields and place:
        rules.append(f"year(l.birth_date) = year(r.birth_date) AND l.{place} = r.{place}")
    elif hard_rules:
        rules.append(" AND ".join(f"l.{c} = r.{c}" for c in hard_rules[0]))
    return rules


def _edges_sql(table: str, columns: set[str], comparisons: list[FieldComparison]) -> str:
    """Each pair over the threshold, its levels in words with each field's match weight."""
    parts = []
    for c in comparisons:
        weight = f"mw_{c.field}"
        if f"mw_tf_adj_{c.field}" in columns:
            weight += f" + coalesce(mw_tf_adj_{c.field}, 0)"
        cases = " ".join(
            f"WHEN {gamma} THEN '{c.label(gamma)}'" for gamma in range(len(c.levels) + 1)
        )
        parts.append(
            f"CASE WHEN gamma_{c.field} >= 0 THEN printf('%s %s (%+.1f)', '{c.field}', "
            f"CASE gamma_{c.field} {cases} END, {weight}) END"
        )
    return f"""
        SELECT unique_id_l AS left_idx, unique_id_r AS right_idx,
               match_probability AS probability, match_weight AS weight,
               concat_ws(', ', {", ".join(parts)}) AS levels
        FROM {table} ORDER BY left_idx, right_idx"""


def _level_weights(
    model: dict[str, Any], comparisons: list[FieldComparison]
) -> dict[str, dict[str, float]]:
    """Trained match weight (log2 Bayes factor) of each level, for people to read."""
    out: dict[str, dict[str, float]] = {}
    by_name = {c.field: c for c in comparisons}
    for comp in model["comparisons"]:
        spec = by_name.get(comp["output_column_name"])
        if spec is None:
            continue
        weights: dict[str, float] = {}
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if isinstance(m, float) and isinstance(u, float) and m > 0 and u > 0:
                weights[level["label_for_charts"]] = round(math.log2(m / u), 2)
        out[spec.field] = weights
    return out


def _empty_edges() -> pa.Table:
    return pa.table(
        {
            "left_idx": pa.array([], pa.int64()),
            "right_idx": pa.array([], pa.int64()),
            "probability": pa.array([], pa.float64()),
            "weight": pa.array([], pa.float64()),
            "levels": pa.array([], pa.string()),
        }
    )
