"""Small bank worlds for the ranking tests: ordinary customers and a few mules.

A mule receives from several payers it never dealt with before and sends nearly all
of it on within hours; ordinary customers get a salary and pay rent and shops
(:func:`background`). Seeds vary amounts, counts and times, so a ranker trained on
one world can be judged on another.
"""

from __future__ import annotations

import random

from tests.detect.ledger.builders import LedgerBuilder, background, days, hours


def mule_world(seed: int, customers: int = 60, mules: int = 5) -> tuple[LedgerBuilder, set[str]]:
    """A builder with ``customers`` ordinary accounts and ``mules`` mules (returned)."""
    rng = random.Random(seed)
    builder = LedgerBuilder()
    background(builder, [f"s{seed}-c{i:03d}" for i in range(customers)])
    bad = set()
    for m in range(mules):
        mule = f"s{seed}-m{m:02d}"
        bad.add(mule)
        start = days(rng.uniform(5, 60))
        builder.open(mule, start - days(rng.uniform(0.5, 3)))
        for k in range(rng.randint(6, 14)):
            at = start + hours(rng.uniform(0, 240))
            amount = rng.randint(300, 950) * 100
            builder.pay(f"s{seed}-v{m}-{k}", mule, amount, at)
            builder.pay(mule, f"s{seed}-boss", amount - rng.randint(5, 20) * 100,
                        at + hours(rng.uniform(0.2, 6)))  # fmt: skip
    return builder, bad
