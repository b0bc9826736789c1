"""Check the keys of a field spec that depend on the field's kind, and build its converter.

``format`` and ``timezone`` apply to times, ``unit`` to money (``major``/``minor``)
and to step times (``second`` … ``week``, with ``origin``), ``from`` to text. A key
that cannot apply is an error at its line, saying what the field is and what the
key would accept, so it is never silently ignored.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from fraudlink.ingest.convert import Converter, check_time_format, converter_for
from fraudlink.ingest.faults import MappingFaults, expected
from fraudlink.ingest.fields import CanonicalField, Kind
from fraudlink.ingest.spec import FieldSpec
from fraudlink.ingest.step_time import (
    MONEY_UNITS,
    STEP_UNITS,
    OriginError,
    parse_origin,
    parse_steps,
)
from fraudlink.ingest.yaml_lines import KeyPath

_STEP_EXAMPLE = "e.g. ts: {column: step, unit: day, origin: 2017-01-01}"


def field_converter(
    target: CanonicalField,
    spec: FieldSpec,
    path: KeyPath,
    faults: MappingFaults,
    zone: ZoneInfo | None,
) -> Converter:
    """The converter of ``target`` under ``spec``, or an error at the key that cannot apply."""
    kind = target.kind
    for key in ("format", "timezone", "origin"):
        value = getattr(spec, key)
        if value is not None and value is not msgspec.UNSET and kind is not Kind.TIME:
            raise faults.error(
                (*path, key), f"{key} applies to time fields; {target.name} is {kind}"
            )
    if spec.from_ is not None and kind not in (Kind.TEXT, Kind.ENUM):
        raise faults.error((*path, "from"), f"from applies to text fields; {target.name} is {kind}")
    _check_unit(target, spec.unit, path, faults)
    if kind is Kind.MONEY and spec.unit is None:
        raise faults.error(
            path,
            "a money field needs unit",
            "unit: major for yuan text such as 1,234.50; unit: minor for fen such as 123450",
        )
    if spec.map is not None and kind in (Kind.MONEY, Kind.TIME):
        raise faults.error((*path, "map"), f"map does not apply to {kind} fields")
    if kind is Kind.TIME and spec.unit is not None:
        return _step_converter(spec, path, faults, zone)
    if spec.origin is not msgspec.UNSET:
        raise faults.error(
            (*path, "origin"),
            "origin is the start of step times and needs a unit",
            f"add unit: one of {', '.join(STEP_UNITS)} ({_STEP_EXAMPLE})",
        )
    if spec.format is not None and (why := check_time_format(spec.format)):
        raise faults.error((*path, "format"), why)
    return converter_for(target, unit=spec.unit, fmt=spec.format, zone=zone)


def _check_unit(
    target: CanonicalField, unit: str | None, path: KeyPath, faults: MappingFaults
) -> None:
    if unit is None:
        return
    at = (*path, "unit")
    if target.kind is Kind.MONEY:
        if unit not in MONEY_UNITS:
            raise faults.error(
                at, f"unit {unit!r} does not apply to money", expected(unit, MONEY_UNITS)
            )
    elif target.kind is Kind.TIME:
        if unit not in STEP_UNITS:
            raise faults.error(
                at,
                f"unit {unit!r} is not a unit of step times",
                expected(unit, STEP_UNITS) + f" ({_STEP_EXAMPLE})",
            )
    else:
        raise faults.error(
            at, f"unit applies to money and time fields; {target.name} is {target.kind}"
        )


def _step_converter(
    spec: FieldSpec, path: KeyPath, faults: MappingFaults, zone: ZoneInfo | None
) -> Converter:
    assert spec.unit is not None
    if spec.origin is msgspec.UNSET:
        raise faults.error(
            path, f"a step time in {spec.unit}s needs origin, the moment of step 0", _STEP_EXAMPLE
        )
    if spec.format is not None:
        raise faults.error(
            (*path, "format"), "format does not apply to step times: the column holds a number"
        )
    try:
        origin = parse_origin(spec.origin, zone)
    except OriginError as exc:
        raise faults.error((*path, "origin"), str(exc)) from None
    step_us = STEP_UNITS[spec.unit]

    def convert(value: Any, _currency: str | None) -> Any:
        return parse_steps(value, step_us, origin)

    return convert
