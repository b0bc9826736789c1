"""Gang finding on a handful of hand-written events, and its parts on their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import igraph as ig  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.investigate.gang_graph import group_persons, load_gang_graph
from fraudlink.investigate.gang_money import Flows, Transfer, hops_from
from fraudlink.investigate.gangs import communities, find_gangs
from fraudlink.model.columns import events_to_table
from fraudlink.model.events import AnyEvent, Login, WalletTransfer

T0 = datetime(2026, 9, 3, 10, 0, tzinfo=UTC)


class Story:
    """Builds canonical events; every account is on the wallet ``qb-pay``."""

    def __init__(self) -> None:
        self.events: list[AnyEvent] = []

    def pay(self, src: str, dst: str, yuan: int, minutes: float, channel: str = "app") -> None:
        at = T0 + timedelta(minutes=minutes)
        n = len(self.events)
        self.events.append(
            WalletTransfer(
                event_id=f"ev-{n}", ts=at, org="qb-pay", transfer_id=f"T{n}",
                from_account=src, to_account=dst,
                to_org="hs-bank" if channel == "withdrawal" else "qb-pay",
                amount=yuan * 100, currency="CNY", channel=channel,  # type: ignore[arg-type]
                status="completed", initiated_at=at, completed_at=at,
            )
        )  # fmt: skip

    def login(self, account: str, device: str, minutes: float, ip: str = "10.0.0.1") -> None:
        at = T0 + timedelta(minutes=minutes)
        n = len(self.events)
        self.events.append(
            Login(event_id=f"ev-{n}", ts=at, org="qb-pay", account=account, ip=ip,
                  city="Hangzhou", device_id=device, success=True)
        )  # fmt: skip

    def write(self, folder: Path) -> Path:
        table: pa.Table = events_to_table(sorted(self.events, key=lambda e: e.ts))
        pq.write_table(table, folder / "events.parquet")
        return folder


def _gang_story() -> Story:
    """Two victims, two mule layers, a cash-out, a coordinator; honest people around."""
    s = Story()
    s.pay("victim-1", "mule-1", 5_000, 0)
    s.pay("victim-2", "mule-1", 3_000, 5)
    s.pay("mule-1", "mule-2", 7_900, 20)
    s.pay("mule-2", "cashout", 7_800, 60)
    s.pay("cashout", "boss", 780, 90)
    s.pay("cashout", "card-9", 7_000, 100, channel="withdrawal")
    for k, (who, at) in enumerate((("mule-1", 18), ("mule-2", 58), ("cashout", 88))):
        s.login(who, "dv-gang", at, ip=f"10.1.0.{k}")
    # An honest person who spends what a friend just sent: pass-through, but alone.
    s.pay("friend", "honest", 5_000, 0)
    s.pay("honest", "shop", 5_000, 60, channel="merchant")
    # A family of three on one tablet, and a victim who also uses a mule's address
    # three days later (a mobile carrier's address: not the same place).
    for k, who in enumerate(("mum", "dad", "kid")):
        s.login(who, "dv-tablet", 100 + k)
    s.login("victim-1", "dv-victim", 3 * 24 * 60, ip="10.1.0.0")
    return s


def test_a_laundering_chain_is_one_gang_with_its_roles(tmp_path: Path) -> None:
    report = find_gangs([_gang_story().write(tmp_path)])
    assert len(report.gangs) == 1
    gang = report.gangs[0]
    roles = {m.person: (m.role, m.layer) for m in gang.members}
    assert roles == {
        "qb-pay:boss": ("coordinator", None),
        "controller of dv-gang": ("device_controller", None),
        "qb-pay:mule-1": ("mule", 1),
        "qb-pay:mule-2": ("mule", 2),
        "qb-pay:cashout": ("cash_out", 3),
        "hs-bank:card-9": ("card", None),
    }
    assert gang.members[0].person == "qb-pay:boss" and gang.members[0].rank == 1
    assert sorted(v.person for v in gang.victims) == ["qb-pay:victim-1", "qb-pay:victim-2"]
    assert (gang.money_in, gang.cashed_out, gang.held) == (800_000, 700_000, 100_000)
    assert gang.devices == ["dv-gang"]


def test_strangers_at_one_address_on_different_days_are_not_linked(tmp_path: Path) -> None:
    graph = load_gang_graph([_gang_story().write(tmp_path)])
    accounts = graph.candidates.accounts.column("account").to_pylist()
    assert "honest" not in accounts and "mum" not in accounts  # no gang behaviour
    assert not [t for t in graph.things if t.startswith("ip ")]
    assert graph.things == ["device dv-gang"]


def test_money_moves_on_only_after_it_arrived() -> None:
    def t(src: int, dst: int, ts: int) -> Transfer:
        return Transfer(src, dst, src, dst, 100, ts, external=False)

    # 0 is the victim; 1 pays 2 before the victim's money reached 1, then 2 pays 3.
    flows = Flows([t(1, 2, 5), t(0, 1, 10), t(2, 3, 20), t(1, 4, 30)])
    assert hops_from(flows, {0}) == {1: 1, 4: 2}


def test_accounts_sharing_an_identifier_are_one_person() -> None:
    links = pa.table(
        {
            "code": [0, 2, 1, 3, 3, 4],
            "thing": ["phone 1", "phone 1", "device d", "device d", "e-mail x", "e-mail x"],
            "kind": ["ident", "ident", "device", "device", "ident", "ident"],
        }
    )
    # 0 and 2 share a phone, 3 and 4 an e-mail; a device does not make a person.
    assert group_persons(5, links).tolist() == [0, 1, 0, 2, 2]


@pytest.mark.parametrize("bridges", [1, 2])
def test_two_groups_joined_by_a_thin_bridge_are_two_communities(bridges: int) -> None:
    graph = ig.Graph.Full(8) + ig.Graph.Full(8)
    graph.add_edges([(i, 8 + i) for i in range(bridges)])
    graph.es["weight"] = 1.0
    found = communities(graph, resolution=0.25, seed=7)
    assert len(set(found[:8])) == len(set(found[8:])) == 1 and found[0] != found[8]
    assert communities(graph, resolution=0.25, seed=7).tolist() == found.tolist()


def test_overlapping_exports_count_each_transfer_once(tmp_path: Path) -> None:
    story = _gang_story()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    once = find_gangs([story.write(tmp_path / "a")])
    twice = find_gangs([tmp_path / "a", story.write(tmp_path / "b")])
    assert twice.gangs == once.gangs and twice.gangs[0].money_in == 800_000


def test_honest_events_give_no_gangs(tmp_path: Path) -> None:
    story = Story()
    story.pay("friend", "honest", 5_000, 0)
    story.pay("honest", "shop", 5_000, 60, channel="merchant")
    story.login("honest", "dv-phone", 59)
    result = CliRunner().invoke(app, ["gangs", "-e", str(story.write(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "No gangs found." in result.stdout and "0 relay and 0 claim-burst" in result.stdout
