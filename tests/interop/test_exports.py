"""STIX, FollowTheMoney and MISP exports, each validated by its reference library."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from fraudlink.cases import evidence, package
from fraudlink.cli import app
from fraudlink.interop import ftm, misp, source, stix
from fraudlink.model.money import minor_exponent
from fraudlink.sim.truth import Truth
from fraudlink.sim.world import simulate

with warnings.catch_warnings():  # the reference libraries are only imported here
    warnings.simplefilter("ignore")
    from followthemoney import model
    from pymisp import MISPEvent, MISPObject
    from stix2validator import ValidationOptions, validate_instance


@pytest.fixture(scope="module")
def case_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import msgspec

    world = tmp_path_factory.mktemp("world")
    simulate("tiny", 4, world)
    truth = msgspec.json.decode((world / "truth.json").read_bytes(), type=Truth)
    mule = next(a for a, label in sorted(truth.accounts.items()) if label.role.startswith("mule"))
    tables = evidence.gather(world / "events.parquet", mule, accounts=world / "accounts.parquet",
                             parties=world / "parties.parquet")  # fmt: skip
    from datetime import UTC, datetime

    manifest, blobs = package.build(
        case_id="case-0123456789abcdef", title="mule ring", subject_accounts=[mule],
        alerts=[{"alert_id": "al-1", "reasons": ["received ¥48,000.00 and passed on 97 %"]}],
        tables=tables, sender="qb-pay", recipient="hz-cyber",
        created=datetime(2026, 10, 1, 8, 0, tzinfo=UTC), handling=package.Handling(tlp="amber"),
    )  # fmt: skip
    folder = tmp_path_factory.mktemp("case") / "case-0123456789abcdef"
    package.write(folder, manifest, blobs)
    assert tables["transactions"], "a mule's case has transfers to export"
    return folder


def test_stix_bundle_is_valid_with_no_warnings(case_folder: Path) -> None:
    data = source.read(case_folder)
    bundle = stix.to_stix(data)
    result = validate_instance(bundle, ValidationOptions(version="2.1"))
    assert result.is_valid and result.errors == [] and result.warnings == []
    ids = {o["id"] for o in bundle["objects"]}
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    assert set(report["object_refs"]) <= ids
    assert all(o.get("object_marking_refs") == [stix.TLP2["amber"]]
               for o in bundle["objects"] if o["type"] != "marking-definition")  # fmt: skip
    subject = data.manifest.subject_accounts[0]
    assert any(o.get("user_id") == subject for o in bundle["objects"])
    assert json.dumps(stix.to_stix(source.read(case_folder))) == json.dumps(bundle)


def test_ftm_entities_are_valid_and_payments_connect_existing_entities(case_folder: Path) -> None:
    data = source.read(case_folder)
    entities = ftm.to_ftm(data)
    by_id = {e["id"]: e for e in entities}
    for entity in entities:
        schema = model.get(entity["schema"])
        assert schema is not None, entity["schema"]
        missing = [p for p in schema.required if not entity["properties"].get(p)]
        assert missing == [], (entity["schema"], missing)  # validate() skips required ones
        for name, values in entity["properties"].items():
            prop = schema.get(name)
            assert prop is not None, (entity["schema"], name)
            for value in values:
                if prop.type.name == "entity":
                    assert value in by_id, (name, value)  # every edge lands on an entity
                else:
                    assert prop.type.clean(value) is not None, (name, value)
        model.get_proxy(entity)  # the library builds it without complaint
    payments = [e for e in entities if e["schema"] == "Payment"]
    assert len(payments) == len(data.rows("transactions"))
    total = sum(Decimal(p["properties"]["amount"][0]) for p in payments)
    assert total == sum(Decimal(r["amount"]) / 100 for r in data.rows("transactions"))


def test_misp_event_loads_and_its_objects_match_their_templates(case_folder: Path) -> None:
    data = source.read(case_folder)
    exported = misp.to_misp(data)
    event = MISPEvent()
    event.load(json.dumps(exported))
    assert event.info.startswith("case-0123456789abcdef")
    assert {t.name for t in event.tags} >= {"tlp:amber"}
    assert len(event.attributes) == len(exported["Event"]["Attribute"])
    for obj in exported["Event"]["Object"]:
        template = MISPObject(obj["name"])
        assert obj["template_uuid"] == template.template_uuid
        relations = {a["object_relation"] for a in obj["Attribute"]}
        for a in obj["Attribute"]:
            template.add_attribute(a["object_relation"], value=a["value"])
        one_of = set(template._definition.get("requiredOneOf", []))
        assert not one_of or relations & one_of, (obj["name"], relations)
        assert relations <= set(template._definition["attributes"])
    ips = {a["value"] for a in exported["Event"]["Attribute"] if a["type"] == "ip-src"}
    assert ips == {r["ip"] for r in data.rows("logins") if r.get("ip")}


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["CNY", "JPY", "KWD"]))
def test_money_is_exact_in_major_units(minor: int, currency: str) -> None:
    text = source.major(minor, currency)
    assert Decimal(text).scaleb(minor_exponent(currency)) == minor


def test_cli_writes_each_format_and_refuses_a_changed_package(
    case_folder: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    for fmt, suffix in (("stix", ".stix.json"), ("ftm", ".ftm.jsonl"), ("misp", ".misp.json")):
        out = tmp_path / f"case{suffix}"
        result = runner.invoke(app, ["export", str(case_folder), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.exists() and out.read_bytes()
    copy = tmp_path / "changed"
    import shutil

    shutil.copytree(case_folder, copy)
    table = copy / "evidence" / "transactions.jsonl"
    table.write_text(table.read_text().replace("completed", "failed", 1))
    refused = runner.invoke(app, ["export", str(copy), "--format", "stix",
                                  "-o", str(tmp_path / "x.json")])  # fmt: skip
    assert refused.exit_code != 0 and "transactions" in refused.output
    assert not (tmp_path / "x.json").exists()
