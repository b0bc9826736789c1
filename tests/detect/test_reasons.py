"""Reason text: every value written so a person can read it, whatever its kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fraudlink.detect.alerts import Alert
from fraudlink.detect.engine import Engine
from fraudlink.detect.live import LiveSession
from fraudlink.detect.rules.loader import load_rules_text
from tests.detect.streams import HOUR, MINUTE, T0, login, registered, table, transfer


def _rule(body: str, settings: str = "") -> str:
    head = "version: 1\n" + (f"settings: {settings}\n" if settings else "")
    return head + "rules:\n  - id: r\n    title: r\n    typology: t\n    weight: 0.5\n" + body


def _alerts(rules: str, rows: list[dict[str, Any]]) -> list[Alert]:
    engine = Engine(load_rules_text(rules))
    return engine.push(table(rows)) + engine.flush()


def _reasons(rules: str, rows: list[dict[str, Any]]) -> list[str]:
    return [a.reasons[0] for a in _alerts(rules, rows)]


DISTINCT_AMOUNTS = _rule("""\
    on: [wallet_transfer]
    detect:
      op: window
      key: from_account
      length: 1h
      aggregates: {amounts: {fn: distinct, field: amount}}
    when: {amounts: {ge: 2}}
    reason: "{amounts} amounts: {amounts|list}"
""")


def test_distinct_over_money_lists_the_amounts_as_money() -> None:
    rows = [
        transfer(T0, "a", "b", 10_000),
        transfer(T0 + MINUTE, "a", "c", 10_000),
        transfer(T0 + 2 * MINUTE, "a", "d", 250_050),
    ]
    (alert,) = _alerts(DISTINCT_AMOUNTS, rows)
    assert alert.reasons[0] == "2 amounts: ¥100.00, ¥2,500.50"
    assert alert.metrics["amounts"] == 2


def test_distinct_over_a_decimal_enrichment_field_counts_and_lists_it() -> None:
    rules = _rule("""\
    on: [login]
    where: {hop.distance_km: {ge: 1}}
    enrich: {hop: {op: geo_velocity}}
    detect:
      op: window
      key: account
      length: 1d
      aggregates: {hops: {fn: distinct, field: hop.distance_km}}
    when: {hops: {ge: 2}}
    reason: "{hops} distances: {hops|list} km"
""")
    rows = [
        login(T0, "a", "Beijing"),
        login(T0 + HOUR, "a", "Shanghai"),
        login(T0 + 2 * HOUR, "a", "Beijing"),  # the same distance back: not a new value
        login(T0 + 3 * HOUR, "a", "Kunming"),
    ]
    (alert,) = _alerts(rules, rows)
    assert alert.metrics["hops"] == 2
    assert alert.reasons[0] == "2 distances: 1,067, 2,096 km"


def test_decimals_keep_two_significant_digits_and_counts_stay_whole() -> None:
    rules = _rule("""\
    on: [wallet_transfer]
    detect:
      op: window
      key: from_account
      length: 1d
      aggregates: {n: {fn: count}, timing: {fn: gap_cv}}
    when: {n: {ge: 4}}
    reason: "{n} payments, timing irregularity {timing}"
""")
    # gaps of 10, 20 and 30 minutes: std / mean = 8.165 / 20 = 0.408...
    rows = [transfer(T0 + m * MINUTE, "a", "b", 100) for m in (0, 10, 30, 60)]
    assert _reasons(rules, rows) == ["4 payments, timing irregularity 0.41"]
    # gaps of 5 m, 20 h, 10 m: 1.397... reads 1.4, never 1
    rows = [transfer(T0 + m * MINUTE, "a", "b", 100) for m in (0, 5, 1205, 1215)]
    assert _reasons(rules, rows) == ["4 payments, timing irregularity 1.4"]


def test_times_are_written_in_the_packs_zone_with_the_offset() -> None:
    rules = _rule(
        """\
    on: [wallet_transfer]
    where: {payee.found: true}
    enrich:
      payee: {op: latest, from: account_registered, match: account, on: to_account, within: 30d}
    detect:
      op: window
      key: from_account
      length: 1d
      aggregates: {n: {fn: count}}
    when: {n: {ge: 1}}
    reason: "paid at {ts} (completed {completed_at}) to an account opened at {payee.ts}"
""",
        settings="{time_zone: TIME_ZONE}",
    )
    rows = [registered(T0, "b"), transfer(T0 + 2 * HOUR + 30 * MINUTE, "a", "b", 100)]
    assert _reasons(rules.replace("TIME_ZONE", "Asia/Shanghai"), rows) == [
        "paid at 2026-09-01 02:30:00 +08:00 (completed 2026-09-01 02:30:00 +08:00) "
        "to an account opened at 2026-09-01 00:00:00 +08:00"
    ]
    assert _reasons(rules.replace("TIME_ZONE", "UTC"), rows) == [
        "paid at 2026-08-31 18:30:00 +00:00 (completed 2026-08-31 18:30:00 +00:00) "
        "to an account opened at 2026-08-31 16:00:00 +00:00"
    ]


def test_a_word_after_a_count_agrees_with_it() -> None:
    rules = _rule("""\
    on: [wallet_transfer]
    detect:
      op: window
      key: from_account
      length: 1d
      aggregates:
        n: {fn: count}
        payees: {fn: distinct, field: to_account}
        paid: {fn: sum, field: amount}
    when: {n: {ge: 1}}
    cooldown: 1s
    reason: "{n} payment(s) to {payees} new payee(s) in {n} box(es), {paid} in note(s)"
""")
    rows = [transfer(T0, "a", "b", 100), transfer(T0 + MINUTE, "a", "c", 100)]
    assert _reasons(rules, rows) == [
        "1 payment to 1 new payee in 1 box, ¥1.00 in note(s)",
        "2 payments to 2 new payees in 2 boxes, ¥2.00 in note(s)",
    ]


def test_the_reload_message_counts_rules_in_good_english(tmp_path: Path) -> None:
    one = _rule("""\
    on: [login]
    detect: {op: window, key: account, length: 1h, aggregates: {n: {fn: count}}}
    when: {n: {ge: 1}}
    reason: "{n}"
""")
    path = tmp_path / "rules.yaml"
    path.write_text(one, encoding="utf-8")
    said: list[str] = []
    session = LiveSession(Engine(load_rules_text(one)), said.append, path)
    path.write_text(one + "\n", encoding="utf-8")
    session._mtime = -1  # as if the file changed, whatever the file system's clock
    assert session.maybe_reload()
    assert said == [f"rules reloaded from {path} (1 rule)"]
