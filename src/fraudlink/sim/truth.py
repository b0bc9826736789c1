"""Ground truth of a simulated world: who is in which gang, in what role, who lost what."""

from __future__ import annotations

import msgspec

# Platforms profile: refund_fraud | impersonation_scam | account_takeover | scam_victim;
# bank profile: the ledger typologies (fan_in, cycle, layering, …, see docs/simulator.md);
# both: benign_lookalike.
Typology = str


class AccountLabel(msgspec.Struct, kw_only=True):
    person_id: str
    typology: Typology
    role: str
    gang_id: str | None = None
    layer: int | None = None


class Member(msgspec.Struct, kw_only=True):
    person_id: str
    role: str
    accounts: list[str]
    layer: int | None = None
    devices: list[str] = []


class Gang(msgspec.Struct, kw_only=True):
    gang_id: str
    typology: Typology
    members: list[Member]
    cities: list[str]


class VictimPayment(msgspec.Struct, kw_only=True):
    transfer_id: str
    from_account: str
    to_account: str
    amount: int
    ts: str
    # Where this payment's money ended: account (or bank card) → minor units.
    destinations: dict[str, int]


class Victim(msgspec.Struct, kw_only=True):
    person_id: str
    gang_id: str
    city: str
    province: str
    caller_phone: str
    payments: list[VictimPayment]
    loss: int


class Takeover(msgspec.Struct, kw_only=True):
    account_id: str
    person_id: str
    home_city: str
    attacker_cities: list[str]
    attacker_device: str
    started: str
    stolen: int


class Lookalike(msgspec.Struct, kw_only=True):
    kind: str
    person_ids: list[str]
    accounts: list[str]
    note: str


class Planted(msgspec.Struct, kw_only=True):
    """One planted instance of a ledger typology (bank profile): its time scale,
    the delays between its hops and the amounts it moved, so tests and readers can
    see how varied the instances are."""

    instance_id: str
    typology: str
    timescale: str
    accounts: list[str]
    hop_delays_s: list[int] = []
    amounts: list[int] = []


class Truth(msgspec.Struct, kw_only=True):
    seed: int
    scale: str
    start: str
    end: str
    gangs: list[Gang] = []
    accounts: dict[str, AccountLabel] = {}
    victims: list[Victim] = []
    takeovers: list[Takeover] = []
    lookalikes: list[Lookalike] = []
    planted: list[Planted] = []
    currency: str | None = None
    # Every person and the accounts they hold anywhere: entity resolution's answer key.
    identities: dict[str, list[str]] = {}
