"""The mapping language as data: one Struct per block of a mapping file.

msgspec decodes the YAML value into these with ``forbid_unknown_fields``, so a
misspelt key is an error with a path, not an option silently ignored. What the
Structs cannot say (a field that does not exist on an event type, a time zone
that does not exist) is checked in :mod:`.compile`. docs/ingest.md documents every key.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

Columns = str | list[str]
"""One source column, or several: the first one that is not empty is used."""


class _Block(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    pass


class SourceSpec(_Block, frozen=True):
    """How to read the input files."""

    format: Literal["csv", "jsonl", "parquet"] | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    quotechar: str = '"'
    null_values: list[str] = msgspec.field(default_factory=lambda: [""])


class DefaultsSpec(_Block, frozen=True):
    """Values used where a field is not mapped (and the zone of naive times)."""

    timezone: str | None = None
    currency: str | None = None
    org: str | None = None


SourceFact = Literal["file_name", "file_stem", "folder"]
"""What ``from:`` reads of the input file a row is in: ``in/c-17/2026-10.csv`` has the
file name ``2026-10.csv``, the stem ``2026-10`` and the folder ``c-17``."""


class FieldSpec(_Block, frozen=True):
    """How one canonical field is filled: from a column (converted), a constant or the file."""

    column: Columns | None = None
    const: Any = msgspec.UNSET
    from_: SourceFact | None = msgspec.field(default=None, name="from")
    default: Any = msgspec.UNSET
    map: dict[str, Any] | None = None
    format: str | None = None
    timezone: str | None = None
    unit: str | None = None  # major/minor for money, a time unit for step times: checked per kind
    origin: Any = msgspec.UNSET
    strip: bool = True
    case: Literal["lower", "upper"] | None = None


class FromFileSpec(_Block, frozen=True):
    """``{from: file_stem}``: a value read from the input file's name instead of a column."""

    from_: SourceFact = msgspec.field(name="from")


class SignedAmountSpec(_Block, frozen=True):
    """A signed amount column that gives a transfer both its amount and its direction."""

    column: Columns
    account: str | FromFileSpec
    counterparty: str
    unit: Literal["major", "minor"]
    outgoing: Literal["negative", "positive"] = "negative"
    strip: bool = True


class StatementSpec(SignedAmountSpec, frozen=True):
    """One posting of a customer's statement: a signed amount and the other side's *name*.

    Same keys as :class:`SignedAmountSpec`; the counterparty is free text (a
    merchant, an employer), outside the customer base, given a stable id.
    """


class EventTypeSpec(_Block, frozen=True):
    """Which canonical event type a row is, from a column's value."""

    column: str
    map: dict[str, str] | None = None
    strip: bool = True
    case: Literal["lower", "upper"] | None = None


class MappingSpec(_Block, frozen=True):
    """A whole mapping file. ``common`` and ``events`` hold raw field specs, decoded per key."""

    version: int
    event_type: str | EventTypeSpec
    source: SourceSpec = msgspec.field(default_factory=SourceSpec)
    defaults: DefaultsSpec = msgspec.field(default_factory=DefaultsSpec)
    common: dict[str, Any] = msgspec.field(default_factory=dict)
    events: dict[str, Any] = msgspec.field(default_factory=dict)


SIGNED_AMOUNT = "signed_amount"
"""A pseudo-field: it fills ``amount``, ``from_account`` and ``to_account``."""
SIGNED_AMOUNT_FILLS = ("amount", "from_account", "to_account")
STATEMENT = "statement"
"""The statement pseudo-field: the signed-amount fields, ``external`` and defaults for more."""
STATEMENT_FILLS = (*SIGNED_AMOUNT_FILLS, "external")
PSEUDO_FIELDS = {SIGNED_AMOUNT: SIGNED_AMOUNT_FILLS, STATEMENT: STATEMENT_FILLS}


def keys_of(block: type[msgspec.Struct]) -> tuple[str, ...]:
    """The keys a block accepts, for "expected one of" messages."""
    return tuple(f.encode_name for f in msgspec.structs.fields(block))
