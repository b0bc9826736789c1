"""Events without a device, IP or city (a bank ledger's) never share a "missing" device.

Registrations and logins may leave ``ip``, ``device_id`` and ``city`` out. The
stream rules keyed by device or IP must skip such events, not group them under one
null key that would link every bank customer to every other.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fraudlink.detect.engine import Engine
from fraudlink.detect.rules.loader import builtin_pack
from fraudlink.model.columns import events_to_table
from fraudlink.model.events import AccountRegistered, AnyEvent, Login

T0 = datetime(2026, 9, 1, 8, tzinfo=UTC)


def _logins(device: str | None, accounts: int, start: int) -> list[AnyEvent]:
    return [
        Login(
            event_id=f"ev-{start + i:04d}",
            ts=T0 + timedelta(minutes=start + i),
            org="bank-a",
            account=f"acc-{start + i}",
            device_id=device,
            ip=None if device is None else "58.20.0.1",
            success=True,
        )
        for i in range(accounts)
    ]


def _alerts(events: list[AnyEvent]) -> list[tuple[str, str]]:
    engine = Engine(builtin_pack())
    alerts = engine.push(events_to_table(events)) + engine.flush()
    return [(a.rule_id, a.entity) for a in alerts]


def test_logins_without_device_or_ip_raise_no_shared_alert() -> None:
    bare = _logins(None, 40, 0)
    registered = [
        AccountRegistered(event_id=f"reg-{i}", ts=T0, org="bank-a", account=f"acc-{i}")
        for i in range(40)
    ]
    assert _alerts([*registered, *bare]) == []


def test_a_real_shared_device_is_still_found_among_bare_logins() -> None:
    events = [*_logins(None, 20, 0), *_logins("dv-9", 5, 100)]
    found = _alerts(events)
    assert found == [("shared-device", f"acc-{i}") for i in range(100, 105)]
