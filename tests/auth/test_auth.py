"""Staff login: argon2id passwords, TOTP with replay protection, throttling, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fraudlink.auth import login, passwords, totp
from fraudlink.store import Store, UserRecord, store_url

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(store_url(tmp_path)) as s:
        s.upgrade()
        yield s


@pytest.fixture
def user(store: Store) -> UserRecord:
    return store.add_user(UserRecord(org="hx-mall", username="li.wei", roles=("analyst",),
                                     created_at=NOW, totp_secret=totp.new_secret(),
                                     password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip


def attempt(store: Store, user: UserRecord, password: str, when: datetime,
            code: str | None = None) -> login.LoginResult:  # fmt: skip
    assert user.totp_secret is not None
    code = code if code is not None else totp.code_at(user.totp_secret, when)
    return login.authenticate(store, user.org, user.username, password, code, when, "test")


def test_the_policy_prefers_length_and_refuses_the_obvious() -> None:
    assert passwords.problems(PASSWORD) == []
    assert passwords.problems("short1!") != []
    assert passwords.problems("password1234") != []  # common
    assert passwords.problems("aaaaaaaaaaaaaaaa") != []  # three symbols or fewer
    assert passwords.problems("li.wei is my name", username="li.wei") != []
    assert passwords.problems("hx-mall staff 2026", org="hx-mall") != []


def test_hashes_are_argon2id_salted_and_verify() -> None:
    first, second = passwords.hash_password(PASSWORD), passwords.hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second
    assert passwords.verify_password(first, PASSWORD) == (True, None)
    assert passwords.verify_password(first, PASSWORD + "!")[0] is False
    assert passwords.verify_password("not a hash", PASSWORD)[0] is False


def test_login_needs_password_and_a_fresh_code(store: Store, user: UserRecord) -> None:
    ok = attempt(store, user, PASSWORD, NOW)
    assert ok.ok and ok.user is not None and ok.user.totp_last_step is not None
    # The same code again (seen over a shoulder) is refused, even with the password.
    again = attempt(store, user, PASSWORD, NOW + timedelta(seconds=5))
    assert not again.ok and again.reason == "totp"
    later = attempt(store, user, PASSWORD, NOW + timedelta(seconds=60))
    assert later.ok
    assert not attempt(store, user, PASSWORD, NOW + timedelta(minutes=5), code="000000").ok
    assert not attempt(store, user, "wrong password here", NOW + timedelta(minutes=6)).ok
    actions = [e.action for e in store.audit_entries()]
    assert actions == ["login.ok", "login.failed", "login.ok", "login.failed", "login.failed"]
    assert all("wrong password" not in str(e.detail) for e in store.audit_entries())


def test_brute_force_locks_the_account_for_longer_each_time(store: Store, user: UserRecord) -> None:
    when = NOW
    for _ in range(login.FREE_FAILURES):
        result = attempt(store, user, "guess number one!", when)
        when += timedelta(seconds=1)
    assert result.reason == "password" and result.locked_until == when - timedelta(seconds=1) + (
        login.FIRST_LOCK)  # fmt: skip
    # While locked even the right password fails, and says nothing more than "locked".
    locked = attempt(store, user, PASSWORD, when)
    assert not locked.ok and locked.reason == "locked"
    assert login.lock_for(login.FREE_FAILURES + 1) == 2 * login.FIRST_LOCK
    assert login.lock_for(100) == login.LONGEST_LOCK
    after = attempt(store, user, PASSWORD, when + timedelta(hours=2))
    assert after.ok and after.user is not None and after.user.failed_logins == 0


def test_unknown_users_and_disabled_users_fail_alike(store: Store, user: UserRecord) -> None:
    nobody = login.authenticate(store, "hx-mall", "nobody", PASSWORD, "123456", NOW)
    assert not nobody.ok and nobody.reason == "unknown_user" and nobody.user is None
    store.set_user_disabled("hx-mall", "li.wei", True)
    assert attempt(store, user, PASSWORD, NOW).reason == "disabled"


@given(st.integers(min_value=10**9, max_value=2**32), st.integers(min_value=-3, max_value=3))
def test_totp_accepts_only_the_neighbouring_steps(seconds: int, shift: int) -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    now = datetime.fromtimestamp(seconds, UTC)
    code = totp.code_at(secret, now + timedelta(seconds=30 * shift))
    got = totp.accept(secret, code, now, None)
    if abs(shift) <= totp.DRIFT_STEPS:
        assert got == seconds // 30 + shift
        assert totp.accept(secret, code, now, got) is None  # never twice
    else:
        # Another step's code can collide by chance (1 in a million per step); not here.
        assert got is None or got != seconds // 30 + shift
