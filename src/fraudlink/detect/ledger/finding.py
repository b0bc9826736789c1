"""What a ledger rule finds: one account, the numbers that convinced it, the evidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Metric = int | float | str | None


@dataclass(frozen=True)
class Finding:
    """One account caught by one ledger rule.

    ``reason`` is the finished sentence, with amounts already written in the ledger's
    currency (:meth:`fraudlink.detect.ledger.book.Ledger.money`). ``strength`` in
    (0, 1] scales the rule's weight: 1 for a pattern well past its threshold, less
    for one just at it, so a ranking can tell them apart.
    """

    account: str
    ts_us: int
    window_start_us: int
    reason: str
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    event_ids: tuple[str, ...] = ()
    strength: float = 1.0
    linked: tuple[str, ...] = ()
    """Other accounts of the same pattern (a cycle's members, a fan's counterparties)."""
