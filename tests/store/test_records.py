"""Alerts, cases, messages and users go in and come back the same, on every backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import msgspec
import pytest

from fraudlink.store import (
    AlertRecord,
    DuplicateError,
    FreezeRecord,
    MessageRecord,
    NotFoundError,
    Store,
    UserRecord,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def alert(alert_id: str = "al-1", *, rule: str = "refund-burst-signed", hour: int = 9,
          score: int = 90) -> AlertRecord:  # fmt: skip
    return AlertRecord(
        id=alert_id,
        rule_id=rule,
        rule_version=1,
        entity_kind="account",
        entity_id="hx-u00000042",
        ts=datetime(2026, 9, 1, hour, 30, 15, 123456, tzinfo=SHANGHAI),
        score=score,
        severity="critical",
        reasons=["5 笔退款 totalling ¥23,400.00 within 1 h 52 m; 5 of 5 parcels signed for"],
        body={"metrics": {"claims": 5, "total": 2_340_000}, "note": "退款 ‘not received’"},
        created_at=datetime(2026, 9, 1, 2, 0, tzinfo=UTC),
    )


def test_an_alert_round_trips_with_its_instant_and_unicode(store: Store) -> None:
    original = alert()
    assert store.add_alert(original)
    back = store.get_alert("al-1")
    assert back is not None
    assert back.ts == original.ts  # the same instant...
    assert back.ts.utcoffset() is not None and back.ts.tzinfo == UTC  # ...handed back in UTC
    assert back.reasons == original.reasons
    assert back.body == original.body
    assert back.status == "open"
    assert store.get_alert("al-404") is None


def test_the_same_alert_twice_is_stored_once(store: Store) -> None:
    assert store.add_alert(alert()) is True
    assert store.add_alert(alert()) is False
    assert store.counts()["alerts"] == 1


def test_a_time_without_a_zone_is_refused(store: Store) -> None:
    naive = alert().__class__(**{**_fields(alert()), "ts": datetime(2026, 9, 1, 9, 0)})
    with pytest.raises(Exception, match="without a time zone"):
        store.add_alert(naive)
    assert store.counts()["alerts"] == 0


def _fields(record: AlertRecord) -> dict[str, object]:
    return {f: getattr(record, f) for f in record.__struct_fields__}


def test_values_outside_the_allowed_ones_are_refused_with_what_is_allowed(store: Store) -> None:
    with pytest.raises(ValueError, match="not within 0–100"):
        store.add_alert(AlertRecord(**{**_fields(alert()), "score": 101}))
    with pytest.raises(ValueError, match="expected one of open, closed"):
        store.add_alert(AlertRecord(**{**_fields(alert()), "status": "maybe"}))
    sideways = MessageRecord(**{**_message_fields(message("m-1")), "direction": "sideways"})
    with pytest.raises(ValueError, match="expected one of in, out"):
        store.put_message(sideways)
    assert store.counts()["alerts"] == store.counts()["messages"] == 0


def _message_fields(record: MessageRecord) -> dict[str, object]:
    return {f: getattr(record, f) for f in record.__struct_fields__}


def test_alerts_are_listed_newest_first_and_filtered(store: Store) -> None:
    store.add_alert(alert("al-1", hour=9))
    store.add_alert(alert("al-2", hour=11, rule="impossible-travel", score=75))
    store.add_alert(alert("al-3", hour=10))
    assert [a.id for a in store.list_alerts()] == ["al-2", "al-3", "al-1"]
    assert [a.id for a in store.list_alerts(rule_id="refund-burst-signed")] == ["al-3", "al-1"]
    assert [a.id for a in store.list_alerts(limit=1)] == ["al-2"]
    store.set_alert_status("al-3", "true_positive", assigned_to="analyst-li")
    assert [a.id for a in store.list_alerts(status="open")] == ["al-2", "al-1"]
    marked = store.get_alert("al-3")
    assert marked is not None and marked.assigned_to == "analyst-li"
    with pytest.raises(ValueError, match="expected one of"):
        store.set_alert_status("al-1", "maybe")
    with pytest.raises(NotFoundError):
        store.set_alert_status("al-404", "closed")


def test_a_case_keeps_its_alerts(store: Store) -> None:
    store.add_alert(alert("al-1"))
    store.add_alert(alert("al-2", hour=10))
    case = store.open_case("case-1", "退款团伙 refund ring", "hx-mall", ("al-2", "al-1"))
    assert case.alert_ids == ("al-1", "al-2")
    assert case.created_at.tzinfo == UTC
    with pytest.raises(DuplicateError):
        store.open_case("case-1", "again", "hx-mall")
    with pytest.raises(DuplicateError, match="unknown"):
        store.open_case("case-2", "bad", "hx-mall", ("al-404",))
    assert store.get_case("case-2") is None  # nothing half-written
    store.set_case_status("case-1", "referred")
    (listed,) = store.list_cases(owner_org="hx-mall")
    assert listed.status == "referred"
    assert listed.updated_at > listed.created_at
    assert store.list_cases(owner_org="jy-shop") == []


def message(message_id: str, direction: str = "out", state: str = "queued") -> MessageRecord:
    now = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    return MessageRecord(
        id=message_id,
        direction=direction,
        peer_org="hz-cyber",
        kind="case_referral",
        state=state,
        envelope_sha256="ab" * 32,
        body=bytes(range(256)) * 4,
        created_at=now,
        updated_at=now,
    )


def test_messages_keep_their_bytes_and_a_repeated_id_is_refused(store: Store) -> None:
    store.put_message(message("m-1"))
    store.put_message(message("m-2", direction="in", state="verified"))
    with pytest.raises(DuplicateError, match="m-1"):
        store.put_message(message("m-1"))
    back = store.get_message("m-1", with_body=True)
    assert back is not None and back.body == bytes(range(256)) * 4
    light = store.get_message("m-1")
    assert light is not None and light.body is None  # listings never drag the bytes along
    assert [(m.id, m.body) for m in store.list_messages(direction="out")] == [("m-1", None)]
    store.set_message_state("m-1", "delivered")
    assert [m.id for m in store.list_messages(state="delivered")] == ["m-1"]
    with pytest.raises(NotFoundError):
        store.set_message_state("m-404", "delivered")


def test_outgoing_messages_take_the_next_sequence_per_peer(store: Store) -> None:
    def make(peer: str, name: str) -> Callable[[int], MessageRecord]:
        return lambda seq: msgspec.structs.replace(message(name), peer_org=peer, seq=seq)

    got = [store.add_outgoing(peer, make(peer, f"m-{i}")).seq
           for i, peer in enumerate(["a", "a", "b", "a"])]  # fmt: skip
    assert got == [1, 2, 1, 3]
    assert store.last_accepted_seq("nobody") is None
    updated = store.update_message("m-0", state="retrying", attempts=2, last_error="down")
    assert (updated.state, updated.attempts, updated.last_error) == ("retrying", 2, "down")
    with pytest.raises(ValueError, match="cannot be changed"):
        store.update_message("m-0", envelope_sha256="00" * 32)
    due = store.due_messages(datetime(2030, 1, 1, tzinfo=UTC))
    assert [m.id for m in due] == ["m-0", "m-1", "m-3", "m-2"]  # peer, then sequence
    assert all(m.body == bytes(range(256)) * 4 for m in due)


def test_freezes_are_kept_and_updated(store: Store) -> None:
    now = datetime(2026, 10, 1, tzinfo=UTC)
    record = FreezeRecord(id="frz-1", account="acct-9", platform_org="hx-mall",
                          police_org="hz-cyber", amount_minor=4_800_000, currency="CNY",
                          legal_basis="decision 118", deadline=now, state="requested",
                          created_at=now, updated_at=now)  # fmt: skip
    store.put_freeze(record)
    with pytest.raises(DuplicateError):
        store.put_freeze(record)
    done = store.update_freeze("frz-1", state="partial", held_minor=3_554_252)
    assert (done.state, done.held_minor, done.deadline) == ("partial", 3_554_252, now)
    assert [f.id for f in store.list_freezes(account="acct-9")] == ["frz-1"]
    assert store.list_freezes(account="other") == []
    with pytest.raises(ValueError, match="cannot be changed"):
        store.update_freeze("frz-1", amount_minor=1)
    with pytest.raises(NotFoundError):
        store.update_freeze("frz-404", state="held")


def test_usernames_are_unique_within_an_organisation(store: Store) -> None:
    def user(org: str) -> UserRecord:
        return UserRecord(
            org=org,
            username="li.wei",
            password_hash="$argon2id$v=19$...",
            roles=("analyst",),
            created_at=datetime(2026, 9, 1, tzinfo=UTC),
        )

    first = store.add_user(user("hx-mall"))
    assert first.id is not None and first.roles == ("analyst",) and not first.disabled
    with pytest.raises(DuplicateError):
        store.add_user(user("hx-mall"))
    assert store.add_user(user("hz-cyber")).id != first.id
    store.set_user_disabled("hx-mall", "li.wei", True)
    found = store.get_user("hx-mall", "li.wei")
    assert found is not None and found.disabled
    assert store.get_user("jy-shop", "li.wei") is None
