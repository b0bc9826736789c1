"""SQLite: a transaction that reads the audit head and then writes takes the write lock
when it begins, so a second writer waits its turn instead of failing.

A deferred transaction that has read cannot upgrade to a writer after another
connection committed (SQLITE_BUSY at once, whatever the busy timeout); with two web
workers appending audit entries, that failed page views under load.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fraudlink.store import Store
from tests.store.test_audit import append_from_threads


def test_an_audit_write_holds_the_write_lock_from_its_first_statement(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    with Store.open(url) as store:
        store.upgrade()
        other = sqlite3.connect(tmp_path / "node.db", timeout=0, isolation_level=None)
        seen: list[str] = []

        def work(conn: object, _now: object) -> tuple[None, dict[str, str]]:
            # Inside the audited transaction, before its own insert: the lock is ours.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            seen.append("checked")
            return None, {}

        store._audited("tester", "lock.check", "x", work)
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
        other.close()
        assert seen == ["checked"]
        assert store.verify_audit().ok


def test_many_writers_from_threads_all_land_in_one_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    with Store.open(url) as store:
        store.upgrade()
    writers, each = 8, 40
    append_from_threads(url, writers, each, read_first=True)
    with Store.open(url) as check:
        assert len(check.audit_entries()) == writers * each
        assert check.verify_audit().ok
