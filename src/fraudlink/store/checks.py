"""Small checks the store makes before writing, shared by its parts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from fraudlink.store.backend import is_conflict

T = TypeVar("T")
# Writers that lose a race on a unique key retry this many times before giving up.
CONFLICT_RETRIES = 50


def retry_conflicts(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` (one whole transaction) again while it loses a race to another
    writer, at most CONFLICT_RETRIES times; any other error is raised at once."""
    for tries in range(CONFLICT_RETRIES):
        try:
            return attempt()
        except DBAPIError as exc:
            if not is_conflict(exc) or tries == CONFLICT_RETRIES - 1:
                raise
            # Back off a little longer each time so a crowd of writers spreads out.
            time.sleep(0.001 * (tries + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def require(value: str, allowed: tuple[str, ...], what: str) -> None:
    # The tables check these too; checking first gives a message that says what is allowed.
    if value not in allowed:
        raise ValueError(f"{what} {value!r}: expected one of {', '.join(allowed)}")
