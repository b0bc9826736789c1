"""Alerts: which entity and which accounts they name, and how other rules see their hits."""

from __future__ import annotations

from typing import Any

from fraudlink.detect.alerts import Alert
from fraudlink.detect.engine import Engine
from fraudlink.detect.rules.loader import load_rules_text
from tests.detect.streams import HOUR, MINUTE, T0, login, registered, table, transfer


def _alerts(rules: str, rows: list[dict[str, Any]]) -> list[Alert]:
    engine = Engine(load_rules_text("version: 1\nrules:\n" + rules))
    return engine.push(table(rows)) + engine.flush()


# A device used by two accounts from two addresses: the first distinct aggregate is the IPs.
DEVICE_HERD = """\
  - id: herd
    title: herd
    typology: impersonation_scam
    weight: 0.6
    on: [login]
    detect:
      op: window
      key: device_id
      length: 1d
      aggregates:
        ips: {fn: distinct, field: ip}
        accs: {fn: distinct, field: account}
    when: {accs: {ge: 2}}
    reason: "{device_id}: {accs|list} from {ips|list}"
"""
HERD_LOGINS = [
    login(T0, "qb-u1", device="dv-9", ip="58.20.0.1"),
    login(T0 + MINUTE, "qb-u2", device="dv-9", ip="58.20.0.2"),
]


def test_a_device_alert_lists_only_accounts_never_addresses() -> None:
    (alert,) = _alerts(DEVICE_HERD, HERD_LOGINS)
    assert (alert.entity_kind, alert.entity) == ("device", "dv-9")
    assert alert.accounts == ["qb-u1", "qb-u2"]


def test_a_device_alert_without_an_account_aggregate_lists_no_accounts() -> None:
    rules = DEVICE_HERD.replace("        accs: {fn: distinct, field: account}\n", "")
    rules = rules.replace("{accs: {ge: 2}}", "{ips: {ge: 2}}").replace("{accs|list} ", "")
    (alert,) = _alerts(rules, HERD_LOGINS)
    assert alert.accounts == []


def test_exposure_to_a_device_keyed_rule_flags_the_accounts_of_its_hit() -> None:
    rules = (
        DEVICE_HERD
        + """\
  - id: herd-money
    title: Money from a herded account
    typology: impersonation_scam
    weight: 0.6
    on: [wallet_transfer]
    where: {src.flagged: true}
    enrich: {src: {op: exposure, account: from_account, rules: [herd], within: 2h}}
    detect: {op: window, key: to_account, length: 1d, aggregates: {n: {fn: count}}}
    when: {n: {ge: 1}}
    reason: "{n} from {from_account}, {src.age} after a {src.rule} hit"
"""
    )
    rows = [
        *HERD_LOGINS,
        transfer(T0 + HOUR, "qb-u1", "qb-boss", 100_000),
        transfer(T0 + HOUR, "qb-u7", "qb-other", 100_000),  # not on the device: not flagged
    ]
    money = [a for a in _alerts(rules, rows) if a.rule_id == "herd-money"]
    assert [(a.entity, a.reasons[0]) for a in money] == [
        ("qb-boss", "1 from qb-u1, 59 m after a herd hit")
    ]


def test_an_enrichment_field_can_key_a_window() -> None:
    # Payments into accounts opened on one device: keyed by the payee's registration device.
    rules = """\
  - id: farm-payees
    title: Payees opened on one device
    typology: impersonation_scam
    weight: 0.5
    on: [wallet_transfer]
    where: {payee.found: true}
    enrich:
      payee: {op: latest, from: account_registered, match: account, on: to_account, within: 30d}
    detect:
      op: window
      key: payee.device_id
      length: 1d
      aggregates: {payees: {fn: distinct, field: to_account}}
    when: {payees: {ge: 2}}
    reason: "{payees} payees opened on {payee.device_id}: {payees|list}"
"""
    rows = [
        registered(T0, "qb-m1", device="dv-farm"),
        registered(T0, "qb-m2", device="dv-farm"),
        registered(T0, "qb-u9", device="dv-own"),
        transfer(T0 + HOUR, "qb-v1", "qb-m1", 100_000),
        transfer(T0 + HOUR + MINUTE, "qb-v2", "qb-u9", 100_000),
        transfer(T0 + 2 * HOUR, "qb-v3", "qb-m2", 100_000),
    ]
    (alert,) = _alerts(rules, rows)
    assert (alert.entity_kind, alert.entity) == ("device", "dv-farm")
    assert alert.accounts == ["qb-m1", "qb-m2"]
    assert alert.reasons[0] == "2 payees opened on dv-farm: qb-m1, qb-m2"


def test_an_enrichment_field_can_be_what_shared_counts_accounts_by() -> None:
    rules = """\
  - id: city-crowd
    title: Many accounts placed in one city
    typology: account_takeover
    weight: 0.3
    on: [login]
    enrich: {hop: {op: geo_velocity}}
    detect: {op: shared, by: hop.city, length: 1h}
    when: {accounts: {ge: 2}}
    reason: "{accounts} accounts in {hop.city}"
"""
    rows = [login(T0, "a", "Kunming"), login(T0 + MINUTE, "b", "Beijing")]
    rows.append(login(T0 + 2 * MINUTE, "c", "Kunming"))
    alerts = _alerts(rules, rows)
    assert sorted(a.entity for a in alerts) == ["a", "c"]
    assert {a.reasons[0] for a in alerts} == {"2 accounts in Kunming"}


def test_enrichment_keys_and_numeric_distincts_do_not_depend_on_batching() -> None:
    rules = """\
  - id: spread
    title: Payees opened on one device, at several amounts
    typology: impersonation_scam
    weight: 0.5
    on: [wallet_transfer]
    enrich:
      payee: {op: latest, from: account_registered, match: account, on: to_account, within: 30d}
    detect:
      op: window
      key: payee.device_id
      length: 1d
      aggregates:
        amounts: {fn: distinct, field: amount}
        opened: {fn: distinct, field: payee.ts}
    when: {amounts: {ge: 2}}
    cooldown: 1s
    reason: "{amounts|list} to accounts opened at {opened|list}"
"""
    rows = [registered(T0 + i * MINUTE, f"qb-m{i}", device="dv-farm") for i in range(3)]
    rows += [
        transfer(T0 + HOUR + i * MINUTE, "qb-v1", f"qb-m{i % 3}", 10_000 * (1 + i % 2))
        for i in range(6)
    ]
    engine = Engine(load_rules_text("version: 1\nrules:\n" + rules))
    events = table(rows)
    one_by_one = [a for i in range(events.num_rows) for a in engine.push(events.slice(i, 1))]
    together = _alerts(rules, rows)
    assert [a.reasons for a in one_by_one] == [a.reasons for a in together]
    assert together[0].reasons[0] == (
        "¥100.00, ¥200.00 to accounts opened at "
        "2026-09-01 00:00:00 +08:00, 2026-09-01 00:01:00 +08:00"
    )
    assert len(together) == 5
