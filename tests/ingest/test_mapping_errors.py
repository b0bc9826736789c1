"""A mapping that cannot be used is refused with the file, line and key to fix, and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from fraudlink.ingest import MappingError, load_mapping
from tests.ingest.helpers import LOGIN_MAPPING, TRANSFER_MAPPING, mapping

# The login mapping without its last line (lines 1-11); the cases below add line 12 on.
LOGIN_HEAD = LOGIN_MAPPING[: LOGIN_MAPPING.index("    success:")]


CASES = [
    # (name, mapping text, line, key, words the message must contain)
    ("bad yaml", "version: 1\nevent_type: [login\n", 3, "", "not valid YAML"),
    ("tab indentation", "version: 1\nevent_type:\n\tcolumn: t\n", 3, "", "not valid YAML"),
    ("not a map", "- version: 1\n", 1, "", "expected a map"),
    ("empty file", "", None, "", "expected a map"),
    ("no version", "event_type: login\n", 1, "", "missing key `version`"),
    (
        "wrong version",
        "version: 2\nevent_type: login\n",
        1,
        "version",
        "version 2 is not supported",
    ),
    (
        "unknown top key",
        "version: 1\nevent_type: login\nmappings: {}\n",
        3,
        "mappings",
        "unknown key",
    ),
    (
        "unknown source key",
        "version: 1\nevent_type: login\nsource:\n  delimeter: ';'\n",
        4,
        "source.delimeter",
        "unknown key `delimeter`",
    ),
    (
        "unknown format",
        "version: 1\nevent_type: login\nsource: {format: xlsx}\n",
        3,
        "source.format",
        "'xlsx' is not allowed",
    ),
    (
        "wrong type",
        "version: 1\nevent_type: login\nsource:\n  delimiter: [a]\n",
        4,
        "source.delimiter",
        "expected text, got a list",
    ),
    (
        "long delimiter",
        "version: 1\nevent_type: login\nsource:\n  delimiter: ';;'\n",
        4,
        "source.delimiter",
        "exactly one character",
    ),
    (
        "unknown encoding",
        "version: 1\nevent_type: login\nsource:\n  encoding: big6\n",
        4,
        "source.encoding",
        "unknown encoding",
    ),
    (
        "unknown zone",
        "version: 1\ndefaults:\n  timezone: Asia/Shangai\nevent_type: login\n",
        3,
        "defaults.timezone",
        "unknown time zone 'Asia/Shangai'",
    ),
    (
        "bad default currency",
        "version: 1\ndefaults:\n  currency: yuan\nevent_type: login\n",
        3,
        "defaults.currency",
        "ISO 4217",
    ),
    (
        "unknown event type",
        "version: 1\nevent_type: logon\n",
        2,
        "event_type",
        "unknown event type 'logon'",
    ),
    (
        "unknown type in map",
        "version: 1\nevent_type:\n  column: k\n  map:\n    a: login\n    b: refund\n",
        6,
        "event_type.map.b",
        "unknown event type 'refund'",
    ),
    (
        "unknown events key",
        LOGIN_HEAD.replace("  login:", "  logins:"),
        5,
        "events.logins",
        "unknown event type",
    ),
    (
        "events type never chosen",
        LOGIN_HEAD + "  payment:\n    method: {const: wallet}\n",
        12,
        "events.payment",
        "never chooses",
    ),
    (
        "unknown field",
        LOGIN_HEAD + "    sucess: {column: r}\n",
        12,
        "events.login.sucess",
        "login has no field `sucess`",
    ),
    (
        "unknown field key",
        LOGIN_HEAD + "    success:\n      colum: r\n",
        13,
        "events.login.success.colum",
        "unknown key `colum`",
    ),
    (
        "column and const",
        LOGIN_HEAD + "    success: {column: r, const: true}\n",
        12,
        "events.login.success",
        "exactly one of column, const or from",
    ),
    (
        "neither column nor const",
        LOGIN_HEAD + "    success: {default: true}\n",
        12,
        "events.login.success",
        "exactly one of column, const or from",
    ),
    (
        "bare non-text field",
        LOGIN_HEAD + "    success: true\n",
        12,
        "events.login.success",
        "{const: True}",
    ),
    (
        "map value not for field",
        LOGIN_HEAD + "    success:\n      column: r\n      map:\n"
        "        ok: true\n        bad: maybe\n",
        16,
        "events.login.success.map.bad",
        "yes/no",
    ),
    (
        "enum map value",
        TRANSFER_MAPPING.replace("{const: app}", "{column: c, map: {x: appp}}"),
        11,
        "events.wallet_transfer.channel.map.x",
        "not one of: app, qr_code",
    ),
    (
        "enum const",
        TRANSFER_MAPPING.replace("{const: app}", "{const: wechat}"),
        11,
        "events.wallet_transfer.channel.const",
        "'wechat' is not one of",
    ),
    (
        "format on a text field",
        LOGIN_HEAD + "    success: {column: r, format: iso}\n",
        12,
        "events.login.success.format",
        "format applies to time fields",
    ),
    (
        "bad time format",
        LOGIN_HEAD.replace('format: "%Y/%m/%d %H:%M:%S"', "format: epoch_seconds")
        + "    success: {column: r}\n",
        7,
        "events.login.ts.format",
        "strptime pattern",
    ),
    (
        "bad strptime directive",
        LOGIN_HEAD.replace("%S", "%Q") + "    success: {column: r}\n",
        7,
        "events.login.ts.format",
        "bad directive",
    ),
    (
        "unknown field zone",
        LOGIN_HEAD.replace("format:", "timezone: Mars/Base, format:")
        + "    success: {column: r}\n",
        7,
        "events.login.ts.timezone",
        "unknown time zone",
    ),
    ("missing required field", LOGIN_HEAD, 5, "events.login", "login needs success"),
    (
        "money without unit",
        TRANSFER_MAPPING.replace(
            "    signed_amount: {column: amount, unit: major, account: user, counterparty: other}"
            "\n",
            "    amount: {column: amount}\n    from_account: user\n    to_account: other\n",
        ),
        9,
        "events.wallet_transfer.amount",
        "needs unit",
    ),
    (
        "bad unit",
        TRANSFER_MAPPING.replace("unit: major", "unit: yuan"),
        9,
        "events.wallet_transfer.signed_amount.unit",
        "'yuan' is not allowed",
    ),
    (
        "signed amount without account",
        TRANSFER_MAPPING.replace(" account: user,", ""),
        9,
        "events.wallet_transfer.signed_amount",
        "missing key `account`",
    ),
    (
        "signed amount and amount",
        TRANSFER_MAPPING + "    amount: {column: a, unit: minor}\n",
        15,
        "events.wallet_transfer.amount",
        "already filled by signed_amount",
    ),
    (
        "signed amount on login",
        LOGIN_HEAD + "    success: {column: r}\n"
        "    signed_amount: {column: a, unit: major, account: b, counterparty: c}\n",
        13,
        "events.login.signed_amount",
        "login has no amount",
    ),
    (
        "common field nobody has",
        LOGIN_MAPPING + "common:\n  amount: {column: a, unit: major}\n",
        14,
        "common.amount",
        "no chosen event type has this field",
    ),
    (
        "duplicate key",
        LOGIN_HEAD + "    ip: ip2\n    success: {column: r}\n",
        12,
        "events.login.ip",
        "duplicate key (first given on line 9)",
    ),
    (
        "type as a field",
        LOGIN_HEAD + "    success: {column: r}\n    type: {const: login}\n",
        13,
        "events.login.type",
        "set by event_type",
    ),
    (
        "const null for required",
        LOGIN_HEAD + "    success: {const: null}\n",
        12,
        "events.login.success.const",
        "cannot be empty",
    ),
    (
        "event block not a map",
        "version: 1\nevent_type: login\nevents:\n  login: [account]\n",
        4,
        "events.login",
        "expected a map of field: spec",
    ),
    (
        "empty column list",
        LOGIN_HEAD + "    success: {column: []}\n",
        12,
        "events.login.success.column",
        "column name",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "key", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_mapping_names_line_key_and_reason(
    text: str, line: int | None, key: str, words: str
) -> None:
    with pytest.raises(MappingError) as caught:
        mapping(text, "bad.yaml")
    error = caught.value
    assert (error.line, error.key) == (line, key), str(error)
    assert words in str(error)
    assert str(error).startswith(f"bad.yaml:{line}:" if line else "bad.yaml:")


def test_hint_suggests_the_close_name() -> None:
    with pytest.raises(MappingError) as caught:
        mapping(LOGIN_HEAD + "    sucess: {column: r}\n")
    assert caught.value.hint is not None
    assert "did you mean success?" in caught.value.hint


def test_a_missing_org_points_at_defaults() -> None:
    with pytest.raises(MappingError) as caught:
        mapping(LOGIN_MAPPING.replace(", org: shop-a", ""))
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("set defaults.org, or add events.login.org")


def test_a_common_signed_amount_needs_a_type_with_money() -> None:
    text = (
        LOGIN_MAPPING
        + "common:\n  signed_amount: {column: a, unit: major, account: b, counterparty: c}\n"
    )
    with pytest.raises(MappingError) as caught:
        mapping(text)
    assert (caught.value.line, caught.value.key) == (14, "common.signed_amount")


def test_unknown_key_hint_lists_the_accepted_keys() -> None:
    with pytest.raises(MappingError) as caught:
        mapping(LOGIN_HEAD + "    success:\n      colum: r\n")
    assert caught.value.hint == (
        "expected one of: column, const, from, default, map, format, timezone, unit, origin, "
        "strip, case"
    )


def test_good_mappings_load() -> None:
    assert set(mapping(LOGIN_MAPPING).plan.events) == {"login"}
    assert set(mapping(TRANSFER_MAPPING).plan.events) == {"wallet_transfer"}


def test_unreadable_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="cannot read the mapping"):
        load_mapping(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("version: 1 # caf\xe9\n".encode("latin-1"))
    with pytest.raises(MappingError, match="not UTF-8"):
        load_mapping(latin)


def test_mapping_file_with_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + LOGIN_MAPPING.encode())
    assert load_mapping(path).file == path
