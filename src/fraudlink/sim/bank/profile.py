"""``fraudlink simulate --profile bank``: a bank's ledger with every typology planted.

Writes ``events.parquet`` (canonical ``account_registered``, ``wallet_transfer`` and
``credential_changed`` events in event-time order, no IP, device or city anywhere),
``truth.json`` (account labels, planted instances with their time scales, hop delays
and amounts, look-alikes, identities) and ``manifest.json``. The same seed and
options write byte-identical files.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import numpy as np
import pyarrow.parquet as pq

from fraudlink.digests import file_sha256
from fraudlink.sim.bank.abuse import plant_account_takeover, plant_refund_abuse
from fraudlink.sim.bank.amounts import Amounts
from fraudlink.sim.bank.background import Background
from fraudlink.sim.bank.book import Book
from fraudlink.sim.bank.flows import (
    plant_counterparty_explosion,
    plant_dormant_burst,
    plant_fan_in,
    plant_fan_out,
    plant_pass_through,
    plant_rapid_in_out,
    plant_structuring,
)
from fraudlink.sim.bank.graphs import (
    plant_cycle,
    plant_gather_scatter,
    plant_layering,
    plant_scatter_gather,
)
from fraudlink.sim.bank.lookalikes import (
    plant_credential_change,
    plant_family_cycle,
    plant_honest_shopper,
    plant_landlord,
    plant_payroll,
    plant_returner,
    plant_saver,
    plant_small_shop,
)
from fraudlink.sim.bank.planter import Planter, account_name, iso
from fraudlink.sim.bank.timescales import DAY_US, US
from fraudlink.sim.truth import Truth

BANK_ORG = "bank"
BANK_START = datetime(2026, 3, 1, tzinfo=UTC)

TYPOLOGIES: dict[str, Callable[[Planter], None]] = {
    "fan_in": plant_fan_in,
    "fan_out": plant_fan_out,
    "cycle": plant_cycle,
    "scatter_gather": plant_scatter_gather,
    "gather_scatter": plant_gather_scatter,
    "layering": plant_layering,
    "pass_through": plant_pass_through,
    "structuring": plant_structuring,
    "dormant_burst": plant_dormant_burst,
    "counterparty_explosion": plant_counterparty_explosion,
    "rapid_in_out": plant_rapid_in_out,
    "refund_abuse": plant_refund_abuse,
    "account_takeover": plant_account_takeover,
}
# Kind by kind in this order: those who go quiet first, so no later story has them pay
# or receive during their silence.
LOOKALIKES: dict[str, Callable[[Planter], None]] = {
    "returner": plant_returner,
    "payroll": plant_payroll,
    "landlord": plant_landlord,
    "family_cycle": plant_family_cycle,
    "small_shop": plant_small_shop,
    "saver": plant_saver,
    "honest_shopper": plant_honest_shopper,
    "credential_change": plant_credential_change,
}


@dataclass(frozen=True)
class BankConfig:
    seed: int = 1
    accounts: int = 2_000
    days: int = 183
    currency: str = "USD"
    # Share of accounts that are the subject of a planted typology (roughly).
    laundering: float = 0.02

    def instances(self) -> int:
        """Instances per typology: about ``laundering`` × accounts in a positive role
        (an instance has 2.8 of them on average), but never fewer than two."""
        return max(2, round(self.accounts * self.laundering / len(TYPOLOGIES) / 2.8))

    def lookalikes(self) -> int:
        return max(2, self.accounts // 400)


@dataclass
class BankSummary:
    out_dir: Path
    events: int
    accounts: int
    labelled: int
    truth: Truth


def simulate_bank(config: BankConfig, out_dir: Path) -> BankSummary:
    """Generate a bank world into ``out_dir``; files appear only once complete."""
    if config.accounts < 200:
        raise ValueError(f"--accounts {config.accounts}: the bank profile needs at least 200")
    if config.days < 120:
        raise ValueError(f"--days {config.days}: the bank profile needs at least 120 days")
    amounts = Amounts(config.currency)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".simulate-", dir=out_dir))
    try:
        summary = _generate(config, amounts, work)
        for item in sorted(work.iterdir()):
            item.replace(out_dir / item.name)
        summary.out_dir = out_dir
        return summary
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _generate(config: BankConfig, amounts: Amounts, work: Path) -> BankSummary:
    start = int(BANK_START.timestamp()) * US
    end = start + config.days * DAY_US
    rng = np.random.default_rng(config.seed)
    names = np.array([account_name(i) for i in range(config.accounts)])
    background = Background(rng, names, start, end, amounts)
    background.generate()
    book = Book(BANK_ORG, config.currency)
    truth = Truth(
        seed=config.seed, scale="bank", start=iso(start), end=iso(end), currency=config.currency
    )
    planter = Planter(np.random.default_rng([config.seed, 1]), book, background, amounts,
                      truth, start, end)  # fmt: skip
    for _ in range(config.instances()):
        for plant in TYPOLOGIES.values():
            plant(planter)
    for plant_lookalike in LOOKALIKES.values():
        for _ in range(config.lookalikes()):
            plant_lookalike(planter)
    background.write(book)
    table = book.table(end)
    pq.write_table(table, work / "events.parquet", compression="zstd")
    truth.accounts = dict(sorted(truth.accounts.items()))
    identities: dict[str, list[str]] = {}
    for account, person in sorted(planter.persons.items()):
        identities.setdefault(person, []).append(account)
    truth.identities = dict(sorted(identities.items()))
    (work / "truth.json").write_bytes(msgspec.json.format(msgspec.json.encode(truth), indent=1))
    _manifest(work, config, table.num_rows)
    return BankSummary(
        out_dir=work,
        events=table.num_rows,
        accounts=len(planter.persons),
        labelled=len(truth.accounts),
        truth=truth,
    )


def _manifest(work: Path, config: BankConfig, events: int) -> None:
    files: dict[str, dict[str, object]] = {}
    for path in sorted(work.iterdir()):
        entry: dict[str, object] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
        if path.suffix == ".parquet":
            entry["rows"] = pq.ParquetFile(path).metadata.num_rows
        files[path.name] = entry
    manifest = {
        "profile": "bank",
        "seed": config.seed,
        "accounts": config.accounts,
        "days": config.days,
        "currency": config.currency,
        "events": events,
        "files": files,
    }
    (work / "manifest.json").write_bytes(
        msgspec.json.format(msgspec.json.encode(manifest), indent=2)
    )
