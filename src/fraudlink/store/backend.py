"""Where the store lives and how to connect: the backend quirks, all in this module.

SQLite (the embedded default) lives at ``HOME/fraudlink.db``; any SQLAlchemy URL for
PostgreSQL with psycopg 3 (``postgresql+psycopg://user@host/db``) is used as given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

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


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other backends or in-memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return None if parsed.database == ":memory:" else Path(parsed.database)


def masked(url: str) -> str:
    """The URL with any password hidden, for printing."""
    return make_url(url).render_as_string(hide_password=True)


def connect(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        file = sqlite_file(url)
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers work beside a writer.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def is_conflict(exc: BaseException) -> bool:
    """A write that lost a race (a taken key, or SQLite busy): worth one more try."""
    text = str(getattr(exc, "orig", exc)).lower()
    return any(
        s in text for s in ("unique", "duplicate key", "database is locked", "could not serialize")
    )
