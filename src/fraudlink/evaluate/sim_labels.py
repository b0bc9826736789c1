"""The simulator's truth in the form the external scores take, so both rows are measured alike.

``fraudlink backtest`` scores a simulated world its own way (per rule, look-alikes,
active accounts); this reads the same positives (``POSITIVE_ROLES``) into an
:class:`~fraudlink.evaluate.external.ExternalTruth`, so the simulator's row of
docs/detection-quality.md has the same columns as the external generators' rows,
recall at 5 % and 10 % included. The population is every account of the world
but the merchants' (customers' wallets and platform accounts, and their bank cards);
a world without ``accounts.parquet`` (the bank profile's) has every account its
truth gives a person (``identities``).
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pyarrow.parquet as pq

from fraudlink.detect.backtest import positives
from fraudlink.evaluate.external import ExternalTruth
from fraudlink.sim.truth import Truth

GENERATOR = "fraudlink simulate"


def read_sim_labels(world: Path) -> ExternalTruth:
    """The positives of ``world/truth.json`` over the accounts of the world."""
    truth = msgspec.json.decode((world / "truth.json").read_bytes(), type=Truth)
    population = _population(world, truth)
    labels: dict[str, set[str]] = {}
    for typology, accounts in positives(truth).items():
        for account in accounts:
            labels.setdefault(account, set()).add(typology)
    return ExternalTruth(
        generator=GENERATOR,
        population=population,
        labels={a: frozenset(t) for a, t in labels.items()},
        matches={t: frozenset({t}) for t in positives(truth)},
    )


def _population(world: Path, truth: Truth) -> frozenset[str]:
    if not (world / "accounts.parquet").exists():
        return frozenset(a for accounts in truth.identities.values() for a in accounts)
    table = pq.read_table(world / "accounts.parquet", columns=["account_id", "kind"])
    ids = table.column("account_id").to_pylist()
    kinds = table.column("kind").to_pylist()
    return frozenset(a for a, kind in zip(ids, kinds, strict=True) if kind != "merchant")
