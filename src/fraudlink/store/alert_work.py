"""Who works an alert and what they decided: assignment and disposition, each audited.

A mixin of :class:`fraudlink.store.store.Store`. The current state lives on the alert's
own row (the queue filters and sorts on it in SQL); the history is the audit log, written
in the same transaction as the change, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, select, update

from fraudlink.store.checks import require
from fraudlink.store.errors import NotFoundError
from fraudlink.store.records import AlertRecord, AuditEntry
from fraudlink.store.tables import ALERT_STATUSES, alerts, users

T = TypeVar("T")

# Roles that work the alert queue; only a user holding one can be given an alert.
ALERT_WORKERS = ("analyst", "supervisor", "admin")
# The dispositions that are a verdict on the alert, and so a label for the backtest.
VERDICTS = ("true_positive", "false_positive")


class AlertWork:
    if TYPE_CHECKING:

        def _audited(
            self,
            actor: str,
            action: str,
            subject: str,
            work: Callable[[Connection, datetime], tuple[T, dict[str, Any]]],
        ) -> tuple[T, AuditEntry]: ...

        def _tx(self) -> AbstractContextManager[Connection]: ...

    def alert_workers(self, org: str) -> list[str]:
        """User names of ``org`` who may be given an alert: enabled, with a worker role."""
        with self._tx() as conn:
            rows = conn.execute(
                select(users.c.username, users.c.roles)
                .where(users.c.org == org, users.c.disabled.is_(False))
                .order_by(users.c.username)
            ).all()  # fmt: skip
        return [name for name, roles in rows if set(roles) & set(ALERT_WORKERS)]

    def assign_alert(
        self, alert_id: str, assignee: str | None, *, org: str, actor: str
    ) -> AlertRecord:
        """Give the alert to ``assignee`` (``None``: nobody), who must be an enabled alert
        worker of ``org``: an alert is never given to another organisation's user.

        Raises ``NotFoundError`` for an unknown alert and ``ValueError`` for an assignee
        who cannot take it; then nothing is written.
        """

        def work(conn: Connection, now: datetime) -> tuple[AlertRecord, dict[str, Any]]:
            before = _current(conn, alert_id)
            if assignee is not None:
                _require_worker(conn, org, assignee)
            conn.execute(
                update(alerts).where(alerts.c.id == alert_id)
                .values(assigned_to=assignee, assigned_at=now if assignee is not None else None)
            )  # fmt: skip
            return _current(conn, alert_id), {"to": assignee, "was": before.assigned_to}

        done, _ = self._audited(actor, "alert.assign", alert_id, work)
        return done

    def dispose_alert(
        self, alert_id: str, status: str, *, by: str, actor: str, note: str | None = None
    ) -> AlertRecord:
        """Record the outcome: a verdict (true / false positive), ``closed`` without one,
        or ``open`` again (which clears the last outcome).

        Whoever decides on an alert nobody holds takes it, so every outcome has an owner.
        """
        require(status, ALERT_STATUSES, "alert status")
        note = (note or "").strip() or None

        def work(conn: Connection, now: datetime) -> tuple[AlertRecord, dict[str, Any]]:
            before = _current(conn, alert_id)
            values: dict[str, Any] = {"status": status}
            if status == "open":
                values |= {"disposition_by": None, "disposition_at": None,
                           "disposition_note": None}  # fmt: skip
            else:
                values |= {"disposition_by": by, "disposition_at": now, "disposition_note": note}
                if before.assigned_to is None:
                    values |= {"assigned_to": by, "assigned_at": now}
            conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))
            detail = {"status": status, "was": before.status, "note": note}
            return _current(conn, alert_id), detail

        done, _ = self._audited(actor, "alert.disposition", alert_id, work)
        return done

    def labelled_alerts(self) -> list[AlertRecord]:
        """Every alert with a verdict, in the order the verdicts were given (bodies included:
        the labels need the accounts an alert names)."""
        with self._tx() as conn:
            rows = conn.execute(
                select(alerts).where(alerts.c.status.in_(VERDICTS))
                .order_by(alerts.c.disposition_at, alerts.c.id)
            ).mappings().all()  # fmt: skip
        return [AlertRecord(**r) for r in rows]


def _current(conn: Connection, alert_id: str) -> AlertRecord:
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no alert {alert_id}")
    return AlertRecord(**row)


def _require_worker(conn: Connection, org: str, username: str) -> None:
    # Looked up within ``org`` only, so the answer says nothing of other organisations.
    row = conn.execute(
        select(users.c.roles, users.c.disabled)
        .where(users.c.org == org, users.c.username == username)
    ).first()  # fmt: skip
    if row is None or row.disabled or not set(row.roles) & set(ALERT_WORKERS):
        raise ValueError(f"{username} is not an analyst of {org} who can take alerts")
