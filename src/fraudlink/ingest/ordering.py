"""The final pass: events in event-time order, (ts, event_id), ties by arrival.

Arrow sorts in memory, which is fast and fine for a few million events. Past
:data:`ARROW_SORT_LIMIT` rows, ``auto`` hands the sort to DuckDB when it is
installed, which spills to disk in the output folder, so a file larger than memory
still sorts. Both write the same bytes of events in exactly ``EVENT_SCHEMA``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fraudlink.ingest.event_sink import SEQ
from fraudlink.model.columns import EVENT_SCHEMA

SortEngine = Literal["auto", "arrow", "duckdb"]
ARROW_SORT_LIMIT = 2_000_000
_ROW_GROUP = 262_144
_ORDER = [("ts", "ascending"), ("event_id", "ascending"), (SEQ, "ascending")]


def duckdb_available() -> bool:
    return importlib.util.find_spec("duckdb") is not None


def choose_engine(engine: SortEngine, rows: int) -> Literal["arrow", "duckdb"]:
    if engine == "auto":
        return "duckdb" if rows > ARROW_SORT_LIMIT and duckdb_available() else "arrow"
    if engine == "duckdb" and not duckdb_available():
        raise RuntimeError("sorting with duckdb needs it installed: pip install duckdb")
    return engine


def sort_events(
    unsorted: Path, dest: Path, spill_dir: Path, engine: SortEngine = "auto"
) -> Literal["arrow", "duckdb"]:
    """Write ``unsorted`` (with ``_seq``) to ``dest`` in order; return the engine used."""
    chosen = choose_engine(engine, pq.ParquetFile(unsorted).metadata.num_rows)
    with pq.ParquetWriter(dest, EVENT_SCHEMA, compression="zstd") as writer:
        if chosen == "duckdb":
            _sort_duckdb(unsorted, writer, spill_dir)
        else:
            table = pq.read_table(unsorted)
            table = table.take(pc.sort_indices(table, sort_keys=_ORDER)).drop_columns([SEQ])
            writer.write_table(table.cast(EVENT_SCHEMA), row_group_size=_ROW_GROUP)
    return chosen


def _sort_duckdb(unsorted: Path, writer: pq.ParquetWriter, spill_dir: Path) -> None:
    import duckdb

    con = duckdb.connect(":memory:", config={"temp_directory": str(spill_dir)})
    try:
        relation = con.sql(
            f"SELECT * EXCLUDE ({SEQ}) FROM read_parquet($path) ORDER BY ts, event_id, {SEQ}",
            params={"path": str(unsorted)},
        )
        for batch in relation.to_arrow_reader(_ROW_GROUP):
            # DuckDB labels the zone Etc/UTC and may widen types; cast back to the canonical layout.
            writer.write_table(pa.Table.from_batches([batch]).cast(EVENT_SCHEMA))
    finally:
        con.close()
