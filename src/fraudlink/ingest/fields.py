"""What each canonical field is, read from the event declarations.

The mapping is checked and each source value converted according to the declared
type of the field it fills, so a new event type or field in :mod:`fraudlink.model.events`
is mappable without touching ingest.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, Union, get_args, get_origin

import msgspec

from fraudlink.model.events import EVENT_TYPES
from fraudlink.model.types import Currency, MinorUnits


class Kind(StrEnum):
    """How a source value is converted for a field."""

    TEXT = "text"
    ENUM = "enum"
    BOOL = "bool"
    INT = "int"
    MONEY = "money"
    CURRENCY = "currency"
    TIME = "time"


@dataclass(frozen=True, slots=True)
class CanonicalField:
    """One field of one event type."""

    name: str
    kind: Kind
    required: bool
    nullable: bool
    choices: tuple[str, ...] = ()


def _kind(annotation: Any) -> tuple[Kind, bool, tuple[str, ...]]:
    """The kind of an annotation, whether it admits None, and its Literal choices."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        kind, _, choices = _kind(inner[0])
        return kind, True, choices
    if annotation == MinorUnits:
        return Kind.MONEY, False, ()
    if annotation == Currency:
        return Kind.CURRENCY, False, ()
    if origin is not None and hasattr(annotation, "__metadata__"):
        return _kind(get_args(annotation)[0])
    if origin is Literal:
        return Kind.ENUM, False, tuple(str(a) for a in get_args(annotation))
    base: dict[Any, Kind] = {str: Kind.TEXT, bool: Kind.BOOL, int: Kind.INT, datetime: Kind.TIME}
    if annotation in base:
        return base[annotation], False, ()
    raise TypeError(f"ingest cannot convert to {annotation!r}")


@functools.cache
def canonical_fields(event_type: str) -> dict[str, CanonicalField]:
    """The mappable fields of ``event_type`` in declaration order (``type`` is implied)."""
    cls = EVENT_TYPES[event_type]
    hints = typing.get_type_hints(cls, include_extras=True)
    out: dict[str, CanonicalField] = {}
    for f in msgspec.structs.fields(cls):
        kind, nullable, choices = _kind(hints[f.name])
        out[f.name] = CanonicalField(f.name, kind, f.required, nullable, choices)
    return out


def all_field_names() -> frozenset[str]:
    """Every field of any event type."""
    return frozenset(name for t in EVENT_TYPES for name in canonical_fields(t))
