"""``fraudlink schema`` prints a valid JSON Schema, or the data-model Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.model.docs import render_data_model_markdown
from fraudlink.model.schema import SCHEMA_ID, canonical_json_schema

runner = CliRunner()


def test_prints_a_valid_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA_ID
    # Through JSON: the in-memory schema holds a tuple default where JSON has a list.
    assert schema == json.loads(json.dumps(canonical_json_schema()))


def test_markdown_flag_prints_the_data_model() -> None:
    result = runner.invoke(app, ["schema", "--markdown"])
    assert result.exit_code == 0, result.output
    assert result.stdout == render_data_model_markdown()


def test_out_writes_what_stdout_would_show(tmp_path: Path) -> None:
    for args in (["schema"], ["schema", "--markdown"]):
        target = tmp_path / "out.txt"
        result = runner.invoke(app, [*args, "--out", str(target)])
        assert result.exit_code == 0, result.output
        assert target.read_text(encoding="utf-8") == runner.invoke(app, args).stdout


def test_help_mentions_markdown() -> None:
    result = runner.invoke(app, ["schema", "--help"])
    assert result.exit_code == 0
    assert "--markdown" in result.stdout
