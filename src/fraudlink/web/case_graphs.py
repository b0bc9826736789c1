"""Graph and table data for the case page: the fund-flow trace and the gang with its roles.

Pure functions from what :mod:`fraudlink.investigate` found to JSON-ready dicts, which the
page embeds for ``static/graphs.js`` (``nodes`` and ``edges`` in Cytoscape's shape) and
renders as tables beside the pictures. Amounts stay integers in minor units; captions are
formatted here, once, so the picture and the table cannot disagree.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from fraudlink.investigate.gang_result import Gang, GangMember
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.trace_result import TraceResult
from fraudlink.model.money import format_money
from fraudlink.report.svg import COLOURS

Json = dict[str, Any]
Account = tuple[str, str]  # (org, account id)
MAX_TRACE_NODES = 120  # accounts drawn, most traced money first; the table lists them all
ROLE_NAMES = {"coordinator": "coordinator", "device_controller": "device controller",
              "cash_out": "cash-out", "mule": "mule", "claimant": "claimant", "card": "card",
              "associate": "associate", "victim": "victim"}  # fmt: skip


def width(amount: int, biggest: int) -> float:
    """1–12 px by the square root of the amount (small flows stay visible)."""
    return round(1 + 11 * math.sqrt(amount / biggest), 2) if biggest > 0 else 1.0


def _key(org: str, account: str) -> str:
    return f"{org}:{account}"


def trace_graph(result: TraceResult, subjects: set[tuple[str, str]]) -> Json:
    """The trace as columns by hop: accounts with what they received, passed on, withdrew
    and still hold; cash-out points and money past the hop limit as end nodes."""
    cur = result.currency

    def money(minor: int) -> str:
        return format_money(minor, cur)

    ranked = sorted(result.accounts, key=lambda a: -(a.seeded + a.received))
    drawn = {_key(a.org, a.account) for a in ranked[:MAX_TRACE_NODES]}
    nodes: list[Json] = []
    rows: list[Json] = []
    for a in result.accounts:
        key = _key(a.org, a.account)
        is_subject = (a.org, a.account) in subjects
        kind = "subject" if is_subject else ("origin" if a.hop == 0 else "account")
        caption = a.account + (f"\nstill held {money(a.held)}" if a.held else "")
        rows.append({"id": key, "account": a.account, "org": a.org, "hop": a.hop,
                     "subject": is_subject, "in": a.seeded + a.received,
                     "passed_on": a.passed_on, "withdrawn": a.withdrawn, "held": a.held,
                     "first_us": a.first_us})  # fmt: skip
        if key in drawn:
            nodes.append({"id": key, "label": a.account, "org": a.org, "hop": a.hop,
                          "col": a.hop, "kind": kind, "held": a.held,
                          "caption": caption})  # fmt: skip
    ends: list[Json] = []
    ends_by_kind = (
        ("cash_out", result.cash_outs, "cashed out"),
        ("beyond", result.beyond_horizon, "past the hop limit"),
    )
    for kind, points, verb in ends_by_kind:
        for p in points:
            end = {"id": f"{kind}:{_key(p.org, p.account)}", "account": p.account,
                   "org": p.org, "kind": kind, "amount": p.amount}  # fmt: skip
            ends.append(end)
            caption = f"{p.account}\n{verb} {money(p.amount)}"
            nodes.append({**end, "label": p.account, "held": 0, "col": 0, "caption": caption})
    # An end node sits one column right of the latest account that paid into it.
    end_col: dict[str, int] = defaultdict(int)
    biggest = max((e.amount for e in result.edges), default=0)
    edges: list[Json] = []
    for i, e in enumerate(result.edges):
        source = _key(e.source_org, e.source)
        target = _key(e.target_org, e.target)
        if e.kind != "transfer":
            target = f"{'cash_out' if e.kind == 'cash_out' else 'beyond'}:{target}"
            end_col[target] = max(end_col[target], e.hop)
        if source not in drawn or (e.kind == "transfer" and target not in drawn):
            continue
        edges.append({"id": f"t{i}", "source": source, "target": target, "kind": e.kind,
                      "amount": e.amount, "transfers": e.transfers,
                      "width": width(e.amount, biggest), "caption": money(e.amount)})  # fmt: skip
    for n in nodes:
        if n["kind"] in ("cash_out", "beyond"):
            n["col"] = end_col[n["id"]]
    return {
        "currency": cur, "method": result.method, "max_hops": result.max_hops,
        "seeded": result.seeded, "held": result.held, "cashed_out": result.cashed_out,
        "beyond": result.beyond, "transfers": len(result.seed_transfers),
        "nodes": nodes, "edges": edges, "accounts": rows, "ends": ends,
        "hidden": len(result.accounts) - len(drawn),
    }  # fmt: skip


def _ring(m: GangMember) -> int:
    """Concentric rings from the centre: the coordinator, the people who run the gang,
    mules by layer, and the victims outside."""
    if m.role == "coordinator":
        return 0
    if m.role in ("device_controller", "cash_out"):
        return 1
    if m.role == "mule":
        return 1 + min(m.layer or 1, 4)
    return 6 if m.role == "victim" else 5


def _role_label(m: GangMember) -> str:
    name = ROLE_NAMES.get(m.role, m.role)
    return f"{name} (layer {m.layer})" if m.role == "mule" and m.layer else name


def gang_graph(gang: Gang, ledger: Ledger, subjects: set[tuple[str, str]]) -> Json:
    """The gang's people by role, tied by the money between them and the devices they share."""
    people = [*gang.members, *gang.victims]
    owner: dict[tuple[str, str], str] = {}
    for m in people:
        for a in m.accounts:
            owner.setdefault((a.org, a.account), m.person)
    nodes: list[Json] = []
    members: list[Json] = []
    for m in people:
        is_subject = any((a.org, a.account) in subjects for a in m.accounts)
        nodes.append({"id": m.person, "label": m.name or m.person, "role": m.role,
                      "ring": _ring(m), "colour": COLOURS.get(m.role, "#8a94a6"),
                      "subject": is_subject, "title": _role_label(m)})  # fmt: skip
        members.append({"person": m.person, "name": m.name, "role": m.role,
                        "role_label": _role_label(m), "rank": m.rank, "subject": is_subject,
                        "accounts": [_key(a.org, a.account) for a in m.accounts],
                        "devices": m.devices, "received": m.received, "sent": m.sent,
                        "cashed_out": m.cashed_out, "evidence": m.evidence})  # fmt: skip
    money = _money_ties(ledger, owner, gang.currency)
    biggest = max(money.values(), default=0)
    edges: list[Json] = [
        {"id": f"m{i}", "source": a, "target": b, "kind": "money", "amount": amount,
         "width": width(amount, biggest), "caption": format_money(amount, gang.currency)}
        for i, ((a, b), amount) in enumerate(sorted(money.items()))
    ]  # fmt: skip
    edges += _device_ties(people)
    roles = sorted({m.role for m in people}, key=_role_order)
    return {
        "gang_id": gang.gang_id, "currency": gang.currency, "money_in": gang.money_in,
        "cashed_out": gang.cashed_out, "sent_elsewhere": gang.sent_elsewhere,
        "held": gang.held, "claimed": gang.claimed, "cities": gang.cities,
        "organisations": gang.organisations, "nodes": nodes, "edges": edges,
        "members": members,
        "legend": [{"role": r, "label": ROLE_NAMES.get(r, r), "colour": COLOURS.get(r, "#8a94a6")}
                   for r in roles],
    }  # fmt: skip


