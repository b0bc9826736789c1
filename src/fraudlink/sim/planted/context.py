"""What every planted typology works with, and small builders for event rows."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from fraudlink.model.geo import CITIES, distance_km
from fraudlink.sim.ids import IdSource
from fraudlink.sim.population import Population
from fraudlink.sim.registry import Registry, mobile_ip
from fraudlink.sim.scales import US
from fraudlink.sim.truth import Truth

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def iso(ts_us: int) -> str:
    """Truth speaks China Standard Time, as the people in the world do."""
    return datetime.fromtimestamp(ts_us / US, tz=CHINA_TZ).isoformat()


@dataclass
class Context:
    reg: Registry
    pop: Population
    ids: IdSource
    rng: random.Random
    start_us: int
    end_us: int
    truth: Truth
    rows: list[dict[str, Any]] = field(default_factory=list)
    used_people: set[int] = field(default_factory=set)
    # People whose logins a story writes itself, so ordinary life must not add any.
    scripted_logins: set[int] = field(default_factory=set)

    # -- people ---------------------------------------------------------------
    def ordinary_person(self, need_wallet: bool = False, city: int | None = None) -> int:
        """An ordinary person not yet given a part in any planted story."""
        wallets = self.pop.primary_wallet()
        for _ in range(100_000):
            p = self.rng.randrange(self.pop.size)
            if p in self.used_people or (need_wallet and wallets[p] < 0):
                continue
            if city is not None and self.reg.person_city[p] != city:
                continue
            self.used_people.add(p)
            return p
        raise RuntimeError("the world is too small for the planted stories; use a larger scale")

    def city_name(self, city: int) -> str:
        return CITIES[city].name

    def far_city(self, city: int, min_km: float = 800.0) -> int:
        options = [
            i
            for i in range(len(CITIES))
            if distance_km(CITIES[i].name, CITIES[city].name) >= min_km
        ]
        return self.rng.choice(options)

    def day_time(self, day: float, hour_lo: int = 9, hour_hi: int = 22) -> int:
        """A local daytime instant on world day ``day``."""
        seconds = self.rng.randrange(hour_lo * 3600, hour_hi * 3600)
        return self.start_us + int(day) * 86_400 * US + seconds * US

    def proxy_ip(self) -> tuple[str, str]:
        """An address in a random city, as a proxy or VPN exit would give."""
        city = self.rng.randrange(len(CITIES))
        return mobile_ip(city, self.rng), CITIES[city].name

    # -- rows -----------------------------------------------------------------
    def emit(self, event_type: str, ts: int, **fields: Any) -> None:
        if ts >= self.end_us:
            return
        self.rows.append({"type": event_type, "ts": ts, "event_id": "", **fields})

    def acc(self, index: int) -> str:
        return self.reg.account_ids[index]

    def org(self, index: int) -> str:
        return self.reg.account_org[index]

    def register(self, account: int, ip: str, device: str) -> None:
        self.emit(
            "account_registered",
            self.reg.account_opened_us[account],
            org=self.org(account),
            account=self.acc(account),
            city=CITIES[self.reg.account_city[account]].name,
            ip=ip,
            device_id=device,
        )

    def login(
        self, account: int, ts: int, ip: str, city: str, device: str, success: bool = True
    ) -> None:
        self.emit(
            "login",
            ts,
            org=self.org(account),
            account=self.acc(account),
            ip=ip,
            city=city,
            device_id=device,
            success=success,
        )

    def transfer(
        self,
        src: int,
        dst: int,
        amount: int,
        initiated: int,
        *,
        channel: str = "app",
        delay_s: int = 5,
        memo: str = "",
    ) -> str | None:
        """A completed transfer; returns its id, or None if it falls after the world's end."""
        completed = initiated + delay_s * US
        if completed >= self.end_us:
            return None
        tid = self.ids.one("t")
        self.emit(
            "wallet_transfer",
            completed,
            org=self.org(src),
            transfer_id=tid,
            from_account=self.acc(src),
            to_account=self.acc(dst),
            to_org=self.org(dst),
            amount=int(amount),
            currency="CNY",
            channel=channel,
            status="completed",
            initiated_at=initiated,
            completed_at=completed,
            memo=memo,
        )
        return tid

    def order_with_parcel(
        self,
        account: int,
        placed: int,
        amount: int,
        merchant: int,
        ship_city: int,
        category: str,
        *,
        signed: bool = True,
    ) -> tuple[str, int]:
        """Order, payment and scans (fast courier); returns the order id and the signed time."""
        rng = self.rng
        oid = self.ids.one("o")
        org, acc = self.org(account), self.acc(account)
        city = CITIES[ship_city].name
        self.emit(
            "order_placed",
            placed,
            org=org,
            account=acc,
            order_id=oid,
            merchant=self.acc(merchant),
            amount=amount,
            currency="CNY",
            item_category=category,
            ship_city=city,
        )
        paid = placed + rng.randrange(30, 400) * US
        self.emit(
            "payment",
            paid,
            org=org,
            account=acc,
            order_id=oid,
            amount=amount,
            currency="CNY",
            method="credit",
        )
        t = paid
        merchant_city = CITIES[self.reg.account_city[merchant]].name
        steps = [
            ("shipped", merchant_city, 2, 10),
            ("in_transit", CITIES[rng.randrange(len(CITIES))].name, 8, 20),
            ("delivered", city, 8, 20),
        ]
        if signed:
            steps.append(("signed", city, 0, 3))
        for status, where, lo, hi in steps:
            t += rng.randrange(max(lo, 0) * 3600 + 600, hi * 3600 + 1200) * US
            self.emit(
                "parcel_scan",
                t,
                org=org,
                account=acc,
                order_id=oid,
                scan_status=status,
                city=where,
                carrier=rng.choice(("SF", "JD", "ZTO")),
            )
        return oid, t

    def merchant(self, org: str) -> int:
        k = 0 if org == "hx-mall" else 1
        pool = self.pop.shop_merchants[k]
        return int(pool[self.rng.randrange(len(pool))])

    def np_rng(self) -> np.random.Generator:
        return np.random.default_rng(self.rng.getrandbits(64))
