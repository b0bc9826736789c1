"""Where the store lives, how to connect, and what SQLite and PostgreSQL do differently.

SQLite (the embedded default) lives at ``HOME/fraudlink.db``; any SQLAlchemy URL for
PostgreSQL with psycopg 3 (``postgresql+psycopg://user@host/db``) is used as given.
Every difference between the two that the store's code must know is here, except how a
time column is stored, which is the column type's own business (:mod:`.types`).
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from fraudlink.store.errors import UnreachableError

DB_FILE = "fraudlink.db"
SUPPORTED = ("sqlite", "postgresql")


class StoreUrlError(ValueError):
    """A URL or home that cannot hold a store, with what to do instead."""


def store_url(home: Path | None = None, url: str | None = None) -> str:
    """The store's URL: ``url`` when given, else the SQLite file in ``home`` (default ``.``)."""
    if url:
        try:
            parsed = make_url(url)
        except Exception as exc:
            raise StoreUrlError(f"not a database URL: {url!r}") from exc
        if parsed.get_backend_name() not in SUPPORTED:
            raise StoreUrlError(
                f"unsupported database {parsed.get_backend_name()!r}: use "
                "sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB"
            )
        if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed.render_as_string(hide_password=False)
    folder = (home or Path()).expanduser().resolve()
    return f"sqlite:///{folder / DB_FILE}"


@lru_cache(maxsize=64)
def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other backends or in-memory).

    Kept per URL: every write asks (``writer_turn``), and parsing the URL cost more than
    the rest of the turn."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return None if parsed.database == ":memory:" else Path(parsed.database)


@contextmanager
def writer_turn(url: str) -> Iterator[None]:
    """Wait for this writer's turn on a SQLite file, across threads and processes.

    SQLite makes a second writer poll: its busy handler sleeps 1, 2, 5 … 100 ms between
    tries, and under steady writes from two serving processes one of them lost the race
    again and again (a worker's audit writes, and every page waiting on them, stalled for
    up to 0.75 s). A lock file taken with ``flock`` queues writers in the kernel instead:
    the next one wakes the moment the last one is done. PostgreSQL queues writers itself.
    """
    file = sqlite_file(url)
    if file is None:
        yield
        return
    # A new open file for each turn: flock excludes other open files, not other threads
    # sharing one.
    with file.with_name(file.name + ".writer-lock").open("a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def masked(url: str) -> str:
    """The URL with any password hidden, for printing."""
    return make_url(url).render_as_string(hide_password=True)


def connect(url: str) -> Engine:
    """An engine for ``url``; for SQLite, its folder is created and each connection set up."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        file = sqlite_file(url)
        if file is not None:
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UnreachableError(
                    f"cannot create the folder {file.parent} for the store: {exc.strerror}"
                ) from exc
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_connected)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_connected(dbapi_conn: Any, _record: Any) -> None:
    # The sqlite3 module opens transactions lazily, just before the first write, so two
    # reads in one "transaction" could see different data. Turning that off here and
    # sending BEGIN ourselves (_sqlite_begin) gives every Store method a real transaction.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers work beside a writer;
    # the busy timeout makes a writer wait its turn instead of failing at once.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Set on a connection whose transaction will write after reading (Store._write_tx).
WRITE_OPTION = "fraudlink_writes"


def _sqlite_begin(conn: Connection) -> None:
    options = conn.get_execution_options()
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION, False) else "BEGIN")


# Lost races, by error code rather than message: PostgreSQL translates its messages.
_PG_RETRYABLE = {"23505", "40001", "40P01"}  # unique violation, serialization, deadlock
_SQLITE_RETRYABLE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CONSTRAINT_PRIMARYKEY",
                     "SQLITE_CONSTRAINT_UNIQUE")  # fmt: skip


def is_conflict(exc: BaseException) -> bool:
    """A write that lost a race (a key taken meanwhile, or SQLite busy): worth another try."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) in _PG_RETRYABLE:
        return True
    name = getattr(orig, "sqlite_errorname", None)
    return isinstance(name, str) and name.startswith(_SQLITE_RETRYABLE)


def is_missing_table(exc: BaseException) -> bool:
    """A statement on a table that is not there: the store has not been migrated."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) == "42P01":  # undefined_table
        return True
    # SQLite gives this error the catch-all code; its messages are never translated.
    sqlite_error = getattr(orig, "sqlite_errorname", None) == "SQLITE_ERROR"
    return sqlite_error and "no such table" in str(orig)


def insert_new(conn: Connection, table: Table, row: dict[str, Any]) -> bool:
    """Insert ``row`` unless its primary key is taken; True if it was inserted.

    ``ON CONFLICT DO NOTHING`` is spelt the same on both backends but SQLAlchemy builds
    it from each dialect's own ``insert``.
    """
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    keys = list(table.primary_key.columns)
    statement = (
        dialect_insert(table)
        .values(**row)
        .on_conflict_do_nothing(index_elements=keys)
        # rowcount of an INSERT is not reported by every driver; a returned key always is.
        .returning(*keys)
    )
    return conn.execute(statement).first() is not None
