"""Apply a mapping to one source row: a canonical event, or the reason it cannot be one.

The row is first mapped field by field (each failure names the field, the source
column and the value), then validated as a whole by msgspec against the typed
event, so every canonical rule (lengths, patterns, non-negative money, a completed
transfer's times) holds for whatever is accepted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from fraudlink.ingest.convert import ConversionError, parse_signed_money, source_text
from fraudlink.ingest.fields import canonical_fields
from fraudlink.ingest.mapping import Mapping
from fraudlink.ingest.plan import NOTHING, EventPlan, SignedRule
from fraudlink.ingest.statement import complete_posting, external_id
from fraudlink.model.events import AnyEvent

_EMPTY = object()
_AT_FIELD = re.compile(r" - at `\$\.(\w+)[^`]*`")
_WORD = re.compile(r"[a-z_]+")


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a row is quarantined: a reason code, a detail, and where in the row."""

    reason: str
    detail: str
    field: str | None = None
    column: str | None = None
    value: Any = None


class _RejectedError(Exception):
    def __init__(self, rejection: Rejection) -> None:
        self.rejection = rejection


def derived_event_id(source_name: str, row: int) -> str:
    """The id of an event whose mapping gives none: ``<file name>:<row>``.

    Stable across runs and machines (the directory is left out). A file name too
    long for a 128-character id is replaced by a digest of it.

    >>> derived_event_id("ledger.csv", 12)
    'ledger.csv:12'
    """
    ident = f"{source_name}:{row}"
    if len(ident) <= 128:
        return ident
    return f"{hashlib.sha256(source_name.encode()).hexdigest()[:32]}:{row}"


def file_facts(source: str) -> dict[str, str]:
    """What ``from:`` can read of an input file: its name, its stem and its folder's name.

    >>> file_facts("statements/c-17/2026-10.csv")
    {'file_name': '2026-10.csv', 'file_stem': '2026-10', 'folder': 'c-17'}
    """
    path = Path(source)
    folder = path.parent if path.parent.name else path.absolute().parent
    return {"file_name": path.name, "file_stem": path.stem, "folder": folder.name}


