"""Customer statements: a signed amount and a counterparty by name, one file per customer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fraudlink.ingest import MappingError
from fraudlink.ingest.rows import Rejection
from fraudlink.ingest.statement import external_id
from fraudlink.model.events import WalletTransfer
from tests.ingest.helpers import map_one, mapping, run, write_csv

STATEMENT = """\
version: 1
defaults: {timezone: Europe/London, currency: GBP, org: bank-a}
event_type: wallet_transfer
events:
  wallet_transfer:
    ts: {column: Date, format: "%d/%m/%Y %H:%M"}
    statement: {column: Amount, unit: major, account: {from: file_stem}, counterparty: Payee}
    channel: {column: Type, map: {CARD: card_payment, BACS: bank_transfer, ATM: cash}}
"""


def posting(amount: str, payee: str = "Acme Payroll", kind: str = "BACS") -> dict[str, str]:
    return {"Date": "03/10/2026 09:30", "Amount": amount, "Payee": payee, "Type": kind}


def transfer(row: dict[str, str], text: str = STATEMENT) -> WalletTransfer:
    event = map_one(text, row, source="statements/c-17.csv", n=4)
    assert isinstance(event, WalletTransfer), event
    return event


def test_money_in_comes_from_the_named_party() -> None:
    event = transfer(posting("2,500.00"))
    at = datetime(2026, 10, 3, 8, 30, tzinfo=UTC)
    assert (event.from_account, event.to_account, event.external) == (
        "ext:acme-payroll",
        "c-17",
        "payer",
    )
    assert (event.amount, event.currency, event.channel) == (250000, "GBP", "bank_transfer")
    assert (event.event_id, event.transfer_id) == ("c-17.csv:4", "c-17.csv:4")
    assert (event.status, event.initiated_at, event.completed_at, event.ts) == (
        "completed",
        at,
        at,
        at,
    )
    assert (event.org, event.to_org, event.memo) == ("bank-a", "bank-a", "Acme Payroll")


def test_money_out_goes_to_the_named_party() -> None:
    event = transfer(posting("-4.35", "STARBUCKS #1234 LONDON", "CARD"))
    assert (event.from_account, event.to_account, event.external) == (
        "c-17",
        "ext:starbucks-1234-london",
        "payee",
    )
    assert (event.amount, event.channel, event.memo) == (
        435,
        "card_payment",
        "STARBUCKS #1234 LONDON",
    )


def test_the_same_name_written_differently_is_one_counterparty() -> None:
    ids = {transfer(posting("-1", name)).to_account for name in ("Tesco", "TESCO ", "tesco.")}
    assert ids == {"ext:tesco"}


def test_mapped_fields_win_over_what_a_posting_implies() -> None:
    text = STATEMENT + "    status: {column: State, map: {P: pending, D: completed}}\n"
    text += "    transfer_id: Ref\n    memo: {const: ''}\n"
    event = transfer({**posting("-9.99"), "State": "P", "Ref": "TX-1"}, text)
    assert (event.status, event.completed_at, event.transfer_id, event.memo) == (
        "pending",
        None,
        "TX-1",
        "",
    )


@pytest.mark.parametrize(
    ("row", "reason", "field", "column"),
    [
        (posting("0.00"), "bad_amount", "amount", "Amount"),
        (posting("-1.234"), "bad_amount", "amount", "Amount"),
        (posting("-5", payee=""), "missing_field", "to_account", "Payee"),
        (posting("5", payee="  "), "missing_field", "from_account", "Payee"),
        (posting("5", kind="CHQ"), "not_in_map", "channel", "Type"),
    ],
)
def test_bad_postings_are_quarantined_naming_field_and_column(
    row: dict[str, str], reason: str, field: str, column: str
) -> None:
    r = map_one(STATEMENT, row, source="c-17.csv")
    assert isinstance(r, Rejection)
    assert (r.reason, r.field, r.column) == (reason, field, column)


@pytest.mark.parametrize(
    ("extra", "line", "key", "message"),
    [
        ("    amount: {column: A, unit: major}\n", 9, "events.wallet_transfer.amount",
         "amount is already filled by statement"),
        ("    external: {const: payee}\n", 9, "events.wallet_transfer.external",
         "external is already filled by statement"),
        ("    signed_amount: {column: A, unit: major, account: X, counterparty: Y}\n", 9,
         "events.wallet_transfer.signed_amount", "give one of statement or signed_amount"),
        ("    to_account: {from: stem}\n", 9, "events.wallet_transfer.to_account.from",
         "'stem' is not allowed"),
        ("    initiated_at: {from: file_stem}\n", 9, "events.wallet_transfer.initiated_at.from",
         "from applies to text fields"),
    ],
)  # fmt: skip
def test_conflicting_statement_mappings_name_line_and_key(
    extra: str, line: int, key: str, message: str
) -> None:
    with pytest.raises(MappingError) as caught:
        mapping(STATEMENT + extra)
    assert (caught.value.line, caught.value.key) == (line, key), caught.value
    assert message in caught.value.message


def test_statements_of_many_customers_keep_every_row(tmp_path: Path) -> None:
    folder = tmp_path / "statements"
    folder.mkdir()
    a = write_csv(folder / "c-1.csv", [posting("-10"), posting("20", "Acme Payroll")])
    b = write_csv(folder / "c-2.csv", [posting("-10", "Tesco"), posting("0")])
    summary, events, quarantine = run(tmp_path, STATEMENT, [a, b])
    assert (summary.read, summary.accepted, summary.quarantined) == (4, 3, 1)
    customers = sorted(
        e.to_account if e.external == "payer" else e.from_account
        for e in events
        if isinstance(e, WalletTransfer)
    )
    assert customers == ["c-1", "c-1", "c-2"]
    assert [(q.source, q.row, q.reason) for q in quarantine] == [(str(b), 2, "bad_amount")]


def test_a_folder_per_customer_names_the_account(tmp_path: Path) -> None:
    folder = tmp_path / "c-9"
    folder.mkdir()
    text = STATEMENT.replace("{from: file_stem}", "{from: folder}")
    _, events, _ = run(tmp_path, text, [write_csv(folder / "2026-10.csv", [posting("-1")])])
    assert [e.from_account for e in events if isinstance(e, WalletTransfer)] == ["c-9"]


_NAMES = st.text(min_size=1, max_size=300)


@given(name=_NAMES)
def test_external_ids_are_valid_stable_ids(name: str) -> None:
    ident = external_id(name)
    assert ident == external_id(name)
    assert 5 <= len(ident) <= 128 and ident.startswith("ext:")
    assert not re.search(r"\s", ident)
    assert external_id(f"  {name}\t") == ident


@given(name=st.from_regex(r"[A-Za-z0-9 .,&'#-]{1,60}", fullmatch=True))
def test_ascii_names_ignore_case_spacing_and_punctuation(name: str) -> None:
    ident = external_id(name)
    assert external_id(name.upper()) == external_id(name.lower()) == ident
    words = re.findall(r"[a-z0-9]+", name.lower())
    if words:
        assert ident == "ext:" + "-".join(words)


@given(
    minor=st.integers(-(10**12), 10**12).filter(bool),
    name=st.text(st.characters(categories=("L", "N", "Zs", "P")), min_size=1, max_size=40).filter(
        lambda n: n.strip()
    ),
)
def test_a_posting_is_one_transfer_with_the_customer_on_the_side_the_sign_says(
    minor: int, name: str
) -> None:
    text = STATEMENT.replace("unit: major", "unit: minor")
    event = transfer(posting(str(minor), name), text)
    assert event.amount == abs(minor)
    customer, other = (
        (event.from_account, event.to_account)
        if minor < 0
        else (event.to_account, event.from_account)
    )
    assert customer == "c-17"
    assert other == external_id(name.strip())
    assert event.external == ("payee" if minor < 0 else "payer")
    assert event.memo == name.strip()
