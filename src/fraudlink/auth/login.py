"""Checking a staff login: password, then TOTP, with throttling and an audit entry each time.

After ``FREE_FAILURES`` failed attempts an account is locked for one minute, doubling with
every further failure up to an hour: guessing is slow from anywhere. The lock does not
stop an address the user has logged in from before (``known_source``): otherwise anyone
who knows a user name could keep its owner out. Guessers from one address are slowed
before that by the web layer's per-address backoff (``fraudlink.web.login_guard``).
The answer never says which part was wrong (unknown user, bad password or bad code),
so it reveals nothing to a guesser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fraudlink.auth import passwords, totp
from fraudlink.store import Store, UserRecord

FREE_FAILURES = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
# Checked against when the user does not exist, so unknown names cost the same time.
_DUMMY_HASH = passwords.hash_password("not a real password, only for timing")


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    user: UserRecord | None
    reason: str  # for the audit log only: ok, unknown_user, disabled, locked, password, totp
    locked_until: datetime | None = None


def lock_for(failures: int) -> timedelta:
    if failures < FREE_FAILURES:
        return timedelta(0)
    wait: timedelta = min(FIRST_LOCK * 2 ** min(failures - FREE_FAILURES, 12), LONGEST_LOCK)
    return wait


def authenticate(
    store: Store, org: str, username: str, password: str, code: str, now: datetime,
    source: str = "", known_source: bool = False,
) -> LoginResult:  # fmt: skip
    user = store.get_user(org, username)
    result = _check(store, user, org, username, password, code, now, known_source)
    detail = {"reason": result.reason, "source": source}
    store.append_audit(f"{username}@{org}", "login.ok" if result.ok else "login.failed",
                       f"{username}@{org}", detail)  # fmt: skip
    return result


def _check(
    store: Store, user: UserRecord | None, org: str, username: str, password: str, code: str,
    now: datetime, known_source: bool = False,
) -> LoginResult:  # fmt: skip
    if user is None:
        passwords.verify_password(_DUMMY_HASH, password)
        return LoginResult(False, None, "unknown_user")
    if user.disabled:
        return LoginResult(False, user, "disabled")
    if user.locked_until is not None and now < user.locked_until and not known_source:
        return LoginResult(False, user, "locked", user.locked_until)
    good, rehashed = passwords.verify_password(user.password_hash, password)
    step = totp.accept(user.totp_secret, code, now, user.totp_last_step) if (
        good and user.totp_secret) else None  # fmt: skip
    if not good or step is None:
        failures = user.failed_logins + 1
        wait = lock_for(failures)
        until = now + wait if wait else None
        store.update_user(org, username, failed_logins=failures, locked_until=until)
        return LoginResult(False, user, "password" if not good else "totp", until)
    changes: dict[str, object] = {"failed_logins": 0, "locked_until": None,
                                  "totp_last_step": step}  # fmt: skip
    if rehashed:
        changes["password_hash"] = rehashed
    return LoginResult(True, store.update_user(org, username, **changes), "ok")
