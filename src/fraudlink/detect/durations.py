"""Durations in rule files ("90s", "2h", "7d", "1h30m") and in alert text ("1 h 52 m").

Event time runs in integer microseconds, so durations are parsed to microseconds
exactly; nothing on the hot path ever handles a ``timedelta``.
"""

from __future__ import annotations

import re

US = 1_000_000
_UNITS = {"s": US, "m": 60 * US, "h": 3_600 * US, "d": 86_400 * US, "w": 7 * 86_400 * US}
_PART = re.compile(r"(\d+)([smhdw])")
_WHOLE = re.compile(r"^(?:\d+[smhdw])+$")


def parse_duration(text: str | int) -> int:
    """Microseconds in ``text``: a number of seconds, or parts like ``1h30m``.

    >>> parse_duration("1h30m") == 90 * 60 * US
    True
    >>> parse_duration(45) == 45 * US
    True
    """
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a duration")
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"{text} is a negative duration")
        return text * US
    compact = text.replace(" ", "")
    if not _WHOLE.match(compact):
        raise ValueError(f"{text!r} is not a duration; write e.g. 90s, 30m, 2h, 7d or 1h30m")
    return sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(compact))


def human_duration(us: int) -> str:
    """Short human text for a span, to the minute once it passes one.

    >>> human_duration((60 + 52) * 60 * US)
    '1 h 52 m'
    >>> human_duration(3 * 86_400 * US + 5 * 3_600 * US)
    '3 d 5 h'
    >>> human_duration(42 * US)
    '42 s'
    """
    seconds = max(0, us) // US
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        rest = seconds % 60
        return f"{minutes} m {rest} s" if rest and minutes < 10 else f"{minutes} m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} m" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
