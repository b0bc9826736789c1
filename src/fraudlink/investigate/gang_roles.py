"""Roles in one community, each with the numbers that earned it.

The rules, in the order they are applied (docs/investigate-gangs.md):

1. **victim** — no gang behaviour of their own, paid money to the gang's relays and
   received nothing back from anyone in it.
2. **cash-out** — sent at least ``cash_out_share`` of what they received out of the
   wallets (bank cards, withdrawals).
3. **coordinator** — received money from other members (not only from victims), kept
   at least ``keep_share`` of everything they received, and has the highest money
   PageRank of those: where the laundered money stops.
4. **mule** — a relay (:mod:`.gang_signals`); the layer is the number of transfers
   from a victim's payment to them, following money only forward in time.
5. **claimant** — a refund-claim burst.
6. **card** — only accounts outside the wallets (a bank card nobody else was linked to).
7. **associate** — linked to the gang by a shared device or by money, no role of its own.

A **device controller** is added when devices were used by ``controller_members`` or
more members: whoever works them. It has no account of its own in the data.

Ranking (1 = most likely leader): the coordinator, then the device controller, then
everyone else by money PageRank.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fraudlink.investigate.gang_money import Flows, hops_from, money_rank
from fraudlink.investigate.gang_persons import PersonBook
from fraudlink.model.money import format_money


@dataclass(frozen=True)
class RoleSettings:
    cash_out_share: float = 0.5
    keep_share: float = 0.5
    controller_members: int = 2
    pass_window_h: float = 4.0  # as measured by the pass-through signal, for evidence text
    burst_window_h: float = 2.0


@dataclass
class Role:
    person: int | None  # None: the device controller, who holds no account here
    role: str
    layer: int | None = None
    devices: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    money_rank: float = 0.0


def assign_roles(
    book: PersonBook, persons: list[int], flows: Flows, currency: str, settings: RoleSettings
) -> tuple[list[Role], list[Role]]:
    """(members in rank order, victims) of one community."""

    def money(minor: int) -> str:
        return format_money(minor, currency)

    victims = [p for p in persons if _is_victim(book, p, flows)]
    victim_set = set(victims)
    members = [p for p in persons if p not in victim_set]
    hops = hops_from(flows, victim_set)
    rank = money_rank(flows, persons)
    roles: dict[int, Role] = {}
    for p in members:
        got, cashed = flows.received.get(p, 0), flows.cashed.get(p, 0)
        if cashed and cashed >= settings.cash_out_share * got:
            roles[p] = Role(p, "cash_out", hops.get(p), evidence=[
                f"cashed out {money(cashed)} of {money(got)} received "
                f"({cashed / max(got, 1):.0%}) to bank cards or withdrawals"
            ])  # fmt: skip
    coordinator = _coordinator(book, members, flows, rank, roles, settings)
    if coordinator is not None:
        p, kept = coordinator
        payers = sorted(flows.payers[p] - victim_set)
        roles[p] = Role(p, "coordinator", evidence=[
            f"received {money(flows.received[p])} from {len(payers)} member(s) "
            f"({', '.join(book.label(q) for q in payers)}) and kept {kept:.0%} of it",
            f"highest money PageRank of the gang ({rank[p]:.2f}): where its money stops",
        ])  # fmt: skip
    for p in members:
        if p not in roles:
            roles[p] = _own_role(book, p, hops.get(p), flows, money, settings)
    for p, r in roles.items():
        _add_common_evidence(book, p, r, flows, money)
        r.money_rank = rank.get(p, 0.0)
    controller = _controller(book, members, settings)
    # The coordinator first, then by money PageRank; the person index breaks ties.
    ordered = sorted(
        roles.values(), key=lambda r: (r.role != "coordinator", -r.money_rank, r.person or 0)
    )
    if controller is not None:
        ordered.insert(1 if coordinator is not None else 0, controller)
    return ordered, [_victim(book, p, flows, money) for p in victims]


def _own_role(
    book: PersonBook,
    p: int,
    hop: int | None,
    flows: Flows,
    money: Callable[[int], str],
    settings: RoleSettings,
) -> Role:
    """Mule, claimant, card or associate: what the person's own behaviour says."""
    if book.any(p, "relay"):
        received, passed = book.total(p, "received"), book.total(p, "passed")
        return Role(p, "mule", hop, evidence=[
            f"received {money(received)} in {book.total(p, 'lots')} lot(s) and passed "
            f"{passed / max(received, 1):.0%} on within {settings.pass_window_h:g} h",
        ])  # fmt: skip
    if book.any(p, "claims_in_window"):
        return Role(p, "claimant", evidence=[
            f"{book.most(p, 'claims_in_window')} 'not received' claims within "
            f"{settings.burst_window_h:g} h on one account; {book.total(p, 'claims')} "
            f"in all, {money(book.total(p, 'claimed'))} claimed",
        ])  # fmt: skip
    if book.all_external(p):
        return Role(p, "card", evidence=[
            f"outside the wallets; received {money(flows.received.get(p, 0))} from members"
        ])  # fmt: skip
    return Role(p, "associate", evidence=["shares a device or money with members"])


