"""The alert book forgets closed alerts and faded entities exactly as a full pass would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.detect.alerts import AlertBook
from fraudlink.detect.operators.base import Hit
from fraudlink.detect.rules.loader import builtin_pack

PACK = builtin_pack()
RULES = [PACK.rules[i] for i in range(3)]
MINUTE = 60_000_000


def _full_pass(book: AlertBook, watermark: int) -> tuple[dict[object, int], set[object]]:
    """What expiry must leave: every open alert closing at or after the watermark, every
    entity with a signal within the score horizon."""
    horizon = watermark - PACK.score_horizon_us
    still_open = {k: v for k, v in book.open_until.items() if v >= watermark}
    kept = {k for k, s in book.signals.items() if max(x.ts for x in s.values()) >= horizon}
    return still_open, kept


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["a", "b", "c", "d"]),
                          st.integers(0, 3 * 24 * 60), st.booleans()), max_size=60))  # fmt: skip
def test_expiry_by_heaps_equals_a_full_pass(steps: list[tuple[int, str, int, bool]]) -> None:
    book = AlertBook(PACK)
    now = 0
    for rule_at, entity, minutes, expire in steps:
        now += minutes * MINUTE  # hits come in event-time order
        rule = RULES[rule_at]
        hit = Hit(pos=0, key=entity, metrics={}, entities=[entity])
        book.consider(rule, hit, entity, now, dict)
        if expire:
            watermark = now - minutes * MINUTE // 2
            expected = _full_pass(book, watermark)
            book.expire(watermark)
            assert (book.open_until, set(book.signals)) == expected
