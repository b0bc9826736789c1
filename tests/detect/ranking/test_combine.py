"""The default ranking: more and stronger evidence first, ties in account order,
contributions that add up to the score."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from fraudlink.detect.ranking.combine import Evidence, rank_accounts


def ev(account: str, source: str, value: float) -> Evidence:
    return Evidence(account, source, value, f"{source} on {account}")


def test_more_and_stronger_evidence_ranks_first() -> None:
    evidence = [
        ev("weak", "fan_in", 0.3),
        ev("two", "fan_in", 0.3),
        ev("two", "pass_through", 0.5),
        ev("strong", "pass_through", 0.9),
        ev("repeated", "fan_in", 0.3),
        ev("repeated", "fan_in", 0.3),
    ]
    ranked = rank_accounts(evidence, ["quiet"])
    assert [r.account for r in ranked] == ["strong", "two", "repeated", "weak", "quiet"]
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5]
    assert ranked[-1].score == 0 and ranked[-1].contributions == []
    # A rule repeated is one source: no more than the same rule once.
    assert ranked[2].score == ranked[3].score


def test_each_account_explains_its_score_by_its_sources() -> None:
    [top] = rank_accounts([ev("a", "fan_in", 0.3), ev("a", "in_count", 0.1)])
    assert [c.source for c in top.contributions] == ["fan_in", "in_count"]
    assert top.reasons == ["fan_in on a", "in_count on a"]
    assert math.isclose(top.contributions[0].contribution, -math.log(0.7), abs_tol=1e-6)
    # The score is the alert score's combination, written additively.
    assert math.isclose(1 - math.exp(-top.score), 1 - 0.7 * 0.9, abs_tol=1e-5)


def test_equal_scores_rank_in_account_order() -> None:
    ranked = rank_accounts([ev(a, "fan_in", 0.4) for a in ("c", "a", "b")])
    assert [r.account for r in ranked] == ["a", "b", "c"]


evidence_lists = st.lists(
    st.builds(
        ev,
        st.sampled_from(["a", "b", "c", "d"]),
        st.sampled_from(["fan_in", "cycle", "in_count", "layering"]),
        st.floats(min_value=0.01, max_value=1.0),
    ),
    max_size=30,
)


@given(evidence_lists, st.randoms(use_true_random=False))
def test_contributions_add_up_and_the_order_does_not_depend_on_input_order(
    evidence: list[Evidence], rng: object
) -> None:
    ranked = rank_accounts(evidence)
    for r in ranked:
        assert math.isclose(sum(c.contribution for c in r.contributions), r.score, abs_tol=1e-5)
        assert all(c.contribution > 0 for c in r.contributions)
        assert len({c.source for c in r.contributions}) == len(r.contributions)
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    shuffled = list(evidence)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert rank_accounts(shuffled) == ranked
