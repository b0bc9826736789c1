"""Compile the field specs of one event type into an :class:`EventPlan`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from fraudlink.ingest.convert import ConversionError, parse_currency
from fraudlink.ingest.faults import MappingFaults, dotted
from fraudlink.ingest.field_options import field_converter
from fraudlink.ingest.field_specs import field_specs
from fraudlink.ingest.fields import CanonicalField, Kind, canonical_fields
from fraudlink.ingest.plan import NOTHING, EventPlan, FieldRule, SignedRule
from fraudlink.ingest.spec import (
    SIGNED_AMOUNT_FILLS,
    STATEMENT_FILLS,
    FieldSpec,
    FromFileSpec,
    MappingSpec,
    SignedAmountSpec,
    StatementSpec,
)
from fraudlink.ingest.statement import STATEMENT_DERIVES
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

    def event_plan(self, event_type: str) -> EventPlan:
        fields = canonical_fields(event_type)
        specs = field_specs(self.spec, event_type, self.faults)
        signed: SignedRule | None = None
        rules: list[FieldRule] = []
        for key, (spec, path) in specs.items():
            if isinstance(spec, SignedAmountSpec):
                signed = self._signed(event_type, spec, path)
            else:
                assert isinstance(spec, FieldSpec)
                rules.append(self._rule(fields[key], spec, path, specs))
        filled = {r.field for r in rules}
        if signed is not None:
            fills = STATEMENT_FILLS if signed.names else SIGNED_AMOUNT_FILLS
            derive = tuple(n for n in STATEMENT_DERIVES if n not in filled) if signed.names else ()
            signed = replace(signed, derive=derive)
            filled |= {*fills, *derive}
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
        names = isinstance(spec, StatementSpec)
        needs = STATEMENT_FILLS if names else SIGNED_AMOUNT_FILLS
        if not all(name in fields for name in needs):
            raise self.faults.error(path, f"{event_type} has no {', '.join(needs)}")
        columns = self._use_columns(spec.column, (*path, "column"))
        account, from_file = None, None
        if isinstance(spec.account, FromFileSpec):
            from_file = spec.account.from_
        else:
            account = self._use_columns(spec.account, (*path, "account"))[0]
        self._use_columns(spec.counterparty, (*path, "counterparty"))
        return SignedRule(
            dotted(path),
            columns,
            account,
            spec.counterparty,
            spec.unit,
            spec.outgoing == "negative",
            spec.strip,
            account_from_file=from_file,
            names=names,
        )

    def _rule(
        self, target: CanonicalField, spec: FieldSpec, path: KeyPath, specs: dict[str, Any]
    ) -> FieldRule:
        fault = self.faults.error
        kind = target.kind
        has_const = spec.const is not msgspec.UNSET
        given = [k for k, on in (("column", spec.column is not None), ("const", has_const),
                                 ("from", spec.from_ is not None)) if on]  # fmt: skip
        if len(given) != 1:
            raise fault(path, "give exactly one of column, const or from"
                        + (f", not {' and '.join(given)}" if given else ""))  # fmt: skip
        if has_const and (spec.map is not None or spec.default is not msgspec.UNSET):
            raise fault(path, "a const field takes no map or default")
        zone = self.zone
        if spec.timezone is not None:
            zone = load_zone(spec.timezone, (*path, "timezone"), self.faults)
        convert = field_converter(target, spec, path, self.faults, zone)
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
            from_file=spec.from_,
        )

    def _static_currency(self, specs: dict[str, Any]) -> str | None:
        entry = specs.get("currency")
        if entry is None:
            return self.default_currency
        spec, path = entry
        if isinstance(spec, FieldSpec) and spec.const is not msgspec.UNSET:
            return str(constant(parse_currency, spec.const, (*path, "const"), self.faults))
        return None
