"""docs/rules.md cannot fall behind the code: its examples load and run, its lists are complete."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import msgspec
import pytest

from fraudlink.detect.engine import Engine
from fraudlink.detect.rules.loader import RuleFileError, load_rules_text
from fraudlink.detect.rules.predicates import OPS
from fraudlink.detect.rules.schema import Aggregate, Detector, Enrichment, Rule, Settings
from tests.detect.streams import HOUR, MINUTE, T0, claim, scan, table

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
TEXT = DOC.read_text(encoding="utf-8")
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", TEXT, flags=re.DOTALL)
TEXT_BLOCKS = re.findall(r"```text\n(.*?)```", TEXT, flags=re.DOTALL)


def _tags(union: object) -> list[str]:
    return [t.__struct_config__.tag for t in typing.get_args(union)]


def test_the_doc_has_examples() -> None:
    assert len(YAML_BLOCKS) >= 8


@pytest.mark.parametrize("index", range(len(YAML_BLOCKS)))
def test_every_example_but_the_error_one_loads(index: int) -> None:
    block = YAML_BLOCKS[index]
    if "windw" in block:
        with pytest.raises(RuleFileError, match="'windw' is not an operator"):
            load_rules_text(block, source="rules.yaml")
        return
    pack = load_rules_text(block)
    assert pack.rules


def test_the_error_shown_is_the_error_given() -> None:
    (bad,) = [b for b in YAML_BLOCKS if "windw" in b]
    with pytest.raises(RuleFileError) as caught:
        load_rules_text(bad, source="rules.yaml")
    shown = next(b for b in TEXT_BLOCKS if "windw" in b)
    assert f"error: {caught.value}" in shown


@pytest.mark.parametrize("name", [*_tags(Detector), *_tags(Enrichment), *OPS])
def test_every_operator_is_documented(name: str) -> None:
    assert f"`{name}`" in TEXT, f"{name} is not in docs/rules.md"


def test_every_aggregate_function_and_key_is_documented() -> None:
    fn = next(f for f in msgspec.inspect.type_info(Aggregate).fields if f.name == "fn")
    assert isinstance(fn.type, msgspec.inspect.LiteralType)
    names = [
        f.encode_name for cls in (Rule, Settings) for f in msgspec.inspect.type_info(cls).fields
    ]
    fns = list(fn.type.values)
    for name in [*fns, *names]:
        assert f"`{name}`" in TEXT, f"{name} is not in docs/rules.md"


def test_the_first_example_gives_the_reason_the_doc_shows() -> None:
    pack = load_rules_text(YAML_BLOCKS[0])
    rows = [scan(T0 + i * MINUTE, "a", f"o{i}", "signed") for i in range(3)]
    rows += [claim(T0 + HOUR + i * 10 * MINUTE, "a", f"o{i}", 500_000) for i in range(3)]
    engine = Engine(pack)
    (alert,) = engine.push(table(rows)) + engine.flush()
    shown = TEXT_BLOCKS[0].strip()
    assert alert.reasons == [shown]
