"""Staff sessions: a random token in an http-only cookie, its SHA-256 in the store.

Logging out revokes the stored session, so the same cookie replayed later is refused;
resetting or disabling a user revokes all of theirs.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from fraudlink.store import SessionRecord, Store, UserRecord

COOKIE = "fl_session"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    store: Store, user: UserRecord, now: datetime, lifetime: timedelta, source: str
) -> tuple[str, SessionRecord]:
    """A new session for ``user``; returns the cookie token (shown once) and the record."""
    token = secrets.token_urlsafe(32)
    record = SessionRecord(
        token_sha256=token_hash(token), org=user.org, username=user.username,
        csrf_token=secrets.token_urlsafe(32), created_at=now, expires_at=now + lifetime,
        source=source[:64],
    )  # fmt: skip
    store.add_session(record)
    return token, record


def find(store: Store, token: str | None, now: datetime) -> tuple[SessionRecord, UserRecord] | None:
    """The live session and its (enabled) user for a cookie token, else ``None``."""
    if not token or len(token) > 128:
        return None
    found = store.live_session_and_user(token_hash(token), now)
    if found is None or found[1].disabled:
        return None
    return found
