"""Collect the field specs that apply to one event type: ``common`` merged with its own block.

A type's own block overrides ``common`` field by field. The pseudo-fields
(``signed_amount``, ``statement``) fill several fields at once, so they override
and conflict as a group: a type's own ``amount`` replaces a ``signed_amount`` from
``common``, and the same block cannot give both.
"""

from __future__ import annotations

from typing import Any

from fraudlink.ingest.faults import MappingFaults, expected
from fraudlink.ingest.fields import canonical_fields
from fraudlink.ingest.spec import (
    PSEUDO_FIELDS,
    SIGNED_AMOUNT,
    STATEMENT,
    FieldSpec,
    MappingSpec,
    SignedAmountSpec,
    StatementSpec,
)
from fraudlink.ingest.yaml_lines import KeyPath

AnySpec = FieldSpec | SignedAmountSpec
Specs = dict[str, tuple[AnySpec, KeyPath]]


def decode_spec(raw: Any, path: KeyPath, faults: MappingFaults) -> AnySpec:
    """One field spec: a column name, a map of keys, or a pseudo-field's block."""
    if path[-1] == SIGNED_AMOUNT:
        return faults.decode(raw, SignedAmountSpec, path)
    if path[-1] == STATEMENT:
        return faults.decode(raw, StatementSpec, path)
    if isinstance(raw, str):
        return FieldSpec(column=raw)
    if not isinstance(raw, dict):
        raise faults.error(
            path,
            f"expected {{column: ...}}, {{const: ...}} or {{from: ...}}, got {raw!r}",
            f"for a constant write {{const: {raw!r}}}",
        )
    return faults.decode(raw, FieldSpec, path)


def _fits(fields: dict[str, Any], key: str) -> bool:
    return key in fields or (key in PSEUDO_FIELDS and all(n in fields for n in PSEUDO_FIELDS[key]))


def field_specs(spec: MappingSpec, event_type: str, faults: MappingFaults) -> Specs:
    """Every spec that fills a field of ``event_type``, with the key path it was written at."""
    fields = canonical_fields(event_type)
    out: Specs = {}
    for key, raw in spec.common.items():
        if _fits(fields, key):
            out[key] = (decode_spec(raw, ("common", key), faults), ("common", key))
    own = spec.events.get(event_type, {})
    for key, raw in own.items():
        path: KeyPath = ("events", event_type, key)
        if key == "type":
            raise faults.error(path, "`type` is set by event_type, not per field")
        if key not in fields and key not in PSEUDO_FIELDS:
            known = [*fields, *PSEUDO_FIELDS]
            raise faults.error(path, f"{event_type} has no field `{key}`", expected(key, known))
        out[key] = (decode_spec(raw, path, faults), path)
    _resolve_pseudo(out, own, spec.common, event_type, faults)
    return out


def _resolve_pseudo(
    out: Specs, own: dict[str, Any], common: dict[str, Any], event_type: str, faults: MappingFaults
) -> None:
    """Apply the group override of the pseudo-fields to ``out``, or refuse a conflict."""
    mine = [key for key in own if key in PSEUDO_FIELDS]
    if len(mine) > 1:
        raise faults.error(
            ("events", event_type, mine[1]), f"give one of {' or '.join(mine)}, not both"
        )
    if mine:
        pseudo = mine[0]
        for name in PSEUDO_FIELDS[pseudo]:
            if name in own:
                raise faults.error(
                    ("events", event_type, name), f"{name} is already filled by {pseudo}"
                )
            out.pop(name, None)
        for other in PSEUDO_FIELDS:
            if other != pseudo:
                out.pop(other, None)
        return
    for pseudo, fills in PSEUDO_FIELDS.items():
        if pseudo not in out:
            continue
        if any(name in own for name in fills):
            out.pop(pseudo)  # the type's own money fields win over common's pseudo-field
        elif clash := [n for n in fills if n in common]:
            raise faults.error(
                ("common", pseudo), f"{', '.join(clash)} mapped too; {pseudo} fills them"
            )
    both = [p for p in PSEUDO_FIELDS if p in out]
    if len(both) > 1:
        raise faults.error(("common", both[1]), f"give one of {' or '.join(both)}, not both")
