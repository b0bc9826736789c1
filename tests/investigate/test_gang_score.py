"""Scoring gang finding against the truth: every leader is ranked, shown in the events or not."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.investigate.gang_result import Gang, GangAccount, GangMember, GangReport
from fraudlink.investigate.gang_score import leader_device_users, score_gangs
from fraudlink.sim import truth as sim

# Two refund rings of three claimants. Ring "lent" had its organiser's phone work two
# claimants' accounts; ring "lone" had it work only c1's, and nothing else ties its
# claimants together, so gang finding left them alone. A scam gang's coordinator whose
# wallet never moved money or logged in is as invisible.
RINGS = {"lent": ("dv-lent", ["a1", "a2", "a3"]), "lone": ("dv-lone", ["b1", "b2", "b3"])}
USED = {"dv-lent": {"a1", "a2"}, "dv-lone": {"b1"}}


def _truth() -> sim.Truth:
    gangs = [
        sim.Gang(
            gang_id=name,
            typology="refund_fraud",
            cities=[],
            members=[
                sim.Member(
                    person_id=f"{name}-org", role="organiser", accounts=[], devices=[device]
                ),
                *(sim.Member(person_id=f"P-{a}", role="claimant", accounts=[a]) for a in accounts),
            ],
        )
        for name, (device, accounts) in RINGS.items()
    ]
    gangs.append(
        sim.Gang(
            gang_id="idle",
            typology="impersonation_scam",
            cities=[],
            members=[
                sim.Member(person_id="boss", role="coordinator", accounts=["w0"]),
                *(sim.Member(person_id=f"P-{a}", role="mule", accounts=[a]) for a in ("w1", "w2")),
            ],
        )
    )
    return sim.Truth(seed=1, scale="tiny", start="", end="", gangs=gangs)


def _member(
    person: str, role: str, rank: int, accounts: list[str], devices: list[str]
) -> GangMember:
    refs = [GangAccount(org="hx-mall", account=a) for a in accounts]
    return GangMember(person=person, role=role, rank=rank, accounts=refs, devices=devices)


def _found(members: list[GangMember], gang_id: str) -> Gang:
    return Gang(
        gang_id=gang_id,
        members=members,
        victims=[],
        organisations=[],
        cities=[],
        devices=[],
        currency="CNY",
        money_in=0,
        cashed_out=0,
        sent_elsewhere=0,
        held=0,
    )


REPORT = GangReport(
    gangs=[
        _found(
            [
                _member("controller of dv-lent", "device_controller", 1, [], ["dv-lent"]),
                *(
                    _member(a, "claimant", i, [a], ["dv-lent"])
                    for i, a in enumerate(["a1", "a2", "a3"], 2)
                ),
            ],
            "GANG-001",
        ),
        _found([_member(a, "mule", i, [a], []) for i, a in enumerate(["w1", "w2"], 1)], "GANG-002"),
    ],
    stats={},
)
ACTED = {"a1", "a2", "a3", "b1", "b2", "b3", "w1", "w2"}  # w0 never acted


def test_a_leader_the_events_do_not_show_is_named_and_still_counts_as_not_found() -> None:
    score = score_gangs(REPORT, _truth(), ACTED, USED)
    assert score.leader_ranks == {"lent": 1, "lone": None, "idle": None}
    assert score.unshown_leaders == ["lone", "idle"]


def test_without_device_use_an_organiser_counts_as_shown() -> None:
    score = score_gangs(REPORT, _truth(), ACTED)
    assert score.leader_ranks == {"lent": 1, "lone": None, "idle": None}
    assert score.unshown_leaders == ["idle"]


def test_device_users_are_read_from_the_events(tmp_path: Path) -> None:
    events = pa.table(
        {
            "type": ["login", "login", "account_registered", "login", "login"],
            "account": ["a1", "a2", "a2", "b1", "x9"],
            "device_id": ["dv-lent", "dv-lent", "dv-lent", "dv-lone", "dv-other"],
        }
    )
    pq.write_table(events, tmp_path / "events.parquet")
    assert leader_device_users([tmp_path / "events.parquet"], _truth()) == USED
