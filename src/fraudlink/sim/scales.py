"""World sizes. Event counts are approximate targets; the benchmark prints the real ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Scale:
    name: str
    people: int
    days: int
    refund_rings: int
    scam_gangs: int
    takeovers: int
    lookalikes_each: int


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("tiny", people=400, days=7, refund_rings=2, scam_gangs=2, takeovers=3,
              lookalikes_each=2),
        Scale("small", people=3_000, days=30, refund_rings=4, scam_gangs=5, takeovers=10,
              lookalikes_each=6),
        Scale("medium", people=30_000, days=30, refund_rings=10, scam_gangs=12, takeovers=40,
              lookalikes_each=20),
        Scale("large", people=300_000, days=30, refund_rings=40, scam_gangs=50, takeovers=200,
              lookalikes_each=60),
        # The large population over 40 days: at least 5M wallet transfers, the size the
        # investigation benchmark is specified at, with no more people to resolve.
        Scale("xlarge", people=300_000, days=40, refund_rings=40, scam_gangs=50,
              takeovers=200, lookalikes_each=60),
    )
}  # fmt: skip

# Worlds start at local midnight in China Standard Time; stored instants are UTC.
WORLD_START = datetime(2026, 9, 1, 0, 0, tzinfo=UTC).timestamp() - 8 * 3600
LOCAL_OFFSET_S = 8 * 3600
US = 1_000_000
DAY_US = 86_400 * US
HOUR_US = 3_600 * US
MINUTE_US = 60 * US


def world_start_us() -> int:
    return int(WORLD_START) * US
