"""Canonical events: what every platform's data becomes after ingest.

Each event type is declared once here, and the declaration drives decoding
(msgspec), the JSON Schema, the columnar Parquet layout (:mod:`.columns`) and the
data-model docs. Events are tagged by ``type``.

The ``ts`` of an event is its *event time*: when it happened in the world, the
clock the detection windows run on. For a transfer it is the moment the transfer
reached its reported status (completion, or initiation if it never completed),
because that is when the money actually moved or failed to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from fraudlink.model.types import AwareDatetime, CityName, Currency, Id, IpAddress, MinorUnits

ScanStatus = Literal["shipped", "in_transit", "delivered", "signed"]
RefundReason = Literal[
    "not_received", "damaged", "not_as_described", "wrong_item", "changed_mind", "other"
]
RefundDecision = Literal["approved", "rejected"]
TransferChannel = Literal[
    "app",
    "qr_code",
    "bank_card",
    "withdrawal",
    "red_packet",
    "merchant",
    "bank_transfer",
    "card_payment",
    "cash",
]
TransferStatus = Literal["pending", "completed", "failed", "reversed"]
PaymentMethod = Literal["wallet", "bank_card", "credit", "balance"]
CredentialKind = Literal["password", "phone", "email", "device", "2fa"]
ExternalSide = Literal["payer", "payee"]


class Event(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=True
):
    """Fields every event has."""

    event_id: Id
    ts: AwareDatetime
    org: Id

    def __post_init__(self) -> None:
        _whole_minute_offset("ts", self.ts)


class AccountRegistered(Event, frozen=True, tag="account_registered"):
    """An account was opened on a platform or wallet.

    ``city``, ``ip`` and ``device_id`` are ``None`` when the source does not know
    them: a bank ledger records that an account was opened, not from where.
    """

    account: Id
    city: CityName | None = None
    ip: IpAddress | None = None
    device_id: Id | None = None


class Login(Event, frozen=True, tag="login"):
    """A login attempt, successful or not; where from is ``None`` when the source omits it."""

    account: Id
    success: bool
    ip: IpAddress | None = None
    city: CityName | None = None
    device_id: Id | None = None


class CredentialChanged(Event, frozen=True, tag="credential_changed"):
    """A way to prove who the account holder is was changed: password, phone, email, …

    Takeovers start here: a new phone number or device, then money leaves in a
    way the account never moved it before. ``ip`` and ``device_id`` say where the
    change came from, when the source records it.
    """

    account: Id
    kind: CredentialKind
    ip: IpAddress | None = None
    device_id: Id | None = None


class OrderPlaced(Event, frozen=True, tag="order_placed"):
    """A buyer placed an order with a merchant."""

    account: Id
    order_id: Id
    merchant: Id
    amount: MinorUnits
    currency: Currency
    item_category: str
    ship_city: CityName


class Payment(Event, frozen=True, tag="payment"):
    """The buyer paid for an order."""

    account: Id
    order_id: Id
    amount: MinorUnits
    currency: Currency
    method: PaymentMethod
    instrument: Id | None = None


class ParcelScan(Event, frozen=True, tag="parcel_scan"):
    """A logistics scan of the parcel of an order."""

    account: Id
    order_id: Id
    scan_status: ScanStatus
    city: CityName
    carrier: str | None = None


class RefundRequested(Event, frozen=True, tag="refund_requested"):
    """A buyer asked for money back on an order."""

    account: Id
    order_id: Id
    refund_id: Id
    amount: MinorUnits
    currency: Currency
    reason: RefundReason
    text: str = ""


class RefundDecided(Event, frozen=True, tag="refund_decided"):
    """The platform approved or rejected a refund request."""

    account: Id
    order_id: Id
    refund_id: Id
    decision: RefundDecision
    amount: MinorUnits
    currency: Currency


class WalletTransfer(Event, frozen=True, tag="wallet_transfer"):
    """Money moved from one account to another (or out to a bank card).

    ``from_account`` is the payer and ``to_account`` the payee; ``to_org`` is the
    institution holding the payee account when it differs from ``org``.
    ``external`` names the side that is outside the customer base (a merchant on
    a card statement, an employer paying salary): its id names a counterparty,
    not an account anyone can be alerted on or asked to freeze.
    """

    transfer_id: Id
    from_account: Id
    to_account: Id
    to_org: Id
    amount: MinorUnits
    currency: Currency
    channel: TransferChannel
    status: TransferStatus
    initiated_at: AwareDatetime
    completed_at: AwareDatetime | None = None
    memo: str = ""
    external: ExternalSide | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _whole_minute_offset("initiated_at", self.initiated_at)
        if self.ts < self.initiated_at:
            raise ValueError("ts is before initiated_at")
        if self.completed_at is None:
            if self.status in ("completed", "reversed"):
                raise ValueError(f"a {self.status} transfer needs completed_at")
            return
        _whole_minute_offset("completed_at", self.completed_at)
        if self.status in ("pending", "failed"):
            raise ValueError(f"a {self.status} transfer cannot have completed_at")
        if self.completed_at < self.initiated_at:
            raise ValueError("completed_at is before initiated_at")
        if self.ts != self.completed_at:
            raise ValueError("ts of a completed transfer must equal completed_at")


def _whole_minute_offset(name: str, value: datetime) -> None:
    """Refuse offsets with seconds: RFC 3339 cannot carry them, so JSON would move the instant."""
    offset = value.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        raise ValueError(f"{name} has a UTC offset with seconds ({offset}); convert it to UTC")


AnyEvent = (
    AccountRegistered
    | Login
    | OrderPlaced
    | Payment
    | ParcelScan
    | RefundRequested
    | RefundDecided
    | WalletTransfer
    | CredentialChanged
)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__struct_config__.tag: cls  # type: ignore[misc]
    for cls in (
        AccountRegistered,
        Login,
        OrderPlaced,
        Payment,
        ParcelScan,
        RefundRequested,
        RefundDecided,
        WalletTransfer,
        CredentialChanged,
    )
}


def subject_account(event: AnyEvent) -> str:
    """The account an event is about: ``account``; of a transfer, the payer if a customer.

    When the payer is external (salary from an employer on a statement) the
    transfer is about the payee, the customer it was paid to.
    """
    if isinstance(event, WalletTransfer):
        return event.to_account if event.external == "payer" else event.from_account
    return event.account
