"""Raw canonical event files as one evidence source: checked, then copied or merged.

A world folder (``events.parquet`` with ``accounts``, ``parties`` and ``organisations``
beside it) or bare event files, as the simulator and ``fraudlink ingest`` write them. One
events file is copied byte for byte, so its SHA-256 in the store is the one the platform
can recompute; several are merged into one, each event once (by organisation and event
id), in event-time order, in the canonical wide schema.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.digests import file_sha256
from fraudlink.investigate.evidence_rows import EvidenceError
from fraudlink.model.columns import EVENT_SCHEMA

ENTITY_FILES = ("accounts.parquet", "parties.parquet", "organisations.parquet")
REQUIRED = ("event_id", "type", "ts", "org")


@dataclass(frozen=True)
class RawFiles:
    events: list[Path]
    entities: dict[str, list[Path]]  # accounts.parquet → the files of that kind found
    digests: dict[str, str]  # every input file → SHA-256

    @property
    def inputs(self) -> list[Path]:
        return [Path(p) for p in self.digests]


def check_events_file(path: Path) -> None:
    """Refuse a file that is not canonical events, naming the column and how to fix it."""
    hint = "convert the platform's files with `fraudlink ingest SRC --mapping MAP --out DIR`"
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise EvidenceError(f"{path}: not a Parquet file ({exc}); {hint}") from exc
    for name in REQUIRED:
        if name not in schema.names:
            raise EvidenceError(f"{path}: no column {name!r}, so not canonical events; {hint}")
    for field in schema:
        if field.name not in EVENT_SCHEMA.names:
            continue
        want = EVENT_SCHEMA.field(field.name).type
        # Any time zone will do: the instant is the same, and readers compare instants.
        zoned = pa.types.is_timestamp(field.type) and pa.types.is_timestamp(want)
        if field.type != want and not (zoned and field.type.tz):
            raise EvidenceError(f"{path}: column {field.name!r} is {field.type}, canonical "
                                f"events have {want} (docs/data-model.md); {hint}")  # fmt: skip


def locate_raw(paths: list[Path]) -> RawFiles:
    """The event files named (a folder stands for its events.parquet) and their neighbours."""
    if not paths:
        raise EvidenceError("no event files given: name event Parquet files or world folders")
    events: list[Path] = []
    entities: dict[str, list[Path]] = {name: [] for name in ENTITY_FILES}
    for path in paths:
        file = path / "events.parquet" if path.is_dir() else path
        if not file.exists():
            raise EvidenceError(f"{file} not found: give events.parquet or its world folder")
        check_events_file(file)
        events.append(file)
        for name in ENTITY_FILES:
            if (file.parent / name).exists() and file.parent / name not in entities[name]:
                entities[name].append(file.parent / name)
    every = [*events, *(p for found in entities.values() for p in found)]
    digests = {str(p.resolve()): file_sha256(p) for p in dict.fromkeys(every)}
    return RawFiles(events=list(dict.fromkeys(events)), entities=entities, digests=digests)


_MERGE = """
SELECT * FROM read_parquet($files, union_by_name = true)
QUALIFY row_number() OVER (PARTITION BY org, event_id ORDER BY ts) = 1
ORDER BY ts, event_id
"""


def write_raw(raw: RawFiles, folder: Path) -> dict[str, int]:
    """Write the source into ``folder``; the number of events, accounts and parties."""
    counts: dict[str, int] = {}
    if len(raw.events) == 1:
        shutil.copyfile(raw.events[0], folder / "events.parquet")
        counts["events"] = pq.read_metadata(raw.events[0]).num_rows
    else:
        counts["events"] = _merge_events(raw.events, folder / "events.parquet")
    for name, found in raw.entities.items():
        if not found:
            continue
        if len(found) == 1:
            shutil.copyfile(found[0], folder / name)
            rows = pq.read_metadata(found[0]).num_rows
        else:
            with duckdb.connect() as con:
                table = con.sql("SELECT DISTINCT * FROM read_parquet($f, union_by_name = true)",
                                params={"f": [str(p) for p in found]}).to_arrow_table()  # fmt: skip
            pq.write_table(table, folder / name, compression="zstd")
            rows = table.num_rows
        counts[name.removesuffix(".parquet")] = rows
    return counts


def _merge_events(files: list[Path], out: Path) -> int:
    rows = 0
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        reader = con.sql(_MERGE, params={"files": [str(f) for f in files]}).to_arrow_reader()
        with pq.ParquetWriter(out, EVENT_SCHEMA, compression="zstd") as writer:
            for batch in reader:
                columns = [
                    batch.column(f.name).cast(f.type) if f.name in batch.schema.names
                    else pa.nulls(batch.num_rows, f.type)
                    for f in EVENT_SCHEMA
                ]  # fmt: skip
                writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=EVENT_SCHEMA))
                rows += batch.num_rows
    return rows
