"""Each mapping feature, one row at a time: what a field spec does to a source value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fraudlink.ingest.rows import Rejection
from fraudlink.model.events import AccountRegistered, Login, Payment, WalletTransfer
from tests.ingest.helpers import LOGIN_MAPPING, TRANSFER_MAPPING, login_row, map_one


def accepted(result: object) -> Any:
    assert not isinstance(result, Rejection), result
    return result


def rejected(result: object) -> Rejection:
    assert isinstance(result, Rejection), result
    return result


def login(text: str = LOGIN_MAPPING, **changes: str) -> Login:
    event = accepted(map_one(text, login_row(1, **changes)))
    assert isinstance(event, Login)
    return event


def transfer_row(**changes: str) -> dict[str, str]:
    row = {
        "id": "W1",
        "tx": "T1",
        "user": "u1",
        "other": "u2",
        "amount": "-1,234.50",
        "status": "成功",
        "started": "2026/10/03 14:05:01",
        "done": "2026/10/03 14:05:09",
    }
    row.update(changes)
    return row


def transfer(text: str = TRANSFER_MAPPING, **changes: str) -> WalletTransfer:
    event = accepted(map_one(text, transfer_row(**changes)))
    assert isinstance(event, WalletTransfer)
    return event


# -- column, const, default, map ------------------------------------------------------------


def test_column_shorthand_equals_the_long_form() -> None:
    long_form = LOGIN_MAPPING.replace("account: user", "account: {column: user}")
    assert login(long_form) == login()


def test_const_fills_every_row() -> None:
    text = LOGIN_MAPPING.replace("city: city", "city: {const: 杭州}")
    assert login(text, city="anything").city == "杭州"


def test_default_is_used_only_when_the_cell_is_empty() -> None:
    text = LOGIN_MAPPING.replace(
        "device_id: device", "device_id: {column: device, default: unknown}"
    )
    assert login(text, device="").device_id == "unknown"
    assert login(text, device="   ").device_id == "unknown"
    assert login(text, device="d9").device_id == "d9"


def test_empty_required_field_without_default_is_missing_field() -> None:
    r = rejected(map_one(LOGIN_MAPPING, login_row(1, user="")))
    assert (r.reason, r.field, r.column) == ("missing_field", "account", "user")


def test_a_column_absent_from_the_row_is_missing_field() -> None:
    row = login_row(1)
    del row["result"]
    r = rejected(map_one(LOGIN_MAPPING, row))
    assert (r.reason, r.field, r.column) == ("missing_field", "success", "result")


def test_an_empty_optional_place_is_none_not_a_placeholder() -> None:
    """A bank's login has no device, IP or city: the event says None, not "" or "unknown"."""
    row = login_row(1, device="", ip="", city="")
    event = login(device="", ip="", city="")
    assert (event.device_id, event.ip, event.city) == (None, None, None)
    del row["ip"]
    assert isinstance(map_one(LOGIN_MAPPING, row), Login)


def test_value_map() -> None:
    assert login(result="失败").success is False
    r = rejected(map_one(LOGIN_MAPPING, login_row(1, result="超时")))
    assert (r.reason, r.field, r.column, r.value) == ("not_in_map", "success", "result", "超时")
    assert "accepted: 成功, 失败" in r.detail


def test_map_keys_match_typed_values_as_text() -> None:
    text = LOGIN_MAPPING.replace("{成功: true, 失败: false}", "{1: true, 0: false}")
    assert login(text, result=1).success is True  # type: ignore[arg-type]
    assert login(text, result="0").success is False


def test_bool_without_map_reads_common_spellings() -> None:
    text = LOGIN_MAPPING.replace(", map: {成功: true, 失败: false}", "")
    for word, value in [("是", True), ("否", False), ("YES", True), ("0", False), ("true", True)]:
        assert login(text, result=word).success is value
    r = rejected(map_one(text, login_row(1, result="maybe")))
    assert (r.reason, r.field) == ("bad_value", "success")


def test_enum_without_map_takes_canonical_values_only() -> None:
    text = TRANSFER_MAPPING.replace("{const: app}", "{column: ch}")
    assert transfer(text, ch="red_packet").channel == "red_packet"
    r = rejected(map_one(text, transfer_row(ch="wechat")))
    assert (r.reason, r.field, r.value) == ("bad_value", "channel", "wechat")
    assert "app, qr_code, bank_card" in r.detail


