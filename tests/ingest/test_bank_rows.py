"""Bank rows as docs/ingest.md describes them: credential changes, external sides, no places."""

from __future__ import annotations

from datetime import UTC, datetime

from fraudlink.model.events import CredentialChanged, Login, WalletTransfer
from tests.ingest.helpers import map_one

TEXT = """\
version: 1
defaults: {timezone: UTC, org: bank-x, currency: USD}
event_type:
  column: type
  map: {TRANSFER: wallet_transfer, PWD_RESET: credential_changed, NEW_PHONE: credential_changed,
        LOGIN: login}
common:
  ts: &step {column: step, unit: hour, origin: 2017-01-01}
  account: nameOrig
events:
  login:
    success: {const: true}
  credential_changed:
    kind: {column: type, map: {PWD_RESET: password, NEW_PHONE: phone}}
  wallet_transfer:
    transfer_id: id
    from_account: nameOrig
    to_account: nameDest
    to_org: {const: bank-x}
    amount: {column: amount, unit: major}
    channel: {const: bank_transfer}
    status: {const: completed}
    initiated_at: *step
    completed_at: *step
    external: {column: dest_kind, map: {MERCHANT: payee, CUSTOMER: null}}
"""
AT = datetime(2017, 1, 1, 5, tzinfo=UTC)


def test_a_credential_change_is_its_own_event() -> None:
    event = map_one(TEXT, {"type": "NEW_PHONE", "nameOrig": "C1", "step": "5"})
    assert event == CredentialChanged(
        event_id="in.csv:1", ts=AT, org="bank-x", account="C1", kind="phone"
    )


def test_a_login_without_places_has_none() -> None:
    event = map_one(TEXT, {"type": "LOGIN", "nameOrig": "C1", "step": "5"})
    assert isinstance(event, Login)
    assert (event.ip, event.device_id, event.city) == (None, None, None)


def test_external_is_mapped_where_the_file_says_and_null_elsewhere() -> None:
    row = {"type": "TRANSFER", "nameOrig": "C1", "step": "5", "amount": "3.00", "id": "t"}
    merchant = map_one(TEXT, {**row, "nameDest": "M1", "dest_kind": "MERCHANT"})
    customer = map_one(TEXT, {**row, "nameDest": "C2", "dest_kind": "CUSTOMER"})
    assert isinstance(merchant, WalletTransfer) and isinstance(customer, WalletTransfer)
    assert (merchant.external, customer.external) == ("payee", None)
    assert merchant.ts == merchant.initiated_at == merchant.completed_at == AT
