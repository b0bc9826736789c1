"""Alert → case: the evidence of the alerts' accounts, gathered once, packaged per recipient."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pyarrow.parquet as pq
import pytest

from fraudlink.cases import package, referral
from fraudlink.detect.alerts import Alert
from fraudlink.detect.engine import Engine
from fraudlink.detect.rules.loader import builtin_pack
from fraudlink.exchange import routes
from fraudlink.exchange.node import Node
from fraudlink.sim.world import simulate
from fraudlink.store import AlertRecord

PASS = b"a long node passphrase"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Alert]]:
    out = tmp_path_factory.mktemp("world")
    simulate("tiny", 4, out)
    engine = Engine(builtin_pack())
    return out, engine.push(pq.read_table(out / "events.parquet")) + engine.flush()


def platform_with(alerts: list[Alert], home: Path, org: str = "hx-mall") -> Node:
    node = Node.init(home, org, "platform", PASS)
    with node.store() as store:
        for a in alerts:
            store.add_alert(AlertRecord(id=a.alert_id, rule_id=a.rule_id,
                                        rule_version=a.rule_version, entity_kind=a.entity_kind,
                                        entity_id=a.entity, ts=a.ts, score=a.score,
                                        severity=a.severity, reasons=a.reasons,
                                        body=msgspec.to_builtins(a), created_at=a.ts))  # fmt: skip
    return node


def test_open_gathers_every_subjects_evidence_and_is_idempotent(
    world: tuple[Path, list[Alert]], tmp_path: Path
) -> None:
    folder, alerts = world
    refund = next(a for a in alerts if a.rule_id == "refund-burst-signed")
    node = platform_with(alerts, tmp_path / "p")
    draft = referral.open_case(node, [refund.alert_id], folder)
    assert draft.subject_accounts == sorted(refund.accounts)
    again = referral.open_case(node, [refund.alert_id], folder)
    assert again == draft
    _, tables = referral.read_draft(node, draft.case_id)
    assert {r["subject"] for r in tables["refunds"]} <= set(refund.accounts)
    assert sum(r["latest_scan"] == "signed" for r in tables["refunds"]) >= 3
    assert tables["account"][0]["account_id"] in refund.accounts
    with node.store() as store:
        case = store.get_case(draft.case_id)
        assert case is not None and case.alert_ids == (refund.alert_id,)
        assert [e.action for e in store.audit_entries()].count("case.open") == 1


def test_case_ids_are_per_organisation(world: tuple[Path, list[Alert]], tmp_path: Path) -> None:
    _, alerts = world
    ids = [alerts[0].alert_id]
    assert referral.case_id_for("hx-mall", ids) == referral.case_id_for("hx-mall", ids)
    assert referral.case_id_for("hx-mall", ids) != referral.case_id_for("jy-shop", ids)


def test_refer_packages_for_the_recipient_and_marks_the_case(
    world: tuple[Path, list[Alert]], tmp_path: Path
) -> None:
    folder, alerts = world
    node = platform_with(alerts, tmp_path / "p")
    police = Node.init(tmp_path / "police", "hz-cyber", "police", PASS)
    node.trust(police.info.card)
    routes.save(node.home, {"hz-cyber": routes.Route(url="http://police.invalid")})
    draft = referral.open_case(node, [alerts[0].alert_id], folder)
    message = referral.refer(node, draft.case_id, "hz-cyber",
                             handling=package.Handling(tlp="red"))  # fmt: skip
    manifest = package.verify(referral.find_package(node, draft.case_id))
    got = (manifest.sender, manifest.recipient, manifest.handling.tlp)
    assert got == ("hx-mall", "hz-cyber", "red")
    assert manifest.alert_ids == [alerts[0].alert_id]
    assert message.ref == draft.case_id and message.kind == referral.KIND
    with node.store() as store:
        case = store.get_case(draft.case_id)
        assert case is not None and case.status == "referred"


def test_unknown_alerts_and_event_files_are_refused(
    world: tuple[Path, list[Alert]], tmp_path: Path
) -> None:
    folder, alerts = world
    node = platform_with(alerts[:1], tmp_path / "p")
    with pytest.raises(referral.CaseError, match="no alert al-missing"):
        referral.open_case(node, ["al-missing"], folder)
    with pytest.raises(referral.CaseError, match="not found"):
        referral.open_case(node, [alerts[0].alert_id], tmp_path / "nothing.parquet")
    with pytest.raises(referral.CaseError, match=r"no events\.parquet"):
        referral.open_case(node, [alerts[0].alert_id], tmp_path)


def test_alert_bodies_survive_the_store_unchanged(
    world: tuple[Path, list[Alert]], tmp_path: Path
) -> None:
    _, alerts = world
    node = platform_with(alerts[:1], tmp_path / "p")
    with node.store() as store:
        kept = store.get_alert(alerts[0].alert_id)
    assert kept is not None
    assert json.loads(json.dumps(kept.body)) == json.loads(msgspec.json.encode(alerts[0]))
