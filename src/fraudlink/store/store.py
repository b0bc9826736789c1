"""The operational store of a node: one interface, SQLite or PostgreSQL underneath.

Every method is one transaction. Times come from ``clock`` (UTC now by default) so
tests control them. Records go in and come out as the immutable structs of
:mod:`.records`; no SQLAlchemy object escapes this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.exc import (
    DatabaseError,
    DataError,
    DBAPIError,
    IntegrityError,
    OperationalError,
)

from fraudlink.store import migrate
from fraudlink.store.alert_work import AlertWork
from fraudlink.store.audit_records import AuditRecords
from fraudlink.store.backend import (
    WRITE_OPTION,
    connect,
    insert_new,
    is_conflict,
    is_missing_table,
    masked,
    writer_turn,
)
from fraudlink.store.checks import require
from fraudlink.store.errors import (
    DuplicateError,
    NotFoundError,
    NotMigratedError,
    UnreachableError,
)
from fraudlink.store.exchange_records import ExchangeRecords
from fraudlink.store.prepared_reads import prepared_rows
from fraudlink.store.records import (
    AlertRecord,
    CaseRecord,
    UserRecord,
)
from fraudlink.store.session_records import SessionRecords
from fraudlink.store.tables import (
    ALERT_STATUSES,
    CASE_STATUSES,
    alerts,
    api_keys,
    case_alerts,
    cases,
    freezes,
    metadata,
    users,
)

Clock = Callable[[], datetime]
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store(AlertWork, AuditRecords, ExchangeRecords, SessionRecords):
    """A node's store; messages and freezes are in :mod:`.exchange_records`, web sessions
    in :mod:`.session_records`, who works an alert and its outcome in :mod:`.alert_work`."""

    def __init__(
        self, engine: Engine, url: str, clock: Clock = utc_now, *, owns_engine: bool = True
    ) -> None:
        self.engine = engine
        self.url = url
        self.clock = clock
        # A long-lived owner (a node, a server) lends its engine so connections and
        # compiled statements are reused; then closing the Store leaves the engine be.
        self.owns_engine = owns_engine

    @classmethod
    def open(cls, url: str, clock: Clock = utc_now) -> Store:
        return cls(connect(url), url, clock)

    def close(self) -> None:
        if self.owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Database errors the caller cannot act on, turned into ones that say what to do."""
        try:
            yield
        except (IntegrityError, DataError):
            raise
        except DBAPIError as exc:
            if is_conflict(exc):
                raise
            if is_missing_table(exc):
                self.require_current()
                raise
            # Operational: no server, refused, locked out. A bare DatabaseError: not a database.
            if isinstance(exc, OperationalError) or type(exc) is DatabaseError:
                raise UnreachableError(
                    f"cannot use the store at {masked(self.url)}: {exc.orig}"
                ) from exc
            raise

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._errors(), self.engine.begin() as conn:
            yield conn

    def _read_rows(self, statement: Select[Any], params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The rows of one SELECT built once at import, without a transaction around it and
        past SQLAlchemy's per-statement work (see :mod:`.prepared_reads`): every page
        reads its session this way."""
        with self._errors():
            return prepared_rows(self.engine, statement, params)

    @contextmanager
    def _write_tx(self) -> Iterator[Connection]:
        """A transaction that reads, then writes what it read (the audit head).

        SQLite starts it with BEGIN IMMEDIATE: a deferred transaction that read first
        cannot take the write lock once another connection has committed, and fails at
        once instead of waiting its turn; under many writers that starved some of them.
        """
        with self._errors(), writer_turn(self.url), self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    # -- schema ------------------------------------------------------------------
    def upgrade(self) -> str:
        """Create or migrate the tables to the newest revision; returns it."""
        with self._errors():
            migrate.upgrade(self.engine)
        return self.head_revision()

    def current_revision(self) -> str | None:
        with self._errors():
            return migrate.current_revision(self.engine)

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

    def change_mark(self) -> tuple[object, ...]:
        """Row counts and newest update times of what readers cache (alerts, freezes, keys)."""
        with self._tx() as conn:
            row = conn.execute(select(
                select(func.count()).select_from(alerts).scalar_subquery(),
                select(func.count()).select_from(alerts)
                .where(alerts.c.status != "open").scalar_subquery(),
                select(func.count()).select_from(freezes).scalar_subquery(),
                select(func.max(freezes.c.updated_at)).scalar_subquery(),
                select(func.count()).select_from(api_keys).scalar_subquery(),
                select(func.count(api_keys.c.revoked_at)).scalar_subquery(),
            )).one()  # fmt: skip
        return tuple(row)

    # -- alerts ------------------------------------------------------------------
    def add_alert(self, record: AlertRecord) -> bool:
        """Store an alert; False if one with its id is already there (ids are deterministic)."""
        if not 0 <= record.score <= 100:
            raise ValueError(f"alert {record.id}: score {record.score} is not within 0–100")
        require(record.status, ALERT_STATUSES, "alert status")
        with self._tx() as conn:
            return insert_new(conn, alerts, msgspec.structs.asdict(record))

    def get_alert(self, alert_id: str) -> AlertRecord | None:
        with self._tx() as conn:
            return _alert(conn, alert_id)

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

    def alert_queue(
        self,
        *,
        status: str | None = None,
        rule_id: str | None = None,
        severity: str | None = None,
        by: str = "score",
        limit: int = 100,
        assignee: str | None = None,
        unassigned: bool = False,
        since: datetime | None = None,
        until: datetime | None = None,
        offset: int = 0,
    ) -> tuple[list[AlertRecord], int, list[str]]:
        """One page of the queue, filtered and sorted in SQL, with the matching count and the
        rules present; alert bodies are left out (the queue shows only the first reason).

        ``assignee`` keeps the alerts given to that user, ``unassigned`` those given to none;
        ``since`` (inclusive) and ``until`` (exclusive) bound the alert's time; ``offset``
        skips that many of the sorted alerts (the pages before this one).
        """
        where = []
        if since is not None:
            where.append(alerts.c.ts >= since)
        if until is not None:
            where.append(alerts.c.ts < until)
        if assignee is not None:
            where.append(alerts.c.assigned_to == assignee)
        if unassigned:
            where.append(alerts.c.assigned_to.is_(None))
        if status is not None:
            where.append(alerts.c.status == status)
        if rule_id is not None:
            where.append(alerts.c.rule_id == rule_id)
        if severity is not None:
            where.append(alerts.c.severity == severity)
        order = ((alerts.c.score.desc(), alerts.c.id) if by == "score"
                 else (alerts.c.ts.desc(), alerts.c.id))  # fmt: skip
        with self._tx() as conn:
            rows = conn.execute(
                select(*_QUEUE_COLUMNS).where(*where).order_by(*order)
                .limit(limit).offset(max(0, offset))
            ).all()  # fmt: skip
            total = int(conn.execute(
                select(func.count()).select_from(alerts).where(*where)).scalar_one())  # fmt: skip
            rules = [r for (r,) in conn.execute(
                select(alerts.c.rule_id).distinct().order_by(alerts.c.rule_id))]  # fmt: skip
        # The queue's own columns only, as plain tuples: turning every column of every row
        # into its Python type was most of the page's time (body, dispositions unused here).
        page = [AlertRecord(id=r[0], rule_id=r[1], rule_version=r[2], entity_kind=r[3],
                            entity_id=r[4], ts=r[5], score=r[6], severity=r[7], reasons=r[8],
                            status=r[9], assigned_to=r[10], created_at=r[11], body={})
                for r in rows]  # fmt: skip
        return page, total, rules

    def set_alert_status(
        self, alert_id: str, status: str, assigned_to: str | None = None
    ) -> AlertRecord:
        require(status, ALERT_STATUSES, "alert status")
        values: dict[str, Any] = {"status": status}
        if assigned_to is not None:
            values["assigned_to"] = assigned_to
        with self._tx() as conn:
            conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))
            found = _alert(conn, alert_id)
        if found is None:
            raise NotFoundError(f"no alert {alert_id}")
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
                for alert_id in dict.fromkeys(alert_ids):
                    conn.execute(insert(case_alerts).values(case_id=case_id, alert_id=alert_id))
                (opened,) = _cases(conn, cases.c.id == case_id)
        except IntegrityError as exc:
            raise DuplicateError(
                f"case {case_id} already exists or an alert of it is unknown: {exc.orig}"
            ) from exc
        return opened

    def get_case(self, case_id: str) -> CaseRecord | None:
        with self._tx() as conn:
            found = _cases(conn, cases.c.id == case_id)
        return found[0] if found else None

    def list_cases(self, *, owner_org: str | None = None) -> list[CaseRecord]:
        """Newest first."""
        where = true() if owner_org is None else cases.c.owner_org == owner_org
        with self._tx() as conn:
            return _cases(conn, where)

    def set_case_status(self, case_id: str, status: str) -> None:
        require(status, CASE_STATUSES, "case status")
        with self._tx() as conn:
            done = conn.execute(
                update(cases).where(cases.c.id == case_id)
                .values(status=status, updated_at=self.clock())
            )  # fmt: skip
        if done.rowcount == 0:
            raise NotFoundError(f"no case {case_id}")

    # -- users -------------------------------------------------------------------
    def add_user(self, record: UserRecord) -> UserRecord:
        """Store a new user; returns it with the id the database gave it."""
        row = msgspec.structs.asdict(record)
        row.pop("id")
        row["roles"] = list(record.roles)
        try:
            with self._tx() as conn:
                conn.execute(insert(users).values(**row))
                added = _user(conn, record.org, record.username)
        except IntegrityError as exc:
            raise DuplicateError(f"user {record.username} already exists in {record.org}") from exc
        assert added is not None
        return added

    def get_user(self, org: str, username: str) -> UserRecord | None:
        with self._tx() as conn:
            return _user(conn, org, username)

    def set_user_disabled(self, org: str, username: str, disabled: bool) -> None:
        with self._tx() as conn:
            done = conn.execute(
                update(users).where(users.c.org == org, users.c.username == username)
                .values(disabled=disabled)
            )  # fmt: skip
        if done.rowcount == 0:
            raise NotFoundError(f"no user {username} in {org}")

    def update_user(self, org: str, username: str, **values: Any) -> UserRecord:
        """Change a user's password hash, TOTP, roles, lockout or disabled flag."""
        allowed = {"password_hash", "totp_secret", "roles", "disabled", "failed_logins",
                   "locked_until", "totp_last_step", "password_changed_at"}  # fmt: skip
        if bad := sorted(set(values) - allowed):
            raise ValueError(f"user fields {bad} cannot be changed")
        if "roles" in values:
            values["roles"] = list(values["roles"])
        with self._tx() as conn:
            conn.execute(
                update(users).where(users.c.org == org, users.c.username == username)
                .values(**values)
            )  # fmt: skip
            found = _user(conn, org, username)
        if found is None:
            raise NotFoundError(f"no user {username} in {org}")
        return found

    def list_users(self, org: str | None = None) -> list[UserRecord]:
        query = select(users).order_by(users.c.org, users.c.username)
        if org is not None:
            query = query.where(users.c.org == org)
        with self._tx() as conn:
            rows = conn.execute(query).mappings().all()
        return [UserRecord(**{**r, "roles": tuple(r["roles"])}) for r in rows]


# -- reads shared by several methods, inside the caller's transaction -----------------


def _alert(conn: Connection, alert_id: str) -> AlertRecord | None:
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
    return AlertRecord(**row) if row else None


# What the alert queue shows of each alert (Store.alert_queue), in this order.
_QUEUE_COLUMNS = (alerts.c.id, alerts.c.rule_id, alerts.c.rule_version, alerts.c.entity_kind,
                  alerts.c.entity_id, alerts.c.ts, alerts.c.score, alerts.c.severity,
                  alerts.c.reasons, alerts.c.status, alerts.c.assigned_to,
                  alerts.c.created_at)  # fmt: skip


def _user(conn: Connection, org: str, username: str) -> UserRecord | None:
    row = conn.execute(
        select(users).where(users.c.org == org, users.c.username == username)
    ).mappings().first()  # fmt: skip
    return UserRecord(**{**row, "roles": tuple(row["roles"])}) if row else None


def _cases(conn: Connection, where: ColumnElement[bool]) -> list[CaseRecord]:
    """The matching cases, newest first, each with its alert ids (two queries in all)."""
    rows = conn.execute(
        select(cases).where(where).order_by(cases.c.created_at.desc(), cases.c.id)
    ).mappings().all()  # fmt: skip
    linked: dict[str, list[str]] = {}
    links = select(case_alerts).where(case_alerts.c.case_id.in_(select(cases.c.id).where(where)))
    for case_id, alert_id in conn.execute(links.order_by(case_alerts.c.alert_id)):
        linked.setdefault(case_id, []).append(alert_id)
    return [CaseRecord(**r, alert_ids=tuple(linked.get(r["id"], ()))) for r in rows]
