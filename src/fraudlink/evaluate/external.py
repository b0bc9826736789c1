"""Score alerts against the labels of a dataset this project did not generate.

A public generator labels accounts (or transactions, which a label reader turns into
accounts) with its own typology names: ``mule_account``, ``refund_abuse``, or just
"laundering". Our rules carry our typology names. The score therefore works at
account level and keeps the two vocabularies apart:

- An account is *alerted* when any alert names it, and *flagged* when one of its
  alerts scores at least ``flag_at`` (the pack's, as in ``fraudlink backtest``).
- Per external typology T, *recall* is the share of accounts labelled T that are
  flagged by any rule: found at all, whatever the rule thought it was. *Precision*
  is the share of flagged accounts whose heaviest rule's typology corresponds to T
  (a correspondence the label reader states) that are labelled T; it is None when no
  rule corresponds to T or none of the flagged accounts was taken for T.
- Over all typologies: laundering-account recall and precision, the share of the
  population flagged and alerted, and the alerts that name no account of the
  population (a merchant, a bank outside the ledger): every one is a false alarm.
- *Recall at k*: accounts ordered by their maximum alert score (then by how many
  alerts, then by id, so the order is total), the first ⌊k·N⌋ alerted accounts of a
  population of N are reviewed; the share of labelled accounts among them. An
  account no alert names is never reviewed: a budget left over finds nothing.

Pure functions over data: the label readers and the benchmarks do the I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import msgspec

from fraudlink.detect.alerts import Alert


class ExternalTruth(msgspec.Struct, frozen=True, kw_only=True):
    """What a generator says about its accounts.

    ``population`` is every account of the institution (customers, not the merchants
    or outside banks they pay); ``labels`` maps each labelled account to its
    typologies (an account may be in several schemes); ``matches`` maps each
    external typology to the rule typologies that look for it.
    """

    generator: str
    population: frozenset[str]
    labels: Mapping[str, frozenset[str]]
    matches: Mapping[str, frozenset[str]]


class AlertedAccount(msgspec.Struct, frozen=True, kw_only=True):
    """All alerts on one account reduced to what ranking and scoring need."""

    account: str
    max_score: int
    alerts: int
    heaviest_typology: str
    """Typology of the account's heaviest rule (see :func:`alerted_accounts`)."""


class TypologyScore(msgspec.Struct, frozen=True, kw_only=True):
    typology: str
    positives: int
    found: int
    recall: float
    predicted: int
    precision: float | None


class ExternalReport(msgspec.Struct, frozen=True, kw_only=True):
    generator: str
    accounts: int
    labelled: int
    flag_at: int
    alerted: int
    flagged: int
    share_alerted: float
    share_flagged: float
    recall: float
    precision: float | None
    outside_population: int
    """Entities alerted that are not accounts of the population (merchants, outside banks)."""
    recall_at: dict[str, float]
    typologies: list[TypologyScore]


def alerted_accounts(
    alerts: Iterable[Alert], heaviest_first: Sequence[str] = ()
) -> dict[str, AlertedAccount]:
    """Each account named by any alert, with its maximum score and its heaviest rule.

    The heaviest rule is the one earliest in ``heaviest_first`` (the pack's rules by
    weight, then by their order, as ``fraudlink backtest`` ranks them); rules not in
    it come after, the higher alert score first, then the smaller rule id.
    """
    rank = {rule: i for i, rule in enumerate(heaviest_first)}
    best: dict[str, tuple[tuple[int, int, str], str]] = {}
    scores: dict[str, int] = {}
    counts: dict[str, int] = {}
    for alert in alerts:
        key = (rank.get(alert.rule_id, len(rank)), -alert.score, alert.rule_id)
        for account in dict.fromkeys(alert.accounts):
            counts[account] = counts.get(account, 0) + 1
            scores[account] = max(scores.get(account, alert.score), alert.score)
            seen = best.get(account)
            if seen is None or key < seen[0]:
                best[account] = (key, alert.typology)
    return {
        account: AlertedAccount(
            account=account,
            max_score=scores[account],
            alerts=counts[account],
            heaviest_typology=typology,
        )
        for account, (_key, typology) in best.items()
    }


def review_order(alerted: Mapping[str, AlertedAccount], population: frozenset[str]) -> list[str]:
    """The population's alerted accounts in the order an analyst would review them."""
    inside = [a for a in alerted.values() if a.account in population]
    inside.sort(key=lambda a: (-a.max_score, -a.alerts, a.account))
    return [a.account for a in inside]


def recall_at(
    order: Sequence[str], labelled: Iterable[str], population_size: int, fraction: float
) -> float:
    """Share of labelled accounts among the first ⌊fraction·N⌋ of ``order``.

    >>> recall_at(["a", "x", "b"], ["a", "b"], population_size=20, fraction=0.1)
    0.5
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be within [0, 1], got {fraction}")
    positives = frozenset(labelled)
    if not positives:
        return 0.0
    budget = int(fraction * population_size)
    reviewed = frozenset(order[:budget])
    return len(reviewed & positives) / len(positives)


def score_external(
    truth: ExternalTruth,
    alerts: Iterable[Alert],
    *,
    flag_at: int,
    heaviest_first: Sequence[str] = (),
    budgets: Sequence[float] = (0.05, 0.10),
) -> ExternalReport:
    """Account-level figures of ``alerts`` against ``truth`` (see the module's docstring)."""
    alerted = alerted_accounts(alerts, heaviest_first)
    population = truth.population
    labels = {a: t for a, t in truth.labels.items() if a in population and t}
    inside = {a: v for a, v in alerted.items() if a in population}
    flagged = {a: v for a, v in inside.items() if v.max_score >= flag_at}
    order = review_order(alerted, population)
    size = len(population)
    typologies = sorted({t for ts in labels.values() for t in ts})
    rows = [
        _typology_score(t, labels, flagged, truth.matches.get(t, frozenset())) for t in typologies
    ]
    true_flagged = sum(1 for a in flagged if a in labels)
    return ExternalReport(
        generator=truth.generator,
        accounts=size,
        labelled=len(labels),
        flag_at=flag_at,
        alerted=len(inside),
        flagged=len(flagged),
        share_alerted=_share(len(inside), size),
        share_flagged=_share(len(flagged), size),
        recall=_share(true_flagged, len(labels)),
        precision=true_flagged / len(flagged) if flagged else None,
        outside_population=len(alerted) - len(inside),
        recall_at={f"{b:.0%}": recall_at(order, labels, size, b) for b in budgets},
        typologies=rows,
    )


def _typology_score(
    typology: str,
    labels: Mapping[str, frozenset[str]],
    flagged: Mapping[str, AlertedAccount],
    rule_typologies: frozenset[str],
) -> TypologyScore:
    positives = {a for a, ts in labels.items() if typology in ts}
    found = sum(1 for a in positives if a in flagged)
    predicted = {a for a, v in flagged.items() if v.heaviest_typology in rule_typologies}
    right = len(predicted & positives)
    return TypologyScore(
        typology=typology,
        positives=len(positives),
        found=found,
        recall=_share(found, len(positives)),
        predicted=len(predicted),
        precision=right / len(predicted) if rule_typologies and predicted else None,
    )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
