"""The quarantine: one JSON line per rejected row, with enough to find and fix it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import msgspec

REASONS = {
    "malformed_row": "the row could not be parsed (wrong number of CSV cells, not a JSON object)",
    "unknown_event_type": "the event-type column holds a value the mapping does not know",
    "missing_field": "a required field is empty and has no default",
    "not_in_map": "a value is not among the keys of the field's map",
    "bad_value": "a value cannot be read as the field's type (yes/no, enum, number, currency)",
    "bad_timestamp": "a time that cannot be parsed, has no zone, or never happened locally",
    "bad_amount": "an amount that cannot be parsed, is too precise, or has the wrong sign",
    "invalid_event": "the mapped event breaks a rule of the canonical model",
}
"""Every reason code a quarantine record can carry, with what it means."""


class QuarantineRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A rejected row: where it is, which field failed, why, and the row itself."""

    source: str
    row: int
    line: int | None
    field: str | None
    column: str | None
    reason: str
    detail: str
    value: Any
    raw: Any


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal | datetime | date):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return repr(value)


_encoder = msgspec.json.Encoder(enc_hook=_jsonable)


class QuarantineWriter:
    """Appends records to an open binary file and counts them per reason."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self.count = 0

    def write(self, record: QuarantineRecord) -> None:
        self._out.write(_encoder.encode(record) + b"\n")
        self.count += 1


def read_quarantine(path: Path, limit: int | None = None) -> Iterator[QuarantineRecord]:
    """Records from a quarantine file, in the order they were written."""
    with path.open("rb") as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                return
            yield msgspec.json.decode(line, type=QuarantineRecord)
