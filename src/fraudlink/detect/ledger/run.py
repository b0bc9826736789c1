"""Run a pack's ledger rules over a ledger and turn their findings into alerts.

Each detector ``op`` has one function (registered in :data:`OPERATORS`) taking the
ledger, the rule's spec and what is known so far, and returning findings. Rules run
in file order, except ``risk_propagation``, which runs last because it starts from
what the others found.

An account gets at most one alert per ledger rule: the rule's strongest finding on it
(the earliest among equals). Its score combines every ledger rule that found it,
as stream alerts combine signals: ``100 · (1 − Π (1 − weight × strength))``.
Accounts outside the customer base (the external side of a statement, such as a
merchant) are never alerted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fraudlink.detect.alerts import Alert, alert_id, to_datetime
from fraudlink.detect.explain import count_of
from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.rules.compile import RulePack
from fraudlink.detect.rules.ledger_schema import LedgerRule


@dataclass
class Known:
    """What a ledger rule may start from: accounts known to be bad, and what the rules
    before it found (account → [(rule id, effective weight)])."""

    bad: frozenset[str] = frozenset()
    found: dict[str, list[tuple[str, float]]] = field(default_factory=dict)


Operator = Callable[[Ledger, Any, Known], Iterable[Finding]]
OPERATORS: dict[str, Operator] = {}
_LAST = frozenset({"risk_propagation"})


def operator(op: str) -> Callable[[Operator], Operator]:
    """Register the function that runs ledger detector ``op``."""

    def register(fn: Operator) -> Operator:
        OPERATORS[op] = fn
        return fn

    return register


def _op_of(rule: LedgerRule) -> str:
    return str(type(rule.detect).__struct_config__.tag)


RuleProgress = Callable[[LedgerRule, int, int], None]
"""Told each rule before it runs: the rule, how many ran before it, how many in all."""


def run_rules(
    pack: RulePack,
    ledger: Ledger,
    known_bad: Iterable[str] = (),
    progress: RuleProgress | None = None,
) -> list[tuple[LedgerRule, Finding]]:
    """Every ledger rule's best finding per account, customers only, in run order."""
    from fraudlink.detect.ledger import operators  # noqa: F401 - registers the ops

    customers = {str(r[0]) for r in ledger.rows("SELECT account FROM customers")}
    known = Known(bad=frozenset(known_bad))
    order = [r for r in pack.ledger if _op_of(r) not in _LAST]
    order += [r for r in pack.ledger if _op_of(r) in _LAST]
    out: list[tuple[LedgerRule, Finding]] = []
    for done, rule in enumerate(order):
        if progress is not None:
            progress(rule, done, len(order))
        op = _op_of(rule)
        fn = OPERATORS.get(op)
        if fn is None:
            raise NotImplementedError(f"ledger detector {op!r} has no implementation")
        best: dict[str, Finding] = {}
        for finding in fn(ledger, rule.detect, known):
            if finding.account not in customers:
                continue
            seen = best.get(finding.account)
            if seen is None or (-finding.strength, finding.ts_us) < (-seen.strength, seen.ts_us):
                best[finding.account] = finding
        for account in sorted(best):
            finding = best[account]
            known.found.setdefault(account, []).append((rule.id, rule.weight * finding.strength))
            out.append((rule, finding))
    return out


def _severity(pack: RulePack, score: int) -> str:
    for threshold, name in pack.severity:
        if score >= threshold:
            return name
    return "low"


def ledger_alerts(
    pack: RulePack,
    ledger: Ledger,
    known_bad: Iterable[str] = (),
    progress: RuleProgress | None = None,
) -> list[Alert]:
    """The alerts of the pack's ledger rules, in time order (then rule, then account)."""
    found = run_rules(pack, ledger, known_bad, progress)
    signals: dict[str, list[tuple[float, str, str]]] = {}
    for rule, f in found:
        signals.setdefault(f.account, []).append((rule.weight * f.strength, rule.id, rule.title))
    alerts: list[Alert] = []
    for rule, f in found:
        live = sorted(signals[f.account], key=lambda s: (-s[0], s[1]))
        remain = 1.0
        for weight, _, _ in live:
            remain *= 1.0 - weight
        score = round(100 * (1.0 - remain))
        reasons = [f.reason]
        if len(live) > 1:
            parts = ", ".join(f"{title} ({weight:.2g})" for weight, _, title in live)
            reasons.append(f"risk {score} from {count_of(len(live), 'signal')}: {parts}")
        metrics: dict[str, int | float | str | None] = dict(f.metrics)
        if f.linked:
            metrics["linked"] = ", ".join(f.linked)
        alerts.append(
            Alert(
                alert_id=alert_id(rule.id, rule.version, "account", f.account, f.ts_us),
                rule_id=rule.id,
                rule_version=rule.version,
                title=rule.title,
                typology=rule.typology,
                entity_kind="account",
                entity=f.account,
                accounts=[f.account],
                ts=to_datetime(f.ts_us),
                window_start=to_datetime(f.window_start_us),
                score=score,
                severity=_severity(pack, score),
                reasons=reasons,
                metrics=metrics,
                event_ids=list(f.event_ids[-50:]),
            )
        )
    alerts.sort(key=lambda a: (a.ts, a.rule_id, a.entity))
    return alerts
