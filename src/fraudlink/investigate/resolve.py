"""Entity resolution: which person records, across platforms and cities, are one person.

Two kinds of evidence, in this order:

1. **Hard identifiers** (``resolve_hard``): records sharing a phone, e-mail, hashed id
   number, bank card or wallet are merged, unless the value is a hub held by too many
   records to be one person's.
2. **Probabilistic linkage** (``resolve_splink``): Splink, trained without labels on
   the same records, scores the pairs the hard identifiers left apart (equal name and
   birth date or place, …) on names, birth dates, addresses, phones, cities and shared
   devices; a pair over the threshold is merged.

Every merge is an edge with its evidence (``resolve_merges``); clusters are the
connected components of the merges not undone. The same records give the same merges,
ids and clusters in every run.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from fraudlink.investigate.resolve_hard import (
    DEFAULT_HUB_LIMIT,
    HARD_KINDS,
    Conflict,
    Hub,
    hard_edges,
)
from fraudlink.investigate.resolve_merges import MERGE_SCHEMA, Resolution, components
from fraudlink.investigate.resolve_model import blocking_keys, comparisons
from fraudlink.investigate.resolve_records import PersonRecords
from fraudlink.investigate.resolve_splink import ModelSettings, splink_edges

Progress = Callable[[str], None]
HASHED_ID_LENGTH = 32


@dataclass(frozen=True)
class ResolveSettings:
    hard_kinds: tuple[str, ...] = HARD_KINDS
    hub_limit: int = DEFAULT_HUB_LIMIT
    probabilistic: bool = True
    model: ModelSettings = field(default_factory=ModelSettings)


@dataclass(frozen=True)
class ResolveReport:
    """The resolution and how it was reached."""

    resolution: Resolution
    hubs: list[Hub]
    hub_count: int
    conflicts: list[Conflict]
    conflict_count: int
    weights: dict[str, dict[str, float]]  # trained match weight per field and level
    timings: dict[str, float]
    source: str
    notes: list[str] = field(default_factory=list)  # training sessions that were skipped

    def stats(self) -> dict[str, int]:
        res = self.resolution
        sizes = Counter(Counter(res.representative.tolist()).values())
        kinds = Counter(res.merges.column("kind").to_pylist())
        return {
            "records": len(res.record_ids),
            "clusters": sum(sizes.values()),
            "clusters_of_2_or_more": sum(n for size, n in sizes.items() if size > 1),
            "hard_merges": kinds.get("hard", 0),
            "probabilistic_merges": kinds.get("probabilistic", 0),
            "undone_merges": len(res.undone),
            "hub_values": self.hub_count,
            "name_conflicts": self.conflict_count,
        }


def resolve(
    people: PersonRecords,
    settings: ResolveSettings | None = None,
    progress: Progress | None = None,
) -> ResolveReport:
    """Merge the records of ``people`` and return the clusters with every merge's evidence."""
    settings = settings or ResolveSettings()
    report = progress or (lambda _phase: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    n = people.size
    records = people.records.append_column("idx", pa.array(np.arange(n, dtype=np.int64)))
    present = people.present_fields()
    con = duckdb.connect()
    try:
        con.register("rec_in", records)
        con.sql("CREATE TEMP TABLE rec AS SELECT * FROM rec_in").fetchall()
        con.register("links", people.links)
        report("merging on shared identifiers")
        hard = hard_edges(con, settings.hard_kinds, settings.hub_limit)
        hard_cluster = components(
            n, hard.edges.column("left_idx").to_numpy(), hard.edges.column("right_idx").to_numpy()
        )
        timings["hard identifiers"] = time.perf_counter() - started
        weights: dict[str, dict[str, float]] = {}
        notes: list[str] = []
        splink_merges = None
        if settings.probabilistic:
            report("probabilistic linkage (Splink)")
            started = time.perf_counter()
            has_devices = _people_table(con, hard_cluster, present)
            hard_rules: list[tuple[str, ...]] = [
                (k,)
                for k in present
                if k in ("id_number", "phone", "email") and k in settings.hard_kinds
            ]
            if "birth_date" in present:
                hard_rules.append(("name", "birth_date"))
            found = splink_edges(
                con,
                comparisons(present, has_devices, _hashed_ids(con)),
                blocking_keys(present, settings.hard_kinds),
                hard_rules,
                settings.model,
            )
            weights, splink_merges, notes = found.weights, found.edges, found.notes
            timings["probabilistic linkage"] = time.perf_counter() - started
        started = time.perf_counter()
        merges = _merges(con, hard.edges, splink_merges)
        timings["merges"] = time.perf_counter() - started
    finally:
        con.close()
    return ResolveReport(
        resolution=Resolution(records.column("record_id").combine_chunks(), merges),
        hubs=hard.hubs,
        hub_count=hard.hub_count,
        conflicts=hard.conflicts,
        conflict_count=hard.conflict_count,
        weights=weights,
        timings=timings,
        source=people.source,
        notes=notes,
    )


def _people_table(con: duckdb.DuckDBPyConnection, hard: np.ndarray, present: list[str]) -> bool:
    """The table Splink reads: fields, hard cluster and devices; whether any device is known."""
    con.register("hard_in", pa.table({"idx": pa.array(np.arange(len(hard))), "hard": hard}))
    devices = con.sql("SELECT count(*) FROM links WHERE kind = 'device'").fetchall()[0][0]
    device_col = ", d.devices" if devices else ""
    device_join = (
        " LEFT JOIN (SELECT record_id, list(DISTINCT value ORDER BY value) AS devices "
        "FROM links WHERE kind = 'device' GROUP BY record_id) d USING (record_id)"
        if devices
        else ""
    )
    fields = ", ".join(f"rec.{f}" for f in present)
    con.sql(
        f"""CREATE TEMP TABLE people AS
        SELECT rec.idx AS unique_id, h.hard, {fields}{device_col}
        FROM rec JOIN hard_in h USING (idx){device_join} ORDER BY rec.idx"""
    ).fetchall()
    return bool(devices)


def _hashed_ids(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the id numbers are hashes (no id number people type is 32 characters)."""
    shortest = con.sql("SELECT min(length(id_number)) FROM rec").fetchall()[0][0]
    return shortest is not None and shortest >= HASHED_ID_LENGTH


def _merges(
    con: duckdb.DuckDBPyConnection, hard: pa.Table, probabilistic: pa.Table | None
) -> pa.Table:
    """One row per merged pair, hard evidence first, with the stable merge id."""
    con.register("hard_edges", hard)
    parts = [
        """SELECT left_idx, right_idx, 'hard' AS kind,
                  string_agg(kind || ' ' || value, '; ' ORDER BY kind, value) AS evidence,
                  NULL::DOUBLE AS probability
           FROM hard_edges GROUP BY left_idx, right_idx"""
    ]
    if probabilistic is not None:
        con.register("splink_edges", probabilistic)
        parts.append(
            "SELECT left_idx, right_idx, 'probabilistic', levels, probability FROM splink_edges"
        )
    return (
        con.sql(
            f"""WITH e AS ({" UNION ALL ".join(parts)})
        SELECT 'm-' || substr(md5(a.record_id || chr(31) || b.record_id), 1, 12) AS merge_id,
               a.record_id AS left, b.record_id AS right, e.kind, e.evidence, e.probability,
               e.left_idx, e.right_idx
        FROM e JOIN rec a ON a.idx = e.left_idx JOIN rec b ON b.idx = e.right_idx
        ORDER BY e.left_idx, e.right_idx"""
        )
        .to_arrow_table()
        .cast(MERGE_SCHEMA)
    )
