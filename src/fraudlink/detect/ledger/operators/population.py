"""Thresholds learned from the population of accounts, never from one dataset's numbers.

A fixed quantile (flag the top 0.5 %) caps how many accounts a rule can ever find,
whatever the fraud rate; a fixed amount works in one currency only. A *robust
outlier fence* does neither: on a log scale, the population's median plus ``z``
robust standard deviations (1.4826 × the median absolute deviation). Most accounts
set the fence, however many launderers sit above it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# On a log scale 0.25 is a 28 % spread: the fence stays above the median even when
# nearly every account has the same value (MAD = 0).
_MIN_SPREAD = 0.25


def robust_fence(values: Sequence[float], z: float, floor: float = 0.0) -> float:
    """The value above which an account stands out from ``values``: at least ``floor``.

    >>> robust_fence([1, 1, 2, 2, 3, 2, 1, 40], z=3.5) > 3
    True
    >>> robust_fence([], z=3.5, floor=5)
    5.0
    """
    if len(values) == 0:
        return float(floor)
    logs = np.log1p(np.maximum(np.asarray(values, dtype=float), 0.0))
    median = float(np.median(logs))
    spread = max(robust_spread(logs), _MIN_SPREAD)
    return max(float(floor), math.expm1(median + z * spread))


def robust_spread(values: Sequence[float] | np.ndarray) -> float:
    """The robust standard deviation of ``values``: 1.4826 × their median absolute
    deviation (0 for none).

    >>> robust_spread([1, 1, 1, 9])
    0.0
    """
    if len(values) == 0:
        return 0.0
    data = np.asarray(values, dtype=float)
    return 1.4826 * float(np.median(np.abs(data - np.median(data))))


def median_of(values: Sequence[float]) -> float:
    return float(np.median(np.asarray(values, dtype=float))) if len(values) else 0.0


def strength(value: float, fence: float) -> float:
    """How far past its fence a value is: 0.5 at the fence, 1 at twice the fence."""
    if fence <= 0:
        return 1.0
    return max(0.05, min(1.0, 0.5 + 0.5 * (value - fence) / fence))
