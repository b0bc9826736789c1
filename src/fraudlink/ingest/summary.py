"""What an ingest run did, per source file and in total; written as summary.json."""

from __future__ import annotations

from collections import Counter

import msgspec


class SourceSummary(msgspec.Struct, kw_only=True):
    """Counts for one input file: read == accepted + quarantined."""

    source: str
    format: str
    read: int = 0
    accepted: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = msgspec.field(default_factory=dict)

    def reject(self, reason: str) -> None:
        self.quarantined += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


class IngestSummary(msgspec.Struct, kw_only=True):
    """Counts for the whole run, and where the outputs are."""

    mapping: str
    sources: list[SourceSummary]
    events_by_type: dict[str, int]
    sort_engine: str
    events_file: str
    quarantine_file: str
    summary_file: str

    @property
    def read(self) -> int:
        return sum(s.read for s in self.sources)

    @property
    def accepted(self) -> int:
        return sum(s.accepted for s in self.sources)

    @property
    def quarantined(self) -> int:
        return sum(s.quarantined for s in self.sources)

    @property
    def reasons(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for s in self.sources:
            total.update(s.reasons)
        return dict(sorted(total.items()))

    def to_json(self) -> bytes:
        """The summary with its totals, indented for people."""
        data = msgspec.to_builtins(self)
        data["totals"] = {
            "read": self.read,
            "accepted": self.accepted,
            "quarantined": self.quarantined,
            "reasons": self.reasons,
        }
        return msgspec.json.format(msgspec.json.encode(data), indent=2) + b"\n"