def test_strip_and_case() -> None:
    assert login(user="  u7 ").account == "u7"
    keep = LOGIN_MAPPING.replace("account: user", "account: {column: user, strip: false}")
    assert login(keep, user=" u7").account == " u7"
    upper = LOGIN_MAPPING.replace("device_id: device", "device_id: {column: device, case: upper}")
    assert login(upper, device="ab-1").device_id == "AB-1"
    lower_map = LOGIN_MAPPING.replace("{column: result,", "{column: result, case: lower,").replace(
        "{成功: true, 失败: false}", "{ok: true, fail: false}"
    )
    assert login(lower_map, result="OK").success is True


def test_first_non_empty_of_several_columns() -> None:
    text = LOGIN_MAPPING.replace("city: city", "city: {column: [city, region]}")
    row = login_row(1, city="")
    row["region"] = "苏州"
    assert accepted(map_one(text, row)).city == "苏州"
    row["city"] = "无锡"
    assert accepted(map_one(text, row)).city == "无锡"


def test_null_values_count_as_empty() -> None:
    text = LOGIN_MAPPING.replace(
        "event_type: login", 'event_type: login\nsource: {null_values: ["", "\\\\N", "NULL"]}'
    ).replace("device_id: device", "device_id: {column: device, default: none}")
    assert login(text, device="\\N").device_id == "none"
    assert login(text, device="NULL").device_id == "none"


def test_json_null_and_nan_are_empty() -> None:
    text = LOGIN_MAPPING.replace("device_id: device", "device_id: {column: device, default: none}")
    assert login(text, device=None).device_id == "none"  # type: ignore[arg-type]
    assert login(text, device=float("nan")).device_id == "none"  # type: ignore[arg-type]


def test_numbers_become_text_for_text_fields() -> None:
    assert login(user=10086).account == "10086"  # type: ignore[arg-type]
    assert login(user=10086.0).account == "10086"  # type: ignore[arg-type]
    r = rejected(map_one(LOGIN_MAPPING, login_row(1, user=["a"])))  # type: ignore[arg-type]
    assert (r.reason, r.field) == ("bad_value", "account")


# -- time -----------------------------------------------------------------------------------


def test_local_time_gets_the_mapping_zone_and_is_stored_in_utc() -> None:
    event = login(time="2026/10/03 14:05:09")
    assert event.ts == datetime(2026, 10, 3, 6, 5, 9, tzinfo=UTC)
    assert event.ts.utcoffset() is not None and event.ts.tzinfo is UTC


@pytest.mark.parametrize(
    ("fmt", "value"),
    [
        ("iso", "2026-10-03T14:05:09+08:00"),
        ("iso", "2026-10-03 14:05:09"),
        ("iso", "2026-10-03T06:05:09Z"),
        ("epoch_s", "1791007509"),
        ("epoch_ms", "1791007509000"),
        ("epoch_us", 1791007509000000),
        ('"%d.%m.%Y %H:%M:%S %z"', "03.10.2026 01:05:09 -0500"),
    ],
)
def test_time_formats(fmt: str, value: Any) -> None:
    text = LOGIN_MAPPING.replace('format: "%Y/%m/%d %H:%M:%S"', f"format: {fmt}")
    assert login(text, time=value).ts == datetime(2026, 10, 3, 6, 5, 9, tzinfo=UTC)


def test_aware_times_keep_their_own_offset() -> None:
    text = LOGIN_MAPPING.replace('format: "%Y/%m/%d %H:%M:%S"', "format: iso")
    assert login(text, time="2026-10-03T14:05:09+09:00").ts == datetime(
        2026, 10, 3, 5, 5, 9, tzinfo=UTC
    )


def test_field_timezone_overrides_the_default() -> None:
    text = LOGIN_MAPPING.replace("{column: time,", "{column: time, timezone: Europe/London,")
    assert login(text, time="2026/10/03 14:05:09").ts == datetime(2026, 10, 3, 13, 5, 9, tzinfo=UTC)


def test_naive_time_without_any_zone_is_quarantined() -> None:
    text = LOGIN_MAPPING.replace("timezone: Asia/Shanghai, ", "")
    r = rejected(map_one(text, login_row(1)))
    assert (r.reason, r.field) == ("bad_timestamp", "ts")
    assert "defaults.timezone" in r.detail


def test_a_local_time_skipped_by_dst_is_quarantined_and_a_repeated_one_is_the_first() -> None:
    text = LOGIN_MAPPING.replace("Asia/Shanghai", "America/New_York")
    r = rejected(map_one(text, login_row(1, time="2026/03/08 02:30:00")))
    assert (r.reason, r.field) == ("bad_timestamp", "ts")
    assert "never happened in America/New_York" in r.detail
    # 01:30 happens twice on 2026-11-01: first at -04:00.
    assert login(text, time="2026/11/01 01:30:00").ts == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_unparseable_time() -> None:
    r = rejected(map_one(LOGIN_MAPPING, login_row(1, time="2026-10-03 14:05")))
    assert (r.reason, r.field, r.column, r.value) == (
        "bad_timestamp",
        "ts",
        "time",
        "2026-10-03 14:05",
    )


