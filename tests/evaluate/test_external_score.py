"""Account-level scoring against external labels: ranges, monotonicity, one count per account."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fraudlink.detect.alerts import Alert
from fraudlink.evaluate.external import (
    ExternalTruth,
    alerted_accounts,
    recall_at,
    review_order,
    score_external,
)
from tests.evaluate.alerts import alert

Alerts = list[Alert]
Labels = dict[str, frozenset[str]]

ACCOUNTS = [f"a{i}" for i in range(12)]
account = st.sampled_from([*ACCOUNTS, "ext:shop"])
alerts_strategy = st.lists(
    st.builds(
        alert,
        st.lists(account, min_size=1, max_size=3),
        st.integers(0, 100),
        st.sampled_from(["fan", "refund", "ato"]),
        st.sampled_from(["fan_in", "refund_fraud", "account_takeover"]),
    ),
    max_size=30,
)
labels_strategy = st.dictionaries(
    st.sampled_from(ACCOUNTS),
    st.frozensets(st.sampled_from(["mule", "refund_abuse"]), min_size=1),
    max_size=8,
)
MATCHES = {"mule": frozenset({"fan_in"}), "refund_abuse": frozenset({"refund_fraud"})}


def truth(labels: dict[str, frozenset[str]]) -> ExternalTruth:
    return ExternalTruth(
        generator="test", population=frozenset(ACCOUNTS), labels=labels, matches=MATCHES
    )


@given(alerts_strategy, labels_strategy, st.integers(0, 100))
def test_every_figure_is_a_share(alerts: Alerts, labels: Labels, flag_at: int) -> None:
    report = score_external(truth(labels), alerts, flag_at=flag_at)
    shares = [report.share_alerted, report.share_flagged, report.recall, *report.recall_at.values()]
    shares += [r.recall for r in report.typologies]
    shares += [
        p for p in [report.precision, *(r.precision for r in report.typologies)] if p is not None
    ]
    assert all(0.0 <= s <= 1.0 for s in shares)
    assert report.flagged <= report.alerted <= report.accounts
    assert all(r.found <= r.positives for r in report.typologies)


@given(alerts_strategy, labels_strategy, st.floats(0, 1), st.floats(0, 1))
def test_recall_at_k_never_falls_as_the_budget_grows(
    alerts: Alerts, labels: Labels, k1: float, k2: float
) -> None:
    small, large = sorted((k1, k2))
    order = review_order(alerted_accounts(alerts), frozenset(ACCOUNTS))
    assert recall_at(order, labels, len(ACCOUNTS), small) <= recall_at(
        order, labels, len(ACCOUNTS), large
    )


@given(alerts_strategy, labels_strategy)
def test_repeating_alerts_changes_no_count(alerts: Alerts, labels: Labels) -> None:
    once = score_external(truth(labels), alerts, flag_at=50)
    twice = score_external(truth(labels), alerts + alerts, flag_at=50)
    assert (once.alerted, once.flagged, once.recall, once.recall_at) == (
        twice.alerted,
        twice.flagged,
        twice.recall,
        twice.recall_at,
    )
    assert [(r.positives, r.found, r.predicted) for r in once.typologies] == [
        (r.positives, r.found, r.predicted) for r in twice.typologies
    ]


@given(alerts_strategy)
def test_the_review_order_names_each_account_of_the_population_once(alerts: Alerts) -> None:
    order = review_order(alerted_accounts(alerts), frozenset(ACCOUNTS))
    assert len(order) == len(set(order))
    assert set(order) <= set(ACCOUNTS)


def test_a_worked_example() -> None:
    labels = {
        "a0": frozenset({"mule"}),
        "a1": frozenset({"mule"}),
        "a2": frozenset({"refund_abuse"}),
    }
    alerts = [
        alert(["a0"], 90, "fan", "fan_in"),
        alert(["a0", "a3"], 60, "fan", "fan_in"),  # a3 is honest: a false alarm
        alert(["a2"], 40, "refund", "refund_fraud"),  # below flag_at: alerted, not flagged
        alert(["ext:shop"], 99, "fan", "fan_in"),  # a merchant: outside the population
    ]
    report = score_external(truth(labels), alerts, flag_at=50)
    assert (report.alerted, report.flagged, report.outside_population) == (3, 2, 1)
    assert report.recall == pytest.approx(1 / 3)
    assert report.precision == pytest.approx(1 / 2)
    mule, refund = report.typologies
    assert (mule.typology, mule.positives, mule.found, mule.predicted) == ("mule", 2, 1, 2)
    assert mule.precision == pytest.approx(1 / 2)
    assert (refund.found, refund.predicted, refund.precision) == (0, 0, None)
    # 12 accounts: 5 % reviews none, 10 % reviews one (a0), 25 % reviews a0, a3, a2.
    assert report.recall_at == {"5%": 0.0, "10%": pytest.approx(1 / 3)}
    assert (
        recall_at(review_order(alerted_accounts(alerts), frozenset(ACCOUNTS)), labels, 12, 0.25)
        == 2 / 3
    )


def test_the_heaviest_rule_of_an_account_is_its_highest_score() -> None:
    got = alerted_accounts(
        [alert(["a0"], 40, "fan", "fan_in"), alert(["a0"], 70, "ato", "account_takeover")]
    )
    assert (got["a0"].max_score, got["a0"].alerts, got["a0"].heaviest_typology) == (
        70,
        2,
        "account_takeover",
    )


def test_a_budget_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="within"):
        recall_at([], [], 10, 1.5)


def test_the_pack_order_decides_the_heaviest_rule_before_the_score() -> None:
    alerts = [alert(["a0"], 90, "fan", "fan_in"), alert(["a0"], 55, "ato", "account_takeover")]
    assert alerted_accounts(alerts, ["ato", "fan"])["a0"].heaviest_typology == "account_takeover"
    assert alerted_accounts(alerts, ["fan", "ato"])["a0"].heaviest_typology == "fan_in"
    assert alerted_accounts(alerts, ["refund"])["a0"].heaviest_typology == "fan_in"