class RowMapper:
    """Maps rows of one mapping; cheap to call once per row."""

    def __init__(self, mapping: Mapping) -> None:
        self.plan = mapping.plan
        self.source = mapping.source
        self.nulls = frozenset(mapping.source.null_values)
        self._facts: dict[str, dict[str, str]] = {}

    def facts(self, source: str) -> dict[str, str]:
        """:func:`file_facts` of ``source``, worked out once per file of a run."""
        found = self._facts.get(source)
        if found is None:
            found = self._facts[source] = file_facts(source)
        return found

    def map_row(self, values: dict[str, Any], source: str, row: int) -> AnyEvent | Rejection:
        """Map one row of input file ``source`` (the path as given; ids use its name only)."""
        try:
            return self._map(values, source, row)
        except _RejectedError as stop:
            return stop.rejection

    def _from_file(self, fact: str, source: str) -> tuple[Any, str | None]:
        value = self.facts(source)[fact]
        return (value if value and value not in self.nulls else _EMPTY), None

    def _read(
        self, columns: tuple[str, ...], values: dict[str, Any], strip: bool, case: str | None
    ) -> tuple[Any, str | None]:
        """The first non-empty value among ``columns``, and which column it came from."""
        for column in columns:
            value = values.get(column)
            if value is None or (isinstance(value, float) and value != value):
                continue  # NaN is how pandas-written files say "missing"
            if isinstance(value, str):
                if strip:
                    value = value.strip()
                if value in self.nulls:
                    continue
                if case is not None:
                    value = value.lower() if case == "lower" else value.upper()
            return value, column
        return _EMPTY, (columns[0] if columns else None)

    def _event_type(self, values: dict[str, Any]) -> str:
        chooser = self.plan.chooser
        if chooser.constant is not None:
            return chooser.constant
        assert chooser.column is not None
        value, column = self._read((chooser.column,), values, chooser.strip, chooser.case)
        if value is _EMPTY:
            raise _RejectedError(Rejection("missing_field", f"{column} is empty", "type", column))
        key = _text(value, "type", column)
        name = key if chooser.value_map is None else chooser.value_map.get(key)
        if name is None or name not in self.plan.events:
            accepted = ", ".join(chooser.accepted)
            raise _RejectedError(
                Rejection(
                    "unknown_event_type",
                    f"{key!r} is not one of: {accepted}",
                    "type",
                    column,
                    value,
                )
            )
        return name

    def _map(self, values: dict[str, Any], source: str, row: int) -> AnyEvent | Rejection:
        event_type = self._event_type(values)
        plan = self.plan.events[event_type]
        out: dict[str, Any] = {"type": event_type}
        origin: dict[str, tuple[str | None, Any]] = {}
        currency = plan.currency
        for rule in plan.rules:
            if rule.constant is not NOTHING:
                out[rule.field] = rule.constant
                continue
            if rule.from_file is not None:
                value, column = self._from_file(rule.from_file, source)
            else:
                value, column = self._read(rule.columns, values, rule.strip, rule.case)
            origin[rule.field] = (column, None if value is _EMPTY else value)
            if value is _EMPTY:
                if rule.default is not NOTHING:
                    out[rule.field] = rule.default
                elif rule.required:
                    read = rule.columns or (f"the {rule.from_file} of {source}",)
                    detail = f"{' / '.join(read)} is empty and {rule.key} has no default"
                    raise _RejectedError(Rejection("missing_field", detail, rule.field, column))
                continue
            if rule.value_map is not None:
                key = _text(value, rule.field, column)
                if key not in rule.value_map:
                    accepted = ", ".join(rule.value_map)
                    detail = f"{key!r} is not in {rule.key}.map; accepted: {accepted}"
                    raise _RejectedError(Rejection("not_in_map", detail, rule.field, column, value))
                out[rule.field] = rule.value_map[key]
            else:
                assert rule.convert is not None
                try:
                    out[rule.field] = rule.convert(value, currency)
                except ConversionError as exc:
                    raise _RejectedError(
                        Rejection(exc.code, exc.detail, rule.field, column, value)
                    ) from None
            if rule.field == "currency":
                currency = out["currency"]
        name = None
        if plan.signed is not None:
            name = self._signed(plan.signed, values, source, currency, out, origin)
        if plan.derive_id:
            out["event_id"] = derived_event_id(self.facts(source)["file_name"], row)
        if plan.signed is not None and plan.signed.names:
            assert name is not None
            complete_posting(out, plan.signed.derive, name)
        return _validate(plan, out, origin)

    def _signed(
        self,
        rule: SignedRule,
        values: dict[str, Any],
        source: str,
        currency: str | None,
        out: dict[str, Any],
        origin: dict[str, tuple[str | None, Any]],
    ) -> str:
        """Fill amount, payer and payee (and ``external``); return the counterparty as read."""
        value, column = self._read(rule.columns, values, rule.strip, None)
        if value is _EMPTY:
            raise _RejectedError(Rejection("missing_field", f"{column} is empty", "amount", column))
        try:
            minor = parse_signed_money(value, currency, rule.unit)
        except ConversionError as exc:
            raise _RejectedError(Rejection(exc.code, exc.detail, "amount", column, value)) from None
        if minor == 0:
            detail = "a zero signed amount has no direction"
            raise _RejectedError(Rejection("bad_amount", detail, "amount", column, value))
        outgoing = (minor < 0) == rule.outgoing_negative
        ours = "from_account" if outgoing else "to_account"
        theirs = "to_account" if outgoing else "from_account"
        origin["amount"] = (column, value)
        out["amount"] = abs(minor)
        if rule.account_from_file is not None:
            account, used = self._from_file(rule.account_from_file, source)
            if account is _EMPTY:
                detail = f"the {rule.account_from_file} of {source} is empty"
                raise _RejectedError(Rejection("missing_field", detail, ours))
        else:
            assert rule.account is not None
            account, used = self._read((rule.account,), values, rule.strip, None)
            if account is _EMPTY:
                detail = f"{rule.account} is empty"
                raise _RejectedError(Rejection("missing_field", detail, ours, used))
        origin[ours] = (used, account)
        out[ours] = _text(account, ours, used)
        party, used = self._read((rule.counterparty,), values, rule.strip, None)
        if party is _EMPTY:
            detail = f"{rule.counterparty} is empty"
            raise _RejectedError(Rejection("missing_field", detail, theirs, used))
        origin[theirs] = (used, party)
        name = _text(party, theirs, used)
        if rule.names:
            out[theirs] = external_id(name)
            out["external"] = "payee" if outgoing else "payer"
        else:
            out[theirs] = name
        return name


def _text(value: Any, field: str, column: str | None) -> str:
    try:
        return source_text(value)
    except ConversionError as exc:
        raise _RejectedError(Rejection(exc.code, exc.detail, field, column, value)) from None


def _validate(
    plan: EventPlan, out: dict[str, Any], origin: dict[str, tuple[str | None, Any]]
) -> AnyEvent:
    try:
        event: AnyEvent = msgspec.convert(out, AnyEvent)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _AT_FIELD.search(message)
        # Cross-field rules carry no path; the first field they name is the one to look at.
        known = canonical_fields(plan.event_type)
        names = [found[1]] if found else [w for w in _WORD.findall(message) if w in known]
        field = names[0] if names else None
        column, value = origin.get(field or "", (None, out.get(field or "")))
        detail = _AT_FIELD.sub("", message).strip()
        raise _RejectedError(Rejection("invalid_event", detail, field, column, value)) from None
    return event
