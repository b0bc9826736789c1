"""What a rule may name: event fields, enrichment fields, detector metrics, and their kinds.

Derived from the canonical declarations (``model.events``) so a new event field is
usable in rules without touching this file.
"""

from __future__ import annotations

from typing import Literal

import msgspec
import msgspec.inspect as mi
import pyarrow as pa

from fraudlink.detect.rules.schema import (
    CounterpartySpec,
    Detector,
    Enrichment,
    ExposureSpec,
    FanSpec,
    GeoVelocitySpec,
    LatestSpec,
    PassThroughSpec,
    SharedSpec,
    WindowSpec,
)
from fraudlink.model.columns import EVENT_SCHEMA
from fraudlink.model.events import EVENT_TYPES

Kind = Literal["str", "int", "float", "bool", "money", "time", "duration", "ratio"]
NUMERIC: frozenset[str] = frozenset({"int", "float", "money", "time", "duration", "ratio"})
ACCOUNT_FIELDS: frozenset[str] = frozenset({"account", "from_account", "to_account"})


def _column_kind(name: str) -> Kind:
    arrow = EVENT_SCHEMA.field(name).type
    if pa.types.is_timestamp(arrow):
        return "time"
    if pa.types.is_boolean(arrow):
        return "bool"
    if pa.types.is_integer(arrow):
        return "money" if name == "amount" else "int"
    return "str"


def _event_fields() -> dict[str, dict[str, Kind]]:
    out: dict[str, dict[str, Kind]] = {}
    for tag, cls in EVENT_TYPES.items():
        names = ["type", *(f.name for f in msgspec.structs.fields(cls))]
        out[tag] = {n: _column_kind(n) for n in names}
    return out


EVENT_FIELDS: dict[str, dict[str, Kind]] = _event_fields()


def _event_values() -> dict[str, dict[str, tuple[str, ...]]]:
    """Per event type, the text fields that hold one of a few values (``Literal`` in the model)."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for tag, cls in EVENT_TYPES.items():
        info = mi.type_info(cls)
        assert isinstance(info, mi.StructType)
        found: dict[str, tuple[str, ...]] = {"type": (tag,)}
        for f in info.fields:
            types = f.type.types if isinstance(f.type, mi.UnionType) else (f.type,)
            for t in types:
                if isinstance(t, mi.LiteralType):
                    found[f.encode_name] = tuple(str(v) for v in t.values)
        out[tag] = found
    return out


EVENT_VALUES: dict[str, dict[str, tuple[str, ...]]] = _event_values()


def fields_of(types: list[str]) -> dict[str, Kind]:
    """Fields every one of ``types`` has (a rule over several types may only use those)."""
    common = dict(EVENT_FIELDS[types[0]])
    for t in types[1:]:
        common = {k: v for k, v in common.items() if k in EVENT_FIELDS[t]}
    return common


def values_of(types: list[str]) -> dict[str, tuple[str, ...]]:
    """The values each few-valued field can hold over ``types`` (``type``: the types themselves)."""
    out: dict[str, tuple[str, ...]] = {}
    for t in types:
        for name, values in EVENT_VALUES[t].items():
            out[name] = tuple(dict.fromkeys((*out.get(name, ()), *values)))
    return out


def is_account_field(name: str) -> bool:
    """Whether a field holds account ids: an account field, or one of a joined event's."""
    return name.rsplit(".", 1)[-1] in ACCOUNT_FIELDS


def enrichment_fields(alias: str, spec: Enrichment) -> dict[str, Kind]:
    """The fields an enrichment adds, prefixed with its alias."""
    own: dict[str, Kind]
    if isinstance(spec, LatestSpec):
        own = {"found": "bool", "age": "duration", **EVENT_FIELDS[spec.from_]}
    elif isinstance(spec, GeoVelocitySpec):
        own = {
            "city": "str",
            "prev_city": "str",
            "distance_km": "float",
            "speed_kmh": "float",
            "gap": "duration",
        }
    elif isinstance(spec, CounterpartySpec):
        own = {"new": "bool"}
    elif isinstance(spec, ExposureSpec):
        own = {"flagged": "bool", "rule": "str", "age": "duration"}
    else:  # pragma: no cover - the union is closed
        raise TypeError(spec)
    return {f"{alias}.{k}": v for k, v in own.items()}


def enrichment_values(alias: str, spec: Enrichment) -> dict[str, tuple[str, ...]]:
    """The few values some enrichment fields hold: a joined event's, the rules exposure reads."""
    if isinstance(spec, LatestSpec):
        own = EVENT_VALUES.get(spec.from_, {})
    elif isinstance(spec, ExposureSpec):
        own = {"rule": tuple(spec.rules)}
    else:
        own = {}
    return {f"{alias}.{k}": v for k, v in own.items()}


WINDOW_BUILTIN: dict[str, Kind] = {"events": "int", "span": "duration"}
PASS_THROUGH_METRICS: dict[str, Kind] = {
    "in_amount": "money",
    "out_amount": "money",
    "share": "ratio",
    "payers": "int",
    "payees": "int",
    "in_count": "int",
    "out_count": "int",
    "delay": "duration",
}
FAN_METRICS: dict[str, Kind] = {
    "counterparties": "int",
    "transfers": "int",
    "total": "money",
    "span": "duration",
}
SHARED_METRICS: dict[str, Kind] = {"accounts": "int", "events": "int", "span": "duration"}


def detector_metrics(spec: Detector, fields: dict[str, Kind]) -> dict[str, Kind]:
    """Metrics a detector computes for each event it sees."""
    if isinstance(spec, WindowSpec):
        out = dict(WINDOW_BUILTIN)
        for name, agg in spec.aggregates.items():
            if agg.fn in ("count", "distinct"):
                out[name] = "int"
            elif agg.fn == "share":
                out[name] = "ratio"
            elif agg.fn == "gap_cv":
                out[name] = "float"
            else:
                out[name] = fields.get(agg.field or "", "int")
        return out
    if isinstance(spec, PassThroughSpec):
        return dict(PASS_THROUGH_METRICS)
    if isinstance(spec, FanSpec):
        return dict(FAN_METRICS)
    if isinstance(spec, SharedSpec):
        return dict(SHARED_METRICS)
    raise TypeError(spec)  # pragma: no cover
