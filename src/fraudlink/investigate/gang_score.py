"""How well gang finding did on a simulated world: membership ARI and leader ranks.

Scored persons: every planted gang member who holds an account and acted in the
events (an account of theirs made or received a completed transfer, or logged in),
plus every benign look-alike person as a group of one. Members who never acted (a
mule recruited but never used; callers and refund organisers hold no account at all)
cannot be found from events and are counted apart as ``unseen``. A person's predicted
group is the gang holding most of their accounts, or a group of one.

The leader of a scam gang is its coordinator, known by their wallet; a refund ring's
organiser holds no account and is known by the devices they lend to the claimants,
which gang finding reports as the gang's device controller.

Every planted leader is ranked, whether or not the events tie them to their gang. Some
do not: a coordinator whose wallet never acted, or an organiser whose devices worked the
accounts of one member only. Such an organiser left nothing that tells their phones from
that member's own second phone (the events name no device's owner), so gang finding does
not report them and their gang counts as a leader not found. ``unshown_leaders`` names
these gangs, to say why, without taking them out of ``leader_ranks``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import igraph as ig

from fraudlink.investigate.gang_result import GangReport
from fraudlink.sim.truth import Gang, Member, Truth

_ACTED = """
SELECT account FROM read_parquet($f, union_by_name = true) WHERE type = 'login'
UNION SELECT from_account FROM read_parquet($f, union_by_name = true)
      WHERE type = 'wallet_transfer' AND status = 'completed'
UNION SELECT to_account FROM read_parquet($f, union_by_name = true)
      WHERE type = 'wallet_transfer' AND status = 'completed'
"""


_DEVICE_USERS = """
SELECT DISTINCT device_id, account FROM read_parquet($f, union_by_name = true)
WHERE device_id IN (SELECT unnest($devices))
"""
# Devices used by fewer members than this show no one working several members' accounts:
# the least gang finding needs to report a device controller (RoleSettings).
CONTROLLER_MEMBERS = 2


@dataclass(frozen=True)
class GangScore:
    ari: float  # adjusted Rand index of gang membership over the scored persons
    scored: int  # persons scored (acting members and look-alikes)
    unseen: int  # members with accounts who never acted in the events
    leader_ranks: dict[str, int | None]  # true gang id → rank of its leader (None: not found)
    # Gangs whose leader the events do not tie to them; ranked (as None) all the same.
    unshown_leaders: list[str] = field(default_factory=list)


def acted_accounts(files: Sequence[Path]) -> set[str]:
    """Accounts that made or received a completed transfer or logged in."""
    with duckdb.connect() as con:
        rows = con.execute(_ACTED, {"f": [str(f) for f in files]}).fetchall()
    return {str(r[0]) for r in rows}


def leader_device_users(files: Sequence[Path], truth: Truth) -> dict[str, set[str]]:
    """Accounts each device of a leader without accounts was used from, in the events."""
    devices = sorted(
        {d for g in truth.gangs for m in g.members if _leads(m.role) and not m.accounts
         for d in m.devices}
    )  # fmt: skip
    users: dict[str, set[str]] = {d: set() for d in devices}
    if devices:
        with duckdb.connect() as con:
            rows = con.execute(
                _DEVICE_USERS, {"f": [str(f) for f in files], "devices": devices}
            ).fetchall()
        for device, account in rows:
            users[str(device)].add(str(account))
    return users


def score_gangs(
    report: GangReport,
    truth: Truth,
    acted: set[str],
    device_users: Mapping[str, set[str]] | None = None,
) -> GangScore:
    """ARI and leader ranks; with ``device_users`` (:func:`leader_device_users`), also
    which leaders the events do not show (without it, only wallets that never acted)."""
    where = {a.account: g.gang_id for g in report.gangs for m in g.members for a in m.accounts}

    def found(accounts: list[str]) -> str | None:
        votes = Counter(where[a] for a in accounts if a in where)
        return votes.most_common(1)[0][0] if votes else None

    truth_labels: list[str] = []
    found_labels: list[str] = []
    unseen = 0
    for gang in truth.gangs:
        for m in gang.members:
            if not any(a in acted for a in m.accounts):
                unseen += bool(m.accounts)
                continue
            truth_labels.append(gang.gang_id)
            found_labels.append(found(m.accounts) or f"alone {m.person_id}")
    for look in truth.lookalikes:
        for person, account in zip(look.person_ids, look.accounts, strict=True):
            truth_labels.append(f"alone {person}")
            found_labels.append(found([account]) or f"alone {person}")
    ari = float(
        ig.compare_communities(_numbers(truth_labels), _numbers(found_labels), "adjusted_rand")
    )
    ranks: dict[str, int | None] = {}
    unshown: list[str] = []
    by_id = {g.gang_id: g for g in report.gangs}
    for gang in truth.gangs:
        leader = next(m for m in gang.members if _leads(m.role))
        if not _leader_shows(gang, leader, acted, device_users):
            unshown.append(gang.gang_id)
        home = by_id.get(found([a for m in gang.members for a in m.accounts]) or "")
        ranks[gang.gang_id] = None
        for held in home.members if home is not None else []:
            mine = {a.account for a in held.accounts} & set(leader.accounts)
            if mine or (not leader.accounts and set(held.devices) & set(leader.devices)):
                ranks[gang.gang_id] = held.rank
                break
    return GangScore(ari, len(truth_labels), unseen, ranks, unshown)


def _leads(role: str) -> bool:
    return role in ("coordinator", "organiser")


def _leader_shows(
    gang: Gang, leader: Member, acted: set[str], device_users: Mapping[str, set[str]] | None
) -> bool:
    """Whether the events hold what the leader is known by (see the module's docstring)."""
    if leader.accounts:
        return any(a in acted for a in leader.accounts)
    if device_users is None:
        return True
    used = set().union(*(device_users.get(d, set()) for d in leader.devices))
    worked = [m for m in gang.members if used & set(m.accounts)]
    return len(worked) >= CONTROLLER_MEMBERS


def _numbers(labels: list[str]) -> list[int]:
    index = {v: i for i, v in enumerate(sorted(set(labels)))}
    return [index[v] for v in labels]
