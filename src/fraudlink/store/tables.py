"""The tables of a node's operational store, declared once (SQLAlchemy Core).

The migrations in ``migrations/versions`` create exactly these; a test compares the
two so a table cannot change without a migration.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from fraudlink.store.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ALERT_STATUSES = ("open", "closed", "true_positive", "false_positive")
CASE_STATUSES = ("open", "referred", "closed")
DIRECTIONS = ("in", "out")

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("rule_id", String(128), nullable=False),
    Column("rule_version", Integer, nullable=False),
    Column("entity_kind", String(32), nullable=False),
    Column("entity_id", String(256), nullable=False),
    Column("ts", UtcDateTime(), nullable=False),
    Column("score", Integer, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("body", JSON, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("assigned_to", String(128)),
    Column("created_at", UtcDateTime(), nullable=False),
    # Added in 0003: when it was given to its assignee, and who decided its status, when
    # and why (the history of both is in the audit log).
    Column("assigned_at", UtcDateTime()),
    Column("disposition_by", String(128)),
    Column("disposition_at", UtcDateTime()),
    Column("disposition_note", Text),
    CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    CheckConstraint(f"status IN {ALERT_STATUSES}", name="status"),
)
Index("ix_alerts_rule_ts", alerts.c.rule_id, alerts.c.ts)
Index("ix_alerts_entity", alerts.c.entity_kind, alerts.c.entity_id)
Index("ix_alerts_assigned_to", alerts.c.assigned_to)

cases = Table(
    "cases",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("owner_org", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint(f"status IN {CASE_STATUSES}", name="status"),
)

case_alerts = Table(
    "case_alerts",
    metadata,
    Column("case_id", String(64), ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("alert_id", String(64), ForeignKey("alerts.id"), primary_key=True),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("direction", String(3), nullable=False),
    Column("peer_org", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("state", String(32), nullable=False),
    Column("envelope_sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # Added in 0002: the outbox's delivery state and what the receiver answered.
    Column("seq", Integer),
    Column("peer_kid", String(64)),
    Column("ref", String(128)),
    Column("destination", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime()),
    Column("last_error", Text),
    Column("receipt", LargeBinary),
    CheckConstraint(f"direction IN {DIRECTIONS}", name="direction"),
)
Index("ix_messages_direction_state", messages.c.direction, messages.c.state)
Index("ix_messages_peer_kid_seq", messages.c.peer_kid, messages.c.seq)
# The sealed bytes live apart from the delivery state: SQLite rewrites a whole row on
# any update, and a case envelope can be tens of MiB. Written once, never updated.
message_bodies = Table(
    "message_bodies",
    metadata,
    Column("id", String(64), ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("body", LargeBinary, nullable=False),
)

# Sequence numbers are per peer and direction; the index stops two writers taking one.
Index("uq_messages_direction_peer_seq", messages.c.direction, messages.c.peer_org,
      messages.c.seq, unique=True)  # fmt: skip

freezes = Table(
    "freezes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("case_id", String(64)),
    Column("account", String(128), nullable=False),
    Column("platform_org", String(64), nullable=False),
    Column("police_org", String(64), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("deadline", UtcDateTime(), nullable=False),
    Column("state", String(32), nullable=False),
    Column("held_minor", BigInteger),
    Column("note", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)
Index("ix_freezes_account", freezes.c.account)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org", String(64), nullable=False),
    Column("username", String(128), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", Text),
    Column("roles", JSON, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime(), nullable=False),
    # Added in 0002: login throttling and TOTP replay protection.
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcDateTime()),
    Column("totp_last_step", BigInteger),
    Column("password_changed_at", UtcDateTime()),
    UniqueConstraint("org", "username", name="uq_users_org_username"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("ts", UtcDateTime(), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(256), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False, unique=True),
)

# Web sessions: the cookie carries a random token, the table only its SHA-256, so a copy
# of the database does not let anyone log in; logout revokes the row, so a replayed
# cookie is refused.
sessions = Table(
    "sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("org", String(64), nullable=False),
    Column("username", String(128), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("source", String(64)),
)
Index("ix_sessions_user", sessions.c.org, sessions.c.username)

# API keys for machine clients (a wallet's payee check): the key is shown once, only its
# SHA-256 is kept.
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_sha256", String(64), primary_key=True),
    Column("org", String(64), nullable=False),
    Column("label", String(128), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
)

# Fraud reports from the public (the victim portal). The follow-up secret is stored as its
# SHA-256, like a password: the case number alone does not open a report.
reports = Table(
    "reports",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("follow_sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("name", Text, nullable=False),
    Column("contact", Text, nullable=False),
    Column("city", Text),
    Column("story", Text, nullable=False),
    Column("payments", JSON, nullable=False),
    Column("files", JSON, nullable=False),
    Column("status", String(32), nullable=False),
    Column("matches", JSON, nullable=False),
    Column("freeze_ids", JSON, nullable=False),
    Column("freeze_latency_ms", Integer),
)
