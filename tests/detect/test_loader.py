"""Rule files: the built-in pack loads; every mistake names the file, line and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from fraudlink.detect.rules.loader import RuleFileError, builtin_pack, load_rules, load_rules_text

GOOD = """\
version: 1
rules:
  - id: burst
    title: Refund burst
    typology: refund_fraud
    weight: 0.9
    on: [refund_requested]
    where: {reason: not_received}
    enrich:
      parcel: {op: latest, from: parcel_scan, match: order_id, on: order_id}
    detect:
      op: window
      key: account
      length: 2h
      aggregates:
        claims: {fn: count}
        signed: {fn: count, where: {parcel.scan_status: signed}}
    when: {claims: {ge: 3}}
    reason: "{claims} claims, {signed} signed"
"""


def error_of(text: str) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        load_rules_text(text, "rules.yaml")
    return info.value


def test_builtin_pack_loads_with_every_required_rule() -> None:
    pack = builtin_pack()
    ids = {r.id for r in pack.rules}
    assert {
        "refund-burst-signed",
        "mule-pass-through",
        "mule-fan-out",
        "counterparty-explosion",
        "impossible-travel",
        "shared-device",
        "shared-ip",
        "victim-large-first-transfer",
    } <= ids
    # a rule reading another rule's alerts runs after it
    order = [r.id for r in pack.rules]
    assert order.index("shared-device") < order.index("mule-network-receiver")
    assert order.index("impossible-travel") < order.index("takeover-cash-out")


def test_a_good_file_loads_and_on_is_not_read_as_yes() -> None:
    pack = load_rules_text(GOOD)
    assert pack.rules[0].on == ("refund_requested",)


def test_load_rules_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(GOOD)
    assert load_rules(path).source == str(path)


@pytest.mark.parametrize(
    ("old", "new", "line", "expected"),
    [
        ("op: window", "op: windw", 12, "expected one of window, pass_through, fan, shared"),
        (
            "{fn: count}",
            "{fn: cnt}",
            16,
            "expected one of count, distinct, gap_cv, max, share, sum",
        ),
        ("    title: Refund burst", "    titel: Refund burst", 4, "expected one of id, version"),
        ("key: account", "key: acount", 13, "expected one of"),
        ("[refund_requested]", "[refund_request]", 7, "expected one of account_registered"),
        ("{reason: not_received}", "{reasn: not_received}", 8, "unknown field 'reasn'"),
        ("{claims: {ge: 3}}", "{claims: {atleast: 3}}", 18, "expected one of eq, ne, in"),
        ("{claims: {ge: 3}}", "{clams: {ge: 3}}", 18, "unknown field 'clams'"),
        ("weight: 0.9", "weight: heavy", 6, "Expected `float`"),
        ("length: 2h", "length: two hours", 14, "not a duration"),
        ('"{claims} claims', '"{claimz} claims', 19, "unknown placeholder {claimz}"),
        ("from: parcel_scan", "from: parcel", 10, "unknown event type 'parcel'"),
        ("    typology: refund_fraud\n", "", 3, "missing field 'typology'"),
    ],
)
def test_errors_name_file_line_and_choices(old: str, new: str, line: int, expected: str) -> None:
    assert old in GOOD
    err = error_of(GOOD.replace(old, new, 1))
    assert err.source == "rules.yaml"
    assert err.line == line, str(err)
    assert expected in err.message, err.message
    assert str(err).startswith(f"rules.yaml:{line}: ")


def test_unknown_rule_reference_and_bad_yaml() -> None:
    text = (
        GOOD
        + """\
  - id: downstream
    title: Exposure
    typology: impersonation_scam
    weight: 0.5
    on: [wallet_transfer]
    enrich:
      src: {op: exposure, account: from_account, rules: [brust]}
    detect: {op: fan, direction: in, length: 1d}
    when: {counterparties: {ge: 2}}
    reason: "{counterparties}"
"""
    )
    err = error_of(text)
    assert err.line == 26 and "unknown rule 'brust'; expected one of burst" in err.message
    err = error_of("rules: [\n  {id: x\n")
    assert "not valid YAML" in err.message and err.line is not None


def test_duplicate_ids_and_wrong_event_types_are_refused() -> None:
    twice = GOOD + GOOD.split("rules:\n", 1)[1]
    assert "used twice" in error_of(twice).message
    fan_on_logins = """\
rules:
  - id: fan
    title: Fan on logins
    typology: x
    weight: 0.5
    on: [login]
    detect: {op: fan, direction: in, length: 1d}
    when: {counterparties: {ge: 2}}
    reason: "{counterparties}"
"""
    assert "needs on: [wallet_transfer]" in error_of(fan_on_logins).message


def test_settings_errors_name_the_line(tmp_path: Path) -> None:
    rule = (
        "rules:\n  - id: x\n    title: x\n    typology: t\n    weight: 0.5\n    on: [login]\n"
        "    detect: {op: window, key: account, length: 1h, aggregates: {n: {fn: count}}}\n"
        "    when: {n: {ge: 1}}\n    reason: x\n"
    )
    for setting, expected in [
        ("lateness: 5 minutes", "is not a duration"),
        ("lateness: -5", "negative"),
        ("ip_city_db: missing.mmdb", "not found"),
    ]:
        path = tmp_path / "rules.yaml"
        path.write_text(f"version: 1\nsettings:\n  {setting}\n{rule}", encoding="utf-8")
        with pytest.raises(RuleFileError, match=expected) as caught:
            load_rules(path)
        assert "rules.yaml:3" in str(caught.value)
