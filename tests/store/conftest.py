"""One test body, every backend: each store test runs on SQLite and on a real PostgreSQL.

The PostgreSQL server comes from ``FRAUDLINK_TEST_PG_URL`` (``make test`` starts one
with scripts/postgres-up.sh). Without it the PostgreSQL half of the suite fails; it is
never skipped, so a green run always means both backends were tested. Each test gets
a schema of its own on the server, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fraudlink.store import Store

BACKENDS = ["sqlite", "postgres"]
PG_ENV = "FRAUDLINK_TEST_PG_URL"


class FakeClock:
    """Time that moves only when told to (a second per reading)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def pg_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.fail(
            f"{PG_ENV} is not set: run `make test` (it starts PostgreSQL on loopback), or "
            f'FRAUDLINK_TEST_PG_URL="$(bash scripts/postgres-up.sh)" pytest'
        )
    return url


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the backend under test, as a URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'node' / 'fraudlink.db'}"
        return
    base = pg_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(store_url: str, clock: FakeClock) -> Iterator[Store]:
    """A migrated store on the backend under test."""
    with Store.open(store_url, clock=clock) as opened:
        opened.upgrade()
        yield opened
