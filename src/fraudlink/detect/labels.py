"""Analysts' verdicts as backtest labels, and what can be scored against them.

A platform has no simulator's truth: what it has is its analysts' dispositions. Each
alert marked true or false positive in the console is exported (``fraudlink alerts
labels``) with the accounts it names. At account level an account is *fraud* when any of
its alerts was judged a true positive, and *not fraud* when every verdict on it was a
false positive: a false positive says "this alert was wrong", and another rule may still
have been right about the same account. Accounts with both kinds of verdict are counted
as fraud and reported as mixed.

Precision can be computed: among the accounts a rule alerts on in a replay that carry a
verdict, TP / (TP + FP). Recall cannot: analysts only judge what was alerted, so fraud no
rule ever flagged carries no label. What stands in for it is *retention*: the share of
accounts judged fraud that the pack under test still flags, which tells whether a changed
rule loses what analysts confirmed; the ones it loses are listed by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

import msgspec

from fraudlink.detect.alerts import Alert
from fraudlink.detect.rules.compile import RulePack

FORMAT = "fraudlink-labels/1"
Verdict = Literal["true_positive", "false_positive"]


class LabelledAlert(msgspec.Struct, frozen=True, kw_only=True):
    """One alert an analyst judged, with the accounts it names."""

    alert_id: str
    rule_id: str
    rule_version: int
    entity_kind: str
    entity: str
    accounts: list[str]
    ts: datetime
    verdict: Verdict
    by: str | None = None
    at: datetime | None = None
    note: str | None = None


class Labels(msgspec.Struct, frozen=True, kw_only=True):
    """A labels file: what a platform's analysts decided, as ``alerts labels`` writes it."""

    org: str
    exported_at: datetime
    alerts: list[LabelledAlert]
    format: str = FORMAT


class AccountVerdicts(msgspec.Struct, frozen=True, kw_only=True):
    fraud: frozenset[str]
    not_fraud: frozenset[str]
    mixed: frozenset[str]  # judged both ways on different alerts; counted as fraud


class RuleLabelScore(msgspec.Struct, frozen=True, kw_only=True):
    rule_id: str
    alerts: int
    accounts: int
    labelled: int
    true_positives: int
    false_positives: int
    precision: float | None
    """TP / (TP + FP) over its labelled accounts; ``None`` when none of them is labelled."""


class LabelReport(msgspec.Struct, frozen=True, kw_only=True):
    events: int
    alerts: int
    flag_at: int
    labelled_accounts: int
    fraud_accounts: int
    not_fraud_accounts: int
    mixed_accounts: int
    flagged_accounts: int
    flagged_labelled: int
    flagged_true_positives: int
    flagged_false_positives: int
    flagged_precision: float | None
    fraud_retained: float | None
    """Share of accounts judged fraud that the pack flags (score ≥ ``flag_at``). Not
    recall: fraud that no alert ever brought to an analyst carries no label."""
    fraud_missed: list[str]
    rules: list[RuleLabelScore]


def accounts_of(kind: str, entity: str, body: Mapping[str, Any]) -> list[str]:
    """The accounts a stored alert names: those detect listed, else its entity if an account."""
    named = body.get("accounts")
    if isinstance(named, list) and named:
        return [str(a) for a in named]
    return [entity] if kind == "account" else []


def account_verdicts(labels: Labels) -> AccountVerdicts:
    verdicts: dict[str, set[str]] = defaultdict(set)
    for alert in labels.alerts:
        for account in alert.accounts:
            verdicts[account].add(alert.verdict)
    fraud = {a for a, v in verdicts.items() if "true_positive" in v}
    return AccountVerdicts(
        fraud=frozenset(fraud),
        not_fraud=frozenset(verdicts.keys() - fraud),
        mixed=frozenset(a for a, v in verdicts.items() if len(v) == 2),
    )


def _precision(tp: int, fp: int) -> float | None:
    return round(tp / (tp + fp), 4) if tp + fp else None


def score_labels(
    alerts: Iterable[Alert], labels: Labels, pack: RulePack, events: int
) -> LabelReport:
    """Pure scoring of a replay's alerts against the analysts' verdicts, at account level."""
    alerts = list(alerts)
    verdicts = account_verdicts(labels)
    by_rule: dict[str, set[str]] = defaultdict(set)
    alerts_by_rule: dict[str, int] = defaultdict(int)
    best: dict[str, int] = defaultdict(int)
    for alert in alerts:
        alerts_by_rule[alert.rule_id] += 1
        for account in alert.accounts:
            by_rule[alert.rule_id].add(account)
            best[account] = max(best[account], alert.score)
    flagged = {a for a, s in best.items() if s >= pack.flag_at}
    rules = []
    for rule in pack.rules:
        accounts = by_rule.get(rule.id, set())
        tp, fp = len(accounts & verdicts.fraud), len(accounts & verdicts.not_fraud)
        rules.append(RuleLabelScore(rule_id=rule.id, alerts=alerts_by_rule.get(rule.id, 0),
                                    accounts=len(accounts), labelled=tp + fp,
                                    true_positives=tp, false_positives=fp,
                                    precision=_precision(tp, fp)))  # fmt: skip
    tp, fp = len(flagged & verdicts.fraud), len(flagged & verdicts.not_fraud)
    kept = len(verdicts.fraud & flagged)
    return LabelReport(
        events=events,
        alerts=len(alerts),
        flag_at=pack.flag_at,
        labelled_accounts=len(verdicts.fraud) + len(verdicts.not_fraud),
        fraud_accounts=len(verdicts.fraud),
        not_fraud_accounts=len(verdicts.not_fraud),
        mixed_accounts=len(verdicts.mixed),
        flagged_accounts=len(flagged),
        flagged_labelled=tp + fp,
        flagged_true_positives=tp,
        flagged_false_positives=fp,
        flagged_precision=_precision(tp, fp),
        fraud_retained=round(kept / len(verdicts.fraud), 4) if verdicts.fraud else None,
        fraud_missed=sorted(verdicts.fraud - flagged),
        rules=rules,
    )
