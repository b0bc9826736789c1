"""Who holds an alert since when, and who decided its status, when and why.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fraudlink.store.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ("assigned_at", "disposition_by", "disposition_at", "disposition_note")


def upgrade() -> None:
    # Nullable columns with no default: both backends add them in place, so SQLite does not
    # copy the table (which the case_alerts foreign key would make fragile).
    op.add_column("alerts", sa.Column("assigned_at", UtcDateTime(), nullable=True))
    op.add_column("alerts", sa.Column("disposition_by", sa.String(128), nullable=True))
    op.add_column("alerts", sa.Column("disposition_at", UtcDateTime(), nullable=True))
    op.add_column("alerts", sa.Column("disposition_note", sa.Text(), nullable=True))
    op.create_index("ix_alerts_assigned_to", "alerts", ["assigned_to"])


def downgrade() -> None:
    op.drop_index("ix_alerts_assigned_to", table_name="alerts")
    with op.batch_alter_table("alerts") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
