"""Read any plain table of person records (CSV or Parquet) through a resolve mapping.

Every cell is read as text, so a phone ``0571…`` or a postcode ``0800`` keeps its
leading zero. Faults that make the whole table unusable stop the run and say where:
a column the file lacks (with the mapping line that names it and the closest column), a
row without a record id, two rows with the same id. A birth date that does not parse
is only a missing birth date: the run goes on and a note counts them, with the first.
"""

from __future__ import annotations

import csv
import difflib
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fraudlink.ingest.errors import SourceError
from fraudlink.investigate.resolve_mapping import ColumnSpec, PersonMapping
from fraudlink.investigate.resolve_records import (
    LINK_SCHEMA,
    PersonRecords,
    join_texts,
    normalise_records,
)


def read_person_table(path: Path, mapping: PersonMapping) -> tuple[PersonRecords, list[str]]:
    """The records of ``path`` and notes on values that were read as missing."""
    return records_from_table(_read(path, mapping), mapping, path)


def records_from_table(
    table: pa.Table, mapping: PersonMapping, path: Path
) -> tuple[PersonRecords, list[str]]:
    """The records of a table already read; ``path`` names it in errors."""
    for spec in [*mapping.fields.values(), *mapping.links.values()]:
        _check_columns(path, mapping, spec, table.column_names)
    notes: list[str] = []
    columns: dict[str, pa.ChunkedArray] = {}
    for name, spec in mapping.fields.items():
        if name == "birth_date":
            columns[name] = _dates(path, table, spec, notes)
        else:
            columns[name] = _joined(table, spec)
    ids = columns["record_id"]
    _check_ids(path, mapping.fields["record_id"].columns[0], ids)
    links = [
        pa.table(
            {
                "record_id": ids,
                "kind": pa.repeat(pa.scalar(kind), len(ids)),
                "value": _text(table.column(c)),
            }
        )
        for kind, spec in mapping.links.items()
        for c in spec.columns
    ]
    link_table = pa.concat_tables(links) if links else LINK_SCHEMA.empty_table()
    link_table = link_table.filter(pc.is_valid(link_table.column("value"))).cast(LINK_SCHEMA)
    records = normalise_records(pa.table(columns))
    return PersonRecords(records, link_table, str(path)), notes


def _read(path: Path, mapping: PersonMapping) -> pa.Table:
    if not path.exists():
        raise SourceError(path, "file not found")
    kind = mapping.format or _format_of(path)
    if kind == "parquet":
        try:
            return pq.read_table(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise SourceError(path, f"not a Parquet file: {exc}") from None
    header = _csv_header(path, mapping)
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=mapping.encoding),
            parse_options=pacsv.ParseOptions(delimiter=mapping.delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                null_values=list(mapping.null_values),
                strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise SourceError(path, f"not a readable CSV: {exc}") from None


def _format_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] in ([".parquet"], [".pq"]):
        return "parquet"
    if ".csv" in suffixes[-2:]:
        return "csv"
    raise SourceError(
        path,
        "cannot tell the format from the extension",
        "name it .csv or .parquet, or set source.format in the mapping",
    )


def _csv_header(path: Path, mapping: PersonMapping) -> list[str]:
    try:
        with path.open(encoding=mapping.encoding, newline="") as fh:
            header = next(csv.reader(fh, delimiter=mapping.delimiter), [])
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(
            path,
            f"not {mapping.encoding} text ({exc})",
            "set source.encoding in the mapping, e.g. gbk",
        ) from None
    names = [h.strip().lstrip("\ufeff") for h in header]
    if not names:
        raise SourceError(path, "empty file: expected a header row")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SourceError(path, f"the header repeats column {', '.join(repeated)}")
    return names


def _check_columns(path: Path, mapping: PersonMapping, spec: ColumnSpec, have: list[str]) -> None:
    for i, column in enumerate(spec.columns):
        if column in have:
            continue
        close = difflib.get_close_matches(column, have, n=1)
        hint = f"closest column: {close[0]}" if close else f"the file has: {', '.join(have[:20])}"
        where = (*spec.path, i) if len(spec.columns) > 1 else spec.path
        raise mapping.error(where, f"{path.name} has no column {column!r}", hint)


def _text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_floating(col.type):
        # pandas writes integer columns with gaps as floats, and the gaps as NaN:
        # 10086.0 is 10086, NaN is missing.
        col = pc.if_else(pc.is_nan(col), pa.scalar(None, col.type), col)
        whole = col.cast(pa.int64(), safe=False).cast(pa.string())
        col = pc.if_else(pc.equal(pc.floor(col), col), whole, col.cast(pa.string()))
    text = pc.utf8_trim_whitespace(col.cast(pa.string()))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _joined(table: pa.Table, spec: ColumnSpec) -> pa.ChunkedArray:
    parts = [_text(table.column(c)) for c in spec.columns]
    return parts[0] if len(parts) == 1 else join_texts(*parts)


def _dates(path: Path, table: pa.Table, spec: ColumnSpec, notes: list[str]) -> pa.ChunkedArray:
    raw = table.column(spec.columns[0])
    if pa.types.is_date(raw.type) or pa.types.is_timestamp(raw.type):
        return raw.cast(pa.date32())
    text = _joined(table, spec)
    parsed = pc.strptime(text, format=spec.date_format, unit="s", error_is_null=True)
    dates = parsed.cast(pa.date32())
    bad = pc.and_(pc.is_valid(text), pc.is_null(dates))
    count = pc.sum(bad).as_py() or 0
    if count:
        row = pc.index(bad, True).as_py()
        notes.append(
            f"{path.name}: {count} birth dates in {', '.join(spec.columns)} are not dates in "
            f"format {spec.date_format} (first: row {row + 1}, {text[row].as_py()!r}); "
            "read as missing"
        )
    return dates


def _check_ids(path: Path, column: str, ids: pa.ChunkedArray) -> None:
    missing = pc.is_null(ids)
    if pc.any(missing).as_py():
        row = pc.index(missing, True).as_py() + 1
        raise SourceError(
            path,
            f"row {row}: the record id (column {column!r}) is empty",
            "every record needs an id of its own",
        )
    counts = pc.value_counts(ids)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    if len(repeated):
        value = repeated.field("values")[0].as_py()
        rows = (pc.indices_nonzero(pc.equal(ids, value)).to_numpy()[:2] + 1).tolist()
        raise SourceError(
            path,
            f"rows {rows[0]} and {rows[1]} have the same record id {value!r} (column {column!r})",
            "record ids must be unique",
        )
