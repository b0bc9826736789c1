"""docs/data-model.md and the JSON Schema file are exactly what the code generates."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.model import EVENT_TYPES
from fraudlink.model.columns import EVENT_COLUMNS, decode_event_json
from fraudlink.model.docs import render_data_model_markdown
from fraudlink.model.examples import example_entities, example_events

DOCS = Path(__file__).resolve().parents[2] / "docs"
GENERATED = {
    "data-model.md": ["schema", "--markdown"],
    "schema/canonical-v1.json": ["schema"],
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_committed_file_matches_generator(name: str) -> None:
    args = GENERATED[name]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    committed = (DOCS / name).read_text(encoding="utf-8")
    regenerate = f"fraudlink {' '.join(args)} --out docs/{name}"
    assert committed == result.stdout, f"docs/{name} is stale; regenerate it with: {regenerate}"


def test_markdown_is_deterministic() -> None:
    assert render_data_model_markdown() == render_data_model_markdown()


def test_every_event_type_field_and_column_is_documented() -> None:
    text = render_data_model_markdown()
    for tag, cls in EVENT_TYPES.items():
        assert f"### `{tag}`" in text
        for field in msgspec.structs.fields(cls):
            assert f"| `{field.name}` |" in text
    for column in EVENT_COLUMNS:
        assert f"| `{column}` | `" in text


def test_json_examples_in_the_markdown_decode_to_the_example_structs() -> None:
    blocks = re.findall(r"```json\n(.*?)\n```", render_data_model_markdown(), flags=re.S)
    events, entities = example_events(), list(example_entities().values())
    assert len(blocks) == len(events) + len(entities)
    for block, event in zip(blocks, events, strict=False):
        assert decode_event_json(block) == event
    for block, entity in zip(blocks[len(events) :], entities, strict=True):
        assert msgspec.json.decode(block, type=type(entity)) == entity


def test_example_events_cover_every_type_once() -> None:
    tags = [str(e.__struct_config__.tag) for e in example_events()]
    assert sorted(tags) == sorted(EVENT_TYPES)
