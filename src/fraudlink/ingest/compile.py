"""Check a decoded mapping against the canonical events and compile it into a :class:`Plan`.

Everything that can be known before reading a row is checked here, so a typo in
a field name, a map value the field does not allow, a time zone that does not
exist or a required field nobody fills stops the run at the line at fault,
instead of quarantining every row of a large file.
"""

from __future__ import annotations

import codecs

from fraudlink.ingest.convert import parse_currency
from fraudlink.ingest.event_plans import EventPlanBuilder, constant, load_zone
from fraudlink.ingest.faults import MappingFaults, expected
from fraudlink.ingest.fields import all_field_names, canonical_fields
from fraudlink.ingest.plan import Plan, TypeChooser
from fraudlink.ingest.spec import PSEUDO_FIELDS, EventTypeSpec, MappingSpec
from fraudlink.ingest.yaml_lines import KeyPath
from fraudlink.model.events import EVENT_TYPES


def build_plan(spec: MappingSpec, faults: MappingFaults) -> Plan:
    """Check ``spec`` against the canonical events and compile it."""
    _check_source(spec, faults)
    zone = load_zone(spec.defaults.timezone, ("defaults", "timezone"), faults)
    currency = spec.defaults.currency
    if currency is not None:
        currency = constant(parse_currency, currency, ("defaults", "currency"), faults)
    if spec.defaults.org is not None and not 0 < len(spec.defaults.org) <= 128:
        raise faults.error(("defaults", "org"), "expected an id of 1 to 128 characters")
    chooser = _chooser(spec, faults)
    selected = tuple(
        dict.fromkeys(chooser.accepted if chooser.value_map is None else chooser.value_map.values())
    )
    for name, block in spec.events.items():
        if not isinstance(block, dict):
            raise faults.error(
                ("events", name), f"expected a map of field: spec, got {block!r}", "e.g. login: {}"
            )
        if name not in EVENT_TYPES:
            raise faults.error(("events", name), "unknown event type", expected(name, EVENT_TYPES))
        if name not in selected:
            raise faults.error(
                ("events", name), "event_type never chooses this type", "add it to event_type.map"
            )
    for key in spec.common:
        names = PSEUDO_FIELDS.get(key, (key,))
        if not any(all(n in canonical_fields(t) for n in names) for t in selected):
            raise faults.error(
                ("common", key),
                "no chosen event type has this field",
                expected(key, all_field_names()),
            )
    builder = EventPlanBuilder(spec, faults, zone, currency)
    events = {t: builder.event_plan(t) for t in selected}
    columns: dict[str, KeyPath] = dict(builder.columns)
    if chooser.column is not None:
        columns = {chooser.column: ("event_type", "column"), **columns}
    return Plan(chooser, events, columns)


def _check_source(spec: MappingSpec, faults: MappingFaults) -> None:
    source = spec.source
    for key in ("delimiter", "quotechar"):
        if len(getattr(source, key)) != 1:
            raise faults.error(("source", key), "expected exactly one character")
    try:
        codecs.lookup(source.encoding)
    except LookupError:
        raise faults.error(
            ("source", "encoding"),
            f"unknown encoding {source.encoding!r}",
            "e.g. utf-8, gbk, gb18030",
        ) from None


def _chooser(spec: MappingSpec, faults: MappingFaults) -> TypeChooser:
    chosen = spec.event_type
    path: KeyPath = ("event_type",)
    if isinstance(chosen, str):
        if chosen not in EVENT_TYPES:
            raise faults.error(
                path, f"unknown event type {chosen!r}", expected(chosen, EVENT_TYPES)
            )
        return TypeChooser(constant=chosen, accepted=(chosen,))
    assert isinstance(chosen, EventTypeSpec)
    if chosen.map is None:
        if not spec.events:
            raise faults.error(
                path, "without a map, the event types are the keys of events, and it is empty"
            )
        accepted = tuple(spec.events)
    else:
        if not chosen.map:
            raise faults.error((*path, "map"), "the map is empty")
        for source_value, name in chosen.map.items():
            if name not in EVENT_TYPES:
                raise faults.error(
                    (*path, "map", source_value),
                    f"unknown event type {name!r}",
                    expected(name, EVENT_TYPES),
                )
        accepted = tuple(chosen.map)
    return TypeChooser(None, chosen.column, chosen.map, chosen.strip, chosen.case, accepted)
