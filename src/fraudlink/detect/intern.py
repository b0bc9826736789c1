"""Integer codes for identifiers, so per-key state lives in numpy arrays and int dicts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MISSING = -1
SMALL = 256  # up to this many values, encode in plain Python


class Interner:
    """Maps each distinct string (account, device, IP, city…) to a stable small integer.

    Codes are handed out in first-seen order, so the same stream always gets the same
    codes; that keeps everything downstream deterministic. Codes are never reused.
    """

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self.names: list[str] = []

    def __len__(self) -> int:
        return len(self.names)

    def code(self, name: str) -> int:
        found = self._codes.get(name)
        if found is None:
            found = self._codes[name] = len(self.names)
            self.names.append(name)
        return found

    def find(self, name: str) -> int:
        """The code of ``name`` or ``MISSING``, without adding it."""
        return self._codes.get(name, MISSING)

    def encode(self, column: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """Codes for a string column (``MISSING`` for nulls); one dict probe per distinct value."""
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if len(column) == 0:
            return np.empty(0, dtype=np.int64)
        if len(column) <= SMALL:
            # Live batches hold a handful of events: plain dict probes beat the Arrow
            # kernels' fixed cost. Codes are handed out in the same first-seen order.
            code = self.code
            return np.array(
                [MISSING if v is None else code(v) for v in column.to_pylist()], dtype=np.int64
            )
        encoded = (
            pc.dictionary_encode(column) if not pa.types.is_dictionary(column.type) else column
        )
        values = encoded.dictionary.to_pylist()
        found: list[int | None] = list(map(self._codes.get, values))
        if None in found:
            for i, name in enumerate(values):
                if found[i] is None:
                    found[i] = self.code(name)
        found.append(MISSING)  # where the null index points
        mapping = np.array(found, dtype=np.int64)
        indices = encoded.indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
        out: np.ndarray = mapping[indices.astype(np.int64, copy=False)]
        return out


# Columns whose values name the same kind of thing share codes; the rest get their own.
NAMESPACES: dict[str, str] = {
    "account": "account",
    "from_account": "account",
    "to_account": "account",
    "device_id": "device",
    "ip": "ip",
}


class Interners:
    """One :class:`Interner` per kind of identifier, so arrays indexed by code stay dense."""

    def __init__(self) -> None:
        self.spaces: dict[str, Interner] = {}

    def of(self, field: str) -> Interner:
        space = NAMESPACES.get(field, field)
        found = self.spaces.get(space)
        if found is None:
            found = self.spaces[space] = Interner()
        return found
