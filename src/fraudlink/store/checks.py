"""Small checks the store makes before writing, shared by its parts."""

from __future__ import annotations

# Writers that lose a race on a unique key retry this many times before giving up.
CONFLICT_RETRIES = 50


def require(value: str, allowed: tuple[str, ...], what: str) -> None:
    # The tables check these too; checking first gives a message that says what is allowed.
    if value not in allowed:
        raise ValueError(f"{what} {value!r}: expected one of {', '.join(allowed)}")
