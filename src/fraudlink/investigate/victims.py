"""Victims and losses: each victim counted once, what they lost, what can still be saved.

A victim is a person (accounts joined by KYC identifiers across platforms, as gang finding
does) who paid a gang; their loss is what they paid into it. Each victim's payments are
traced forward; the traced money still sitting in accounts is *recoverable*, and the part
of it inside accounts under a freeze that was confirmed is *frozen*. A frozen amount
shared by several victims' money is split in proportion to what each has there, so no
yuan is counted twice. Losses are added up per city, province and gang.

Victims who reported through the portal are matched to these by their payments or their
contact details (``victim_reports``): a person who reported and paid the gang is one
victim, with the report's number beside them; a report nothing matches is a victim of its
own, whose loss is what the report says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

import msgspec

from fraudlink.investigate.gang_result import Gang
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.trace import trace_funds
from fraudlink.investigate.victim_reports import (
    Account,
    ReportMatch,
    group_new,
    match_reports,
    owner_of,
)
from fraudlink.model.geo import CITY_BY_NAME
from fraudlink.store import FreezeRecord, ReportRecord

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
    reports: list[str] = []  # the portal reports about this victim (case numbers)
    found_by: str = "transfers"  # transfers | transfers+report | report


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
    gangs: Iterable[Gang],
    ledger: Ledger,
    freezes: Iterable[FreezeRecord] = (),
    reports: Iterable[ReportRecord] = (),
    contacts: Mapping[str, str] | None = None,
) -> LossReport:
    """Every victim once; ``contacts`` maps a known victim's phone or e-mail (normalised by
    ``victim_reports.normalise_contact``) to their person id, for reports without payments
    in the ledger."""
    rows: list[VictimLoss] = []
    held_at: dict[str, dict[str, int]] = defaultdict(dict)  # account → victim → traced held
    seen: set[str] = set()
    currency = "CNY"
    gangs = list(gangs)
    holders: dict[Account, str] = {}  # gang account → gang id
    for gang in gangs:
        currency = gang.currency
        inside = {(a.org, a.account) for m in gang.members for a in m.accounts}
        holders.update(dict.fromkeys(inside, gang.gang_id))
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
            city = next((a.city for a in v.accounts if a.city), None)
            place = CITY_BY_NAME.get(city or "")
            rows.append(VictimLoss(
                person=v.person, name=v.name, accounts=[f"{a.org}:{a.account}" for a in v.accounts],
                city=city, province=place.province if place else None, gang_id=gang.gang_id,
                currency=gang.currency, loss=v.sent,
                recoverable=_traced(ledger, seeds, v.person, held_at),
            ))  # fmt: skip
    rows = _with_reports(rows, reports, ledger, holders, contacts or {}, held_at, currency)
    frozen = _split_freezes(held_at, freezes)
    rows = [msgspec.structs.replace(r, frozen=frozen.get(r.person, 0)) for r in rows]
    rows.sort(key=lambda r: (-r.loss, r.person))
    return LossReport(currency=currency, victims=rows,
                      by_province=_totals(rows, lambda r: r.province or "unknown"),
                      by_city=_totals(rows, lambda r: r.city or "unknown"),
                      by_gang=_totals(rows, lambda r: r.gang_id),
                      total=_sum(rows))  # fmt: skip


def _traced(ledger: Ledger, seeds: list[int], person: str,
            held_at: dict[str, dict[str, int]]) -> int:  # fmt: skip
    """What of the seeds' money is still held; notes where, for splitting freezes."""
    if not seeds:
        return 0
    traced = trace_funds(ledger, seeds)
    for a in traced.accounts:
        if a.held:
            held_at[a.account][person] = held_at[a.account].get(person, 0) + a.held
    return traced.held


def _with_reports(
    rows: list[VictimLoss], reports: Iterable[ReportRecord], ledger: Ledger,
    holders: Mapping[Account, str], contacts: Mapping[str, str],
    held_at: dict[str, dict[str, int]], currency: str,
) -> list[VictimLoss]:  # fmt: skip
    """Attach each report to the victim it is about, or add the victims only reports show."""
    by_person = {r.person: r for r in rows}
    accounts: dict[Account, str] = {}
    for r in rows:
        for acc in r.accounts:
            org, _, account = acc.partition(":")
            accounts[(org, account)] = r.person
    unknown: list[ReportMatch] = []
    for match in match_reports(ledger, reports):
        person = owner_of(match, accounts, contacts)
        if person is None or person not in by_person:
            unknown.append(match)
            continue
        known = by_person[person]
        by_person[person] = msgspec.structs.replace(
            known, reports=sorted({*known.reports, match.report.id}), found_by="transfers+report"
        )
    added = []
    for group in group_new(unknown):
        first = group[0].report
        person = f"report {first.id}"
        seeds = sorted({k for m in group for k in m.transfers})
        payees = [(ledger.org(int(ledger.dst[k])), ledger.account(int(ledger.dst[k])))
                  for k in seeds]  # fmt: skip
        gang_id = next((holders[p] for p in payees if p in holders), "not in a gang found")
        place = CITY_BY_NAME.get(first.city or "")
        payers = sorted({p for m in group for p in m.payers})
        added.append(VictimLoss(
            person=person, name=first.name, accounts=[f"{o}:{a}" for o, a in payers],
            city=first.city, province=place.province if place else None, gang_id=gang_id,
            currency=currency,
            loss=int(ledger.amount[seeds].sum()) + sum(m.unmatched for m in group),
            recoverable=_traced(ledger, seeds, person, held_at),
            reports=sorted(m.report.id for m in group), found_by="report",
        ))  # fmt: skip
    return [by_person[r.person] for r in rows] + added


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
