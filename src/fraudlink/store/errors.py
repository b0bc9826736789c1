"""What can go wrong with the store, each with what to do about it."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every store error."""


class NotMigratedError(StoreError):
    def __init__(self, url: str, current: str | None, head: str) -> None:
        at = f"revision {current}" if current else "an empty database"
        super().__init__(
            f"the store at {url} is at {at}, this version needs {head}: "
            "run `fraudlink store upgrade` first"
        )


class DuplicateError(StoreError):
    """A record with this key is already stored."""


class NotFoundError(StoreError):
    """No record with this key."""


class UnreachableError(StoreError):
    """The database cannot be used at all: no server, refused, or not a database."""
