"""Victims and losses: each victim counted once, what they lost, what can still be saved.

A victim is a person (accounts joined by KYC identifiers across platforms, as gang finding
does) who paid a gang; their loss is what they paid into it. Each victim's payments are
traced forward; the traced money still sitting in accounts is *recoverable*, and the part
of it inside accounts under a freeze that was confirmed is *frozen*. A frozen amount
shared by several victims' money is split in proportion to what each has there, so no
yuan is counted twice. Losses are added up per city, province and gang.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import msgspec

from fraudlink.investigate.gang_result import Gang
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.trace import trace_funds
from fraudlink.model.geo import CITY_BY_NAME
from fraudlink.store import FreezeRecord

HELD = ("held", "partial")


class VictimLoss(msgspec.Struct, frozen=True, kw_only=True):
    person: str
    name: str | None
    accounts: list[str]  # org:account
    city: str | None
    province: str | None
    gang_id: str
    currency: str
    loss: int
    recoverable: int  # traced money still held in accounts now
    frozen: int = 0  # of that, inside confirmed freezes


class LossTotals(msgspec.Struct, frozen=True, kw_only=True):
    victims: int
    loss: int
    recoverable: int
    frozen: int


class LossReport(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    victims: list[VictimLoss]  # biggest loss first
    by_province: dict[str, LossTotals]
    by_city: dict[str, LossTotals]
    by_gang: dict[str, LossTotals]
    total: LossTotals


def _payee(ledger: Ledger, k: int) -> tuple[str, str]:
    code = int(ledger.dst[k])
    return ledger.org(code), ledger.account(code)


def victims_and_losses(
    gangs: Iterable[Gang], ledger: Ledger, freezes: Iterable[FreezeRecord] = ()
) -> LossReport:
    rows: list[VictimLoss] = []
    held_at: dict[str, dict[str, int]] = defaultdict(dict)  # account → victim → traced held
    seen: set[str] = set()
    currency = "CNY"
    for gang in gangs:
        currency = gang.currency
        inside = {(a.org, a.account) for m in gang.members for a in m.accounts}
        for v in gang.victims:
            if v.person in seen:
                continue  # one person, one victim, whichever gang they met first
            seen.add(v.person)
            seeds = []
            for acc in v.accounts:
                for code in ledger.account_codes(acc.account, acc.org):
                    mine = ledger.transfers_of(code)
                    mine = mine[ledger.src[mine] == code]
                    seeds += [int(k) for k in mine if _payee(ledger, int(k)) in inside]
            recoverable = 0
            if seeds:
                traced = trace_funds(ledger, seeds)
                for a in traced.accounts:
                    if a.held:
                        held_at[a.account][v.person] = a.held
                recoverable = traced.held
            city = next((a.city for a in v.accounts if a.city), None)
            place = CITY_BY_NAME.get(city or "")
            rows.append(VictimLoss(
                person=v.person, name=v.name, accounts=[f"{a.org}:{a.account}" for a in v.accounts],
                city=city, province=place.province if place else None, gang_id=gang.gang_id,
                currency=gang.currency, loss=v.sent, recoverable=recoverable,
            ))  # fmt: skip
    frozen = _split_freezes(held_at, freezes)
    rows = [msgspec.structs.replace(r, frozen=frozen.get(r.person, 0)) for r in rows]
    rows.sort(key=lambda r: (-r.loss, r.person))
    return LossReport(currency=currency, victims=rows,
                      by_province=_totals(rows, lambda r: r.province or "unknown"),
                      by_city=_totals(rows, lambda r: r.city or "unknown"),
                      by_gang=_totals(rows, lambda r: r.gang_id),
                      total=_sum(rows))  # fmt: skip


def _split_freezes(
    held_at: dict[str, dict[str, int]], freezes: Iterable[FreezeRecord]
) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for f in freezes:
        shares = held_at.get(f.account)
        if f.state not in HELD or not f.held_minor or not shares:
            continue
        whole = sum(shares.values())
        for person, held in sorted(shares.items()):
            out[person] += min(held, f.held_minor * held // whole)
    return dict(out)


def _sum(rows: list[VictimLoss]) -> LossTotals:
    return LossTotals(victims=len(rows), loss=sum(r.loss for r in rows),
                      recoverable=sum(r.recoverable for r in rows),
                      frozen=sum(r.frozen for r in rows))  # fmt: skip


def _totals(rows: list[VictimLoss], key: Callable[[VictimLoss], str]) -> dict[str, LossTotals]:
    groups: dict[str, list[VictimLoss]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    return {k: _sum(v) for k, v in sorted(groups.items(), key=lambda kv: -_sum(kv[1]).loss)}
