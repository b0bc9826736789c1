"""Ordinary life, generated a day at a time with numpy: logins, shopping, parcels,
returns, transfers between friends, payments to merchants and withdrawals.

Everything here is vectorised over the whole population; a per-person Python
loop would not make the large world in the time the benchmark allows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fraudlink.model.geo import CITIES
from fraudlink.sim.ids import IdSource
from fraudlink.sim.population import Population
from fraudlink.sim.registry import Registry
from fraudlink.sim.scales import DAY_US, HOUR_US, MINUTE_US, US
from fraudlink.sim.sink import DaySink, frame

# Share of a day's activity in each local hour (quiet nights, lunch and evening peaks).
RHYTHM = np.array(
    [
        1.2,
        0.6,
        0.3,
        0.2,
        0.2,
        0.4,
        1.2,
        2.8,
        4.0,
        4.6,
        5.0,
        5.4,
        6.2,
        5.6,
        4.8,
        4.6,
        4.8,
        5.2,
        5.8,
        6.8,
        7.6,
        8.0,
        6.6,
        3.4,
    ]
)
RHYTHM = RHYTHM / RHYTHM.sum()
CATEGORIES = ("clothing", "food", "home", "beauty", "books", "toys", "sports", "electronics")
CARRIERS = ("SF", "ZTO", "YTO", "STO", "JD", "EMS")
REFUND_REASONS = ("damaged", "not_as_described", "wrong_item", "changed_mind")
ROUND_AMOUNTS = np.array([2000, 5000, 10000, 20000, 50000, 100000, 200000], dtype=np.int64)
TRANSFER_CHANNELS = ("app", "qr_code", "red_packet", "bank_card")


class Background:
    """Ordinary activity of every person in ``pop``, one day per call."""

    def __init__(
        self,
        reg: Registry,
        pop: Population,
        start_us: int,
        rng: np.random.Generator,
        id_source: IdSource,
    ) -> None:
        self.pop = pop
        self.start_us = start_us
        self.rng = rng
        n = pop.size
        self.account_id = pa.array(reg.account_ids)
        self.account_org = pa.array(reg.account_org)
        self.account_person = np.array(reg.account_person, dtype=np.int64)
        self.account_city = np.array(reg.account_city, dtype=np.int64)
        self.city_name = pa.array([c.name for c in CITIES])
        self.person_city = np.array(reg.person_city[:n], dtype=np.int64)
        self.ips = pa.array(reg.home_ips[:n] + reg.mobile_ips[:n])
        self.devices = pa.array([d[0] for d in reg.devices[:n]] + [d[1] for d in reg.devices[:n]])
        self.login_accounts = np.concatenate([pop.shop[pop.shop >= 0], pop.wallet[pop.wallet >= 0]])
        self.login_rate = np.concatenate(
            [np.full((pop.shop >= 0).sum(), 0.35), np.full((pop.wallet >= 0).sum(), 0.45)]
        )
        self.wallets = pop.primary_wallet()
        self.scripted = np.zeros(n, dtype=bool)
        self.ids = id_source

    # -- helpers ---------------------------------------------------------------
    def _times(self, day: int, n: int) -> np.ndarray:
        hours = self.rng.choice(24, size=n, p=RHYTHM)
        offset = hours * HOUR_US + self.rng.integers(0, HOUR_US, size=n)
        return self.start_us + day * DAY_US + offset

    def _cities(self, idx: np.ndarray) -> pa.Array:
        return self.city_name.take(pa.array(idx))

    def _acc(self, idx: np.ndarray) -> pa.Array:
        return self.account_id.take(pa.array(idx))

    def _org(self, idx: np.ndarray) -> pa.Array:
        return self.account_org.take(pa.array(idx))

    # -- one day ---------------------------------------------------------------
    def day(self, day: int, sink: DaySink) -> None:
        self._logins(day, sink)
        self._orders(day, sink)
        self._transfers(day, sink)

    def _logins(self, day: int, sink: DaySink) -> None:
        rng = self.rng
        counts = rng.poisson(self.login_rate)
        acc = np.repeat(self.login_accounts, counts)
        acc = acc[~self.scripted[self.account_person[acc]]]
        n = len(acc)
        person = self.account_person[acc]
        ts = self._times(day, n)
        mobile = rng.random(n) < 0.4
        second_device = rng.random(n) < 0.25
        sink.add(
            ts,
            frame(
                "login",
                ts,
                {
                    "org": self._org(acc),
                    "account": self._acc(acc),
                    "ip": self.ips.take(pa.array(person + self.pop.size * mobile)),
                    "city": self._cities(self.person_city[person]),
                    "device_id": self.devices.take(
                        pa.array(person + self.pop.size * second_device)
                    ),
                    "success": rng.random(n) < 0.97,
                },
            ),
        )

    def _orders(self, day: int, sink: DaySink) -> None:
        rng, pop = self.rng, self.pop
        for k in range(2):
            buyers = pop.shop[:, k]
            has = np.flatnonzero(buyers >= 0)
            acc = np.repeat(buyers[has], rng.poisson(0.08, size=len(has)))
            n = len(acc)
            if n == 0:
                continue
            person = self.account_person[acc]
            city = self.person_city[person]
            merchant = rng.choice(pop.shop_merchants[k], size=n, p=pop.shop_merchant_p[k])
            amount = np.clip(rng.lognormal(np.log(9000), 0.9, size=n), 100, 2_000_000).astype(
                np.int64
            )
            order_ids = self.ids.take("o", n)
            ts = self._times(day, n)
            org = self._org(acc)
            account = self._acc(acc)
            cat = pa.array(np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)])
            common = {"org": org, "account": account, "order_id": order_ids}
            sink.add(
                ts,
                frame(
                    "order_placed",
                    ts,
                    {
                        **common,
                        "merchant": self._acc(merchant),
                        "amount": amount,
                        "currency": "CNY",
                        "item_category": cat,
                        "ship_city": self._cities(city),
                    },
                ),
            )
            pay_ts = ts + rng.integers(20, 600, size=n) * US
            method = rng.choice(
                np.array(["wallet", "bank_card", "credit", "balance"]),
                size=n,
                p=[0.6, 0.25, 0.1, 0.05],
            )
            instrument = np.where(method == "bank_card", pop.card[person], self.wallets[person])
            inst = self._acc(instrument)
            inst = pc.if_else(
                pa.array(np.isin(method, ["wallet", "bank_card"])), inst, pa.nulls(n, pa.string())
            )
            sink.add(
                pay_ts,
                frame(
                    "payment",
                    pay_ts,
                    {
                        **common,
                        "amount": amount,
                        "currency": "CNY",
                        "method": pa.array(method),
                        "instrument": inst,
                    },
                ),
            )
            self._parcels(common, pay_ts, city, self.account_city[merchant], amount, sink)

    def _parcels(
        self,
        common: dict[str, pa.Array],
        paid: np.ndarray,
        city: np.ndarray,
        merchant_city: np.ndarray,
        amount: np.ndarray,
        sink: DaySink,
    ) -> None:
        rng = self.rng
        n = len(paid)
        carrier = pa.array(np.array(CARRIERS)[rng.integers(0, len(CARRIERS), n)])
        shipped = paid + rng.integers(4 * HOUR_US, 30 * HOUR_US, size=n)
        transit = shipped + rng.integers(10 * HOUR_US, 30 * HOUR_US, size=n)
        delivered = transit + rng.integers(8 * HOUR_US, 36 * HOUR_US, size=n)
        signed = delivered + rng.integers(5 * MINUTE_US, 6 * HOUR_US, size=n)
        hub = rng.integers(0, len(CITIES), size=n)
        lost = rng.random(n) < 0.006
        for status, ts, where, mask in (
            ("shipped", shipped, merchant_city, None),
            ("in_transit", transit, hub, None),
            ("delivered", delivered, city, ~lost),
            ("signed", signed, city, ~lost),
        ):
            cols = {
                **common,
                "scan_status": status,
                "city": self._cities(where),
                "carrier": carrier,
            }
            table = frame("parcel_scan", ts, cols)
            if mask is not None:
                table, ts = table.filter(pa.array(mask)), ts[mask]
            sink.add(ts, table)
        # Ordinary returns after delivery, and honest "not received" claims on lost parcels.
        returns = (rng.random(n) < 0.025) & ~lost
        asked = np.where(
            lost,
            transit + rng.integers(4 * DAY_US, 8 * DAY_US, size=n),
            signed + rng.integers(2 * HOUR_US, 6 * DAY_US, size=n),
        )
        pick = np.flatnonzero(returns | lost)
        m = len(pick)
        if m == 0:
            return
        reason = np.where(
            lost[pick],
            "not_received",
            np.array(REFUND_REASONS)[rng.integers(0, len(REFUND_REASONS), m)],
        )
        text = np.where(lost[pick], "物流很久没有更新，一直没收到", "商品有问题，申请退货退款")
        sel = pa.array(pick)
        sub = {k: v.take(sel) for k, v in common.items()}
        sub["refund_id"] = self.ids.take("r", m)
        ts = asked[pick]
        sink.add(
            ts,
            frame(
                "refund_requested",
                ts,
                {
                    **sub,
                    "amount": amount[pick],
                    "currency": "CNY",
                    "reason": pa.array(reason),
                    "text": pa.array(text),
                },
            ),
        )
        decided = ts + rng.integers(HOUR_US, 48 * HOUR_US, size=m)
        decision = np.where(rng.random(m) < 0.9, "approved", "rejected")
        sink.add(
            decided,
            frame(
                "refund_decided",
                decided,
                {
                    **sub,
                    "decision": pa.array(decision),
                    "amount": amount[pick],
                    "currency": "CNY",
                },
            ),
        )

    def _transfers(self, day: int, sink: DaySink) -> None:
        rng, pop = self.rng, self.pop
        n_people = pop.size
        # To friends and family.
        payer = np.repeat(np.arange(n_people), rng.poisson(0.28, size=n_people))
        payee_person = pop.contacts[payer, rng.integers(0, pop.contacts.shape[1], size=len(payer))]
        src, dst = self.wallets[payer], self.wallets[payee_person]
        n = len(src)
        round_ = rng.random(n) < 0.55
        amount = np.where(
            round_,
            ROUND_AMOUNTS[rng.integers(0, len(ROUND_AMOUNTS), n)],
            (np.clip(rng.lognormal(np.log(15000), 1.0, n), 100, 5_000_000) // 100) * 100,
        ).astype(np.int64)
        channel = np.array(TRANSFER_CHANNELS)[rng.integers(0, len(TRANSFER_CHANNELS), n)]
        self._emit_transfers(day, src, dst, amount, channel, "", sink)
        # QR payments to small shops.
        payer = np.repeat(np.arange(n_people), rng.poisson(0.15, size=n_people))
        m = len(payer)
        dst = rng.choice(pop.wallet_merchants, size=m, p=pop.wallet_merchant_p)
        amount = np.clip(rng.lognormal(np.log(3000), 0.8, m), 100, 500_000).astype(np.int64)
        self._emit_transfers(
            day, self.wallets[payer], dst, amount, np.full(m, "merchant"), "", sink
        )
        # Withdrawals to one's own bank card.
        payer = np.flatnonzero(rng.random(n_people) < 0.012)
        amount = (
            np.clip(rng.lognormal(np.log(50000), 0.8, len(payer)), 1000, 5_000_000) // 100 * 100
        ).astype(np.int64)
        self._emit_transfers(
            day,
            self.wallets[payer],
            pop.card[payer],
            amount,
            np.full(len(payer), "withdrawal"),
            "提现",
            sink,
        )

    def _emit_transfers(
        self,
        day: int,
        src: np.ndarray,
        dst: np.ndarray,
        amount: np.ndarray,
        channel: np.ndarray,
        memo: str,
        sink: DaySink,
    ) -> None:
        rng = self.rng
        n = len(src)
        if n == 0:
            return
        initiated = self._times(day, n)
        ok = rng.random(n) < 0.985
        completed = initiated + rng.integers(1 * US, 30 * US, size=n)
        ts = np.where(ok, completed, initiated)
        done = pa.array(completed, type=pa.timestamp("us", tz="UTC"))
        sink.add(
            ts,
            frame(
                "wallet_transfer",
                ts,
                {
                    "org": self._org(src),
                    "transfer_id": self.ids.take("t", n),
                    "from_account": self._acc(src),
                    "to_account": self._acc(dst),
                    "to_org": self._org(dst),
                    "amount": amount,
                    "currency": "CNY",
                    "channel": pa.array(channel),
                    "status": pa.array(np.where(ok, "completed", "failed")),
                    "initiated_at": pa.array(initiated, type=pa.timestamp("us", tz="UTC")),
                    "completed_at": pc.if_else(pa.array(ok), done, pa.nulls(n, done.type)),
                    "memo": memo,
                },
            ),
        )
