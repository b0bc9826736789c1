"""Ordinary customers of the bank: salary, bills, card payments, transfers to friends, cash.

Vectorised with numpy: each kind of activity is drawn for every customer at once
(Poisson counts per account, then times and amounts), so 10,000 customers over six
months take a second or two. Per-customer traits (salary, spending rate, the hour
they are usually awake and paying) make each account's own baseline differ from
its neighbours', which is what rules judging an account against its own history
need.

Planted stories then reach in: :meth:`Background.silence` removes an account's
activity for a while (dormancy, a long trip) and :meth:`Background.balance_at`
says what it holds, so a takeover can drain it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from fraudlink.sim.bank.amounts import Amounts
from fraudlink.sim.bank.book import Book
from fraudlink.sim.bank.timescales import DAY_US, HOUR_US

Array = npt.NDArray[Any]
PERIOD_DAYS = 30

MERCHANTS = np.array([f"M-{i:04d}" for i in range(400)])
EMPLOYERS = np.array([f"EMP-{i:03d}" for i in range(150)])
BILLERS = np.array([f"BILL-{i:02d}" for i in range(30)])
ATMS = np.array([f"ATM-{i:03d}" for i in range(60)])
_MERCHANT_WEIGHT = 1.0 / np.arange(1, len(MERCHANTS) + 1)
_MERCHANT_WEIGHT /= _MERCHANT_WEIGHT.sum()


@dataclass
class _Flow:
    """Transfers as columns: ``src``/``dst`` customer indices, -1 for the external side."""

    ts: Array
    src: Array
    dst: Array
    ext: Array
    amount: Array
    channel: str
    memo: str = ""


@dataclass
class Background:
    rng: np.random.Generator
    names: Array
    start_us: int
    end_us: int
    amounts: Amounts
    opened_us: Array = field(init=False)
    peak_hour: Array = field(init=False)
    contacts: Array = field(init=False)
    flows: list[_Flow] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.names)
        rng = self.rng
        days = (self.end_us - self.start_us) // DAY_US
        # Most accounts are years old; some are opened during the window.
        fresh = rng.random(n) < 0.06
        before = self.start_us - (rng.uniform(0.5, 8.0, n) * 365 * DAY_US).astype(np.int64)
        during = self.start_us + (rng.uniform(0, max(1, days - 20), n) * DAY_US).astype(np.int64)
        self.opened_us = np.where(fresh, during, before).astype(np.int64)
        self.peak_hour = np.clip(rng.normal(14.0, 2.5, n), 8.0, 20.0)
        self.contacts = rng.integers(0, n, (n, 4))

    # -- generation ---------------------------------------------------------------
    def generate(self) -> None:
        n = len(self.names)
        rng = self.rng
        self._salary(n, rng)
        self._bills(n, rng)
        card = self._poisson(rng.gamma(2.0, 0.35, n), "card_payment")
        card.ext = rng.choice(MERCHANTS, len(card.ts), p=_MERCHANT_WEIGHT)
        card.amount = self.amounts.usd(
            np.clip(rng.lognormal(np.log(35), 0.9, len(card.ts)), 2, 2_000)
        )
        self.flows.append(card)
        self._refunds(card, rng)
        p2p = self._poisson(rng.gamma(1.0, 0.06, n), "bank_transfer")
        p2p.dst = self.contacts[p2p.src, rng.integers(0, 4, len(p2p.ts))]
        p2p.ext = np.full(len(p2p.ts), "")
        p2p.amount = self.amounts.usd(
            np.clip(rng.lognormal(np.log(60), 0.8, len(p2p.ts)), 5, 3_000), whole=True
        )
        ok = p2p.src != p2p.dst
        self.flows.append(_mask(p2p, ok & (self.opened_us[p2p.dst] <= p2p.ts)))
        cash = self._poisson(rng.gamma(1.5, 0.03, n), "cash")
        cash.ext = rng.choice(ATMS, len(cash.ts))
        cash.amount = self.amounts.usd(20.0 * rng.integers(2, 16, len(cash.ts)), whole=True)
        self.flows.append(cash)

    def _poisson(self, per_day: Array, channel: str) -> _Flow:
        """Payments by each customer at their own daily rate, at hours around their peak."""
        active_from = np.maximum(self.opened_us, self.start_us)
        active_days = (self.end_us - active_from) / DAY_US
        counts = self.rng.poisson(per_day * active_days)
        src = np.repeat(np.arange(len(self.names)), counts)
        ts = (
            active_from[src]
            + (self.rng.random(len(src)) * active_days[src]).astype(np.int64) * DAY_US
        )
        ts = _at_hour(ts, self.peak_hour[src], self.rng, self.start_us)
        ts = np.maximum(ts, active_from[src])
        empty = np.empty(len(src), dtype=np.int64)
        return _Flow(ts, src, np.full(len(src), -1), empty.astype(str), empty, channel)

    def _monthly(self, who: Array, day: Array, hour: float) -> tuple[Array, Array, Array]:
        """One posting per period for each of ``who`` on its own day of the period."""
        periods = (self.end_us - self.start_us) // (PERIOD_DAYS * DAY_US) + 1
        idx = np.repeat(np.arange(len(who)), periods)
        period = np.tile(np.arange(periods), len(who))
        ts = self.start_us + ((period * PERIOD_DAYS + day[idx]) * DAY_US + int(hour * HOUR_US))
        ok = (ts >= self.opened_us[who[idx]]) & (ts < self.end_us)
        return idx[ok], period[ok], ts[ok]

    def _salary(self, n: int, rng: np.random.Generator) -> None:
        paid = np.flatnonzero(rng.random(n) < 0.85)
        employer = rng.choice(EMPLOYERS, len(paid))
        salary = np.clip(rng.lognormal(np.log(3_200), 0.5, len(paid)), 900, 25_000)
        idx, _, ts = self._monthly(paid, rng.integers(0, 28, len(paid)), 6.0)
        wobble = rng.normal(1.0, 0.02, len(idx))
        amount = self.amounts.usd(salary[idx] * wobble)
        self.flows.append(
            _Flow(
                ts,
                np.full(len(idx), -1),
                paid[idx],
                employer[idx],
                amount,
                "bank_transfer",
                "salary",
            )
        )

    def _bills(self, n: int, rng: np.random.Generator) -> None:
        for slot in range(4):
            who = np.flatnonzero(rng.random(n) < (0.95, 0.8, 0.5, 0.25)[slot])
            biller = rng.choice(BILLERS, len(who))
            base = np.clip(rng.lognormal(np.log(70), 0.7, len(who)), 8, 1_500)
            idx, _, ts = self._monthly(who, rng.integers(0, 28, len(who)), 2.0)
            amount = self.amounts.usd(base[idx] * rng.normal(1.0, 0.08, len(idx)).clip(0.5))
            self.flows.append(
                _Flow(
                    ts,
                    who[idx],
                    np.full(len(idx), -1),
                    biller[idx],
                    amount,
                    "bank_transfer",
                    "direct debit",
                )
            )

    def _refunds(self, card: _Flow, rng: np.random.Generator) -> None:
        """A few honest refunds: 0.3 % of card payments come back within ten days."""
        back = np.flatnonzero(rng.random(len(card.ts)) < 0.003)
        ts = card.ts[back] + (rng.uniform(1, 10, len(back)) * DAY_US).astype(np.int64)
        self.flows.append(
            _Flow(
                ts,
                np.full(len(back), -1),
                card.src[back],
                card.ext[back],
                card.amount[back],
                "card_payment",
                "refund",
            )
        )

    # -- what planted stories reach in for ------------------------------------------
    def silence(self, account: int, from_us: int, to_us: int) -> None:
        """No activity of ``account`` in [from_us, to_us): gone on a trip, or gone quiet."""
        for i, f in enumerate(self.flows):
            hit = ((f.src == account) | (f.dst == account)) & (f.ts >= from_us) & (f.ts < to_us)
            if hit.any():
                self.flows[i] = _mask(f, ~hit)

    def balance_at(self, account: int, ts_us: int) -> int:
        """Money in minus money out of ``account`` in the window before ``ts_us``."""
        total = 0
        for f in self.flows:
            before = f.ts < ts_us
            total += int(f.amount[before & (f.dst == account)].sum())
            total -= int(f.amount[before & (f.src == account)].sum())
        return total

    def write(self, book: Book) -> None:
        book.opened_many(self.opened_us, self.names)
        for f in self.flows:
            src = np.where(f.src >= 0, self.names[np.maximum(f.src, 0)], f.ext)
            dst = np.where(f.dst >= 0, self.names[np.maximum(f.dst, 0)], f.ext)
            side = np.where(f.src < 0, "payer", np.where(f.dst < 0, "payee", ""))
            book.transfers(f.ts, src, dst, f.amount, f.channel, side, f.memo)


def _mask(f: _Flow, keep: Array) -> _Flow:
    return _Flow(
        f.ts[keep], f.src[keep], f.dst[keep], f.ext[keep], f.amount[keep], f.channel, f.memo
    )


def _at_hour(day_ts: Array, peak: Array, rng: np.random.Generator, start_us: int) -> Array:
    """Move each day-aligned time to an hour drawn around the customer's own peak."""
    day0 = start_us + ((day_ts - start_us) // DAY_US) * DAY_US
    hour = np.clip(rng.normal(peak, 2.5), 0.0, 23.98)
    return (day0 + (hour * HOUR_US).astype(np.int64)).astype(np.int64)
