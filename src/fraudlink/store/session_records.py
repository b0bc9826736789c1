"""Web sessions, API keys and reports from the public, in the store.

A mixin of :class:`fraudlink.store.store.Store`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import Connection, Select, bindparam, delete, insert, select, update

from fraudlink.store.records import ApiKeyRecord, ReportRecord, SessionRecord, UserRecord
from fraudlink.store.tables import api_keys, reports, sessions, users

# Built once: a statement object used again skips SQLAlchemy's per-call result setup,
# which cost more than the query itself on the path every page takes.
_USER_PREFIX = "user_"
# The session and its user in one statement: one statement is its own consistent snapshot,
# so it needs no transaction around it (see Store._read_rows).
_LIVE_SESSION_AND_USER = (
    select(sessions, *(c.label(_USER_PREFIX + c.name) for c in users.c))
    .join(users, (users.c.org == sessions.c.org) & (users.c.username == sessions.c.username))
    .where(
        sessions.c.token_sha256 == bindparam("token"),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > bindparam("now"),
    )
)
_SESSION_COLUMNS = tuple(c.name for c in sessions.c)
_USER_COLUMNS = tuple((_USER_PREFIX + c.name, c.name) for c in users.c)


class SessionRecords:
    if TYPE_CHECKING:
        clock: Callable[[], datetime]

        def _tx(self) -> AbstractContextManager[Connection]: ...
        def _read_rows(
            self, statement: Select[Any], params: Mapping[str, Any]
        ) -> list[dict[str, Any]]: ...

    def add_session(self, record: SessionRecord) -> None:
        with self._tx() as conn:
            conn.execute(insert(sessions).values(**msgspec.structs.asdict(record)))

    def live_session_and_user(
        self, token_sha256: str, now: datetime
    ) -> tuple[SessionRecord, UserRecord] | None:
        """The live session and its user, in one statement (every page asks)."""
        found = self._read_rows(_LIVE_SESSION_AND_USER, {"token": token_sha256, "now": now})
        if not found:
            return None
        row = found[0]
        user = {name: row[label] for label, name in _USER_COLUMNS}
        return (SessionRecord(**{name: row[name] for name in _SESSION_COLUMNS}),
                UserRecord(**{**user, "roles": tuple(user["roles"])}))  # fmt: skip

    def live_session(self, token_sha256: str, now: datetime) -> SessionRecord | None:
        """The session if it exists, is not revoked and has not expired."""
        with self._tx() as conn:
            row = conn.execute(
                select(sessions).where(sessions.c.token_sha256 == token_sha256,
                                       sessions.c.revoked_at.is_(None),
                                       sessions.c.expires_at > now)
            ).mappings().first()  # fmt: skip
        return SessionRecord(**row) if row else None

    def revoke_sessions(
        self, now: datetime, *, token_sha256: str | None = None, org: str = "", username: str = ""
    ) -> int:
        """Revoke one session (logout) or all of a user's (reset, disable); how many."""
        where = (sessions.c.token_sha256 == token_sha256 if token_sha256 is not None
                 else (sessions.c.org == org) & (sessions.c.username == username))  # fmt: skip
        with self._tx() as conn:
            done = conn.execute(
                update(sessions).where(where, sessions.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )  # fmt: skip
        return done.rowcount

    def has_logged_in_from(self, org: str, username: str, source: str) -> bool:
        """Whether ``username`` ever opened a session from ``source`` (an address)."""
        if not source:
            return False
        with self._tx() as conn:
            row = conn.execute(
                select(sessions.c.token_sha256)
                .where(
                    sessions.c.org == org,
                    sessions.c.username == username,
                    sessions.c.source == source,
                )
                .limit(1)
            ).first()
        return row is not None

    def purge_sessions(self, before: datetime) -> int:
        """Forget sessions that expired before ``before``."""
        with self._tx() as conn:
            return conn.execute(delete(sessions).where(sessions.c.expires_at < before)).rowcount

    def add_api_key(self, record: ApiKeyRecord) -> None:
        row = msgspec.structs.asdict(record)
        row["scopes"] = list(record.scopes)
        with self._tx() as conn:
            conn.execute(insert(api_keys).values(**row))

    def list_api_keys(self) -> list[ApiKeyRecord]:
        with self._tx() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).mappings().all()
        return [ApiKeyRecord(**{**r, "scopes": tuple(r["scopes"])}) for r in rows]

    def revoke_api_key(self, key_sha256: str, now: datetime) -> int:
        with self._tx() as conn:
            done = conn.execute(
                update(api_keys).where(api_keys.c.key_sha256 == key_sha256,
                                       api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )  # fmt: skip
        return done.rowcount

    def add_report(self, record: ReportRecord) -> None:
        with self._tx() as conn:
            conn.execute(insert(reports).values(**msgspec.structs.asdict(record)))

    def get_report(self, report_id: str) -> ReportRecord | None:
        with self._tx() as conn:
            row = conn.execute(select(reports).where(reports.c.id == report_id)).mappings().first()
        return ReportRecord(**row) if row else None

    def update_report(self, report_id: str, **values: object) -> None:
        with self._tx() as conn:
            conn.execute(update(reports).where(reports.c.id == report_id).values(**values))
