"""Alembic environment: always run from :mod:`fraudlink.store.migrate` with a live connection."""

from __future__ import annotations

from alembic import context

from fraudlink.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
