"""Row readers for CSV, JSON lines and Parquet: each yields numbered rows, streaming.

A reader never drops a row: what it cannot parse (a CSV row with the wrong number
of cells, a line that is not a JSON object) comes out as a malformed row for the
quarantine, numbered like the others. Only a file that cannot be read at all (not
found, wrong text encoding, not Parquet) raises :class:`SourceError`.

Row numbers count data rows from 1 (a CSV header is not a row; blank lines are not
rows). ``line`` is the physical line a row starts on, for CSV and JSON lines.
Nested JSON objects and Parquet structs are flattened to dotted column names
(``{"user": {"id": 7}}`` has the column ``user.id``).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, cast

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.ingest.errors import SourceError
from fraudlink.ingest.spec import SourceSpec

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_PARQUET_BATCH = 65_536


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row; ``values`` is None when the row is malformed (``problem`` says why)."""

    row: int
    line: int | None
    values: dict[str, Any] | None
    raw: Any
    problem: str | None = None


def detect_format(path: Path, source: SourceSpec) -> str:
    """The format of ``path``: ``source.format`` if set, else from its extension."""
    if source.format is not None:
        return source.format
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    if suffixes and suffixes[-1] in FORMATS:
        return FORMATS[suffixes[-1]]
    raise SourceError(
        path,
        "cannot tell the format from the file name",
        "name it .csv, .jsonl, .ndjson or .parquet, or set source.format in the mapping",
    )


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """Nested objects as dotted keys; a flat record is returned as is."""
    if not any(isinstance(v, dict) for v in record.values()):
        return record
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for inner, leaf in flatten(value).items():
                out.setdefault(f"{key}.{inner}", leaf)
        else:
            out.setdefault(key, value)
    return out


class RowReader:
    """Base of the readers: a context manager over one file that reports its progress."""

    format = ""

    def __init__(self, path: Path, source: SourceSpec) -> None:
        self.path = path
        self.source = source
        self.columns: tuple[str, ...] | None = None
        try:
            self.size = path.stat().st_size
            self._file: IO[bytes] = path.open("rb")
        except OSError as exc:
            raise SourceError(path, f"cannot open: {exc.strerror}") from None
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        """Read what comes before the rows (a header, Parquet metadata)."""

    def __enter__(self) -> RowReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def position(self) -> tuple[int, int]:
        """(done, total) in bytes of the file on disk."""
        return (self.size if self._file.closed else self._file.tell()), self.size

    def _bytes(self) -> IO[bytes]:
        if self.path.suffix.lower() == ".gz":
            return cast(IO[bytes], gzip.GzipFile(fileobj=self._file, mode="rb"))
        return self._file

    def __iter__(self) -> Iterator[SourceRow]:
        raise NotImplementedError


def _text_encoding(name: str) -> str:
    # utf-8-sig also reads files without a BOM, and Excel writes one.
    return "utf-8-sig" if codecs.lookup(name).name == "utf-8" else name


FIELD_LIMIT = 131_072  # characters in one cell, csv's default


class CsvReader(RowReader):
    format = "csv"

    def _start(self) -> None:
        source = self.source
        text = io.TextIOWrapper(self._bytes(), encoding=_text_encoding(source.encoding), newline="")
        self._reader = csv.reader(text, delimiter=source.delimiter, quotechar=source.quotechar)
        header = self._next_cells() or []
        names = tuple(name.strip() for name in header)
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise SourceError(self.path, f"the header repeats column {repeated[0]!r}")
        self.columns = names

    def _next_cells(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError as exc:
            raise SourceError(
                self.path,
                f"not {self.source.encoding} text near line {self._reader.line_num + 1}: "
                + exc.reason,
                "set source.encoding in the mapping, e.g. gbk or gb18030",
            ) from None

    def __iter__(self) -> Iterator[SourceRow]:
        assert self.columns is not None
        width = len(self.columns)
        row = 0
        while True:
            start = self._reader.line_num + 1
            try:
                cells = self._next_cells()
            except csv.Error as exc:
                row += 1
                yield SourceRow(row, start, None, None, f"unreadable CSV: {exc}")
                continue
            if cells is None:
                return
            if not cells:
                continue
            row += 1
            if any(len(cell) > FIELD_LIMIT for cell in cells):
                # csv's own limit is process-wide and other libraries raise it at import
                # (followthemoney does): check ours here so a giant cell is always refused.
                problem = f"unreadable CSV: field larger than field limit ({FIELD_LIMIT})"
                yield SourceRow(row, start, None, None, problem)
                continue
            if len(cells) != width:
                problem = f"expected {width} columns, got {len(cells)}"
                yield SourceRow(row, start, None, cells, problem)
                continue
            values = dict(zip(self.columns, cells, strict=True))
            yield SourceRow(row, start, values, values)


class JsonlReader(RowReader):
    format = "jsonl"

    def __iter__(self) -> Iterator[SourceRow]:
        encoding = _text_encoding(self.source.encoding)
        row = 0
        for line, data in enumerate(self._bytes(), start=1):
            try:
                text = data.decode(encoding if line == 1 else encoding.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                row += 1
                problem = f"not {self.source.encoding} text: {exc.reason}"
                yield SourceRow(row, line, None, data.decode("utf-8", "replace"), problem)
                continue
            if not text.strip():
                continue
            row += 1
            try:
                value = msgspec.json.decode(text)
            except msgspec.DecodeError as exc:
                yield SourceRow(row, line, None, text.rstrip("\r\n"), f"not JSON: {exc}")
                continue
            if not isinstance(value, dict):
                problem = f"expected a JSON object, got {type(value).__name__}"
                yield SourceRow(row, line, None, value, problem)
                continue
            yield SourceRow(row, line, flatten(value), value)


def _flat_names(fields: Any, prefix: str = "") -> list[str]:
    names: list[str] = []
    for f in fields:
        if pa.types.is_struct(f.type):
            names += _flat_names(f.type, f"{prefix}{f.name}.")
        else:
            names.append(prefix + f.name)
    return names


class ParquetReader(RowReader):
    format = "parquet"

    def _start(self) -> None:
        try:
            self._parquet = pq.ParquetFile(self._file)
        except (pa.ArrowException, OSError) as exc:
            raise SourceError(self.path, f"not a readable Parquet file: {exc}") from None
        self.columns = tuple(_flat_names(self._parquet.schema_arrow))
        self.size = self._parquet.metadata.num_rows
        self._done = 0

    def position(self) -> tuple[int, int]:
        """(done, total) in rows: Parquet knows its row count up front."""
        return self._done, self.size

    def __iter__(self) -> Iterator[SourceRow]:
        batches = self._parquet.iter_batches(batch_size=_PARQUET_BATCH)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except (pa.ArrowException, OSError) as exc:
                raise SourceError(
                    self.path, f"Parquet read failed after row {self._done}: {exc}"
                ) from None
            for record in batch.to_pylist():
                self._done += 1
                yield SourceRow(self._done, None, flatten(record), record)


_READERS: dict[str, type[RowReader]] = {
    "csv": CsvReader,
    "jsonl": JsonlReader,
    "parquet": ParquetReader,
}


def open_reader(path: Path, source: SourceSpec) -> RowReader:
    """A reader for ``path``; raises :class:`SourceError` when it cannot be read."""
    if not path.is_file():
        raise SourceError(path, "no such file" if not path.exists() else "not a file")
    return _READERS[detect_format(path, source)](path, source)
