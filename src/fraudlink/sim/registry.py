"""People, their accounts and the KYC record each organisation keeps of them.

Columns live in plain lists (ids in arrays) so the background generator can take
from them with numpy; planted typologies add their people through the same API.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from fraudlink.model.geo import CITIES
from fraudlink.model.identifiers import hash_national_id
from fraudlink.sim import names
from fraudlink.sim.orgs import PREFIX


def home_ip(city: int, rng: random.Random) -> str:
    """Broadband addresses: one /16 per city, so an IP maps back to its city."""
    return f"{58 + city}.20.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def mobile_ip(city: int, rng: random.Random) -> str:
    """Carrier-grade NAT addresses of a city's mobile network."""
    return f"{58 + city}.21.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def ip_city_blocks() -> list[tuple[str, str]]:
    """CIDR → city name for every simulated address block."""
    blocks = []
    for i, city in enumerate(CITIES):
        blocks.append((f"{58 + i}.20.0.0/16", city.name))
        blocks.append((f"{58 + i}.21.0.0/16", city.name))
    return blocks


@dataclass
class Person:
    name: str
    birth: str  # YYYYMMDD
    city: int
    phone: str
    id_hash: str
    email: str
    address: str


@dataclass
class Registry:
    rng: random.Random
    # persons
    person_ids: list[str] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    person_city: list[int] = field(default_factory=list)
    home_ips: list[str] = field(default_factory=list)
    mobile_ips: list[str] = field(default_factory=list)
    devices: list[tuple[str, str]] = field(default_factory=list)
    # accounts (one row per account; the party is the organisation's KYC record of it)
    account_ids: list[str] = field(default_factory=list)
    account_org: list[str] = field(default_factory=list)
    account_person: list[int] = field(default_factory=list)
    account_kind: list[str] = field(default_factory=list)
    account_city: list[int] = field(default_factory=list)
    account_opened_us: list[int] = field(default_factory=list)
    party_name: list[str] = field(default_factory=list)
    party_phone: list[str | None] = field(default_factory=list)
    party_email: list[str | None] = field(default_factory=list)
    party_id_hash: list[str | None] = field(default_factory=list)
    party_birth: list[str | None] = field(default_factory=list)
    party_address: list[str | None] = field(default_factory=list)
    _next_account: dict[str, int] = field(default_factory=dict)

    def add_person(self, city: int) -> int:
        rng = self.rng
        surname, sur_py = rng.choice(names.SURNAMES)
        given = [rng.choice(names.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2)))]
        name = surname + "".join(g[0] for g in given)
        pinyin = "".join(g[1] for g in given) + "." + sur_py
        year = rng.randrange(1958, 2005)
        birth = f"{year}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        index = len(self.persons)
        id_number = names.national_id(names.REGION_CODES[city], birth, index)
        email = f"{pinyin}{rng.randrange(100, 9999)}@{rng.choice(names.EMAIL_DOMAINS)}"
        person = Person(
            name=name,
            birth=birth,
            city=city,
            phone=names.phone_number(rng),
            id_hash=hash_national_id(id_number),
            email=email,
            address=names.address(CITIES[city].name_zh, rng),
        )
        self.person_ids.append(f"P{index + 1:07d}")
        self.persons.append(person)
        self.person_city.append(city)
        self.home_ips.append(home_ip(city, rng))
        self.mobile_ips.append(mobile_ip(city, rng))
        self.devices.append((self.new_device(), self.new_device()))
        return index

    def new_device(self) -> str:
        return f"dv-{self.rng.getrandbits(48):012x}"

    def add_account(
        self,
        person: int,
        org: str,
        kind: str,
        opened_us: int,
        *,
        name: str | None = None,
        phone: str | None = None,
        address: str | None = None,
        birth: str | None = None,
        city: int | None = None,
    ) -> int:
        """Open an account; KYC fields default to the person's true details.

        E-commerce sites do not check ids and rarely know a birth date; wallets and
        banks are real-name and do. Overrides model the variants people give.
        """
        p = self.persons[person]
        prefix = PREFIX[org]
        n = self._next_account.get(prefix, 0) + 1
        self._next_account[prefix] = n
        if kind == "bank_card":
            account_id = f"6222{n:012d}"
        else:
            account_id = f"{prefix}-{'m' if kind == 'merchant' else 'u'}{n:08d}"
        real_name = org in ("qb-pay", "lt-pay", "hs-bank")
        self.account_ids.append(account_id)
        self.account_org.append(org)
        self.account_person.append(person)
        self.account_kind.append(kind)
        self.account_city.append(p.city if city is None else city)
        self.account_opened_us.append(opened_us)
        self.party_name.append(name or p.name)
        self.party_phone.append(phone or p.phone)
        self.party_email.append(None if real_name else p.email)
        self.party_id_hash.append(p.id_hash if real_name else None)
        self.party_birth.append((birth or p.birth) if real_name else None)
        self.party_address.append(None if kind == "bank_card" else (address or p.address))
        return len(self.account_ids) - 1

    def city_weights(self) -> np.ndarray:
        w = np.array([c.weight for c in CITIES], dtype=float)
        shares: np.ndarray = w / w.sum()
        return shares
