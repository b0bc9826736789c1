"""How long amount matching takes to read one account's statement, at its worst.

Fund tracing by amount matching (``--method match``) reads the whole statement of every
account a trace reaches, up to ``MAX_ENTRIES`` transfers (busier accounts are read by
LIFO). The worst case is a statement that long with every arrival still open: all of it
within the 24-hour horizon. This prints the time for that and for the same number of
transfers spread over 40 days, with random amounts (few matches, so most transfers out
are looked at in every pass).

    python benchmarks/trace_matching.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import machine_line
from fraudlink.investigate.trace_matching import MAX_ENTRIES, fund_departures

HOUR_US = 3_600_000_000


def statement(span_us: int, seed: int) -> tuple[list[int], list[int], list[bool]]:
    rng = random.Random(seed)
    times = sorted(rng.randrange(span_us) for _ in range(MAX_ENTRIES))
    amounts = [rng.randrange(100, 1_000_000) for _ in range(MAX_ENTRIES)]
    outgoing = [rng.random() < 0.5 for _ in range(MAX_ENTRIES)]
    return times, amounts, outgoing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per statement")
    args = parser.parse_args()
    print(machine_line.machine())
    print(f"\n| statement ({MAX_ENTRIES:,} transfers) | median | max |")
    print("| --- | ---: | ---: |")
    for label, span in (("within 20 hours", 20 * HOUR_US), ("over 40 days", 40 * 24 * HOUR_US)):
        seconds = []
        for seed in range(args.repeat):
            rows = statement(span, seed)
            started = time.perf_counter()
            fund_departures(*rows)
            seconds.append(time.perf_counter() - started)
        print(f"| {label} | {statistics.median(seconds) * 1e3:.0f} ms "
              f"| {max(seconds) * 1e3:.0f} ms |")  # fmt: skip


if __name__ == "__main__":
    main()
