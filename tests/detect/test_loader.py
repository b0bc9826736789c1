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


def _windowed(where: str, settings: str = "") -> str:
    """A one-rule file over transfers with ``where`` on line 9."""
    return (
        "version: 1\n"
        f"settings: {{{settings}}}\n"
        "rules:\n"
        "  - id: x\n"
        "    title: x\n"
        "    typology: t\n"
        "    weight: 0.5\n"
        "    on: [wallet_transfer]\n"
        f"    where: {where}\n"
        "    detect: {op: window, key: from_account, length: 1h, aggregates: {n: {fn: count}}}\n"
        "    when: {n: {ge: 1}}\n"
        "    reason: x\n"
    )


@pytest.mark.parametrize(
    ("currency", "literal", "expected"),
    [
        ("USD", '"¥5,000"', "'¥5,000' is written in CNY or JPY, but this file's amounts are USD"),
        ("CNY", '"$2,000"', "'$2,000' is written in USD, but this file's amounts are CNY"),
        ("CNY", '"HK$2,000"', "'HK$2,000' is written in HKD, but this file's amounts are CNY"),
        ("CNY", '"2,000 USD"', "'2,000 USD' is written in USD, but this file's amounts are CNY"),
        ("EUR", '"-£3"', "'-£3' is written in GBP, but this file's amounts are EUR"),
    ],
)
def test_a_money_literal_in_another_currency_is_refused(
    currency: str, literal: str, expected: str
) -> None:
    err = error_of(_windowed(f"{{amount: {{ge: {literal}}}}}", f"currency: {currency}"))
    assert err.line == 9, str(err)
    assert expected in err.message


@pytest.mark.parametrize(
    ("currency", "literal", "minor"),
    [("CNY", '"¥5,000"', 500_000), ("CNY", '"￥5,000 CNY"', 500_000), ("USD", '"$20"', 2_000),
     ("JPY", '"¥5,000"', 5_000), ("HKD", '"HK$1.50"', 150), ("USD", "1234", 1234)],
)  # fmt: skip
def test_a_money_literal_in_the_files_currency_loads(
    currency: str, literal: str, minor: int
) -> None:
    pack = load_rules_text(_windowed(f"{{amount: {{ge: {literal}}}}}", f"currency: {currency}"))
    assert [p.value for p in pack.rules[0].base_where] == [minor]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (
            "{status: complete}",
            "'complete' is not a value of status; expected one of completed, failed, pending, ",
        ),
        ("{channel: [app, qrcode]}", "'qrcode' is not a value of channel; expected one of app, "),
        ("{channel: {not_in: [withdrawl]}}", "'withdrawl' is not a value of channel"),
        ("{type: login}", "'login' is not a value of type; expected one of wallet_transfer"),
        ("{status: {ne: Completed}}", "'Completed' is not a value of status"),
    ],
)
def test_a_value_a_few_valued_field_never_holds_is_refused(where: str, expected: str) -> None:
    err = error_of(_windowed(where))
    assert err.line == 9, str(err)
    assert expected in err.message, err.message


def test_values_of_enrichment_and_aggregate_filters_are_checked_too() -> None:
    assert "parcel.scan_status: signed" in GOOD
    err = error_of(GOOD.replace("parcel.scan_status: signed", "parcel.scan_status: sigend"))
    assert err.line == 17
    assert (
        "'sigend' is not a value of parcel.scan_status; expected one of delivered, in_transit"
        in err.message
    )
    err = error_of(GOOD.replace("{reason: not_received}", "{reason: not_recieved}"))
    assert err.line == 8
    assert "expected one of changed_mind, damaged, not_as_described, not_received" in err.message
    exposure = """\
  - id: downstream
    title: Exposure
    typology: impersonation_scam
    weight: 0.5
    on: [wallet_transfer]
    where: {src.rule: brst}
    enrich:
      src: {op: exposure, account: from_account, rules: [burst]}
    detect: {op: fan, direction: in, length: 1d}
    when: {counterparties: {ge: 2}}
    reason: "{counterparties}"
"""
    err = error_of(GOOD + exposure)
    assert err.line == 25
    assert "'brst' is not a value of src.rule; expected one of burst" in err.message


def test_a_key_written_twice_in_one_mapping_is_refused_at_the_repeat() -> None:
    twice = GOOD.replace("    weight: 0.9\n", "    weight: 0.9\n    on: [login]\n")
    err = error_of(twice)
    assert err.line == 8
    assert "'on' is written twice in one mapping (first on line 7)" in err.message
    flow = _windowed("{amount: {ge: 100}, amount: {lt: 500}}")
    err = error_of(flow)
    assert err.line == 9
    assert "'amount' is written twice" in err.message


def test_shared_by_a_field_that_is_not_text_is_refused() -> None:
    text = GOOD.replace(
        "    detect:\n      op: window\n      key: account\n      length: 2h\n",
        "    detect:\n      op: shared\n      by: amount\n      length: 2h\n      #\n",
    )
    text = text.split("      aggregates:")[0] + "    when: {accounts: {ge: 2}}\n    reason: x\n"
    err = error_of(text)
    assert err.line == 13
    assert "shared by 'amount' needs a text field" in err.message


def test_exposure_to_a_rule_that_never_names_an_account_is_refused() -> None:
    text = """\
version: 1
rules:
  - id: busy-ip
    title: Busy address
    typology: impersonation_scam
    weight: 0.3
    on: [login]
    detect: {op: window, key: ip, length: 1h, aggregates: {n: {fn: count}}}
    when: {n: {ge: 50}}
    reason: "{n} logins"
  - id: downstream
    title: Exposure
    typology: impersonation_scam
    weight: 0.5
    on: [wallet_transfer]
    where: {src.flagged: true}
    enrich:
      src: {op: exposure, account: from_account, rules: [busy-ip]}
    detect: {op: fan, direction: in, length: 1d}
    when: {counterparties: {ge: 2}}
    reason: "{counterparties}"
"""
    err = error_of(text)
    assert err.line == 18
    assert (
        "'busy-ip' is keyed by ip and names no accounts; exposure needs a rule keyed by an "
        "account or with a distinct aggregate over account, from_account or to_account"
    ) in err.message
    fixed = text.replace(
        "{n: {fn: count}}", "{n: {fn: count}, who: {fn: distinct, field: account}}"
    )
    assert load_rules_text(fixed).rules[-1].id == "downstream"


def test_an_unknown_time_zone_is_refused() -> None:
    err = error_of(_windowed("{}", "time_zone: Mars/Olympus"))
    assert err.line == 2
    assert "unknown time zone 'Mars/Olympus'" in err.message
