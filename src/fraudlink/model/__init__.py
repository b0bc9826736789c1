"""Canonical entities and events: the one vocabulary every part of fraudlink speaks."""

from fraudlink.model.entities import Account, Identifier, Organisation, Party
from fraudlink.model.events import (
    EVENT_TYPES,
    AccountRegistered,
    AnyEvent,
    CredentialChanged,
    Event,
    Login,
    OrderPlaced,
    ParcelScan,
    Payment,
    RefundDecided,
    RefundRequested,
    WalletTransfer,
)

__all__ = [
    "EVENT_TYPES",
    "Account",
    "AccountRegistered",
    "AnyEvent",
    "CredentialChanged",
    "Event",
    "Identifier",
    "Login",
    "OrderPlaced",
    "Organisation",
    "ParcelScan",
    "Party",
    "Payment",
    "RefundDecided",
    "RefundRequested",
    "WalletTransfer",
]
