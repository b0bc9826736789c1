"""The mapping file of ``fraudlink resolve``: which columns of a person table are which.

Small on purpose: one key per person field, naming a column (or a list of columns
joined with spaces, such as a street number and a street). An example, for FEBRL::

    version: 1
    record_id: rec_id
    first_name: given_name
    last_name: surname
    birth_date: {column: date_of_birth, format: "%Y%m%d"}
    address: [street_number, address_1, address_2]
    city: suburb
    postcode: postcode
    id_number: soc_sec_id

Every key is checked when the file loads; a fault names the file, line and key, and
what was expected (docs/investigate-resolve.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fraudlink.ingest.errors import MappingError
from fraudlink.ingest.yaml_lines import KeyPath, LocatedYaml, LocatedYamlError, load_located
from fraudlink.investigate.resolve_hard import HARD_KINDS
from fraudlink.investigate.resolve_records import TEXT_FIELDS

FIELDS = ("record_id", *TEXT_FIELDS, "birth_date")
LINK_FIELDS = ("bank_card", "wallet", "device")
TOP_KEYS = ("version", "source", *FIELDS, "identifiers", "hard", "hub_limit")
SOURCE_KEYS = ("format", "encoding", "delimiter", "null_values")
DEFAULT_DATE_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True)
class ColumnSpec:
    """Where one field comes from: columns joined with spaces, and a date format."""

    columns: tuple[str, ...]
    date_format: str = DEFAULT_DATE_FORMAT
    path: KeyPath = ()


@dataclass(frozen=True)
class PersonMapping:
    file: Path
    located: LocatedYaml
    fields: dict[str, ColumnSpec]  # record field → columns
    links: dict[str, ColumnSpec]  # identifier kind → columns (each column one value)
    hard: tuple[str, ...] = HARD_KINDS
    hub_limit: int | None = None
    format: str | None = None  # csv | parquet; None: from the extension
    encoding: str = "utf-8"
    delimiter: str = ","
    null_values: tuple[str, ...] = ("",)

    def error(self, path: KeyPath, message: str, hint: str | None = None) -> MappingError:
        key = ".".join(str(p) for p in path)
        return MappingError(self.file, self.located.line_of(path), key, message, hint)


def load_person_mapping(file: Path) -> PersonMapping:
    """Read and check a resolve mapping; raise :class:`MappingError` at the fault."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError(file, None, "", f"cannot read the mapping: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise MappingError(file, None, "", "the mapping is not UTF-8 text") from None
    return parse_person_mapping(text, file)


def parse_person_mapping(text: str, file: Path) -> PersonMapping:
    """Check mapping ``text``; ``file`` is the name errors cite."""
    try:
        located = load_located(text)
    except LocatedYamlError as problem:
        key = ".".join(str(p) for p in problem.path)
        raise MappingError(file, problem.line, key, problem.message) from None
    return _check(file, located)


def _check(file: Path, located: LocatedYaml) -> PersonMapping:
    base = PersonMapping(file, located, {}, {})
    data = located.data
    if not isinstance(data, dict):
        raise base.error((), "expected a map with version, record_id and name columns")
    _known(base, data, (), TOP_KEYS)
    if data.get("version") != 1:
        raise base.error(("version",), "expected `version: 1`", "the only mapping version")
    if "record_id" not in data:
        raise base.error((), "missing key `record_id`", "name the column with each record's id")
    if not any(k in data for k in ("name", "first_name", "last_name")):
        raise base.error((), "no name: map `name`, or `first_name` and `last_name`")
    fields = {k: _spec(base, data[k], (k,)) for k in FIELDS if k in data}
    if len(fields["record_id"].columns) != 1:
        raise base.error(("record_id",), "expected one column, not a list")
    links_data = data.get("identifiers", {})
    if not isinstance(links_data, dict):
        raise base.error(("identifiers",), "expected a map of identifier kind → column(s)")
    _known(base, links_data, ("identifiers",), LINK_FIELDS)
    links = {k: _spec(base, v, ("identifiers", k)) for k, v in links_data.items()}
    source = data.get("source", {})
    if not isinstance(source, dict):
        raise base.error(("source",), "expected a map", f"keys: {', '.join(SOURCE_KEYS)}")
    _known(base, source, ("source",), SOURCE_KEYS)
    return PersonMapping(
        file,
        located,
        fields,
        links,
        hard=_hard(base, data.get("hard", list(HARD_KINDS))),
        hub_limit=_hub_limit(base, data.get("hub_limit")),
        format=_choice(base, source.get("format"), ("source", "format"), ("csv", "parquet")),
        encoding=_text(base, source.get("encoding", "utf-8"), ("source", "encoding")),
        delimiter=_delimiter(base, source.get("delimiter", ",")),
        null_values=tuple(
            _text(base, v, ("source", "null_values", i))
            for i, v in enumerate(
                _list(base, source.get("null_values", [""]), ("source", "null_values"))
            )
        ),
    )


def _known(m: PersonMapping, data: dict[str, Any], path: KeyPath, allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            raise m.error(
                (*path, key), f"unknown key `{key}`", f"expected one of: {', '.join(allowed)}"
            )


def _spec(m: PersonMapping, value: Any, path: KeyPath) -> ColumnSpec:
    if isinstance(value, dict):
        _known(m, value, path, ("column", "format"))
        if "column" not in value:
            raise m.error(path, "missing key `column`")
        fmt = value.get("format", DEFAULT_DATE_FORMAT)
        if "format" in value and path[-1] != "birth_date":
            raise m.error((*path, "format"), "only `birth_date` has a format")
        columns = _columns(m, value["column"], (*path, "column"))
        return ColumnSpec(columns, _text(m, fmt, (*path, "format")), path)
    return ColumnSpec(_columns(m, value, path), path=path)


def _columns(m: PersonMapping, value: Any, path: KeyPath) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise m.error(path, "expected a column name or a list of them, not an empty list")
    return tuple(
        _text(m, v, (*path, i) if isinstance(value, list) else path) for i, v in enumerate(items)
    )


def _text(m: PersonMapping, value: Any, path: KeyPath) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise m.error(path, f"expected text, got {value!r}")
    return str(value)


def _list(m: PersonMapping, value: Any, path: KeyPath) -> list[Any]:
    if not isinstance(value, list):
        raise m.error(path, f"expected a list, got {value!r}")
    return value


def _choice(m: PersonMapping, value: Any, path: KeyPath, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value not in allowed:
        raise m.error(path, f"expected one of: {', '.join(allowed)}; got {value!r}")
    return value if value is None else str(value)


def _delimiter(m: PersonMapping, value: Any) -> str:
    text = _text(m, value, ("source", "delimiter"))
    if len(text) != 1:
        raise m.error(("source", "delimiter"), f"expected one character, got {text!r}")
    return text


def _hard(m: PersonMapping, value: Any) -> tuple[str, ...]:
    kinds = _list(m, value, ("hard",))
    for i, kind in enumerate(kinds):
        if kind not in HARD_KINDS:
            raise m.error(
                ("hard", i),
                f"{kind!r} is not a hard identifier",
                f"expected some of: {', '.join(HARD_KINDS)} (devices never are)",
            )
    return tuple(str(k) for k in kinds)


def _hub_limit(m: PersonMapping, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise m.error(("hub_limit",), f"expected a whole number ≥ 2, got {value!r}")
    return value
