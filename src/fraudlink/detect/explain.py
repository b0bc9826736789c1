"""Reason text with the actual numbers: "5 refunds totalling ¥23,400.00 within 1 h 52 m".

A rule's ``reason`` is a template whose placeholders name its metrics and the fields
of the event that fired it; each value is written according to its kind (money with
its currency, durations as "1 h 52 m", shares as percentages, times in the pack's
zone). A word written ``payee(s)`` after a count agrees with it: "1 payee", "2 payees".
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from fraudlink.detect.durations import human_duration
from fraudlink.detect.rules.fields import Kind
from fraudlink.model.money import format_money

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:\|(list))?\}")
# A placeholder, or a plural ending written in brackets right after a word: payee(s), box(es).
_TOKEN = re.compile(_PLACEHOLDER.pattern + r"|(?<=[A-Za-z])\((e?s)\)")
_LIST_MAX = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Value = int | float | str | bool | datetime | None


def format_decimal(value: float) -> str:
    """Two significant digits, never fewer than the whole part: 0.43, 1.1, 12, 2,096.

    >>> format_decimal(0.4321), format_decimal(1.097), format_decimal(2096.4)
    ('0.43', '1.1', '2,096')
    """
    if not math.isfinite(value) or value == 0 or value.is_integer():
        return f"{value:,.0f}"
    places = max(0, 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_time(value: int | float | datetime, zone: tzinfo) -> str:
    """A moment (a datetime or microseconds since 1970 UTC) as local time with its offset.

    >>> format_time(1_788_192_000_000_000, UTC)
    '2026-08-31 16:00:00 +00:00'
    """
    moment = value if isinstance(value, datetime) else _EPOCH + timedelta(microseconds=int(value))
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"


def format_value(value: Value, kind: Kind, currency: str, zone: tzinfo = UTC) -> str:
    """One value as a person reads it."""
    if value is None:
        return "unknown"
    if isinstance(value, datetime) or (kind == "time" and isinstance(value, int | float)):
        return format_time(value, zone)
    if kind == "money" and isinstance(value, int | float):
        return format_money(int(value), currency)
    if kind == "duration" and isinstance(value, int | float):
        return human_duration(int(value))
    if kind == "ratio" and isinstance(value, int | float):
        return f"{value:.0%}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format_decimal(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def format_list(values: Sequence[str]) -> str:
    """The first few values, then how many more."""
    shown = ", ".join(values[:_LIST_MAX])
    more = len(values) - _LIST_MAX
    return f"{shown} and {more} more" if more > 0 else shown


def count_of(n: int, noun: str) -> str:
    """``n`` and the noun agreeing with it.

    >>> count_of(1, "rule"), count_of(2, "rule")
    ('1 rule', '2 rules')
    """
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


@dataclass(frozen=True)
class Template:
    """A parsed reason template; :meth:`names` lists what it needs, for validation at load."""

    text: str

    def names(self) -> list[tuple[str, bool]]:
        """Each placeholder's name and whether it asks for the list of values."""
        return [(m.group(1), m.group(2) == "list") for m in _PLACEHOLDER.finditer(self.text)]

    def render(
        self,
        values: Mapping[str, Value],
        kinds: Mapping[str, Kind],
        lists: Mapping[str, Sequence[Value]],
        currency: str,
        zone: tzinfo = UTC,
        list_kinds: Mapping[str, Kind] | None = None,
    ) -> str:
        """Fill the placeholders; ``word(s)`` agrees with the count placeholder before it.

        A plural ending after anything but a count (money, a list, plain text) stays as
        written.
        """
        count: Value = None  # the value of the last placeholder, when it is a count

        def one(match: re.Match[str]) -> str:
            nonlocal count
            name, as_list, ending = match.group(1), match.group(2), match.group(3)
            if ending is not None:
                if count is None:
                    return match.group(0)
                return "" if count == 1 else ending
            if as_list:
                count = None
                item = (list_kinds or {}).get(name, "str")
                shown = [format_value(v, item, currency, zone) for v in lists.get(name, ())]
                return format_list(shown)
            value, kind = values.get(name), kinds.get(name, "str")
            is_count = kind == "int" and isinstance(value, int) and not isinstance(value, bool)
            count = value if is_count else None
            return format_value(value, kind, currency, zone)

        return _TOKEN.sub(one, self.text)
