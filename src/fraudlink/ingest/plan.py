"""A mapping compiled against the canonical events: one plan per event type.

:mod:`.compile` builds these from a checked mapping file; :mod:`.rows` applies
them. Constants, defaults and map targets are converted once, at load time, so a
bad one is a mapping error with a line rather than a quarantine of every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from fraudlink.ingest.convert import Converter
from fraudlink.ingest.yaml_lines import KeyPath

NOTHING: Any = msgspec.UNSET
"""Marks a rule without a constant or default (``None`` is a legitimate constant)."""


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one canonical field is filled; constants, defaults and map targets pre-converted."""

    field: str
    key: str
    columns: tuple[str, ...] = ()
    constant: Any = NOTHING
    default: Any = NOTHING
    value_map: dict[str, Any] | None = None
    convert: Converter | None = None
    strip: bool = True
    case: str | None = None
    required: bool = True
    from_file: str | None = None
    """``file_name``, ``file_stem`` or ``folder``: read from the input file, not a column."""


@dataclass(frozen=True, slots=True)
class SignedRule:
    """``signed_amount`` or ``statement``: one signed column gives amount, payer and payee.

    For a statement (``names``) the counterparty column holds a name, made into an
    external id, and ``derive`` lists the transfer fields filled from the posting.
    """

    key: str
    columns: tuple[str, ...]
    account: str | None
    counterparty: str
    unit: str
    outgoing_negative: bool
    strip: bool
    account_from_file: str | None = None
    names: bool = False
    derive: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventPlan:
    """Everything needed to turn a source row into one event type."""

    event_type: str
    rules: tuple[FieldRule, ...]
    signed: SignedRule | None
    derive_id: bool
    currency: str | None


@dataclass(frozen=True, slots=True)
class TypeChooser:
    """Picks the event type of a row: a constant, or a column's value through a map."""

    constant: str | None
    column: str | None = None
    value_map: dict[str, str] | None = None
    strip: bool = True
    case: str | None = None
    accepted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    chooser: TypeChooser
    events: dict[str, EventPlan]
    columns: dict[str, KeyPath] = field(default_factory=dict)
    """Every source column the mapping reads, with the key that first names it."""
