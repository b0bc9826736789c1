"""Reads run past SQLAlchemy's per-statement work give exactly what ``Connection.execute``
gives, on both backends, and fail the way the store's other reads fail."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Select

from fraudlink.store import FreezeRecord, SessionRecord, Store, UserRecord
from fraudlink.store.errors import NotMigratedError
from fraudlink.store.exchange_records import _ALL_FREEZES, _FREEZES_OF
from fraudlink.store.prepared_reads import prepared_rows
from fraudlink.store.session_records import _LIVE_SESSION_AND_USER

T = datetime(2026, 9, 1, 8, tzinfo=UTC)
_ids = itertools.count()

zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))])
times = st.builds(lambda s, z: (T + timedelta(seconds=s)).astimezone(z),
                  st.integers(-10**8, 10**8), zones)  # fmt: skip
texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)


def _through_sqlalchemy(
    store: Store, statement: Select[Any], params: dict[str, Any]
) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(row) for row in conn.execute(statement, params).mappings().all()]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(texts, st.integers(1, 10**12), times, times,
                          st.none() | st.integers(0, 10**12), st.none() | texts),
                max_size=4))  # fmt: skip
def test_freezes_read_as_connection_execute_reads_them(
    store: Store, rows: list[tuple[str, int, datetime, datetime, int | None, str | None]]
) -> None:
    for account, amount, deadline, created, held, note in rows:
        store.put_freeze(FreezeRecord(
            id=f"frz-{next(_ids)}", account=account, platform_org="hx-mall", police_org="hz-cyber",
            amount_minor=amount, currency="CNY", legal_basis=note or "basis", deadline=deadline,
            state="requested", created_at=created, updated_at=created, held_minor=held, note=note,
        ))  # fmt: skip
    every = prepared_rows(store.engine, _ALL_FREEZES, {})
    assert every == _through_sqlalchemy(store, _ALL_FREEZES, {})
    assert all(r["deadline"].tzinfo is UTC for r in every)
    for account, *_ in rows:
        params = {"account": account}
        assert prepared_rows(store.engine, _FREEZES_OF, params) == _through_sqlalchemy(
            store, _FREEZES_OF, params
        )


def test_the_session_and_its_user_read_as_connection_execute_reads_them(store: Store) -> None:
    store.add_user(UserRecord(org="hz-cyber", username="李伟", password_hash="$argon2id$x",
                              roles=("investigator", "supervisor"), created_at=T,
                              totp_secret="JBSWY3DPEHPK3PXP"))  # fmt: skip
    store.add_session(SessionRecord(token_sha256="c" * 64, org="hz-cyber", username="李伟",
                                    csrf_token="t", created_at=T, expires_at=T + timedelta(hours=8),
                                    source="test"))  # fmt: skip
    for token, now in (("c" * 64, T + timedelta(hours=1)), ("c" * 64, T + timedelta(hours=9)),
                       ("d" * 64, T)):  # fmt: skip
        params = {"token": token, "now": now}
        fast = prepared_rows(store.engine, _LIVE_SESSION_AND_USER, params)
        assert fast == _through_sqlalchemy(store, _LIVE_SESSION_AND_USER, params)
    found = store.live_session_and_user("c" * 64, T + timedelta(hours=1))
    assert found is not None and found[1].roles == ("investigator", "supervisor")
    assert found[0].expires_at == T + timedelta(hours=8)
    assert store.live_session_and_user("c" * 64, T + timedelta(hours=9)) is None


def test_a_store_without_its_tables_says_to_migrate_as_other_reads_do(store_url: str) -> None:
    with Store.open(store_url) as bare, pytest.raises(NotMigratedError):
        bare.list_freezes()
    with Store.open(store_url) as bare, pytest.raises(NotMigratedError):
        bare.live_session_and_user("c" * 64, T)
