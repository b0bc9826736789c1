"""Comparisons used by ``where`` filters and ``when`` thresholds, parsed with their field's kind."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fraudlink.detect.durations import US, parse_duration
from fraudlink.detect.rules.fields import NUMERIC, Kind
from fraudlink.model.money import to_minor

Op = Literal["eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "multiple_of", "not_multiple_of"]
OPS: tuple[Op, ...] = (
    "eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "multiple_of", "not_multiple_of"
)  # fmt: skip
ORDERED: frozenset[str] = frozenset({"lt", "le", "gt", "ge", "multiple_of", "not_multiple_of"})
Scalar = int | float | str | bool
# The signs a money literal may carry and the currencies each stands for; longest first.
SIGNS: dict[str, tuple[str, ...]] = {
    "HK$": ("HKD",),
    "¥": ("CNY", "JPY"),
    "￥": ("CNY", "JPY"),
    "$": ("USD",),
    "€": ("EUR",),
    "£": ("GBP",),
}
_CODE = re.compile(r"\s([A-Za-z]{3})$")


class PredicateError(ValueError):
    """A comparison that cannot be built; ``path`` is where in the clause it went wrong."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Pred:
    """``field op value``; ``values`` holds the set for ``in`` / ``not_in``."""

    field: str
    op: Op
    value: Scalar | None
    values: tuple[Scalar, ...] = ()
    kind: Kind = "str"

    def test(self, actual: Any) -> bool:
        """Evaluate on one value (None never passes, except for ``ne`` and ``not_in``)."""
        op = self.op
        if op == "in":
            return actual in self.values
        if op == "not_in":
            return actual not in self.values
        if op == "eq":
            return bool(actual == self.value)
        if op == "ne":
            return bool(actual != self.value)
        if actual is None:
            return False
        if op == "multiple_of":
            return bool(actual % self.value == 0)
        if op == "not_multiple_of":
            return bool(actual % self.value != 0)
        if op == "lt":
            return bool(actual < self.value)
        if op == "le":
            return bool(actual <= self.value)
        if op == "gt":
            return bool(actual > self.value)
        return bool(actual >= self.value)


def parse_scalar(raw: Any, kind: Kind, currency: str) -> Scalar:
    """A value from a rule file, typed like the field it is compared with."""
    if kind == "money":
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise PredicateError(
                f"expected an amount (minor units or text like ¥3,000), got {raw!r}"
            )
        return raw if isinstance(raw, int) else to_minor(_same_currency(raw, currency), currency)
    if kind == "duration":
        if not isinstance(raw, int | str):
            raise PredicateError(f"expected a duration like 30m or 2h, got {raw!r}")
        return parse_duration(raw)
    if kind == "time":
        if not isinstance(raw, str | datetime):
            raise PredicateError(f"expected an RFC 3339 time, got {raw!r}")
        moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise PredicateError(f"{raw!r} has no time zone")
        return int(moment.timestamp() * US)
    if kind == "bool":
        if not isinstance(raw, bool):
            raise PredicateError(f"expected true or false, got {raw!r}")
        return raw
    if kind in NUMERIC:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise PredicateError(f"expected a number, got {raw!r}")
        return raw
    if not isinstance(raw, str):
        raise PredicateError(f"expected text, got {raw!r}")
    return raw


def _same_currency(text: str, currency: str) -> str:
    """``text`` unchanged, unless its sign or code says another currency than the file's.

    Amounts are compared in minor units of the file's currency, so "$2,000" in a CNY
    file would silently mean ¥2,000; a literal must be written in the file's currency.
    """
    body = text.strip().removeprefix("-")
    sign = next((s for s in SIGNS if body.startswith(s)), None)
    code = _CODE.search(text.strip())
    meant = SIGNS[sign] if sign is not None else ()
    if code is not None:
        meant = (code.group(1).upper(),)
    if meant and currency not in meant:
        raise PredicateError(
            f"{text!r} is written in {' or '.join(meant)}, but this file's amounts are "
            f"{currency} (settings.currency); write it in {currency}"
        )
    return text


def parse_clause(
    field: str, raw: Any, kind: Kind, currency: str, choices: Sequence[str] = ()
) -> list[Pred]:
    """``field: value`` (equals), ``field: [a, b]`` (one of) or ``field: {op: value, ...}``.

    ``choices``, when given, are the only values the field ever holds: any other value
    is a typo that would silently match nothing, so it is refused.
    """
    if isinstance(raw, list):
        raw = {"in": raw}
    elif not isinstance(raw, dict):
        raw = {"eq": raw}
    preds = []
    for op, value in raw.items():
        if op not in OPS:
            raise PredicateError(
                f"unknown operator {op!r}; expected one of {', '.join(OPS)}", (op,)
            )
        if op in ORDERED and kind not in NUMERIC:
            raise PredicateError(f"{op} needs a numeric field; {field} is {kind}", (op,))
        try:
            if op in ("in", "not_in"):
                if not isinstance(value, list):
                    raise PredicateError(f"{op} needs a list, got {value!r}")
                items = tuple(parse_scalar(v, kind, currency) for v in value)
                preds.append(Pred(field, op, None, items, kind))
            else:
                preds.append(Pred(field, op, parse_scalar(value, kind, currency), (), kind))
        except (PredicateError, ValueError) as exc:
            raise PredicateError(str(exc), (op,)) from exc
        if choices and op in ("eq", "ne", "in", "not_in"):
            last = preds[-1]
            for i, v in enumerate(last.values if op in ("in", "not_in") else (last.value,)):
                if v not in choices:
                    at: tuple[str | int, ...] = (op, i) if op in ("in", "not_in") else (op,)
                    raise PredicateError(
                        f"{v!r} is not a value of {field}; expected one of {', '.join(choices)}",
                        at,
                    )
    return preds
