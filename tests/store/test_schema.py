"""Migrations: an empty database becomes the current schema, and the schema is what we declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from fraudlink.store import NotMigratedError, Store
from fraudlink.store.tables import metadata


def test_upgrade_takes_an_empty_database_to_head_and_is_safe_to_repeat(store_url: str) -> None:
    with Store.open(store_url) as store:
        assert store.current_revision() is None
        with pytest.raises(NotMigratedError, match="fraudlink store upgrade"):
            store.require_current()
        head = store.upgrade()
        assert head == store.head_revision()
        assert store.current_revision() == head
        assert store.upgrade() == head
        store.require_current()
        assert store.counts() == dict.fromkeys(metadata.tables, 0)


def test_the_migrations_build_exactly_the_declared_tables(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_using_a_store_before_upgrade_says_to_upgrade(store_url: str) -> None:
    with Store.open(store_url) as store, pytest.raises(NotMigratedError, match="store upgrade"):
        store.list_alerts()
