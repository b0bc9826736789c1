"""``fraudlink schema``: export the canonical model as JSON Schema or Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from fraudlink.cli.app import app, console
from fraudlink.model.docs import render_data_model_markdown
from fraudlink.model.schema import canonical_json_schema


@app.command("schema")
def schema_command(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
    markdown: Annotated[
        bool,
        typer.Option("--markdown", help="The data-model reference (docs/data-model.md) instead."),
    ] = False,
) -> None:
    """Print the JSON Schema of canonical events and entities (or their Markdown reference)."""
    if markdown:
        text = render_data_model_markdown().rstrip("\n")
    else:
        text = json.dumps(canonical_json_schema(), indent=2, ensure_ascii=False, sort_keys=True)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {out}")
