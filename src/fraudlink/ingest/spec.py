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


class FieldSpec(_Block, frozen=True):
    """How one canonical field is filled: from a column (converted) or a constant."""

    column: Columns | None = None
    const: Any = msgspec.UNSET
    default: Any = msgspec.UNSET
    map: dict[str, Any] | None = None
    format: str | None = None
    timezone: str | None = None
    unit: Literal["major", "minor"] | None = None
    strip: bool = True
    case: Literal["lower", "upper"] | None = None


class SignedAmountSpec(_Block, frozen=True):
    """A signed amount column that gives a transfer both its amount and its direction."""

    column: Columns
    account: str
    counterparty: str
    unit: Literal["major", "minor"]
    outgoing: Literal["negative", "positive"] = "negative"
    strip: bool = True


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
"""The one pseudo-field: it fills ``amount``, ``from_account`` and ``to_account``."""
SIGNED_AMOUNT_FILLS = ("amount", "from_account", "to_account")


def keys_of(block: type[msgspec.Struct]) -> tuple[str, ...]:
    """The keys a block accepts, for "expected one of" messages."""
    return tuple(f.name for f in msgspec.structs.fields(block))
