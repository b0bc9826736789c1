"""Column types whose behaviour differs by backend, kept in one place.

SQLite has no time-zone-aware timestamp: it stores text and gives back naive
datetimes. PostgreSQL's ``timestamptz`` gives back aware ones in the session's zone.
:class:`UtcDateTime` makes both hand back aware UTC datetimes and refuses naive
ones on the way in, so a time without a zone can never enter the store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"a time without a time zone cannot be stored: {value!r}")
        utc = value.astimezone(UTC)
        # SQLite keeps what it is given as text; naive UTC text sorts and compares right.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
