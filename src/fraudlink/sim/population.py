"""The ordinary population: people, their accounts, merchants and social ties."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fraudlink.model.geo import CITIES
from fraudlink.sim import names
from fraudlink.sim.registry import Registry
from fraudlink.sim.scales import DAY_US

SHOP_ORGS = ("hx-mall", "jy-shop")
WALLET_ORGS = ("qb-pay", "lt-pay")
CONTACTS = 6


@dataclass
class Population:
    """Index arrays over the registry for the people who live ordinary lives."""

    size: int
    shop: np.ndarray  # (size, 2) account index per e-commerce org, -1 if none
    wallet: np.ndarray  # (size, 2) account index per wallet org, -1 if none
    card: np.ndarray  # (size,) bank card account index
    contacts: np.ndarray  # (size, CONTACTS) person indices
    shop_merchants: list[np.ndarray]  # per e-commerce org: merchant account indices
    shop_merchant_p: list[np.ndarray]  # popularity of each merchant
    wallet_merchants: np.ndarray  # merchant accounts on wallets (QR payments)
    wallet_merchant_p: np.ndarray

    def primary_wallet(self) -> np.ndarray:
        first = self.wallet[:, 0]
        return np.where(first >= 0, first, self.wallet[:, 1])


def build_population(
    reg: Registry,
    people: int,
    start_us: int,
    rng: np.random.Generator,
    tick: Callable[[int], None] = lambda _n: None,
) -> Population:
    weights = reg.city_weights()
    cities = rng.choice(len(CITIES), size=people, p=weights)
    shop = np.full((people, 2), -1, dtype=np.int64)
    wallet = np.full((people, 2), -1, dtype=np.int64)
    card = np.full(people, -1, dtype=np.int64)
    has_shop = rng.random((people, 2)) < np.array([0.75, 0.5])
    has_shop[~has_shop.any(axis=1), 0] = True
    has_wallet = rng.random((people, 2)) < np.array([0.8, 0.45])
    has_wallet[~has_wallet.any(axis=1), 0] = True
    age_days = rng.integers(30, 2500, size=(people, 5))
    variant = rng.random((people, 2))
    pyrng = reg.rng
    for p in range(people):
        person = reg.add_person(int(cities[p]))
        for k, org in enumerate(SHOP_ORGS):
            if has_shop[p, k]:
                # A second platform often gets a work phone or a differently written address.
                phone = names.phone_number(pyrng) if k == 1 and variant[p, 0] < 0.12 else None
                addr = None
                if k == 1 and variant[p, 1] < 0.3:
                    addr = names.address_variant(reg.persons[person].address, pyrng)
                opened = start_us - int(age_days[p, k]) * DAY_US
                shop[p, k] = reg.add_account(person, org, "user", opened, phone=phone, address=addr)
        for k, org in enumerate(WALLET_ORGS):
            if has_wallet[p, k]:
                opened = start_us - int(age_days[p, 2 + k]) * DAY_US
                wallet[p, k] = reg.add_account(person, org, "wallet", opened)
        card[p] = reg.add_account(
            person, "hs-bank", "bank_card", start_us - int(age_days[p, 4]) * DAY_US
        )
        if p % 4096 == 4095:
            tick(4096)
    tick(people % 4096)
    contacts = _contacts(cities, rng)
    shop_merchants, shop_p = [], []
    for org in SHOP_ORGS:
        m = _merchants(reg, org, max(5, people // 120), start_us, rng)
        shop_merchants.append(m)
        shop_p.append(_zipf_weights(len(m)))
    wm = np.concatenate(
        [_merchants(reg, org, max(3, people // 200), start_us, rng) for org in WALLET_ORGS]
    )
    return Population(
        size=people,
        shop=shop,
        wallet=wallet,
        card=card,
        contacts=contacts,
        shop_merchants=shop_merchants,
        shop_merchant_p=shop_p,
        wallet_merchants=wm,
        wallet_merchant_p=_zipf_weights(len(wm)),
    )


def _contacts(cities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mostly people of the same city, some elsewhere; never oneself."""
    n = len(cities)
    out = rng.integers(0, n, size=(n, CONTACTS))
    local = rng.random((n, CONTACTS)) < 0.7
    for c in range(len(CITIES)):
        members = np.flatnonzero(cities == c)
        if len(members) < 2:
            continue
        rows = np.flatnonzero(cities == c)
        picks = members[rng.integers(0, len(members), size=(len(rows), CONTACTS))]
        out[rows] = np.where(local[rows], picks, out[rows])
    self_loop = out == np.arange(n)[:, None]
    out[self_loop] = (out[self_loop] + 1) % n
    return out


def _merchants(
    reg: Registry, org: str, count: int, start_us: int, rng: np.random.Generator
) -> np.ndarray:
    weights = reg.city_weights()
    idx = []
    for _ in range(count):
        owner = reg.add_person(int(rng.choice(len(CITIES), p=weights)))
        opened = start_us - int(rng.integers(100, 3000)) * DAY_US
        idx.append(reg.add_account(owner, org, "merchant", opened))
    return np.array(idx, dtype=np.int64)


def _zipf_weights(n: int) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** 0.9
    return np.asarray(w / w.sum())
