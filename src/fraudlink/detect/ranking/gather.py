"""Everything a ranking reads, from one replay and one ledger load of the same files.

Stream alerts come from the replay (the same path ``detect`` takes); the pack's
ledger rules, when it has any, run over the ledger here, and their findings keep
their strengths. Both rankers then see the same features and rule evidence.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from fraudlink.detect.alerts import Alert
from fraudlink.detect.backtest import BudgetRecall, recall_at
from fraudlink.detect.ledger.book import load_ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.run import run_rules
from fraudlink.detect.ranking import combine, learned
from fraudlink.detect.ranking.budget import Budget
from fraudlink.detect.ranking.combine import Evidence, RankedAccount
from fraudlink.detect.ranking.features import FeatureTable, account_features
from fraudlink.detect.readers import read_events
from fraudlink.detect.rules.compile import RulePack
from fraudlink.detect.rules.ledger_schema import LedgerRule
from fraudlink.model.columns import EVENT_SCHEMA


@dataclass(frozen=True)
class Gathered:
    table: FeatureTable
    rules: list[Evidence]
    """What the rules found (stream alerts and ledger findings)."""
    features: list[Evidence]
    """Features that stand out from the population."""

    def rank_by_rules(self) -> list[RankedAccount]:
        """The default ranking: rules and standing-out features, every customer ranked."""
        return combine.rank_accounts([*self.rules, *self.features], self.table.accounts)

    def rank_by_model(self, model: learned.LinearRanker) -> list[RankedAccount]:
        return learned.apply(model, self.table, self.rules)

    def train(self, fraud: set[str]) -> learned.LinearRanker:
        return learned.train(self.table, self.rules, fraud)


def _as_parquet(paths: Sequence[Path], folder: Path) -> list[Path]:
    """The files as Parquet, which the ledger reads: canonical JSON lines are converted."""
    out = []
    for i, path in enumerate(paths):
        if path.suffix == ".parquet":
            out.append(path)
            continue
        target = folder / f"{i:04d}-{path.stem}.parquet"
        with pq.ParquetWriter(target, EVENT_SCHEMA) as writer:
            for batch in read_events(path):
                writer.write_table(batch.cast(EVENT_SCHEMA))
        out.append(target)
    return out


def gather(
    paths: Sequence[Path],
    pack: RulePack,
    alerts: Iterable[Alert],
    found: Sequence[tuple[LedgerRule, Finding]] | None = None,
) -> Gathered:
    """Features and evidence for the canonical event files ``paths``.

    ``found``: the ledger rules' findings when the caller already ran them
    (``run_rules``), so they are not run twice; else they run here.
    """
    # The ledger's views read the files: converted ones live until the features are read.
    with tempfile.TemporaryDirectory(prefix="fraudlink-ledger-") as scratch:
        ledger = load_ledger(_as_parquet(paths, Path(scratch)), zone=pack.zone)
        try:
            table = account_features(ledger)
            customers = set(table.accounts)
            stream = [e for e in combine.from_alerts(alerts, pack) if e.account in customers]
            if found is None:
                found = run_rules(pack, ledger) if pack.ledger else []
            ledger_evidence = combine.from_findings(found)
        finally:
            ledger.con.close()
    return Gathered(
        table=table, rules=[*stream, *ledger_evidence], features=combine.from_features(table)
    )


def budget_recalls(
    gathered: Gathered,
    fraud: set[str],
    budgets: Sequence[Budget],
    model: learned.LinearRanker | None = None,
) -> list[BudgetRecall]:
    """Recall of the rule ranking (and the model's) at each budget, side by side."""
    accounts = len(gathered.table.accounts)
    wanted = fraud & set(gathered.table.accounts)
    by_rules = [r.account for r in gathered.rank_by_rules()]
    by_model = [r.account for r in gathered.rank_by_model(model)] if model is not None else None
    out = []
    for budget in budgets:
        n = budget.of(accounts)
        out.append(
            BudgetRecall(
                budget=budget.label(),
                reviewed=n,
                positives=len(wanted),
                rules=recall_at(by_rules, wanted, n),
                model=None if by_model is None else recall_at(by_model, wanted, n),
            )
        )
    return out
