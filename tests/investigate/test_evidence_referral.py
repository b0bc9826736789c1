"""Every referral the police node accepts lands in its evidence store, with the message that
brought it, and the receipt it signed is found beside it."""

from __future__ import annotations

import pytest

from fraudlink.cases import package
from fraudlink.cases.referral import KIND, pack_case
from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import outbox
from fraudlink.exchange.mailroom import receive
from fraudlink.exchange.node import Node
from fraudlink.investigate import evidence
from fraudlink.investigate.evidence_arrivals import wait_for_imports
from fraudlink.investigate.evidence_custody import held_sources
from fraudlink.sim.truth import Truth
from fraudlink.sim.world import simulate
from tests.exchange.conftest import START, clock, nodes  # noqa: F401 - the two real nodes
from tests.exchange.test_mailroom import case_body
from tests.investigate.test_evidence import make_package


@pytest.fixture(scope="module")
def referred(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A mule's case package from a tiny world, as the platform hx-mall seals it."""
    import msgspec

    world = tmp_path_factory.mktemp("world")
    simulate("tiny", 4, world)
    truth = msgspec.json.decode((world / "truth.json").read_bytes(), type=Truth)
    mule = next(a for a, label in truth.accounts.items() if label.role.startswith("mule"))
    folder = make_package(world, tmp_path_factory.mktemp("out"), "case-m", mule)
    manifest = package.verify(folder)
    manifest = msgspec.structs.replace(manifest, sender="hx-mall", recipient="hz-cyber")
    blobs = {n: (folder / e.file).read_bytes() for n, e in manifest.tables.items()}
    return pack_case(manifest, blobs)


def test_an_accepted_referral_is_imported_with_its_message(
    nodes: tuple[Node, Node],  # noqa: F811
    referred: bytes,
) -> None:
    platform, police = nodes
    sent = outbox.post(platform, "hz-cyber", KIND, referred, ref="case-m")
    got = receive(police, sent.body, HANDLERS)
    assert got.accepted
    wait_for_imports(timeout=60)
    folder = evidence.case_folder(police.home, "case-m")
    assert folder is not None and (folder / "events.parquet").exists()
    info = evidence.read_source(folder)
    assert info is not None and info.message_id == sent.id and info.events > 0
    received = package.verify(police.home / "inbox" / "case-m")
    assert info.tables == {k: v.sha256 for k, v in received.tables.items()}
    (held,) = held_sources(police.home)
    assert held.receipt is not None and held.receipt.message_id == sent.id
    assert held.receipt.status == "accepted" and held.receipt.receiver == "hz-cyber"
    with police.store() as store:
        entries = store.audit_entries()
        imported = [e for e in entries if e.action == "evidence.import"]
        assert len(imported) == 1 and imported[0].detail["events"] == info.events
        assert store.verify_audit().ok
    # The same bytes again (a lost receipt): the first receipt, nothing imported twice.
    stamp = (folder / "source.json").stat().st_mtime_ns
    assert receive(police, sent.body, HANDLERS).duplicate
    wait_for_imports(timeout=60)
    assert (folder / "source.json").stat().st_mtime_ns == stamp
    assert evidence.evidence_folders(police.home) == [folder]


def test_a_package_that_records_no_events_is_still_accepted(
    nodes: tuple[Node, Node],  # noqa: F811
) -> None:
    """Authentic and intact, so it is taken in; what could not be imported is audited."""
    platform, police = nodes
    sent = outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1")
    assert receive(police, sent.body, HANDLERS).accepted
    wait_for_imports(timeout=60)
    assert (police.home / "inbox" / "case-1" / "manifest.json").exists()
    assert evidence.case_folder(police.home, "case-1") is None
    with police.store() as store:
        (note,) = [e for e in store.audit_entries() if e.action == "evidence.not_imported"]
    assert "has no ts" in note.detail["reason"]
    assert not any(p.name.startswith(".") for p in (police.home / "evidence").glob("*"))


def test_inbox_packages_from_before_the_store_are_listed(
    nodes: tuple[Node, Node],  # noqa: F811
) -> None:
    from fraudlink.investigate import timeline_sources

    _, police = nodes
    (police.home / "inbox").mkdir()
    manifest, blobs = package.build(case_id="case-old", title="t", subject_accounts=["a"],
                                    alerts=[], tables={}, sender="hx-mall",
                                    recipient="hz-cyber", created=START)  # fmt: skip
    package.write(police.home / "inbox" / "case-old", manifest, blobs)
    assert timeline_sources.inbox_not_imported(police.home) == [police.home / "inbox" / "case-old"]
    evidence.import_package(police.home, police.home / "inbox" / "case-old")
    assert timeline_sources.inbox_not_imported(police.home) == []
