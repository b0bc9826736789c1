"""What gang finding found: gangs, their members in roles, and the evidence for each.

A *member* is a person: the accounts that share a KYC identifier (national id, phone,
e-mail), across platforms. A person's label is their first account as ``org:account``;
the name is what that organisation's KYC record says, which a gang member may have
given differently elsewhere. A *device controller* is a member nobody holds an account
as: whoever works the devices the gang's accounts were used from. In a refund ring
that is the organiser, who never appears in the events under their own name.

Amounts are minor units of ``currency`` (see docs/data-model.md).
"""

from __future__ import annotations

import msgspec

ROLES = (
    "coordinator",
    "device_controller",
    "cash_out",
    "mule",
    "claimant",
    "card",
    "associate",
    "victim",
)


class GangAccount(msgspec.Struct, frozen=True, kw_only=True):
    org: str
    account: str
    kind: str | None = None  # user | merchant | wallet | bank_card, when KYC files are given
    city: str | None = None  # where it was registered (else where it was used most)


class GangMember(msgspec.Struct, frozen=True, kw_only=True):
    person: str
    role: str  # one of ROLES
    name: str | None = None
    layer: int | None = None  # mules: transfers from the victims' payments to them
    rank: int | None = None  # 1 = the gang's most likely leader (victims have none)
    accounts: list[GangAccount] = []
    devices: list[str] = []  # devices shared with other members
    received: int = 0  # from other members and victims
    sent: int = 0  # to other members
    cashed_out: int = 0  # to bank cards and other accounts outside the wallets
    evidence: list[str] = []


class Gang(msgspec.Struct, frozen=True, kw_only=True):
    gang_id: str
    members: list[GangMember]  # in rank order
    victims: list[GangMember]
    organisations: list[str]
    cities: list[str]
    devices: list[str]  # devices used by two or more members
    currency: str
    money_in: int  # paid in by victims
    cashed_out: int  # withdrawn to bank cards and other external accounts
    sent_elsewhere: int  # paid by members to accounts outside the gang
    held: int  # money in minus what left (floored at 0): what a freeze can still save
    claimed: int = 0  # refunds claimed as "not received" by members


class GangReport(msgspec.Struct, frozen=True, kw_only=True):
    gangs: list[Gang]
    stats: dict[str, int]  # how much was read, seeded and graphed
