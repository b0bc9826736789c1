"""Time scales a planted instance runs at: one drawn per instance.

A mule who passes money on within minutes and one who waits three weeks are the
same typology; a rule tuned to one must not be scored only on it. Each instance
draws a scale, then every hop delay of that instance log-uniform within it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

US = 1_000_000
MINUTE_US = 60 * US
HOUR_US = 60 * MINUTE_US
DAY_US = 24 * HOUR_US
WEEK_US = 7 * DAY_US

# Hop delay range of each scale, in microseconds.
TIMESCALES: dict[str, tuple[int, int]] = {
    "minutes": (2 * MINUTE_US, 50 * MINUTE_US),
    "hours": (1 * HOUR_US, 20 * HOUR_US),
    "days": (1 * DAY_US, 5 * DAY_US),
    "weeks": (1 * WEEK_US, 3 * WEEK_US),
}


def draw_scale(rng: np.random.Generator, allowed: tuple[str, ...] = tuple(TIMESCALES)) -> str:
    return str(allowed[int(rng.integers(len(allowed)))])


def delays(rng: np.random.Generator, scale: str, n: int) -> npt.NDArray[np.int64]:
    """``n`` hop delays of ``scale``, log-uniform within its range."""
    lo, hi = TIMESCALES[scale]
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n)).astype(np.int64)
