"""Assignment and disposition of alerts, each audited in the same transaction, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from fraudlink.store import NotFoundError, Store, UserRecord, migrate
from tests.store.conftest import FakeClock
from tests.store.test_records import SHANGHAI, alert

T = datetime(2026, 9, 1, tzinfo=UTC)


def _users(store: Store) -> None:
    for org, name, roles, disabled in (
        ("hx-mall", "li.wei", ("analyst",), False),
        ("hx-mall", "chen.jie", ("analyst", "supervisor"), False),
        ("hx-mall", "wang.fang", ("analyst",), True),  # disabled
        ("hx-mall", "zhao.min", ("investigator",), False),  # no alert role
        ("qb-pay", "sun.li", ("analyst",), False),  # another organisation
    ):
        store.add_user(UserRecord(org=org, username=name, password_hash="x", roles=roles,
                                  created_at=T, disabled=disabled))  # fmt: skip


def test_an_alert_is_given_only_to_an_enabled_analyst_of_the_same_organisation(
    store: Store, clock: FakeClock
) -> None:
    _users(store)
    store.add_alert(alert("al-1"))
    assert store.alert_workers("hx-mall") == ["chen.jie", "li.wei"]
    given = store.assign_alert("al-1", "chen.jie", org="hx-mall", actor="li.wei@hx-mall")
    assert given.assigned_to == "chen.jie" and given.assigned_at == clock.now
    for who in ("sun.li", "wang.fang", "zhao.min", "nobody"):
        with pytest.raises(ValueError, match=f"{who} is not an analyst of hx-mall"):
            store.assign_alert("al-1", who, org="hx-mall", actor="li.wei@hx-mall")
    with pytest.raises(NotFoundError):
        store.assign_alert("al-404", "li.wei", org="hx-mall", actor="li.wei@hx-mall")
    kept = store.get_alert("al-1")
    assert kept is not None and kept.assigned_to == "chen.jie"  # refusals changed nothing
    (entry,) = store.audit_entries()  # ... and wrote no audit entry
    assert (entry.actor, entry.action, entry.subject) == ("li.wei@hx-mall", "alert.assign", "al-1")
    assert entry.detail == {"to": "chen.jie", "was": None}
    freed = store.assign_alert("al-1", None, org="hx-mall", actor="chen.jie@hx-mall")
    assert freed.assigned_to is None and freed.assigned_at is None
    assert store.audit_entries()[-1].detail == {"to": None, "was": "chen.jie"}
    assert store.verify_audit().ok


def test_a_disposition_is_kept_with_who_when_and_why_and_can_be_undone(
    store: Store, clock: FakeClock
) -> None:
    _users(store)
    store.add_alert(alert("al-1"))
    store.add_alert(alert("al-2", hour=10))
    store.assign_alert("al-2", "chen.jie", org="hx-mall", actor="chen.jie@hx-mall")
    done = store.dispose_alert("al-1", "true_positive", by="li.wei", actor="li.wei@hx-mall",
                               note="  courier confirms no parcel  ")  # fmt: skip
    assert (done.status, done.disposition_by, done.disposition_note) == (
        "true_positive", "li.wei", "courier confirms no parcel")  # fmt: skip
    assert done.disposition_at == clock.now
    assert done.assigned_to == "li.wei"  # nobody held it: who decides takes it
    other = store.dispose_alert("al-2", "false_positive", by="li.wei", actor="li.wei@hx-mall")
    assert other.assigned_to == "chen.jie"  # a held alert stays with its holder
    assert other.disposition_note is None
    assert [a.id for a in store.labelled_alerts()] == ["al-1", "al-2"]
    store.dispose_alert("al-2", "closed", by="li.wei", actor="li.wei@hx-mall")
    assert [a.id for a in store.labelled_alerts()] == ["al-1"]  # closed is no verdict
    reopened = store.dispose_alert("al-1", "open", by="li.wei", actor="li.wei@hx-mall")
    assert (reopened.status, reopened.disposition_by, reopened.disposition_at) == (
        "open", None, None)  # fmt: skip
    assert store.labelled_alerts() == []
    actions = [(e.action, e.subject, e.detail.get("status")) for e in store.audit_entries()]
    assert actions == [("alert.assign", "al-2", None),
                       ("alert.disposition", "al-1", "true_positive"),
                       ("alert.disposition", "al-2", "false_positive"),
                       ("alert.disposition", "al-2", "closed"),
                       ("alert.disposition", "al-1", "open")]  # fmt: skip
    assert store.audit_entries()[1].detail["note"] == "courier confirms no parcel"
    with pytest.raises(ValueError, match="expected one of"):
        store.dispose_alert("al-1", "maybe", by="li.wei", actor="li.wei@hx-mall")
    with pytest.raises(NotFoundError):
        store.dispose_alert("al-404", "closed", by="li.wei", actor="li.wei@hx-mall")
    assert len(store.audit_entries()) == 5
    assert store.verify_audit().ok


def test_the_queue_filters_by_assignee_in_sql(store: Store) -> None:
    _users(store)
    for i in range(4):
        store.add_alert(alert(f"al-{i}", hour=9 + i, score=60 + i))
    store.assign_alert("al-1", "li.wei", org="hx-mall", actor="li.wei@hx-mall")
    store.assign_alert("al-3", "chen.jie", org="hx-mall", actor="li.wei@hx-mall")
    mine, total, _ = store.alert_queue(assignee="li.wei")
    assert [a.id for a in mine] == ["al-1"] and total == 1
    free, total, _ = store.alert_queue(unassigned=True)
    assert [a.id for a in free] == ["al-2", "al-0"] and total == 2
    everyone, total, _ = store.alert_queue()
    assert total == 4 and {a.id: a.assigned_to for a in everyone}["al-3"] == "chen.jie"


def test_the_migration_keeps_the_alerts_and_cases_already_there(store_url: str) -> None:
    with Store.open(store_url) as store:
        migrate.upgrade(store.engine, "0002")
        with store.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO alerts (id, rule_id, rule_version, entity_kind, entity_id, ts, "
                "score, severity, reasons, body, status, assigned_to, created_at) VALUES "
                "('al-1', 'r', 1, 'account', 'a', :t, 90, 'critical', '[]', '{}', "
                "'true_positive', 'li.wei', :t)"), {"t": "2026-09-01 00:00:00.000000"})  # fmt: skip
            conn.execute(text("INSERT INTO cases (id, title, status, owner_org, created_at, "
                              "updated_at) VALUES ('c-1', 'x', 'open', 'o', :t, :t)"),
                         {"t": "2026-09-01 00:00:00.000000"})  # fmt: skip
            conn.execute(text("INSERT INTO case_alerts VALUES ('c-1', 'al-1')"))
        assert store.upgrade() == "0003"
        kept = store.get_alert("al-1")
        assert kept is not None and (kept.status, kept.assigned_to) == ("true_positive", "li.wei")
        assert (kept.assigned_at, kept.disposition_by, kept.disposition_at) == (None, None, None)
        case = store.get_case("c-1")
        assert case is not None and case.alert_ids == ("al-1",)


def test_the_queue_pages_and_bounds_time_in_sql(store: Store) -> None:
    for i in range(6):  # 09:30 … 14:30 in Shanghai, scores 60 … 65
        store.add_alert(alert(f"al-{i}", hour=9 + i, score=60 + i))
    page, total, _ = store.alert_queue(limit=2, offset=2)
    assert [a.id for a in page] == ["al-3", "al-2"] and total == 6
    since = datetime(2026, 9, 1, 10, tzinfo=SHANGHAI)
    until = datetime(2026, 9, 1, 12, 30, 15, 123456, tzinfo=SHANGHAI)  # al-3's time: excluded
    window, total, _ = store.alert_queue(since=since, until=until, by="time")
    assert [a.id for a in window] == ["al-2", "al-1"] and total == 2
    assert store.alert_queue(offset=6)[0] == []
