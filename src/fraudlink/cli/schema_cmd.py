"""``fraudlink schema``: export the canonical model as JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from fraudlink.cli.app import app, console
from fraudlink.model.schema import canonical_json_schema


@app.command("schema")
def schema_command(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of canonical events and entities."""
    text = json.dumps(canonical_json_schema(), indent=2, ensure_ascii=False, sort_keys=True)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {out}")
