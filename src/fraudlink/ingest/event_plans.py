"""Compile the field specs of one event type into an :class:`EventPlan`."""

from __future__ import annotations

import difflib
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from fraudlink.ingest.convert import (
    ConversionError,
    check_time_format,
    converter_for,
    parse_currency,
)
from fraudlink.ingest.faults import MappingFaults, dotted
from fraudlink.ingest.fields import CanonicalField, Kind, canonical_fields
from fraudlink.ingest.plan import NOTHING, EventPlan, FieldRule, SignedRule
from fraudlink.ingest.spec import (
    SIGNED_AMOUNT,
    SIGNED_AMOUNT_FILLS,
    FieldSpec,
    MappingSpec,
    SignedAmountSpec,
)
from fraudlink.ingest.yaml_lines import KeyPath


def load_zone(name: str | None, path: KeyPath, faults: MappingFaults) -> ZoneInfo | None:
    """The IANA zone ``name``, or an error at ``path``."""
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise faults.error(
            path, f"unknown time zone {name!r}", "use an IANA name such as Asia/Shanghai or UTC"
        ) from None


def constant(convert: Any, value: Any, path: KeyPath, faults: MappingFaults) -> Any:
    """``convert(value)`` for a value written in the mapping, or an error at ``path``."""
    try:
        return convert(value)
    except ConversionError as exc:
        raise faults.error(path, exc.detail) from None


def expected(got: str, known: Any) -> str:
    """A hint listing ``known`` names, leading with the one ``got`` was probably meant to be."""
    close = difflib.get_close_matches(got, list(known), n=1)
    lead = f"did you mean {close[0]}? " if close else ""
    return f"{lead}expected one of: {', '.join(sorted(known))}"


