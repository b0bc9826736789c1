"""A session is found with its own user while live, and never once revoked or expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fraudlink.store import SessionRecord, Store, UserRecord

T = datetime(2026, 9, 1, 8, tzinfo=UTC)


def _user(org: str, roles: tuple[str, ...]) -> UserRecord:
    return UserRecord(org=org, username="li.wei", password_hash="$argon2id$x", roles=roles,
                      created_at=T, totp_secret="JBSWY3DPEHPK3PXP")  # fmt: skip


def _session(token: str, org: str, hours: int = 8) -> SessionRecord:
    return SessionRecord(token_sha256=token, org=org, username="li.wei",
                         csrf_token="csrf-" + token[:8], created_at=T,
                         expires_at=T + timedelta(hours=hours), source="test")  # fmt: skip


def test_a_live_session_comes_with_its_own_organisations_user(store: Store) -> None:
    # The same username in two organisations: each session gets its own user.
    store.add_user(_user("hz-cyber", ("investigator",)))
    store.add_user(_user("hx-mall", ("analyst", "supervisor")))
    store.add_session(_session("a" * 64, "hz-cyber"))
    store.add_session(_session("b" * 64, "hx-mall"))
    found = store.live_session_and_user("b" * 64, T + timedelta(hours=1))
    assert found is not None
    session, user = found
    assert session == _session("b" * 64, "hx-mall")
    assert (user.org, user.roles, user.disabled) == ("hx-mall", ("analyst", "supervisor"), False)
    assert user.created_at == T and user.id is not None
    other = store.live_session_and_user("a" * 64, T)
    assert other is not None and other[1].roles == ("investigator",)


def test_revoked_expired_and_unknown_sessions_are_not_found(store: Store) -> None:
    store.add_user(_user("hz-cyber", ("investigator",)))
    store.add_session(_session("a" * 64, "hz-cyber", hours=1))
    store.add_session(_session("c" * 64, "hz-cyber", hours=8))
    assert store.live_session_and_user("a" * 64, T + timedelta(hours=2)) is None  # expired
    assert store.revoke_sessions(T, token_sha256="c" * 64) == 1
    assert store.live_session_and_user("c" * 64, T) is None  # logged out
    assert store.live_session_and_user("d" * 64, T) is None  # never existed
