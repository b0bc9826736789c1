"""Score alerts against a world's ground truth, at account level, per rule and per typology.

Who counts as a positive is explicit (``POSITIVE_ROLES``): the fraudsters' own
accounts for each fraud typology, and the victims' accounts for ``scam_victim`` —
the victim-protection rule exists to find the payer, not to accuse them.

An account is *flagged* when one of its alerts scores at least the pack's
``flag_at``; its *predicted typology* is that of the heaviest rule that hit it. For
typology T, recall is the share of accounts labelled T that are flagged, and
precision the share of accounts predicted T that are labelled fraud: laundering
patterns overlap (a gather-scatter hub is a fan-in too, a layering account passes
money through), and a rule that finds a launderer by another of his patterns has
not raised a false alarm. Typologies with neither labelled accounts nor predictions
are left out of the report. Per rule, every
account the rule alerted on counts, whatever the score. Honest look-alikes that get
flagged are listed by name: they are the false alarms that matter most.

Some labelled accounts never act in the stream (a mule's spare wallet that no money
ever reached): no detector can see them. Recall is reported over all labelled
accounts and, beside it, over the *active* ones (with any event besides opening).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import msgspec

from fraudlink.detect.alerts import Alert
from fraudlink.detect.rules.compile import RulePack
from fraudlink.sim.truth import Truth

POSITIVE_ROLES: dict[str, frozenset[str]] = {
    "refund_fraud": frozenset({"organiser", "claimant"}),
    "impersonation_scam": frozenset({"coordinator", "caller", "mule", "cash_out"}),
    "account_takeover": frozenset({"compromised", "attacker"}),
    "scam_victim": frozenset({"victim"}),
    # Ledger typologies (the bank profile): the account the typology is about; for
    # the graph typologies every account the money passes through.
    "fan_in": frozenset({"collector"}),
    "fan_out": frozenset({"distributor"}),
    "cycle": frozenset({"origin", "member"}),
    "scatter_gather": frozenset({"source", "intermediary", "sink"}),
    "gather_scatter": frozenset({"hub"}),
    "layering": frozenset({"origin", "layer", "sink"}),
    "pass_through": frozenset({"mule"}),
    "structuring": frozenset({"structurer"}),
    "dormant_burst": frozenset({"dormant"}),
    "counterparty_explosion": frozenset({"account"}),
    "rapid_in_out": frozenset({"account"}),
    "refund_abuse": frozenset({"abuser"}),
}


class Score(msgspec.Struct, frozen=True, kw_only=True):
    positives: int
    flagged: int
    true_positives: int
    precision: float
    recall: float
    f1: float
    active_positives: int | None = None
    recall_active: float | None = None


class RuleScore(msgspec.Struct, frozen=True, kw_only=True):
    rule_id: str
    typology: str
    alerts: int
    accounts: int
    score: Score
    on_any_fraud: float
    """Share of its accounts labelled in *any* fraud (offender or victim): a rule that
    hits a refund ring while hunting takeovers still points at fraud, not at a customer."""


class BudgetRecall(msgspec.Struct, frozen=True, kw_only=True):
    """How many labelled accounts an analyst reviewing the top ``reviewed`` would find."""

    budget: str
    reviewed: int
    positives: int
    rules: float
    """Recall of the default (rule evidence) ranking."""
    model: float | None = None
    """Recall of the learned ranker, when one was given."""


def recall_at(ranked: Sequence[str], wanted: set[str], n: int) -> float:
    """Share of ``wanted`` among the first ``n`` of ``ranked``.

    >>> recall_at(["a", "b", "c"], {"a", "c"}, 2)
    0.5
    """
    if not wanted:
        return 0.0
    return round(len(set(ranked[:n]) & wanted) / len(wanted), 4)


class BacktestReport(msgspec.Struct, frozen=True, kw_only=True):
    events: int
    alerts: int
    alerts_per_10k_events: float
    flagged_accounts: int
    flag_at: int
    typologies: dict[str, Score]
    rules: list[RuleScore]
    lookalikes_flagged: dict[str, list[str]]
    unlabelled_flagged: int
    late_events: int = 0
    ranking: list[BudgetRecall] = []
    """Recall of the account rankings at review budgets (filled by the backtest command)."""


def positives(truth: Truth) -> dict[str, set[str]]:
    """Labelled accounts per typology, by the roles in ``POSITIVE_ROLES``."""
    out: dict[str, set[str]] = {t: set() for t in POSITIVE_ROLES}
    for account, label in truth.accounts.items():
        roles = POSITIVE_ROLES.get(label.typology)
        if roles is not None and label.role in roles:
            out[label.typology].add(account)
    return out


def _score(
    predicted: set[str],
    wanted: set[str],
    active: set[str] | None = None,
    found: set[str] | None = None,
    good: set[str] | None = None,
) -> Score:
    """``found`` (default ``predicted``) counts towards recall; ``good`` (default
    ``wanted``) towards precision."""
    found = predicted if found is None else found
    good = wanted if good is None else good
    tp = len(found & wanted)
    live = wanted & active if active is not None else None
    precision = (
        len(predicted & good) / len(predicted) if predicted else (1.0 if not wanted else 0.0)
    )
    recall = tp / len(wanted) if wanted else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(
        positives=len(wanted),
        flagged=len(predicted),
        true_positives=tp,
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        active_positives=len(live) if live is not None else None,
        recall_active=round(len(found & live) / len(live), 4) if live else None,
    )


def _share(accounts: set[str], involved: set[str]) -> float:
    return round(len(accounts & involved) / len(accounts), 4) if accounts else 0.0


def backtest(
    alerts: Iterable[Alert],
    truth: Truth,
    pack: RulePack,
    events: int,
    late: int = 0,
    active: set[str] | None = None,
) -> BacktestReport:
    """Pure scoring: alerts and labels in, a report out."""
    alerts = list(alerts)
    named = [(r.id, r.weight, r.spec.typology) for r in pack.rules]
    named += [(r.id, r.weight, r.typology) for r in pack.ledger]
    weight = {rule_id: w for rule_id, w, _ in named}
    order = {rule_id: i for i, (rule_id, _, _) in enumerate(named)}
    typology = {rule_id: t for rule_id, _, t in named}
    best_score: dict[str, int] = defaultdict(int)
    heaviest: dict[str, str] = {}
    by_rule: dict[str, set[str]] = defaultdict(set)
    alerts_by_rule: dict[str, int] = defaultdict(int)
    for alert in alerts:
        alerts_by_rule[alert.rule_id] += 1
        for account in alert.accounts:
            by_rule[alert.rule_id].add(account)
            best_score[account] = max(best_score[account], alert.score)
            seen = heaviest.get(account)
            rank = (-weight.get(alert.rule_id, 0.0), order.get(alert.rule_id, 10**6))
            if seen is None or rank < (-weight.get(seen, 0.0), order.get(seen, 10**6)):
                heaviest[account] = alert.rule_id
    flagged = {a for a, s in best_score.items() if s >= pack.flag_at}
    predicted: dict[str, set[str]] = defaultdict(set)
    for account in flagged:
        predicted[typology.get(heaviest[account], "")].add(account)
    wanted = positives(truth)
    involved = set().union(*wanted.values())
    typologies = {
        t: _score(predicted.get(t, set()), wanted[t], active, found=flagged, good=involved)
        for t in POSITIVE_ROLES
        if wanted[t] or predicted.get(t)
    }
    rules = [
        RuleScore(
            rule_id=rule_id,
            typology=rule_typology,
            alerts=alerts_by_rule.get(rule_id, 0),
            accounts=len(by_rule.get(rule_id, set())),
            score=_score(by_rule.get(rule_id, set()), wanted.get(rule_typology, set()), active),
            on_any_fraud=_share(by_rule.get(rule_id, set()), involved),
        )
        for rule_id, _, rule_typology in named
    ]
    lookalikes: dict[str, list[str]] = {}
    for account in sorted(flagged):
        label = truth.accounts.get(account)
        if label is not None and label.typology == "benign_lookalike":
            lookalikes.setdefault(label.role, []).append(account)
    return BacktestReport(
        events=events,
        alerts=len(alerts),
        alerts_per_10k_events=round(len(alerts) * 10_000 / events, 2) if events else 0.0,
        flagged_accounts=len(flagged),
        flag_at=pack.flag_at,
        typologies=typologies,
        rules=rules,
        lookalikes_flagged=lookalikes,
        unlabelled_flagged=sum(1 for a in flagged if a not in truth.accounts),
        late_events=late,
    )
