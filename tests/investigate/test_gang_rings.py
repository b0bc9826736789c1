"""Refund rings: when the events tie an organiser's phones to their claimants, and when not.

A ring's organiser holds no account; the events show only the devices the claimants'
accounts were worked from, and name no device's owner. A phone that worked the accounts
of two claimants is someone working both (the device controller); a phone that worked
only one claimant's accounts looks exactly like that claimant's own second phone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.investigate.gangs import find_gangs
from fraudlink.model.columns import events_to_table
from fraudlink.model.events import AnyEvent, Login, RefundRequested

T0 = datetime(2026, 9, 3, 10, 0, tzinfo=UTC)


def _write_ring(folder: Path, worked_from: dict[str, str]) -> Path:
    """Claimants c1 (two accounts, one KYC record's national id), c2 and c3, each account
    with a burst of three "not received" claims, logged in from ``worked_from[account]``."""
    events: list[AnyEvent] = []
    for k, (account, device) in enumerate(sorted(worked_from.items())):
        at = T0 + timedelta(days=k)
        events.append(
            Login(event_id=f"ev-{account}", ts=at, org="hx-mall", account=account,
                  ip=f"10.9.{k}.1", city="Chongqing", device_id=device, success=True)
        )  # fmt: skip
        for n in range(3):
            t = at + timedelta(minutes=10 + 20 * n)
            events.append(
                RefundRequested(event_id=f"ev-{account}-{n}", ts=t, org="hx-mall",
                                account=account, order_id=f"o-{account}-{n}",
                                refund_id=f"r-{account}-{n}", amount=400_000,
                                currency="CNY", reason="not_received")
            )  # fmt: skip
    pq.write_table(events_to_table(sorted(events, key=lambda e: e.ts)), folder / "events.parquet")
    accounts = sorted(worked_from)
    pq.write_table(
        pa.table(
            {
                "account_id": accounts,
                "org": ["hx-mall"] * len(accounts),
                "party_id": [f"pty-{a}" for a in accounts],
                "kind": ["user"] * len(accounts),
            }
        ),
        folder / "accounts.parquet",
    )
    parties = {
        "party_id": [f"pty-{a}" for a in accounts],
        "org": ["hx-mall"] * len(accounts),
        "name": [f"name {a}" for a in accounts],
        "phone": [None] * len(accounts),
        "email": [None] * len(accounts),
        "national_id_hash": [f"nid {a[:2]}" for a in accounts],  # c1a, c1b: one person
    }
    schema = pa.schema([(column, pa.string()) for column in parties])
    pq.write_table(pa.table(parties, schema=schema), folder / "parties.parquet")
    return folder


def test_an_organiser_phone_that_worked_two_claimants_is_their_controller(
    tmp_path: Path,
) -> None:
    ring = {"c1a": "dv-org", "c1b": "dv-org", "c2": "dv-org", "c3": "dv-c3"}
    report = find_gangs([_write_ring(tmp_path, ring)])
    assert len(report.gangs) == 1
    members = [(m.person, m.role, m.rank) for m in report.gangs[0].members]
    assert members[0] == ("controller of dv-org", "device_controller", 1)
    assert {p for p, _, _ in members[1:]} == {"hx-mall:c1a", "hx-mall:c2"}


def test_an_organiser_phone_that_worked_one_claimant_only_ties_no_one(tmp_path: Path) -> None:
    # xlarge ring G-RF015: both organiser phones worked claimant c1's accounts only, the
    # others used their own phones. Nothing in the events tells dv-org-1 and dv-org-2
    # from c1's own phones, and nothing ties the claimants together: no gang, rather
    # than an organiser made up for every claimant who used two phones.
    ring = {"c1a": "dv-org-1", "c1b": "dv-org-2", "c2": "dv-c2", "c3": "dv-c3"}
    report = find_gangs([_write_ring(tmp_path, ring)])
    assert report.gangs == []
    assert report.stats["claim bursts"] == 4 and report.stats["shared things"] == 0
