"""The fast canonical-JSON path gives exactly the RFC 8785 bytes of the reference library."""

from __future__ import annotations

import msgspec
import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from fraudlink.cases.package import SAFE_INT, canonical_row

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=8), values, max_size=8))
def test_fast_rows_equal_the_reference(row: dict[str, object]) -> None:
    try:
        expected = rfc8785.dumps(row)
    except rfc8785.IntegerDomainError:
        with pytest.raises(rfc8785.IntegerDomainError):
            canonical_row(row)
        return
    assert canonical_row(row) == expected


def test_every_code_point_is_escaped_as_rfc8785_does() -> None:
    # The fast path relies on this: one string per code point, outside the surrogates.
    for cp in [*range(0x3000), 0x2028, 0x2029, 0xFEFF, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF]:
        text = chr(cp)
        assert msgspec.json.encode(text) == rfc8785.dumps(text), hex(cp)


def test_the_largest_safe_integer_is_fast_and_the_next_is_refused() -> None:
    assert canonical_row({"n": SAFE_INT}) == b'{"n":9007199254740991}'
    with pytest.raises(rfc8785.IntegerDomainError):
        canonical_row({"n": SAFE_INT + 1})
