"""What every planted story works with: accounts, times, amounts and labels.

A story takes *host* accounts from the ordinary customers (so the account has months
of its own history before it turns) or opens *fresh* ones, draws a time scale for
its instance and amounts relative to the currency, writes transfers into the book
and labels every account it used in the truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from fraudlink.sim.bank.amounts import Amounts
from fraudlink.sim.bank.background import Background
from fraudlink.sim.bank.book import Book
from fraudlink.sim.bank.timescales import DAY_US, US, delays
from fraudlink.sim.truth import AccountLabel, Lookalike, Planted, Truth

# Odd and not a multiple of 5: a bijection modulo 10**8, so an id's size says nothing.
_MULTIPLIER = 1_000_003_483


def account_name(seq: int) -> str:
    return f"AC{(seq * _MULTIPLIER + 7) % 10**8:08d}"


def person_name(seq: int) -> str:
    return f"P{(seq * _MULTIPLIER + 11) % 10**8:08d}"


def iso(ts_us: int) -> str:
    return datetime.fromtimestamp(ts_us / US, tz=UTC).isoformat()


@dataclass
class Planter:
    rng: np.random.Generator
    book: Book
    bg: Background
    amounts: Amounts
    truth: Truth
    start_us: int
    end_us: int
    persons: dict[str, str] = field(default_factory=dict)
    _used: set[int] = field(default_factory=set)
    _next_account: int = 0
    _next_person: int = 0
    _instances: dict[str, int] = field(default_factory=dict)
    _decks: dict[tuple[str, tuple[str, ...]], list[str]] = field(default_factory=dict)
    _current: str = ""

    def __post_init__(self) -> None:
        self._next_account = len(self.bg.names)
        self._next_person = len(self.bg.names)
        for i, name in enumerate(self.bg.names.tolist()):
            self.persons[name] = person_name(i)

    # -- accounts -------------------------------------------------------------------
    def host(self, opened_before_us: int | None = None) -> int:
        """An ordinary customer no story has used yet, opened before ``opened_before_us``."""
        limit = self.start_us - 30 * DAY_US if opened_before_us is None else opened_before_us
        for _ in range(100_000):
            i = int(self.rng.integers(len(self.bg.names)))
            if i not in self._used and self.bg.opened_us[i] < limit:
                self._used.add(i)
                return i
        raise RuntimeError("too few ordinary customers for the planted stories; raise --accounts")

    def free(self) -> npt.NDArray[np.int64]:
        """Indices of the ordinary customers no story has taken, open before the window."""
        opened = np.flatnonzero(self.bg.opened_us < self.start_us)
        return np.setdiff1d(opened, np.fromiter(self._used, int))

    def ordinary(self, n: int) -> list[str]:
        """``n`` distinct ordinary customers in no story, left free for others to use."""
        free = self.free()
        pick = self.rng.choice(free, min(n, len(free)), replace=False)
        return [str(self.bg.names[i]) for i in np.sort(pick)]

    def name(self, host: int) -> str:
        return str(self.bg.names[host])

    def fresh(self, opened_us: int, person: str | None = None) -> str:
        """A new account opened at ``opened_us`` (for ``person``, or a new one)."""
        name = account_name(self._next_account)
        self._next_account += 1
        if person is None:
            person = person_name(self._next_person)
            self._next_person += 1
        self.persons[name] = person
        self.book.opened(opened_us, name)
        return name

    def fresh_many(self, n: int, before_us: int) -> list[str]:
        """``n`` accounts opened one to twenty days before ``before_us``."""
        ages = self.rng.uniform(1, 20, n) * DAY_US
        return [self.fresh(int(before_us - a)) for a in ages]

    # -- time and money -------------------------------------------------------------
    def scale(self, allowed: tuple[str, ...] = ("minutes", "hours", "days", "weeks")) -> str:
        """The time scale of the current instance: dealt from a shuffled deck per
        typology, so any two instances of a typology run at different scales until
        every allowed scale has had its turn."""
        deck = self._decks.setdefault((self._current, allowed), [])
        if not deck:
            deck.extend(str(s) for s in self.rng.permutation(list(allowed)))
        return deck.pop()

    def delays(self, scale: str, n: int) -> list[int]:
        """``n`` hop delays of ``scale``, squeezed (all by one factor) when together they
        would not fit in the world after a 60-day baseline: 40 senders a fortnight
        apart become 40 senders a few days apart, still slow."""
        hops = delays(self.rng, scale, n)
        room = 0.8 * (self.end_us - self.start_us - 62 * DAY_US)
        total = float(hops.sum())
        squeeze = room / total if total > room else 1.0
        return [max(1, int(d * squeeze)) for d in hops]

    def begin(self, span_us: int, baseline_days: int = 60) -> int:
        """A start time leaving ``span_us`` before the end and some history before it."""
        lo = self.start_us + baseline_days * DAY_US
        hi = self.end_us - span_us - DAY_US
        if hi <= lo:
            return max(self.start_us + 7 * DAY_US, hi)
        return int(self.rng.integers(lo, hi))

    def amount(self, lo: float = 50.0, hi: float = 50_000.0) -> int:
        """One amount log-uniform between ``lo`` and ``hi`` dollar equivalents."""
        return int(self.amounts.log_uniform(self.rng, lo, hi)[0])

    def around(self, centre: int, spread: float = 0.3) -> int:
        return max(1, int(centre * self.rng.uniform(1 - spread, 1 + spread)))

    def split(self, total: int, parts: int) -> list[int]:
        """``total`` in ``parts`` uneven positive pieces."""
        w = self.rng.dirichlet(np.full(parts, 2.0))
        return [max(1, int(total * x)) for x in w]

    # -- labels ---------------------------------------------------------------------
    def instance(self, typology: str) -> str:
        k = self._instances.get(typology, 0) + 1
        self._instances[typology] = k
        self._current = typology
        return f"{typology}-{k}"

    def label(
        self, account: str, typology: str, role: str, instance: str, layer: int | None = None
    ) -> None:
        self.truth.accounts[account] = AccountLabel(
            person_id=self.persons[account],
            typology=typology,
            role=role,
            gang_id=instance,
            layer=layer,
        )

    def record(
        self,
        instance: str,
        typology: str,
        scale: str,
        accounts: list[str],
        hops: list[int],
        amounts: list[int],
    ) -> None:
        self.truth.planted.append(
            Planted(
                instance_id=instance,
                typology=typology,
                timescale=scale,
                accounts=accounts,
                hop_delays_s=[h // US for h in hops],
                amounts=amounts,
            )
        )

    def lookalike(self, kind: str, accounts: list[str], note: str) -> None:
        for a in accounts:
            self.truth.accounts[a] = AccountLabel(
                person_id=self.persons[a], typology="benign_lookalike", role=kind
            )
        persons = sorted({self.persons[a] for a in accounts})
        self.truth.lookalikes.append(
            Lookalike(kind=kind, person_ids=persons, accounts=accounts, note=note)
        )
