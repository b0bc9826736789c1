"""Air-gapped units: sealed files out through one folder, signed receipts back through another."""

from __future__ import annotations

from pathlib import Path

from fraudlink.cases.referral import KIND
from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import drop, outbox, routes
from fraudlink.exchange.node import Node
from tests.exchange.test_mailroom import case_body


def test_drop_folder_round_trip(nodes: tuple[Node, Node], tmp_path: Path) -> None:
    platform, police = nodes
    carried, back = tmp_path / "usb-out", tmp_path / "usb-back"
    routes.save(platform.home, {"hz-cyber": routes.Route(drop=str(carried))})
    first = outbox.post(platform, "hz-cyber", KIND, case_body(case_id="c-1"), ref="c-1")
    second = outbox.post(platform, "hz-cyber", KIND, case_body(case_id="c-2"), ref="c-2")
    states = [a.state for a in outbox.pump(platform)]
    assert states == ["awaiting_receipt", "awaiting_receipt"]
    assert sorted(p.name for p in carried.iterdir()) == sorted(
        [f"{first.id}.fle", f"{second.id}.fle"]
    )
    assert outbox.pump(platform) == []  # written once, not again every round

    taken = drop.take_folder(police, carried, back, HANDLERS)
    # Sequence order, whatever the file names: the receiver refuses going backwards.
    assert [got.ref for _, got in taken] == ["c-1", "c-2"]
    assert all(got.accepted for _, got in taken)
    again = drop.take_folder(police, carried, back, HANDLERS)  # read twice: harmless
    assert all(got.duplicate for _, got in again)

    collected = drop.collect_receipts(platform, back)
    assert [c.receipt.body.status for c in collected if c.receipt] == ["accepted", "accepted"]
    with platform.store() as store:
        assert {m.state for m in store.list_messages(direction="out")} == {"delivered"}
    assert len(drop.collect_receipts(platform, back)) == 2  # collecting twice is harmless
    with police.store() as store:
        assert len(store.list_messages(direction="in")) == 2


def test_a_forged_receipt_in_the_folder_is_rejected_and_logged(
    nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    platform, _ = nodes
    back = tmp_path / "back"
    back.mkdir()
    (back / "msg-x.receipt.json").write_text('{"body": {}, "signature": "AA=="}')
    (found,) = drop.collect_receipts(platform, back)
    assert found.receipt is None and "not a receipt" in (found.error or "")
    with platform.store() as store:
        assert store.audit_entries()[-1].action == "receipt.rejected"
