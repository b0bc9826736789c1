"""SQLite: a transaction that reads the audit head and then writes takes the write lock
when it begins, so a second writer waits its turn instead of failing.

A deferred transaction that has read cannot upgrade to a writer after another
connection committed (SQLITE_BUSY at once, whatever the busy timeout); with two web
workers appending audit entries, that failed page views under load.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from fraudlink.store import Store
from fraudlink.store.backend import writer_turn
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


def test_writers_take_turns_on_a_lock_file_instead_of_polling(tmp_path: Path) -> None:
    """A second writer (thread or process) waits in the kernel and goes the moment the
    first is done, rather than in SQLite's busy-handler sleeps of up to 100 ms."""
    url = f"sqlite:///{tmp_path / 'node.db'}"
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with writer_turn(url):
            order.append("first in")
            inside.set()
            release.wait(5)
            order.append("first out")

    def second() -> None:
        inside.wait(5)
        with writer_turn(url):
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    inside.wait(5)
    time.sleep(0.2)  # the second is waiting by now, and must still be waiting
    assert order == ["first in"]
    release.set()
    for t in threads:
        t.join(5)
    assert order == ["first in", "first out", "second in"]
    assert (tmp_path / "node.db.writer-lock").exists()
    with writer_turn("postgresql+psycopg://nobody@127.0.0.1:1/none"):
        pass  # PostgreSQL queues its writers itself: no lock file, no wait
