"""Order, transfer and refund ids: sequential underneath, scattered on the surface.

Planted fraud and ordinary life draw from the same counters, and the counter is
scrambled by a bijection so an id's size says nothing about who made it.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_WIDTH = {"o": 10, "t": 10, "r": 9}
# Odd and not a multiple of 5: a bijection modulo any power of ten.
_MULTIPLIER = 1_000_003_483


class IdSource:
    def __init__(self) -> None:
        self.next = dict.fromkeys(_WIDTH, 0)

    def take(self, kind: str, n: int) -> pa.Array:
        start = self.next[kind]
        self.next[kind] = start + n
        width = _WIDTH[kind]
        seq = np.arange(start, start + n, dtype=np.int64)
        scrambled = (seq * _MULTIPLIER + 7) % (10**width)
        digits = pc.utf8_lpad(pc.cast(pa.array(scrambled), pa.string()), width=width, padding="0")
        return pc.binary_join_element_wise(kind.upper(), digits, "")

    def one(self, kind: str) -> str:
        return str(self.take(kind, 1)[0].as_py())
