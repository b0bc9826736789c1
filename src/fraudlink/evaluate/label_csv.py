"""Read a generator's label file (CSV with a header) row by row, with errors a person can fix.

Label files come straight from third-party generators; a wrong file or a renamed
column must fail naming the file, the line and what was expected, not with a
``KeyError`` deep in a benchmark.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


class LabelFileError(ValueError):
    """A label file that cannot be read as the generator writes it."""


def labelled_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each data row of ``path``, after checking the header has ``required``."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise LabelFileError(
                f"{path}: line 1: missing column(s) {', '.join(missing)};"
                f" expected {', '.join(required)}, found {', '.join(header) or 'no header'}"
            )
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if isinstance(k, str)}


def flag(path: Path, line: int, column: str, value: str | None) -> bool:
    """A yes/no label as generators write it (``True``/``False``, ``1``/``0``)."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise LabelFileError(
        f"{path}: line {line}: column {column}: {value!r} is not a yes/no label (True/False or 1/0)"
    )


def required_text(path: Path, line: int, column: str, value: str | None) -> str:
    """A non-empty text field (an account id)."""
    if value is None or not value.strip():
        raise LabelFileError(f"{path}: line {line}: column {column} is empty")
    return value.strip()
