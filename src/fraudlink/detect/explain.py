"""Reason text with the actual numbers: "5 refunds totalling ¥23,400.00 within 1 h 52 m".

A rule's ``reason`` is a template whose placeholders name its metrics and the fields
of the event that fired it; each value is written according to its kind (money with
its currency, durations as "1 h 52 m", shares as percentages).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fraudlink.detect.durations import human_duration
from fraudlink.detect.rules.fields import Kind
from fraudlink.model.money import format_money

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:\|(list))?\}")
_LIST_MAX = 5

Value = int | float | str | bool | None


def format_value(value: Value, kind: Kind, currency: str) -> str:
    """One value as a person reads it."""
    if value is None:
        return "unknown"
    if kind == "money" and isinstance(value, int | float):
        return format_money(int(value), currency)
    if kind == "duration" and isinstance(value, int | float):
        return human_duration(int(value))
    if kind == "ratio" and isinstance(value, int | float):
        return f"{value:.0%}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def format_list(values: Sequence[str]) -> str:
    """The first few values, then how many more."""
    shown = ", ".join(values[:_LIST_MAX])
    more = len(values) - _LIST_MAX
    return f"{shown} and {more} more" if more > 0 else shown


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
        lists: Mapping[str, Sequence[str]],
        currency: str,
    ) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if match.group(2) == "list":
                return format_list(lists.get(name, ()))
            return format_value(values.get(name), kinds.get(name, "str"), currency)

        return _PLACEHOLDER.sub(one, self.text)
