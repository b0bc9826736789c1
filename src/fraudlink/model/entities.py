"""Organisations, parties, accounts and the identifiers that tie them together.

A *party* is a person or business as one organisation knows it (its KYC record).
The same human usually appears as several parties, one per platform, with small
differences in name, phone or address; linking them is entity resolution's job,
so the model never pretends they are one.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

from fraudlink.model.types import AwareDatetime, CityName, Id, Text

OrgKind = Literal["ecommerce", "wallet", "bank", "police"]
AccountKind = Literal["user", "merchant", "wallet", "bank_card"]
IdentifierKind = Literal["phone", "device_id", "national_id_hash", "address", "email", "bank_card"]


class Organisation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A platform, wallet provider, bank or police unit running (or known to) a node."""

    org_id: Id
    name: Text
    kind: OrgKind
    city: CityName
    province: Text


class Identifier(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A hard identifier. National ids are only ever carried hashed."""

    kind: IdentifierKind
    value: Text


class Party(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A person or business as known to one organisation."""

    party_id: Id
    org: Id
    name: Text
    birth_date: date | None = None
    city: CityName | None = None
    identifiers: tuple[Identifier, ...] = ()


class Account(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An account held by a party: platform user, merchant, wallet or bank card."""

    account_id: Id
    org: Id
    party_id: Id
    kind: AccountKind
    opened_at: AwareDatetime
    city: CityName