# -- money ----------------------------------------------------------------------------------

PAYMENT = """\
version: 1
defaults: {timezone: Asia/Shanghai, org: shop-a, currency: CNY}
event_type: payment
events:
  payment:
    event_id: id
    ts: {column: t, format: iso}
    account: a
    order_id: o
    amount: {column: amt, unit: major}
    method: {column: m, map: {微信: wallet, 银行卡: bank_card}}
"""


def pay(text: str = PAYMENT, **changes: Any) -> Payment | Rejection:
    row: dict[str, Any] = {"id": "P1", "t": "2026-10-03 10:00:00", "a": "u1", "o": "O1"}
    row |= {"amt": "1,234.50", "m": "微信", **changes}
    result = map_one(text, row)
    assert isinstance(result, Payment | Rejection)
    return result


def test_major_units_become_minor_units() -> None:
    assert accepted(pay()).amount == 123450
    assert accepted(pay(amt="¥88")).amount == 8800
    assert accepted(pay(amt=12.5)).amount == 1250
    assert accepted(pay()).currency == "CNY"


def test_minor_units_are_taken_as_they_are() -> None:
    text = PAYMENT.replace("unit: major", "unit: minor")
    assert accepted(pay(text, amt="123450")).amount == 123450
    assert accepted(pay(text, amt=123450)).amount == 123450
    r = rejected(pay(text, amt="1234.50"))
    assert (r.reason, r.field) == ("bad_amount", "amount")


@pytest.mark.parametrize(
    ("amount", "words"),
    [("12.345", "more than 2 decimal places"), ("-5.00", "negative"), ("1,23", "not a number")],
)
def test_bad_amounts(amount: str, words: str) -> None:
    r = rejected(pay(amt=amount))
    assert (r.reason, r.field, r.column, r.value) == ("bad_amount", "amount", "amt", amount)
    assert words in r.detail


def test_currency_from_a_column_sets_the_exponent() -> None:
    text = PAYMENT.replace("    account: a\n", "    account: a\n    currency: cur\n")
    jpy = accepted(pay(text, amt="1,200", cur="jpy"))
    assert (jpy.amount, jpy.currency) == (1200, "JPY")
    r = rejected(pay(text, cur="yuan"))
    assert (r.reason, r.field) == ("bad_value", "currency")


def test_too_large_amount_is_an_invalid_event() -> None:
    r = rejected(pay(amt="10,000,000,000,000.01"))
    assert (r.reason, r.field, r.column) == ("invalid_event", "amount", "amt")


def test_optional_fields_take_their_canonical_default() -> None:
    text = PAYMENT + "    instrument: card\n"
    assert accepted(pay(text, card="")).instrument is None
    assert accepted(pay(text, card="6222")).instrument == "6222"
    assert accepted(pay(PAYMENT + "    instrument: {const: null}\n")).instrument is None


# -- signed amounts -------------------------------------------------------------------------


def test_signed_amount_gives_direction() -> None:
    out = transfer(amount="-1,234.50")
    assert (out.from_account, out.to_account, out.amount) == ("u1", "u2", 123450)
    incoming = transfer(amount="88.00")
    assert (incoming.from_account, incoming.to_account, incoming.amount) == ("u2", "u1", 8800)


def test_signed_amount_with_positive_outgoing() -> None:
    text = TRANSFER_MAPPING.replace(
        "counterparty: other}", "counterparty: other, outgoing: positive}"
    )
    out = transfer(text, amount="88.00")
    assert (out.from_account, out.to_account) == ("u1", "u2")


def test_zero_signed_amount_has_no_direction() -> None:
    r = rejected(map_one(TRANSFER_MAPPING, transfer_row(amount="0.00")))
    assert (r.reason, r.field, r.column) == ("bad_amount", "amount", "amount")


def test_signed_amount_missing_counterparty() -> None:
    r = rejected(map_one(TRANSFER_MAPPING, transfer_row(other="")))
    assert (r.reason, r.field, r.column) == ("missing_field", "to_account", "other")


def test_fallback_time_and_optional_completion() -> None:
    pending = transfer(status="处理中", done="")
    assert pending.completed_at is None
    assert pending.ts == pending.initiated_at == datetime(2026, 10, 3, 6, 5, 1, tzinfo=UTC)