def _add_common_evidence(
    book: PersonBook, p: int, role: Role, flows: Flows, money: Callable[[int], str]
) -> None:
    """Layer, money paid on and shared devices, whatever the role."""
    role.devices = book.devices(p)
    if role.layer is not None:
        role.evidence.append(
            f"layer {role.layer}: {role.layer} transfer(s) from a victim's payment"
        )
    if flows.sent.get(p):
        role.evidence.append(
            f"paid {money(flows.sent[p])} to {len(flows.payees[p])} other member(s)"
        )
    if role.devices:
        role.evidence.append(
            f"used from device(s) shared with other members: {', '.join(role.devices)}"
        )


def _is_victim(book: PersonBook, p: int, flows: Flows) -> bool:
    return (
        not book.seed[p]
        and not flows.received.get(p)
        and any(book.seed[q] for q in flows.payees.get(p, ()))
    )


def _coordinator(
    book: PersonBook,
    members: list[int],
    flows: Flows,
    rank: dict[int, float],
    roles: dict[int, Role],
    settings: RoleSettings,
) -> tuple[int, float] | None:
    """The member where money from other members stops, and the share they kept."""
    best: tuple[float, int, float] | None = None
    member_set = set(members)
    for p in members:
        got = flows.received.get(p, 0)
        # A bank card is where money leaves the wallets, not a person running things.
        if p in roles or not got or not flows.payers[p] & member_set or book.all_external(p):
            continue
        out = flows.sent.get(p, 0) + flows.cashed.get(p, 0) + book.total(p, "sent_outside")
        kept = max(0.0, 1 - out / got)
        if kept >= settings.keep_share and (best is None or (rank[p], -p) > best[:2]):
            best = (rank[p], -p, kept)
    return None if best is None else (-best[1], best[2])


def _controller(book: PersonBook, members: list[int], settings: RoleSettings) -> Role | None:
    users: dict[str, list[int]] = {}
    for p in members:
        for device in book.devices(p):
            users.setdefault(device, []).append(p)
    controlled = sorted(d for d, who in users.items() if len(who) >= settings.controller_members)
    if not controlled:
        return None
    worked = sorted({p for d in controlled for p in users[d]})
    accounts = sum(len(book.accounts_of[p]) for p in worked)
    return Role(None, "device_controller", devices=controlled, evidence=[
        f"worked {len(worked)} members' accounts ({accounts} accounts) from "
        f"{len(controlled)} device(s): {', '.join(controlled)}",
        "holds no account of their own in the data",
    ])  # fmt: skip


def _victim(book: PersonBook, p: int, flows: Flows, money: Callable[[int], str]) -> Role:
    paid = [t for t in flows.transfers if t.src == p and t.dst != p]
    payees = sorted({book.col["account"][t.dst_account] for t in paid})
    return Role(p, "victim", evidence=[
        f"paid {money(flows.sent[p])} in {len(paid)} transfer(s) to {len(payees)} gang "
        f"account(s) ({', '.join(payees)}), none of whom had exchanged money with them "
        "before; received nothing back",
    ])  # fmt: skip
