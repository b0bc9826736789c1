"""Ingest files through a mapping into DIR/events.parquet, quarantine.jsonl and summary.json.

Every row read is counted once, as accepted or quarantined, so a summary always
adds up. Outputs are written to hidden temporary files in DIR and renamed into
place only when everything succeeded (summary.json last, so its presence says the
run finished); a fatal error removes the temporaries and leaves DIR as it was.
"""

from __future__ import annotations

import difflib
import secrets
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fraudlink.ingest.errors import SourceError
from fraudlink.ingest.event_sink import EventSink
from fraudlink.ingest.mapping import Mapping
from fraudlink.ingest.ordering import SortEngine, sort_events
from fraudlink.ingest.quarantine import QuarantineRecord, QuarantineWriter
from fraudlink.ingest.readers import RowReader, SourceRow, open_reader
from fraudlink.ingest.rows import Rejection, RowMapper
from fraudlink.ingest.summary import IngestSummary, SourceSummary
from fraudlink.model.events import AnyEvent

EVENTS_FILE = "events.parquet"
QUARANTINE_FILE = "quarantine.jsonl"
SUMMARY_FILE = "summary.json"
_PROGRESS_EVERY = 4096


@dataclass(frozen=True, slots=True)
class FileProgress:
    """Where ingest is in one file; ``done``/``total`` are bytes, or rows for Parquet."""

    source: str
    index: int
    files: int
    rows: int
    done: int
    total: int
    unit: str
    finished: bool


ProgressFn = Callable[[FileProgress], None]


def check_sources(paths: Sequence[Path], mapping: Mapping) -> None:
    """Fail before reading a row if a file is unreadable or lacks a column the mapping reads."""
    for path in paths:
        with open_reader(path, mapping.source) as reader:
            _check_columns(reader, mapping)


def _check_columns(reader: RowReader, mapping: Mapping) -> None:
    if not reader.columns:  # JSON lines have no header; an empty file has no rows
        return
    for column in mapping.plan.columns:
        if column not in reader.columns:
            line, key = mapping.column_origin(column)
            lowered = {c.lower(): c for c in reader.columns}
            close = [lowered[c] for c in difflib.get_close_matches(column.lower(), lowered, n=1)]
            raise SourceError(
                reader.path,
                f"has no column {column!r}, which {key} reads ({mapping.file}:{line})",
                (f"did you mean {close[0]!r}? " if close else "")
                + f"the columns are: {', '.join(reader.columns)}",
            )


class _Temps:
    """Hidden files in the output folder, renamed into place or removed."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.paths: list[Path] = []
        self.spill = Path(tempfile.mkdtemp(dir=out_dir, prefix=".ingest-spill-"))

    def new(self, name: str) -> Path:
        # Not mkstemp: its 0600 mode would stick to the renamed outputs; touch honours umask.
        path = self.out_dir / f".{name}.{secrets.token_hex(6)}.tmp"
        path.touch(exist_ok=False)
        self.paths.append(path)
        return path

    def commit(self, temp: Path, name: str) -> Path:
        final = self.out_dir / name
        temp.replace(final)
        self.paths.remove(temp)
        return final

    def remove(self) -> None:
        for path in self.paths:
            path.unlink(missing_ok=True)
        shutil.rmtree(self.spill, ignore_errors=True)


def ingest_files(
    paths: Sequence[Path],
    mapping: Mapping,
    out_dir: Path,
    progress: ProgressFn | None = None,
    sort_engine: SortEngine = "auto",
) -> IngestSummary:
    """Map every row of ``paths`` to a canonical event or a quarantine record."""
    check_sources(paths, mapping)
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    temps = _Temps(out_dir)
    done = False
    try:
        unsorted, events, quarantine, summary_tmp = (
            temps.new(n) for n in ("unsorted", EVENTS_FILE, QUARANTINE_FILE, SUMMARY_FILE)
        )
        mapper = RowMapper(mapping)
        sink = EventSink(unsorted)
        sources: list[SourceSummary] = []
        try:
            with quarantine.open("wb") as qfile:
                rejects = QuarantineWriter(qfile)
                for index, path in enumerate(paths):
                    sources.append(
                        _ingest_one(path, index, len(paths), mapper, sink, rejects, progress)
                    )
        finally:
            sink.close()
        engine = sort_events(unsorted, events, temps.spill, sort_engine)
        summary = IngestSummary(
            mapping=str(mapping.file),
            sources=sources,
            events_by_type=dict(sorted(sink.by_type.items())),
            sort_engine=engine,
            events_file=str(out_dir / EVENTS_FILE),
            quarantine_file=str(out_dir / QUARANTINE_FILE),
            summary_file=str(out_dir / SUMMARY_FILE),
        )
        summary_tmp.write_bytes(summary.to_json())
        temps.commit(events, EVENTS_FILE)
        temps.commit(quarantine, QUARANTINE_FILE)
        temps.commit(summary_tmp, SUMMARY_FILE)
        done = True
        return summary
    finally:
        temps.remove()
        if created and not done and not any(out_dir.iterdir()):
            out_dir.rmdir()


def _ingest_one(
    path: Path,
    index: int,
    files: int,
    mapper: RowMapper,
    sink: EventSink,
    rejects: QuarantineWriter,
    progress: ProgressFn | None,
) -> SourceSummary:
    with open_reader(path, mapper.source) as reader:
        counts = SourceSummary(source=str(path), format=reader.format)
        unit = "rows" if reader.format == "parquet" else "bytes"

        def report(finished: bool) -> None:
            if progress is not None:
                done, total = reader.position()
                progress(
                    FileProgress(str(path), index, files, counts.read, done, total, unit, finished)
                )

        report(False)
        for source_row in reader:
            counts.read += 1
            outcome = _map(source_row, mapper, str(path))
            if isinstance(outcome, Rejection):
                counts.reject(outcome.reason)
                rejects.write(_record(path, source_row, outcome))
            else:
                counts.accepted += 1
                sink.add(outcome)
            if progress is not None and counts.read % _PROGRESS_EVERY == 0:
                report(False)
        report(True)
    return counts


def _map(source_row: SourceRow, mapper: RowMapper, source: str) -> AnyEvent | Rejection:
    if source_row.values is None:
        return Rejection("malformed_row", source_row.problem or "malformed row")
    return mapper.map_row(source_row.values, source, source_row.row)


def _record(path: Path, source_row: SourceRow, rejection: Rejection) -> QuarantineRecord:
    return QuarantineRecord(
        source=str(path),
        row=source_row.row,
        line=source_row.line,
        field=rejection.field,
        column=rejection.column,
        reason=rejection.reason,
        detail=rejection.detail,
        value=rejection.value,
        raw=source_row.raw,
    )