# -- canonical validation -------------------------------------------------------------------


def test_canonical_rules_are_enforced_with_the_field_named() -> None:
    r = rejected(map_one(TRANSFER_MAPPING, transfer_row(done="")))
    assert (r.reason, r.field) == ("invalid_event", "completed_at")
    assert "needs completed_at" in r.detail
    r = rejected(map_one(TRANSFER_MAPPING, transfer_row(done="2026/10/03 14:00:00")))
    assert (r.reason, r.field) == ("invalid_event", "ts")
    r = rejected(map_one(LOGIN_MAPPING, login_row(1, ip="not an ip")))
    assert (r.reason, r.field, r.column, r.value) == ("invalid_event", "ip", "ip", "not an ip")
    assert "`$" not in r.detail
    r = rejected(map_one(LOGIN_MAPPING, login_row(1, user="u" * 200)))
    assert (r.reason, r.field) == ("invalid_event", "account")


# -- ids, defaults, common, event types -----------------------------------------------------


def test_event_id_is_derived_from_file_name_and_row_when_unmapped() -> None:
    text = LOGIN_MAPPING.replace("    event_id: id\n", "")
    event = accepted(map_one(text, login_row(1), source="ledger-2026-10.csv", n=42))
    assert event.event_id == "ledger-2026-10.csv:42"
    long_name = "x" * 200 + ".csv"
    long_id = accepted(map_one(text, login_row(1), source=long_name, n=42)).event_id
    assert len(long_id) <= 128 and long_id.endswith(":42")


def test_defaults_fill_org_and_an_explicit_mapping_wins() -> None:
    assert login().org == "shop-a"
    assert login(LOGIN_MAPPING + "    org: {const: shop-b}\n").org == "shop-b"


MIXED = """\
version: 1
defaults: {timezone: Asia/Shanghai, org: shop-a}
event_type:
  column: kind
  case: lower
  map: {reg: account_registered, login: login}
common:
  event_id: id
  ts: {column: time, format: "%Y/%m/%d %H:%M:%S"}
  account: user
  ip: ip
  city: city
  device_id: device
events:
  login:
    success: {column: result, map: {成功: true, 失败: false}}
    city: {const: 北京}
"""


def test_event_type_from_a_column_with_common_fields_and_overrides() -> None:
    reg = accepted(map_one(MIXED, login_row(1, kind="REG")))
    assert isinstance(reg, AccountRegistered) and reg.city == "上海"
    log = accepted(map_one(MIXED, login_row(2, kind="login")))
    assert isinstance(log, Login) and log.city == "北京"


def test_unknown_and_missing_event_types() -> None:
    r = rejected(map_one(MIXED, login_row(1, kind="top-up")))
    assert (r.reason, r.field, r.column, r.value) == (
        "unknown_event_type",
        "type",
        "kind",
        "top-up",
    )
    assert "reg, login" in r.detail
    r = rejected(map_one(MIXED, login_row(1, kind="")))
    assert (r.reason, r.field) == ("missing_field", "type")


def test_event_type_without_map_takes_the_events_keys() -> None:
    text = MIXED.replace("  map: {reg: account_registered, login: login}\n", "")
    assert isinstance(accepted(map_one(text, login_row(1, kind="login"))), Login)
    r = rejected(map_one(text, login_row(1, kind="account_registered")))
    assert r.reason == "unknown_event_type"


def test_common_signed_amount_applies_only_where_the_type_has_money() -> None:
    text = """\
version: 1
defaults: {timezone: Asia/Shanghai, currency: CNY, org: wallet-a}
event_type:
  column: kind
  map: {登录: login, 转账: wallet_transfer}
common:
  event_id: id
  ts: {column: [done, started], format: "%Y/%m/%d %H:%M:%S"}
  signed_amount: {column: amount, unit: major, account: user, counterparty: other}
events:
  login:
    account: user
    ip: {const: 10.0.0.1}
    city: {const: 上海}
    device_id: {const: d}
    success: {const: true}
  wallet_transfer:
    transfer_id: tx
    to_org: {const: wallet-a}
    channel: {const: app}
    status: {column: status, map: {成功: completed, 失败: failed, 处理中: pending}}
    initiated_at: {column: started, format: "%Y/%m/%d %H:%M:%S"}
    completed_at: {column: done, format: "%Y/%m/%d %H:%M:%S"}
"""
    assert isinstance(accepted(map_one(text, transfer_row(kind="登录"))), Login)
    moved = accepted(map_one(text, transfer_row(kind="转账")))
    assert isinstance(moved, WalletTransfer) and moved.amount == 123450
