"""The exchange's records in the store: sealed messages with their delivery state, freezes.

A mixin of :class:`fraudlink.store.store.Store`, kept apart so each file holds one concern.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import Connection, Select, bindparam, func, insert, select, update

from fraudlink.store.backend import insert_new
from fraudlink.store.checks import require, retry_conflicts
from fraudlink.store.errors import DuplicateError, NotFoundError
from fraudlink.store.records import FreezeRecord, MessageRecord
from fraudlink.store.tables import DIRECTIONS, freezes, message_bodies, messages

# Built once: every case page lists the freezes, and building the statement and its
# cache key each time cost more than running it.
_ALL_FREEZES = select(freezes).order_by(freezes.c.created_at.desc(), freezes.c.id)
_FREEZES_OF = _ALL_FREEZES.where(freezes.c.account == bindparam("account"))


class ExchangeRecords:
    if TYPE_CHECKING:
        clock: Callable[[], datetime]

        def _tx(self) -> AbstractContextManager[Connection]: ...
        def _read_rows(
            self, statement: Select[Any], params: Mapping[str, Any]
        ) -> list[dict[str, Any]]: ...

    # -- messages ----------------------------------------------------------------
    def put_message(self, record: MessageRecord) -> None:
        """Keep a message; a second message with the same id is refused (replay guard)."""
        require(record.direction, DIRECTIONS, "message direction")
        with self._tx() as conn:
            if not insert_new(conn, messages, _message_row(record)):
                raise DuplicateError(f"message {record.id} is already stored")
            conn.execute(insert(message_bodies).values(id=record.id, body=_body(record)))

    def get_message(self, message_id: str, *, with_body: bool = False) -> MessageRecord | None:
        """One message; its envelope bytes too when ``with_body`` (they may be large)."""
        query = _with_bodies() if with_body else select(messages)
        with self._tx() as conn:
            row = conn.execute(query.where(messages.c.id == message_id)).mappings().first()
        return MessageRecord(**row) if row else None

    def list_messages(
        self, *, direction: str | None = None, state: str | None = None
    ) -> list[MessageRecord]:
        """Oldest first, the order they were sent or received."""
        query = select(messages).order_by(messages.c.created_at, messages.c.id)
        if direction is not None:
            query = query.where(messages.c.direction == direction)
        if state is not None:
            query = query.where(messages.c.state == state)
        with self._tx() as conn:
            return [MessageRecord(**r) for r in conn.execute(query).mappings().all()]

    def set_message_state(self, message_id: str, state: str) -> None:
        self.update_message(message_id, state=state)

    def update_message(self, message_id: str, **values: Any) -> MessageRecord:
        """Change the delivery fields of a message (state, attempts, receipt, …)."""
        fixed = {"id", "direction", "peer_org", "kind", "envelope_sha256", "body", "seq"}
        if bad := sorted(set(values) & fixed | set(values) - set(messages.c.keys())):
            raise ValueError(f"message fields {bad} cannot be changed")
        with self._tx() as conn:
            conn.execute(
                update(messages).where(messages.c.id == message_id)
                .values(**values, updated_at=self.clock())
            )  # fmt: skip
            row = conn.execute(
                select(messages).where(messages.c.id == message_id)
            ).mappings().first()  # fmt: skip
        if row is None:
            raise NotFoundError(f"no message {message_id}")
        return MessageRecord(**row)

    def add_outgoing(self, peer_org: str, make: Callable[[int], MessageRecord]) -> MessageRecord:
        """Store the message ``make(seq)`` builds with the next sequence number for ``peer_org``.

        The number is read and taken in one transaction; a unique index refuses a second
        writer that read the same one, and it retries with the next.
        """

        def attempt() -> MessageRecord:
            with self._tx() as conn:
                last = conn.execute(
                    select(func.max(messages.c.seq)).where(
                        messages.c.direction == "out", messages.c.peer_org == peer_org
                    )
                ).scalar_one()  # fmt: skip
                record = make((last or 0) + 1)
                conn.execute(insert(messages).values(**_message_row(record)))
                conn.execute(insert(message_bodies).values(id=record.id, body=_body(record)))
            return record

        return retry_conflicts(attempt)

    def last_accepted_seq(self, peer_kid: str) -> int | None:
        """The highest sequence number accepted from a sender key (the replay guard's floor)."""
        with self._tx() as conn:
            found: int | None = conn.execute(
                select(func.max(messages.c.seq)).where(
                    messages.c.direction == "in", messages.c.peer_kid == peer_kid,
                    messages.c.state == "accepted",
                )
            ).scalar_one()  # fmt: skip
        return found

    def due_messages(self, now: datetime) -> list[MessageRecord]:
        """Outgoing messages waiting to be (re)sent whose time has come, in send order."""
        waiting = messages.c.state.in_(("queued", "retrying"))
        due = (messages.c.next_attempt_at.is_(None)) | (messages.c.next_attempt_at <= now)
        query = (
            _with_bodies().where(messages.c.direction == "out", waiting, due)
            .order_by(messages.c.peer_org, messages.c.seq)
        )  # fmt: skip
        with self._tx() as conn:
            return [MessageRecord(**r) for r in conn.execute(query).mappings().all()]

    # -- freezes -----------------------------------------------------------------
    def put_freeze(self, record: FreezeRecord) -> None:
        if record.amount_minor <= 0:
            raise ValueError(f"freeze {record.id}: amount must be positive")
        with self._tx() as conn:
            if not insert_new(conn, freezes, msgspec.structs.asdict(record)):
                raise DuplicateError(f"freeze {record.id} is already stored")

    def get_freeze(self, freeze_id: str) -> FreezeRecord | None:
        with self._tx() as conn:
            row = conn.execute(select(freezes).where(freezes.c.id == freeze_id)).mappings().first()
        return FreezeRecord(**row) if row else None

    def list_freezes(self, *, account: str | None = None) -> list[FreezeRecord]:
        """Newest first."""
        if account is None:  # every case page asks
            return [FreezeRecord(**r) for r in self._read_rows(_ALL_FREEZES, {})]
        return [FreezeRecord(**r) for r in self._read_rows(_FREEZES_OF, {"account": account})]

    def update_freeze(self, freeze_id: str, **values: Any) -> FreezeRecord:
        allowed = {"state", "held_minor", "note", "case_id"}
        if bad := sorted(set(values) - allowed):
            raise ValueError(f"freeze fields {bad} cannot be changed")
        with self._tx() as conn:
            conn.execute(
                update(freezes).where(freezes.c.id == freeze_id)
                .values(**values, updated_at=self.clock())
            )  # fmt: skip
            row = conn.execute(select(freezes).where(freezes.c.id == freeze_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no freeze {freeze_id}")
        return FreezeRecord(**row)


def _message_row(record: MessageRecord) -> dict[str, Any]:
    row = msgspec.structs.asdict(record)
    del row["body"]
    return row


def _body(record: MessageRecord) -> bytes:
    if record.body is None:
        raise ValueError(f"message {record.id} has no envelope bytes to keep")
    return record.body


def _with_bodies() -> Select[Any]:
    return select(messages, message_bodies.c.body).join(
        message_bodies, message_bodies.c.id == messages.c.id
    )
