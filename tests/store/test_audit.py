"""The audit log is one hash chain; any edit, deletion or reordering is found and named."""

from __future__ import annotations

import threading
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

from fraudlink.store import Store
from fraudlink.store.audit_chain import GENESIS, entry_hash, verify_chain
from fraudlink.store.records import AuditEntry
from fraudlink.store.tables import audit_log
from tests.store.conftest import FakeClock


def _fill(store: Store, n: int = 5) -> None:
    for i in range(n):
        store.append_audit("analyst-li", "alert.view", f"al-{i}", {"n": i, "why": "复核"})


def test_appended_entries_form_a_chain(store: Store) -> None:
    _fill(store)
    entries = store.audit_entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in pairwise(entries))
    verdict = store.verify_audit()
    assert verdict.ok and verdict.entries == 5 and verdict.head == entries[-1].entry_hash


def test_an_edited_entry_is_found(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(actor="someone-else"))
    verdict = store.verify_audit()
    assert not verdict.ok and verdict.bad_seq == 3
    assert verdict.problem is not None and "changed" in verdict.problem


def test_a_deleted_entry_is_found(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
    verdict = store.verify_audit()
    assert not verdict.ok and verdict.bad_seq == 3
    assert verdict.problem is not None and "missing" in verdict.problem


def test_the_last_entry_cut_off_and_rewritten_is_found(store: Store) -> None:
    """Renumbering after a deletion keeps seq tidy but cannot fix the links."""
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
        for seq in (3, 4, 5):
            conn.execute(update(audit_log).where(audit_log.c.seq == seq).values(seq=seq - 1))
    verdict = store.verify_audit()
    assert not verdict.ok and verdict.bad_seq == 2
    assert verdict.problem is not None and "link" in verdict.problem


def test_two_entries_swapped_are_found(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(seq=-2))
        conn.execute(update(audit_log).where(audit_log.c.seq == 4).values(seq=2))
        conn.execute(update(audit_log).where(audit_log.c.seq == -2).values(seq=4))
    verdict = store.verify_audit()
    assert not verdict.ok and verdict.bad_seq == 2


def test_a_detail_with_no_canonical_form_is_refused_and_nothing_written(store: Store) -> None:
    with pytest.raises(ValueError, match="exceeds safe integer"):
        store.append_audit("operator", "x", "y", {"n": 2**60})
    assert store.audit_entries() == []


def append_from_threads(url: str, writers: int, each: int, *, read_first: bool = False) -> None:
    """``writers`` threads, each with its own store, append ``each`` entries (each after
    a read of the log when ``read_first``); fails with the first error any thread met."""
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            with Store.open(url) as mine:
                for i in range(each):
                    if read_first:  # a reader beside the writers
                        with mine.engine.connect() as conn:
                            conn.exec_driver_sql("SELECT count(*) FROM audit_log").all()
                    mine.append_audit(f"worker-{n}", "message.sent", f"m-{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_concurrent_writers_keep_one_unbroken_chain(store_url: str) -> None:
    writers, each = 4, 15
    with Store.open(store_url, clock=FakeClock()) as first:
        first.upgrade()
    append_from_threads(store_url, writers, each)
    with Store.open(store_url) as check:
        entries = check.audit_entries()
        assert [e.seq for e in entries] == list(range(1, writers * each + 1))
        assert len({e.subject for e in entries}) == writers * each
        assert check.verify_audit().ok


# -- the chain itself, without a database -------------------------------------------

texts = st.text(min_size=1, max_size=12)
# RFC 8785 numbers are IEEE doubles: integers beyond 2**53 have no canonical form.
SAFE = 2**53 - 1
details = st.dictionaries(st.sampled_from(["n", "why", "amount"]), st.integers(-SAFE, SAFE) | texts)


def _chain(rows: list[tuple[str, str, str, dict[str, object]]]) -> list[AuditEntry]:
    clock = FakeClock()
    prev, out = GENESIS, []
    for seq, (actor, action, subject, detail) in enumerate(rows, start=1):
        ts = clock()
        digest = entry_hash(seq, ts, actor, action, subject, detail, prev)
        out.append(AuditEntry(seq=seq, ts=ts, actor=actor, action=action, subject=subject,
                              detail=detail, prev_hash=prev, entry_hash=digest))  # fmt: skip
        prev = digest
    return out


rows_strategy = st.lists(st.tuples(texts, texts, texts, details), min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(rows=rows_strategy)
def test_any_chain_as_written_verifies(rows: list[tuple[str, str, str, dict[str, object]]]) -> None:
    assert verify_chain(_chain(rows)).ok


@settings(max_examples=200, deadline=None)
@given(rows=rows_strategy, data=st.data())
def test_any_single_change_is_found(
    rows: list[tuple[str, str, str, dict[str, object]]], data: st.DataObject
) -> None:
    chain = _chain(rows)
    i = data.draw(st.integers(min_value=0, max_value=len(chain) - 1))
    field = data.draw(st.sampled_from(["actor", "action", "subject", "detail", "drop", "swap"]))
    entry = chain[i]
    if field == "drop":
        if len(chain) == 1 or i == len(chain) - 1:
            return  # cutting off the newest entry is what a signed head (checkpoint) catches
        del chain[i]
    elif field == "swap":
        if len(chain) == 1:
            return
        j = (i + 1) % len(chain)
        chain[i], chain[j] = chain[j], chain[i]
    elif field == "detail":
        changed = {**entry.detail, "tampered": 1}
        chain[i] = AuditEntry(**{**_as_dict(entry), "detail": changed})
    else:
        chain[i] = AuditEntry(**{**_as_dict(entry), field: getattr(entry, field) + "x"})
    assert not verify_chain(chain).ok


def _as_dict(entry: AuditEntry) -> dict[str, object]:
    return {f: getattr(entry, f) for f in entry.__struct_fields__}


# -- the chain as stored: what the database hands back must hash as it did going in ----

# PostgreSQL text cannot hold NUL and no backend holds lone surrogates.
stored_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                      min_size=1, max_size=10)  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-SAFE, SAFE) | stored_text
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(stored_text, inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
stored_rows = st.lists(
    st.tuples(stored_text, stored_text, stored_text, st.dictionaries(stored_text, json_values)),
    min_size=1,
    max_size=5,
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=stored_rows, data=st.data())
def test_any_appends_verify_and_any_edit_in_the_table_is_found(
    store: Store, rows: list[tuple[str, str, str, dict[str, Any]]], data: st.DataObject
) -> None:
    """One store serves every example, so the chain also grows across them."""
    before = len(store.audit_entries())
    for actor, action, subject, detail in rows:
        store.append_audit(actor, action, subject, detail)
    assert store.verify_audit().ok
    seq = before + data.draw(st.integers(1, len(rows)), label="seq")
    column = data.draw(st.sampled_from(["actor", "action", "subject", "detail", "ts"]))
    (original,) = [e for e in store.audit_entries() if e.seq == seq]
    kept = getattr(original, column)
    if column == "detail":
        edited: Any = {**kept, "inserted later": True}
    elif column == "ts":
        edited = kept + timedelta(microseconds=1)
    else:
        edited = kept + "·"
    row = audit_log.c.seq == seq
    with store.engine.begin() as conn:
        conn.execute(update(audit_log).where(row).values({column: edited}))
    verdict = store.verify_audit()
    assert not verdict.ok and verdict.bad_seq == seq
    with store.engine.begin() as conn:
        conn.execute(update(audit_log).where(row).values({column: kept}))
    assert store.verify_audit().ok


@pytest.mark.parametrize("zone_hours", [0, 8, -5])
def test_the_hash_depends_on_the_instant_not_the_zone(zone_hours: int) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    at = datetime(2026, 9, 1, 1, 2, 3, 456789, tzinfo=UTC)
    local = at.astimezone(timezone(timedelta(hours=zone_hours)))
    assert entry_hash(1, at, "a", "b", "c", {}, GENESIS) == entry_hash(
        1, local, "a", "b", "c", {}, GENESIS
    )
