"""Which accounts count as fraud for training and scoring a ranker.

From analysts' verdicts (a ``fraudlink-labels/1`` file): accounts judged fraud on any
alert. From a world's ``truth.json``: the positives of each typology
(:func:`fraudlink.detect.backtest.positives`), and for typologies without a role list
every labelled account except the honest look-alikes. Victims are never targets.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from fraudlink.detect.backtest import POSITIVE_ROLES, positives
from fraudlink.detect.labels import FORMAT as LABELS_FORMAT
from fraudlink.detect.labels import Labels, account_verdicts
from fraudlink.sim.truth import Truth


class TargetFileError(ValueError):
    """A file that is neither a labels file nor a truth.json."""


_NOT_OFFENDERS = frozenset({"benign_lookalike", "scam_victim"})


def truth_fraud(truth: Truth) -> set[str]:
    """The offenders' accounts: a victim is protected, not ranked as a suspect."""
    wanted = positives(truth)
    found: set[str] = set().union(*(v for t, v in wanted.items() if t not in _NOT_OFFENDERS))
    for account, label in truth.accounts.items():
        if label.typology not in POSITIVE_ROLES and label.typology not in _NOT_OFFENDERS:
            found.add(account)
    return found


def labels_fraud(labels: Labels) -> set[str]:
    return set(account_verdicts(labels).fraud)


def fraud_accounts(path: Path) -> set[str]:
    """The fraud accounts a labels file or a truth.json names."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise TargetFileError(f"{path} not found") from exc
    try:
        head = msgspec.json.decode(data, type=dict[str, object])
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise TargetFileError(f"{path}: not a JSON object ({exc})") from exc
    try:
        if "alerts" in head and "accounts" not in head:
            labels = msgspec.json.decode(data, type=Labels)
            if labels.format != LABELS_FORMAT:
                raise TargetFileError(
                    f"{path}: labels format {labels.format!r}, this version reads {LABELS_FORMAT}"
                )
            return labels_fraud(labels)
        return truth_fraud(msgspec.json.decode(data, type=Truth))
    except msgspec.ValidationError as exc:
        raise TargetFileError(
            f"{path}: neither a labels file (`alerts labels`) nor a truth.json ({exc})"
        ) from exc