def _role_order(role: str) -> int:
    order = list(ROLE_NAMES)
    return order.index(role) if role in order else len(order)


def _money_ties(
    ledger: Ledger, owner: dict[Account, str], currency: str
) -> dict[tuple[str, str], int]:
    """Money between the gang's people (victims' payments included), person to person."""
    if currency not in ledger.currencies:
        return {}
    cur = ledger.currencies.index(currency)
    ties: dict[tuple[str, str], int] = defaultdict(int)
    for (org, account), person in owner.items():
        for code in ledger.account_codes(account, org):
            mine = ledger.transfers_of(code)
            for k in mine[ledger.src[mine] == code]:
                if int(ledger.currency[k]) != cur:
                    continue
                payee = int(ledger.dst[k])
                other = owner.get((ledger.org(payee), ledger.account(payee)))
                if other is not None and other != person:
                    ties[(person, other)] += int(ledger.amount[k])
    return dict(ties)


def _device_ties(people: list[GangMember]) -> list[Json]:
    """People who used the same device: to its controller if the gang has one, else each
    to the first person seen on it (a star, not every pair)."""
    users: dict[str, list[str]] = defaultdict(list)
    controllers: dict[str, str] = {}
    for m in people:
        for d in m.devices:
            if m.role == "device_controller":
                controllers[d] = m.person
            else:
                users[d].append(m.person)
    edges: list[Json] = []
    seen: set[tuple[str, str]] = set()
    for device, who in sorted(users.items()):
        hub = controllers.get(device, who[0])
        for person in who:
            pair = (min(hub, person), max(hub, person))
            if person == hub or pair in seen:
                continue
            seen.add(pair)
            edges.append({"id": f"d{len(edges)}", "source": hub, "target": person,
                          "kind": "device", "device": device, "width": 2})  # fmt: skip
    return edges
