"""``fraudlink export CASE --format stix|ftm|misp``: a case package for partner tools."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.markup import escape

from fraudlink.cases import package
from fraudlink.cli.app import app, console, fail
from fraudlink.interop import ftm, misp, source, stix


class Format(StrEnum):
    stix = "stix"
    ftm = "ftm"
    misp = "misp"


SUFFIX = {Format.stix: ".stix.json", Format.ftm: ".ftm.jsonl", Format.misp: ".misp.json"}


def _folder(case: str, home: Path | None) -> Path:
    given = Path(case)
    if (given / "manifest.json").exists():
        return given
    if home is not None:
        for folder in (home / "cases" / case / "package", home / "inbox" / case):
            if (folder / "manifest.json").exists():
                return folder
    raise fail(f"no case package {escape(case)}",
               "give the package folder, or the case id with --home NODE")  # fmt: skip


@app.command("export")
def export_command(
    case: Annotated[str, typer.Argument(help="A case id (with --home) or a package folder.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="stix, ftm or misp.")],
    home: Annotated[
        Path | None, typer.Option("--home", envvar="FRAUDLINK_HOME", help="The node's home.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write.")] = None,
) -> None:
    """Write a case as a STIX 2.1 bundle, FollowTheMoney entities or a MISP event.

    The package is verified first: a table that does not match its SHA-256 is refused.
    """
    folder = _folder(case, home)
    try:
        data = source.read(folder)
    except package.PackageError as exc:
        raise fail(escape(str(exc)), "the package was changed after it arrived") from exc
    if fmt is Format.stix:
        body = msgspec.json.format(msgspec.json.encode(stix.to_stix(data)))
        count = f"{len(stix.to_stix(data)['objects'])} STIX objects"
    elif fmt is Format.ftm:
        entities = ftm.to_ftm(data)
        body = b"".join(msgspec.json.encode(e) + b"\n" for e in entities)
        count = f"{len(entities)} FollowTheMoney entities"
    else:
        event = misp.to_misp(data)
        body = msgspec.json.format(msgspec.json.encode(event))
        count = (f"a MISP event with {len(event['Event']['Attribute'])} attributes and "
                 f"{len(event['Event']['Object'])} objects")  # fmt: skip
    target = out or Path(f"{data.manifest.case_id}{SUFFIX[fmt]}")
    tmp = target.with_name(f".{target.name}.partial")
    tmp.write_bytes(body if body.endswith(b"\n") else body + b"\n")
    tmp.replace(target)
    console.print(f"{escape(str(target))}: {count} (TLP:{data.manifest.handling.tlp.upper()})")