class EventPlanBuilder:
    """Builds the plan of each chosen event type, collecting every column it reads."""

    def __init__(
        self, spec: MappingSpec, faults: MappingFaults, zone: ZoneInfo | None, currency: str | None
    ) -> None:
        self.spec = spec
        self.faults = faults
        self.zone = zone
        self.default_currency = currency
        self.columns: dict[str, KeyPath] = {}

    def _decode(self, raw: Any, path: KeyPath) -> FieldSpec | SignedAmountSpec:
        if path[-1] == SIGNED_AMOUNT:
            return self.faults.decode(raw, SignedAmountSpec, path)
        if isinstance(raw, str):
            return FieldSpec(column=raw)
        if not isinstance(raw, dict):
            raise self.faults.error(
                path,
                f"expected {{column: ...}} or {{const: ...}}, got {raw!r}",
                f"for a constant write {{const: {raw!r}}}",
            )
        return self.faults.decode(raw, FieldSpec, path)

    def _specs(self, event_type: str) -> dict[str, tuple[FieldSpec | SignedAmountSpec, KeyPath]]:
        fields = canonical_fields(event_type)
        out: dict[str, tuple[FieldSpec | SignedAmountSpec, KeyPath]] = {}
        has_fills = all(name in fields for name in SIGNED_AMOUNT_FILLS)
        for key, raw in self.spec.common.items():
            if key in fields or (key == SIGNED_AMOUNT and has_fills):
                out[key] = (self._decode(raw, ("common", key)), ("common", key))
        own = self.spec.events.get(event_type, {})
        for key, raw in own.items():
            path: KeyPath = ("events", event_type, key)
            if key == "type":
                raise self.faults.error(path, "`type` is set by event_type, not per field")
            if key not in fields and key != SIGNED_AMOUNT:
                known = [*fields, SIGNED_AMOUNT]
                raise self.faults.error(
                    path, f"{event_type} has no field `{key}`", expected(key, known)
                )
            out[key] = (self._decode(raw, path), path)
        # A block-level override: whatever the type's own block says about money wins.
        if SIGNED_AMOUNT in own:
            for name in SIGNED_AMOUNT_FILLS:
                if name in own:
                    raise self.faults.error(
                        ("events", event_type, name), f"{name} is already filled by signed_amount"
                    )
                out.pop(name, None)
        elif any(name in own for name in SIGNED_AMOUNT_FILLS):
            out.pop(SIGNED_AMOUNT, None)
        elif SIGNED_AMOUNT in out and any(n in self.spec.common for n in SIGNED_AMOUNT_FILLS):
            raise self.faults.error(
                ("common", SIGNED_AMOUNT), "amount/from_account/to_account are mapped too"
            )
        return out

    def event_plan(self, event_type: str) -> EventPlan:
        fields = canonical_fields(event_type)
        specs = self._specs(event_type)
        signed: SignedRule | None = None
        rules: list[FieldRule] = []
        for key, (spec, path) in specs.items():
            if isinstance(spec, SignedAmountSpec):
                signed = self._signed(event_type, spec, path)
            else:
                assert isinstance(spec, FieldSpec)
                rules.append(self._rule(fields[key], spec, path, specs))
        filled = {r.field for r in rules} | (set(SIGNED_AMOUNT_FILLS) if signed else set())
        for name, value in (("org", self.spec.defaults.org), ("currency", self.default_currency)):
            if name in fields and name not in filled and value is not None:
                rules.append(FieldRule(name, f"defaults.{name}", constant=value))
                filled.add(name)
        missing = [f.name for f in fields.values() if f.required and f.name not in filled]
        missing = [m for m in missing if m != "event_id"]
        if missing:
            first = missing[0]
            hint = f"add events.{event_type}.{first}: {{column: ...}} or {{const: ...}}"
            if first in ("org", "currency"):
                hint = f"set defaults.{first}, or {hint}"
            where: KeyPath = (
                ("events", event_type) if event_type in self.spec.events else ("event_type",)
            )
            raise self.faults.error(
                where,
                f"{event_type} needs {', '.join(missing)} but the mapping does not fill "
                + ("it" if len(missing) == 1 else "them"),
                hint,
            )
        rules.sort(key=lambda r: r.field != "currency")  # money reads the row's currency
        currency = next((r.constant for r in rules if r.field == "currency"), NOTHING)
        return EventPlan(
            event_type,
            tuple(rules),
            signed,
            derive_id="event_id" not in filled,
            currency=self.default_currency if currency is NOTHING else currency,
        )

    def _use_columns(self, columns: Any, path: KeyPath) -> tuple[str, ...]:
        if not self.faults.written(path):
            path = path[:-1]  # the shorthand `field: column` has no `column` key to point at
        names = (columns,) if isinstance(columns, str) else tuple(columns)
        if not names or any(not n for n in names):
            raise self.faults.error(path, "expected a column name or a list of column names")
        for name in names:
            self.columns.setdefault(name, path)
        return names

    def _signed(self, event_type: str, spec: SignedAmountSpec, path: KeyPath) -> SignedRule:
        fields = canonical_fields(event_type)
        if not all(name in fields for name in SIGNED_AMOUNT_FILLS):
            raise self.faults.error(
                path, f"{event_type} has no amount, from_account and to_account"
            )
        columns = self._use_columns(spec.column, (*path, "column"))
        self._use_columns(spec.account, (*path, "account"))
        self._use_columns(spec.counterparty, (*path, "counterparty"))
        return SignedRule(
            dotted(path),
            columns,
            spec.account,
            spec.counterparty,
            spec.unit,
            spec.outgoing == "negative",
            spec.strip,
        )

    def _rule(
        self, target: CanonicalField, spec: FieldSpec, path: KeyPath, specs: dict[str, Any]
    ) -> FieldRule:
        fault = self.faults.error
        kind = target.kind
        has_const = spec.const is not msgspec.UNSET
        if (spec.column is None) == (not has_const):
            raise fault(path, "give exactly one of column or const")
        if has_const and (spec.map is not None or spec.default is not msgspec.UNSET):
            raise fault(path, "a const field takes no map or default")
        for key, wanted in (("format", Kind.TIME), ("timezone", Kind.TIME), ("unit", Kind.MONEY)):
            if getattr(spec, key) is not None and kind is not wanted:
                raise fault(
                    (*path, key), f"{key} applies to {wanted} fields; {target.name} is {kind}"
                )
        if kind is Kind.MONEY and spec.unit is None:
            raise fault(
                path,
                "a money field needs unit",
                "unit: major for yuan text such as 1,234.50; unit: minor for fen such as 123450",
            )
        if spec.map is not None and kind in (Kind.MONEY, Kind.TIME):
            raise fault((*path, "map"), f"map does not apply to {kind} fields")
        if spec.format is not None and (why := check_time_format(spec.format)):
            raise fault((*path, "format"), why)
        zone = self.zone
        if spec.timezone is not None:
            zone = load_zone(spec.timezone, (*path, "timezone"), self.faults)
        convert = converter_for(target, unit=spec.unit, fmt=spec.format, zone=zone)
        currency = self._static_currency(specs)

        def fixed(value: Any, at: KeyPath) -> Any:
            if value is None:
                if target.nullable:
                    return None
                raise fault(at, f"{target.name} cannot be empty")
            if kind is Kind.MONEY and currency is None:
                raise fault(at, "a constant amount needs a constant currency or defaults.currency")
            try:
                return convert(value, currency)
            except ConversionError as exc:
                raise fault(at, f"{value!r} cannot fill {target.name}: {exc.detail}") from None

        value_map = None
        if spec.map is not None:
            if not spec.map:
                raise fault((*path, "map"), "the map is empty")
            value_map = {k: fixed(v, (*path, "map", k)) for k, v in spec.map.items()}
        return FieldRule(
            target.name,
            dotted(path),
            columns=()
            if spec.column is None
            else self._use_columns(spec.column, (*path, "column")),
            constant=fixed(spec.const, (*path, "const")) if has_const else NOTHING,
            default=NOTHING
            if spec.default is msgspec.UNSET
            else fixed(spec.default, (*path, "default")),
            value_map=value_map,
            convert=convert,
            strip=spec.strip,
            case=spec.case,
            required=target.required,
        )

    def _static_currency(self, specs: dict[str, Any]) -> str | None:
        entry = specs.get("currency")
        if entry is None:
            return self.default_currency
        spec, path = entry
        if isinstance(spec, FieldSpec) and spec.const is not msgspec.UNSET:
            return str(constant(parse_currency, spec.const, (*path, "const"), self.faults))
        return None
