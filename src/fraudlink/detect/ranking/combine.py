"""The default ranking: rule evidence plus features that stand out, added up per account.

Each piece of evidence has a *value* in (0, 1]: for a stream rule's alert the rule's
weight, for a ledger rule's finding weight × strength, and for a feature that stands
above its population fence (:func:`robust_fence`, z = 3.5 on a log scale)
``FEATURE_WEIGHT`` × how far past the fence it is (:func:`strength`). An account
keeps the strongest value per source, and its score is the sum over its sources of
``−ln(1 − value)``: the same combination as an alert's ``100 · (1 − Π (1 − v))``
(a score *s* here is an alert score of ``100 · (1 − e^−s)``), but additive, so each
source's contribution is its own term and the contributions add up to the score.
A feature alone weighs little: rules lead, features order what the rules leave tied.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import msgspec

from fraudlink.detect.alerts import Alert
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.population import robust_fence, strength
from fraudlink.detect.ranking.features import FeatureTable
from fraudlink.detect.rules.compile import RulePack
from fraudlink.detect.rules.ledger_schema import LedgerRule

FEATURE_WEIGHT = 0.15
"""The value of a feature at twice its fence: below any rule's usual weight."""
STANDOUT_FEATURES = ("in_count", "out_count", "in_sum", "out_sum", "counterparties")
"""Features whose high values are unusual enough to count as evidence on their own."""
_Z = 3.5
_CAP = 0.999  # a value of 1 would be an infinite score


@dataclass(frozen=True)
class Evidence:
    """One source's support for one account: ``value`` in (0, 1] and why, with numbers."""

    account: str
    source: str
    value: float
    reason: str


class Contribution(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    """A rule id, a feature name, or ``intercept`` for a learned model."""
    value: float
    contribution: float


class RankedAccount(msgspec.Struct, frozen=True, kw_only=True):
    """One line of ``ranked.jsonl``."""

    account: str
    rank: int
    score: float
    contributions: list[Contribution]
    reasons: list[str]


def from_alerts(alerts: Iterable[Alert], pack: RulePack) -> list[Evidence]:
    """Stream alerts as evidence: each named account, the rule's weight.

    Alerts of the pack's ledger rules are skipped: their findings, with the strength
    an alert no longer carries, come in through :func:`from_findings`.
    """
    weights = {r.id: r.weight for r in pack.rules}
    ledger_ids = {r.id for r in pack.ledger}
    out = []
    for alert in alerts:
        if alert.rule_id in ledger_ids:
            continue
        weight = weights.get(alert.rule_id, alert.score / 100)
        for account in alert.accounts:
            out.append(Evidence(account, alert.rule_id, weight, alert.reasons[0]))
    return out


def from_findings(found: Iterable[tuple[LedgerRule, Finding]]) -> list[Evidence]:
    """Ledger findings as evidence: weight × strength (``run_rules`` keeps one per rule)."""
    return [Evidence(f.account, r.id, r.weight * f.strength, f.reason) for r, f in found]


def from_features(
    table: FeatureTable, money: Sequence[str] = ("in_sum", "out_sum")
) -> list[Evidence]:
    """Features of :data:`STANDOUT_FEATURES` above their population fence."""
    out = []
    for name in STANDOUT_FEATURES:
        column = table.column(name)
        fence = robust_fence(column, z=_Z, floor=1.0)
        for account, value in zip(table.accounts, column, strict=True):
            if value > fence:
                shown = f"{value:,.0f} (fence {fence:,.0f})"
                out.append(
                    Evidence(
                        account,
                        name,
                        FEATURE_WEIGHT * strength(value, fence),
                        f"{name} {shown}: above the population's usual range"
                        + (" in minor units" if name in money else ""),
                    )
                )
    return out


def _term(value: float) -> float:
    return -math.log1p(-min(max(value, 0.0), _CAP))


def rank_accounts(
    evidence: Iterable[Evidence], accounts: Iterable[str] = ()
) -> list[RankedAccount]:
    """Accounts by score, highest first; equal scores in account order.

    ``accounts`` adds accounts without evidence (score 0) so a budget counts them.
    """
    best: dict[str, dict[str, Evidence]] = {a: {} for a in accounts}
    for e in evidence:
        sources = best.setdefault(e.account, {})
        seen = sources.get(e.source)
        if seen is None or (e.value, seen.reason) > (seen.value, e.reason):
            sources[e.source] = e
    scored = []
    for account, sources in best.items():
        parts = sorted(
            (Contribution(source=s, value=round(e.value, 6), contribution=round(_term(e.value), 6))
             for s, e in sources.items()),
            key=lambda c: (-c.contribution, c.source),
        )  # fmt: skip
        score = round(sum(c.contribution for c in parts), 6)
        reasons = [sources[c.source].reason for c in parts]
        scored.append((score, account, parts, reasons))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [
        RankedAccount(account=a, rank=i + 1, score=s, contributions=p, reasons=r)
        for i, (s, a, p, r) in enumerate(scored)
    ]
