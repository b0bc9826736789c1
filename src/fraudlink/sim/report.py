"""Plain numbers about a simulated world, for people to read: gangs, victims, losses."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from fraudlink.sim.truth import Truth


@dataclass(frozen=True)
class GangLine:
    gang_id: str
    typology: str
    members: int
    roles: dict[str, int]
    accounts: int
    cities: list[str]
    victims: int
    loss: int


@dataclass(frozen=True)
class WorldFacts:
    gangs: list[GangLine]
    victims: int
    total_loss: int
    loss_by_province: dict[str, int]
    victims_by_province: dict[str, int]
    takeovers: int
    stolen_by_takeover: int
    lookalikes: dict[str, int]
    labelled_accounts: dict[str, int]


def world_facts(truth: Truth) -> WorldFacts:
    victims_by_gang: Counter[str] = Counter()
    loss_by_gang: Counter[str] = Counter()
    loss_by_province: dict[str, int] = defaultdict(int)
    victims_by_province: Counter[str] = Counter()
    for v in truth.victims:
        victims_by_gang[v.gang_id] += 1
        loss_by_gang[v.gang_id] += v.loss
        loss_by_province[v.province] += v.loss
        victims_by_province[v.province] += 1
    gangs = [
        GangLine(
            gang_id=g.gang_id,
            typology=g.typology,
            members=len(g.members),
            roles=dict(Counter(m.role for m in g.members)),
            accounts=sum(len(m.accounts) for m in g.members),
            cities=g.cities,
            victims=victims_by_gang[g.gang_id],
            loss=loss_by_gang[g.gang_id],
        )
        for g in truth.gangs
    ]
    return WorldFacts(
        gangs=gangs,
        victims=len(truth.victims),
        total_loss=sum(v.loss for v in truth.victims),
        loss_by_province=dict(sorted(loss_by_province.items(), key=lambda kv: -kv[1])),
        victims_by_province=dict(victims_by_province.most_common()),
        takeovers=len(truth.takeovers),
        stolen_by_takeover=sum(t.stolen for t in truth.takeovers),
        lookalikes=dict(Counter(x.kind for x in truth.lookalikes)),
        labelled_accounts=dict(Counter(a.typology for a in truth.accounts.values())),
    )
