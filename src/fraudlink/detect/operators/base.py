"""The contracts every operator keeps, so one conformance suite can run over all of them.

An *enricher* adds fields to events: ``enrich`` answers for some rows of a batch as of
each row (seeing only earlier events) and has no side effects; ``advance`` then takes
the whole batch into state; ``expire`` forgets what no window can need any more.
A *detector* consumes rows in event-time order and returns metrics for the rows
where it has something to say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from fraudlink.detect.frame import Frame

Values = dict[str, np.ndarray]
Metrics = dict[str, int | float | str | None]
ListValue = str | int | float | bool  # what a distinct aggregate lists: ids, amounts, times…

# Per-key state arrays hold this many key slots from the start. Doubling later copies every
# such array inside one live batch: in a large world's live stream the window bounds grew
# from 1,024 slots six times (48-81 ms a batch) and geo-velocity's last login twice (4-8 ms).
# Zeroed arrays are calloc'ed pages the kernel maps on first touch, so their unused slots
# cost address space, not memory; arrays filled with a sentinel cost 16 MiB each.
RESERVED_KEYS = 1 << 21


def key_array(fill: float, dtype: type) -> np.ndarray:
    """A per-key state array of ``RESERVED_KEYS`` slots, each ``fill``."""
    if fill == 0:
        return np.zeros(RESERVED_KEYS, dtype=dtype)  # calloc: pages mapped on first touch
    return np.full(RESERVED_KEYS, fill, dtype=dtype)


def grown(arr: np.ndarray, size: int, fill: float) -> np.ndarray:
    """``arr`` with room for ``size`` keys: at least doubled, the new slots ``fill``."""
    if size <= len(arr):
        return arr
    length = max(size, 2 * len(arr))
    if fill == 0:
        bigger = np.zeros(length, dtype=arr.dtype)
    else:
        bigger = np.full(length, fill, dtype=arr.dtype)
    bigger[: len(arr)] = arr
    return bigger


class Enricher(Protocol):
    def enrich(self, frame: Frame, rows: np.ndarray) -> Values: ...

    def advance(self, frame: Frame) -> None: ...

    def expire(self, watermark_us: int) -> None: ...


@dataclass
class Hit:
    """A detector's finding at one event: its metrics, and which events are the evidence."""

    pos: int
    key: str
    metrics: Metrics
    lists: dict[str, list[ListValue]] = field(default_factory=dict)
    window_start_us: int = 0
    evidence: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
