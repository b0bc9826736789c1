"""The operational store of a node: one interface, SQLite or PostgreSQL underneath.

Every method is one transaction. Times come from ``clock`` (UTC now by default) so
tests control them. Records go in and come out as the immutable structs of
:mod:`.records`; no SQLAlchemy object escapes this module.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from fraudlink.store import migrate
from fraudlink.store.audit_chain import GENESIS, entry_hash, verify_chain
from fraudlink.store.backend import connect, is_conflict, masked
from fraudlink.store.errors import (
    DuplicateError,
    NotFoundError,
    NotMigratedError,
    UnreachableError,
)
from fraudlink.store.records import (
    AlertRecord,
    AuditEntry,
    AuditVerdict,
    CaseRecord,
    MessageRecord,
    UserRecord,
)
from fraudlink.store.tables import (
    ALERT_STATUSES,
    CASE_STATUSES,
    alerts,
    audit_log,
    case_alerts,
    cases,
    messages,
    metadata,
    users,
)

Clock = Callable[[], datetime]
APPEND_ATTEMPTS = 50


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, engine: Engine, url: str, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.url = url
        self.clock = clock

    @classmethod
    def open(cls, url: str, clock: Clock = utc_now) -> Store:
        return cls(connect(url), url, clock)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            if is_conflict(exc):
                raise
            raise self._unreachable(exc) from exc

    def _unreachable(self, exc: OperationalError) -> UnreachableError:
        return UnreachableError(f"cannot use the store at {masked(self.url)}: {exc.orig}")

    # -- schema ------------------------------------------------------------------
    def upgrade(self) -> str:
        """Create or migrate the tables to the newest revision; returns it."""
        try:
            migrate.upgrade(self.engine)
        except OperationalError as exc:
            raise self._unreachable(exc) from exc
        return self.head_revision()

    def current_revision(self) -> str | None:
        try:
            return migrate.current_revision(self.engine)
        except OperationalError as exc:
            raise self._unreachable(exc) from exc

    @staticmethod
    def head_revision() -> str:
        return migrate.head_revision()

    def require_current(self) -> None:
        current, head = self.current_revision(), self.head_revision()
        if current != head:
            raise NotMigratedError(masked(self.url), current, head)

    def counts(self) -> dict[str, int]:
        with self._tx() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in metadata.tables.items()
            }

    # -- alerts ------------------------------------------------------------------
    def add_alert(self, record: AlertRecord) -> bool:
        """Store an alert; False if one with its id is already there (ids are deterministic)."""
        row = msgspec.structs.asdict(record)
        row["entity_id"] = row.pop("entity_id")
        try:
            with self._tx() as conn:
                conn.execute(insert(alerts).values(**row))
        except IntegrityError as exc:
            if self.get_alert(record.id) is not None:
                return False
            raise DuplicateError(str(exc.orig)) from exc
        return True

    def get_alert(self, alert_id: str) -> AlertRecord | None:
        with self._tx() as conn:
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
        return AlertRecord(**row) if row else None

    def list_alerts(
        self, *, status: str | None = None, rule_id: str | None = None, limit: int = 100
    ) -> list[AlertRecord]:
        """Newest first, then highest score."""
        query = select(alerts).order_by(alerts.c.ts.desc(), alerts.c.score.desc(), alerts.c.id)
        if status is not None:
            query = query.where(alerts.c.status == status)
        if rule_id is not None:
            query = query.where(alerts.c.rule_id == rule_id)
        with self._tx() as conn:
            rows = conn.execute(query.limit(limit)).mappings().all()
        return [AlertRecord(**r) for r in rows]

    def set_alert_status(
        self, alert_id: str, status: str, assigned_to: str | None = None
    ) -> AlertRecord:
        if status not in ALERT_STATUSES:
            raise ValueError(
                f"alert status {status!r}: expected one of {', '.join(ALERT_STATUSES)}"
            )
        values: dict[str, Any] = {"status": status}
        if assigned_to is not None:
            values["assigned_to"] = assigned_to
        with self._tx() as conn:
            done = conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))
        if done.rowcount == 0:
            raise NotFoundError(f"no alert {alert_id}")
        found = self.get_alert(alert_id)
        assert found is not None
        return found

    # -- cases -------------------------------------------------------------------
    def open_case(
        self, case_id: str, title: str, owner_org: str, alert_ids: tuple[str, ...] = ()
    ) -> CaseRecord:
        now = self.clock()
        try:
            with self._tx() as conn:
                conn.execute(
                    insert(cases).values(id=case_id, title=title, owner_org=owner_org,
                                         status="open", created_at=now, updated_at=now)
                )  # fmt: skip
                for alert_id in alert_ids:
                    conn.execute(insert(case_alerts).values(case_id=case_id, alert_id=alert_id))
        except IntegrityError as exc:
            raise DuplicateError(
                f"case {case_id} already exists or an alert of it is unknown: {exc.orig}"
            ) from exc
        found = self.get_case(case_id)
        assert found is not None
        return found

    def get_case(self, case_id: str) -> CaseRecord | None:
        with self._tx() as conn:
            row = conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
            if row is None:
                return None
            linked = conn.execute(
                select(case_alerts.c.alert_id)
                .where(case_alerts.c.case_id == case_id)
                .order_by(case_alerts.c.alert_id)
            ).scalars()
            return CaseRecord(**row, alert_ids=tuple(linked))

    def list_cases(self, *, owner_org: str | None = None) -> list[CaseRecord]:
        query = select(cases.c.id).order_by(cases.c.created_at.desc(), cases.c.id)
        if owner_org is not None:
            query = query.where(cases.c.owner_org == owner_org)
        with self._tx() as conn:
            ids = list(conn.execute(query).scalars())
        return [c for c in (self.get_case(i) for i in ids) if c is not None]

    def set_case_status(self, case_id: str, status: str) -> None:
        if status not in CASE_STATUSES:
            raise ValueError(f"case status {status!r}: expected one of {', '.join(CASE_STATUSES)}")
        with self._tx() as conn:
            done = conn.execute(
                update(cases).where(cases.c.id == case_id)
                .values(status=status, updated_at=self.clock())
            )  # fmt: skip
        if done.rowcount == 0:
            raise NotFoundError(f"no case {case_id}")

    # -- messages ----------------------------------------------------------------
    def put_message(self, record: MessageRecord) -> None:
        """Keep a message; a second message with the same id is refused (replay guard)."""
        try:
            with self._tx() as conn:
                conn.execute(insert(messages).values(**msgspec.structs.asdict(record)))
        except IntegrityError as exc:
            raise DuplicateError(f"message {record.id} is already stored") from exc

    def get_message(self, message_id: str) -> MessageRecord | None:
        with self._tx() as conn:
            row = conn.execute(
                select(messages).where(messages.c.id == message_id)
            ).mappings().first()  # fmt: skip
        return MessageRecord(**row) if row else None

    def list_messages(
        self, *, direction: str | None = None, state: str | None = None
    ) -> list[MessageRecord]:
        query = select(messages).order_by(messages.c.created_at, messages.c.id)
        if direction is not None:
            query = query.where(messages.c.direction == direction)
        if state is not None:
            query = query.where(messages.c.state == state)
        with self._tx() as conn:
            return [MessageRecord(**r) for r in conn.execute(query).mappings().all()]

    def set_message_state(self, message_id: str, state: str) -> None:
        with self._tx() as conn:
            done = conn.execute(
                update(messages).where(messages.c.id == message_id)
                .values(state=state, updated_at=self.clock())
            )  # fmt: skip
        if done.rowcount == 0:
            raise NotFoundError(f"no message {message_id}")

    # -- users -------------------------------------------------------------------
    def add_user(self, record: UserRecord) -> UserRecord:
        row = msgspec.structs.asdict(record)
        row.pop("id")
        row["roles"] = list(record.roles)
        try:
            with self._tx() as conn:
                conn.execute(insert(users).values(**row))
        except IntegrityError as exc:
            raise DuplicateError(f"user {record.username} already exists in {record.org}") from exc
        found = self.get_user(record.org, record.username)
        assert found is not None
        return found

    def get_user(self, org: str, username: str) -> UserRecord | None:
        with self._tx() as conn:
            row = conn.execute(
                select(users).where(users.c.org == org, users.c.username == username)
            ).mappings().first()  # fmt: skip
        if row is None:
            return None
        return UserRecord(**{**row, "roles": tuple(row["roles"])})

    def set_user_disabled(self, org: str, username: str, disabled: bool) -> None:
        with self._tx() as conn:
            done = conn.execute(
                update(users).where(users.c.org == org, users.c.username == username)
                .values(disabled=disabled)
            )  # fmt: skip
        if done.rowcount == 0:
            raise NotFoundError(f"no user {username} in {org}")

    # -- audit -------------------------------------------------------------------
    def append_audit(
        self, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None
    ) -> AuditEntry:
        """Add an entry at the head of the chain.

        Two writers may read the same head at once; the ``seq`` primary key lets only
        one of them link to it, and the other retries on the new head. So the chain
        stays a single line on either backend without a lock table.
        """
        detail = dict(detail or {})
        for attempt in range(APPEND_ATTEMPTS):
            try:
                with self._tx() as conn:
                    head = conn.execute(
                        select(audit_log.c.seq, audit_log.c.entry_hash)
                        .order_by(audit_log.c.seq.desc()).limit(1)
                    ).first()  # fmt: skip
                    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
                    ts = self.clock()
                    digest = entry_hash(seq, ts, actor, action, subject, detail, prev)
                    entry = AuditEntry(seq=seq, ts=ts, actor=actor, action=action,
                                       subject=subject, detail=detail, prev_hash=prev,
                                       entry_hash=digest)  # fmt: skip
                    conn.execute(insert(audit_log).values(**msgspec.structs.asdict(entry)))
                return entry
            except DBAPIError as exc:
                if not is_conflict(exc) or attempt == APPEND_ATTEMPTS - 1:
                    raise
                time.sleep(0.001 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def audit_entries(self) -> list[AuditEntry]:
        with self._tx() as conn:
            rows = conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings().all()
        return [AuditEntry(**r) for r in rows]

    def verify_audit(self) -> AuditVerdict:
        return verify_chain(self.audit_entries())
