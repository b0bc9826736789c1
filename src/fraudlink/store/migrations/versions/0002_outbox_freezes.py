"""Outbox delivery state and receipts on messages; bodies in their own table; freezes;
login throttling and TOTP replay protection on users; web sessions; API keys; reports
from the public.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fraudlink.store.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a table with constraints in place.
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("peer_kid", sa.String(64), nullable=True))
        batch.add_column(sa.Column("ref", sa.String(128), nullable=True))
        batch.add_column(sa.Column("destination", sa.Text(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("next_attempt_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("receipt", sa.LargeBinary(), nullable=True))
        batch.create_index("ix_messages_peer_kid_seq", ["peer_kid", "seq"])
        batch.create_index(
            "uq_messages_direction_peer_seq", ["direction", "peer_org", "seq"], unique=True
        )
    op.create_table(
        "message_bodies",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["messages.id"], ondelete="CASCADE", name=op.f("fk_message_bodies_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_bodies")),
    )
    op.execute("INSERT INTO message_bodies (id, body) SELECT id, body FROM messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("body")
    op.create_table(
        "freezes",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("platform_org", sa.String(64), nullable=False),
        sa.Column("police_org", sa.String(64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("deadline", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("held_minor", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_freezes_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freezes")),
    )
    op.create_index("ix_freezes_account", "freezes", ["account"])
    op.create_table(
        "sessions",
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("org", sa.String(64), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("source", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_sessions")),
    )
    op.create_index("ix_sessions_user", "sessions", ["org", "username"])
    op.create_table(
        "reports",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("follow_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("payments", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("matches", sa.JSON(), nullable=False),
        sa.Column("freeze_ids", sa.JSON(), nullable=False),
        sa.Column("freeze_latency_ms", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_table(
        "api_keys",
        sa.Column("key_sha256", sa.String(64), nullable=False),
        sa.Column("org", sa.String(64), nullable=False),
        sa.Column("label", sa.String(128), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key_sha256", name=op.f("pk_api_keys")),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("locked_until", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("password_changed_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_table("reports")
    op.drop_table("api_keys")
    op.drop_index("ix_sessions_user", table_name="sessions")
    op.drop_table("sessions")
    with op.batch_alter_table("users") as batch:
        for name in ("password_changed_at", "totp_last_step", "locked_until", "failed_logins"):
            batch.drop_column(name)
    op.drop_index("ix_freezes_account", table_name="freezes")
    op.drop_table("freezes")
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("body", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE messages SET body = (SELECT b.body FROM message_bodies b WHERE b.id = messages.id)"
    )
    op.drop_table("message_bodies")
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("uq_messages_direction_peer_seq")
        batch.drop_index("ix_messages_peer_kid_seq")
        for name in ("receipt", "last_error", "next_attempt_at", "attempts", "destination",
                     "ref", "peer_kid", "seq"):  # fmt: skip
            batch.drop_column(name)
