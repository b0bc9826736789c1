"""Audit entries from many threads, written together, make the same single chain."""

from __future__ import annotations

import asyncio
import threading
from itertools import pairwise

import pytest

from fraudlink.store import AuditNote, Store
from fraudlink.store.audit_batch import AuditBatch
from fraudlink.store.records import AuditEntry


def _sharing(store: Store) -> AuditBatch:
    return AuditBatch(lambda: Store(store.engine, store.url, owns_engine=False))


def test_many_threads_get_their_own_committed_entries_in_one_chain(store: Store) -> None:
    batch = _sharing(store)
    got: dict[str, AuditEntry] = {}
    errors: list[BaseException] = []

    def view(n: int) -> None:
        try:
            for i in range(10):
                got[f"c-{n}-{i}"] = batch.append(f"inv-{n}", "case.view", f"c-{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=view, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    entries = store.audit_entries()
    assert len(entries) == 120 and {e.subject for e in entries} == set(got)
    # Each caller was handed the entry the log holds for it, after it was committed.
    by_subject = {e.subject: e for e in entries}
    assert all(by_subject[s] == e for s, e in got.items())
    assert all(b.prev_hash == a.entry_hash for a, b in pairwise(entries))
    assert store.verify_audit().ok


def test_a_batch_is_one_transaction_in_order(store: Store) -> None:
    notes = [AuditNote(actor="a", action="case.view", subject=f"c-{i}") for i in range(5)]
    written = store.append_audit_many(notes)
    assert [e.seq for e in written] == [1, 2, 3, 4, 5]
    assert [e.subject for e in written] == [f"c-{i}" for i in range(5)]
    assert len({e.ts for e in written}) == 1  # one reading of the clock: one transaction
    assert store.verify_audit().ok
    assert store.append_audit_many([]) == []


def test_one_bad_entry_fails_only_its_own_caller(store: Store) -> None:
    batch = _sharing(store)
    start = threading.Barrier(9)
    outcomes: dict[int, BaseException | AuditEntry] = {}

    def view(n: int) -> None:
        start.wait()
        # An object JSON cannot hold: that entry cannot be written, the others can.
        detail: dict[str, object] = {"why": object()} if n == 4 else {"n": n}
        try:
            outcomes[n] = batch.append("inv", "case.view", f"c-{n}", detail)
        except Exception as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=view, args=(n,)) for n in range(9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(outcomes.pop(4), Exception)
    assert all(isinstance(o, AuditEntry) for o in outcomes.values())
    assert sorted(e.subject for e in store.audit_entries()) == sorted(f"c-{n}" for n in outcomes)
    assert store.verify_audit().ok


def test_a_store_that_cannot_be_opened_is_raised_to_the_caller() -> None:
    def broken() -> Store:
        raise RuntimeError("no store here")

    with pytest.raises(RuntimeError, match="no store here"):
        AuditBatch(broken).append("inv", "case.view", "c-1")


def test_callers_on_an_event_loop_get_their_entries_and_their_errors(store: Store) -> None:
    batch = _sharing(store)

    async def views() -> list[AuditEntry | BaseException]:
        calls = [batch.append_async("inv", "case.view", f"c-{i}",
                                    {"bad": object()} if i == 3 else {"i": i})
                 for i in range(12)]  # fmt: skip
        return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = asyncio.run(views())
    assert isinstance(outcomes.pop(3), Exception)
    assert all(isinstance(o, AuditEntry) for o in outcomes)
    assert sorted(o.seq for o in outcomes if isinstance(o, AuditEntry)) == list(range(1, 12))
    assert store.verify_audit().ok


def test_close_writes_what_is_waiting_then_stops_the_writer(store: Store) -> None:
    batch = _sharing(store)
    entry = batch.append("inv", "case.view", "c-1")
    writer = batch._writer
    assert writer is not None and writer.is_alive()
    batch.close()
    assert not writer.is_alive()
    # A later entry starts a new writer; nothing was lost or linked twice.
    assert batch.append("inv", "case.view", "c-2").seq == entry.seq + 1
    batch.close()
    assert [e.subject for e in store.audit_entries()] == ["c-1", "c-2"]


def test_entries_arriving_within_the_linger_share_one_transaction(store: Store) -> None:
    # The second caller comes 50 ms after the first; with a linger of 2 s it joins the
    # first one's transaction (one reading of the clock for both). Without the linger
    # the first entry is committed alone long before the second arrives.
    batch = AuditBatch(lambda: Store(store.engine, store.url, owns_engine=False), linger=2.0)
    first = threading.Thread(target=batch.append, args=("a", "case.view", "c-1"))
    first.start()
    second = threading.Timer(0.05, batch.append, args=("b", "case.view", "c-2"))
    second.start()
    first.join()
    second.join()
    batch.close()
    entries = store.audit_entries()
    assert [e.subject for e in entries] == ["c-1", "c-2"]
    assert entries[0].ts == entries[1].ts
    assert store.verify_audit().ok
