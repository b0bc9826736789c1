"""What the store hands out and takes in: small immutable records, no ORM objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class AlertRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An alert as the platform keeps it; ``body`` is the alert exactly as detect wrote it."""

    id: str
    rule_id: str
    rule_version: int
    entity_kind: str
    entity_id: str
    ts: datetime
    score: int
    severity: str
    reasons: list[str]
    body: dict[str, Any]
    created_at: datetime
    status: str = "open"
    assigned_to: str | None = None  # a user name of the node's organisation
    assigned_at: datetime | None = None
    disposition_by: str | None = None  # who set the status other than open, when and why
    disposition_at: datetime | None = None
    disposition_note: str | None = None


class CaseRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    owner_org: str
    created_at: datetime
    updated_at: datetime
    status: str = "open"
    alert_ids: tuple[str, ...] = ()


class MessageRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A sealed message in or out; the store never looks inside ``body``.

    ``body`` (the envelope bytes) is only read when asked for: listings leave it ``None``.
    """

    id: str
    direction: str
    peer_org: str
    kind: str
    state: str
    envelope_sha256: str
    created_at: datetime
    updated_at: datetime
    body: bytes | None = None
    seq: int | None = None
    peer_kid: str | None = None
    ref: str | None = None  # the case or freeze the message is about
    destination: str | None = None  # where the outbox delivers it (a URL or drop folder)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    receipt: bytes | None = None  # the signed receipt: received (out) or issued (in)


class FreezeRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One freeze request as either side keeps it; amounts in minor units."""

    id: str
    account: str
    platform_org: str
    police_org: str
    amount_minor: int
    currency: str
    legal_basis: str
    deadline: datetime
    state: str
    created_at: datetime
    updated_at: datetime
    case_id: str | None = None
    held_minor: int | None = None
    note: str | None = None


class UserRecord(msgspec.Struct, frozen=True, kw_only=True):
    org: str
    username: str
    password_hash: str
    roles: tuple[str, ...]
    created_at: datetime
    totp_secret: str | None = None
    disabled: bool = False
    id: int | None = None
    failed_logins: int = 0
    locked_until: datetime | None = None
    totp_last_step: int | None = None  # the last TOTP time step used: no code works twice
    password_changed_at: datetime | None = None


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    ts: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
    prev_hash: str
    entry_hash: str


class AuditNote(msgspec.Struct, frozen=True, kw_only=True):
    """What happened, before the chain gives it a place: an entry to append."""

    actor: str
    action: str
    subject: str
    detail: dict[str, Any] | None = None


class AuditVerdict(msgspec.Struct, frozen=True, kw_only=True):
    """The chain checked end to end: ``ok``, or the first entry at fault and why."""

    ok: bool
    entries: int
    head: str
    bad_seq: int | None = None
    problem: str | None = None


class SessionRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A logged-in browser; the store keeps the SHA-256 of its cookie token, never the token."""

    token_sha256: str
    org: str
    username: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    source: str | None = None


class ApiKeyRecord(msgspec.Struct, frozen=True, kw_only=True):
    key_sha256: str
    org: str
    label: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None


class ReportRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A fraud report from a member of the public, with what it set in motion."""

    id: str  # the case number given to the reporter
    follow_sha256: str
    created_at: datetime
    lang: str
    name: str
    contact: str
    story: str
    payments: list[dict[str, Any]]  # account, org, amount_minor, currency, paid_at
    files: list[dict[str, Any]]  # name, type, size, sha256
    status: str
    matches: list[dict[str, Any]]
    freeze_ids: list[str]
    city: str | None = None
    freeze_latency_ms: int | None = None
