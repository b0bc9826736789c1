"""The audit log in the store: entries appended at the head of one hash chain.

A mixin of :class:`fraudlink.store.store.Store`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
from sqlalchemy import Connection, insert, select

from fraudlink.store.audit_chain import GENESIS, entry_hash, verify_chain
from fraudlink.store.checks import retry_conflicts
from fraudlink.store.records import AuditEntry, AuditNote, AuditVerdict
from fraudlink.store.tables import audit_log

T = TypeVar("T")


class AuditRecords:
    if TYPE_CHECKING:
        clock: Callable[[], datetime]

        def _tx(self) -> AbstractContextManager[Connection]: ...
        def _write_tx(self) -> AbstractContextManager[Connection]: ...

    def append_audit(
        self, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None
    ) -> AuditEntry:
        """Add an entry at the head of the chain."""
        detail = dict(detail or {})
        _, entry = self._audited(actor, action, subject, lambda _conn, _now: (None, detail))
        return entry

    def append_audit_many(self, notes: Sequence[AuditNote]) -> list[AuditEntry]:
        """Add several entries at the head of the chain in one transaction, in this order.

        For many requests each recording a view: one commit (one disk flush) for all of
        them instead of one each; see :mod:`fraudlink.store.audit_batch`.
        """
        if not notes:
            return []

        def attempt() -> list[AuditEntry]:
            with self._write_tx() as conn:
                return _append(conn, self.clock(), notes)

        return retry_conflicts(attempt)

    def _audited(
        self,
        actor: str,
        action: str,
        subject: str,
        work: Callable[[Connection, datetime], tuple[T, dict[str, Any]]],
    ) -> tuple[T, AuditEntry]:
        """Run ``work`` (which returns its result and the audit detail) and append the audit
        entry in the same transaction: a change and its record are kept both or neither, and
        share one reading of the clock.

        Two writers may read the same head at once; the ``seq`` primary key lets only
        one of them link to it, and the other retries (``work`` included) on the new head.
        So the chain stays a single line on either backend without a lock table.
        """

        def attempt() -> tuple[T, AuditEntry]:
            with self._write_tx() as conn:
                ts = self.clock()
                result, detail = work(conn, ts)
                note = AuditNote(actor=actor, action=action, subject=subject, detail=detail)
                (entry,) = _append(conn, ts, [note])
            return result, entry

        return retry_conflicts(attempt)

    def audit_entries(self) -> list[AuditEntry]:
        with self._tx() as conn:
            rows = conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings().all()
        return [AuditEntry(**r) for r in rows]

    def verify_audit(self) -> AuditVerdict:
        return verify_chain(self.audit_entries())


def _append(conn: Connection, ts: datetime, notes: Sequence[AuditNote]) -> list[AuditEntry]:
    """Link ``notes`` in order to the current head and insert them, inside the caller's
    transaction; the head is read once and all rows go in one statement."""
    head = conn.execute(
        select(audit_log.c.seq, audit_log.c.entry_hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    entries = []
    for n in notes:
        detail = dict(n.detail or {})
        digest = entry_hash(seq, ts, n.actor, n.action, n.subject, detail, prev)
        entries.append(AuditEntry(seq=seq, ts=ts, actor=n.actor, action=n.action,
                                  subject=n.subject, detail=detail, prev_hash=prev,
                                  entry_hash=digest))  # fmt: skip
        seq, prev = seq + 1, digest
    conn.execute(insert(audit_log), [msgspec.structs.asdict(e) for e in entries])
    return entries
