"""The case package: evidence tables plus a manifest that lists each with its SHA-256.

Tables are JSON lines, each line RFC 8785 canonical JSON, so the same evidence always
has the same bytes and hashes on any machine. The manifest (canonical JSON too) says
what the case is, who sends it to whom, how it may be handled and until when, and
the hash of every table; signing the manifest (the envelope does) covers them all.
"""

from __future__ import annotations

import hashlib
import hmac
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import msgspec
import rfc8785

PACKAGE_VERSION = 1
Tlp = Literal["red", "amber+strict", "amber", "green", "clear"]


class PackageError(ValueError):
    """A package that does not match its manifest: names the table at fault."""


class TableEntry(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    rows: int
    sha256: str


class Handling(msgspec.Struct, frozen=True, kw_only=True):
    """Who may see it (Traffic Light Protocol) and whether it may be passed on."""

    tlp: Tlp = "amber+strict"
    may_forward: bool = False
    purpose: str = "criminal investigation of online fraud"


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    case_id: str
    title: str
    subject_accounts: list[str]
    alert_ids: list[str]
    reasons: list[str]
    sender: str
    recipient: str
    created: str
    expires: str
    handling: Handling
    tables: dict[str, TableEntry]


def canonical(value: Any) -> bytes:
    return rfc8785.dumps(msgspec.to_builtins(value))


SAFE_INT = 2**53 - 1  # RFC 8785 numbers are IEEE doubles: larger integers are refused
_sorted_json = msgspec.json.Encoder(order="sorted")


def _plain_json(value: Any) -> bool:
    """True if sorted-key JSON of ``value`` is already its RFC 8785 form.

    That holds for strings, booleans, null, safe integers, and objects with ASCII keys
    (sorted by code point = by UTF-16 unit); msgspec escapes strings exactly as RFC 8785
    does (checked for every code point in the tests). Floats need the ECMAScript number
    format, so rows with floats go through the reference implementation.
    """
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -SAFE_INT <= value <= SAFE_INT
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _plain_json(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_plain_json(v) for v in value)
    return False


def canonical_row(row: dict[str, Any]) -> bytes:
    """RFC 8785 bytes of one row, ~20× faster than the reference for the usual rows."""
    return _sorted_json.encode(row) if _plain_json(row) else canonical(row)


def table_bytes(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(canonical_row(row) + b"\n" for row in rows)


def build(
    *,
    case_id: str,
    title: str,
    subject_accounts: list[str],
    alerts: list[dict[str, Any]],
    tables: dict[str, list[dict[str, Any]]],
    sender: str,
    recipient: str,
    created: datetime,
    lifetime: timedelta = timedelta(days=90),
    handling: Handling | None = None,
) -> tuple[Manifest, dict[str, bytes]]:
    """The manifest and the bytes of every table (the alerts themselves are one table)."""
    blobs = {name: table_bytes(rows) for name, rows in {**tables, "alerts": alerts}.items()}
    entries = {
        name: TableEntry(
            file=f"evidence/{name}.jsonl",
            rows=blob.count(b"\n"),
            sha256=hashlib.sha256(blob).hexdigest(),
        )
        for name, blob in sorted(blobs.items())
    }
    reasons = [r for alert in alerts for r in alert.get("reasons", [])]
    manifest = Manifest(
        version=PACKAGE_VERSION,
        case_id=case_id,
        title=title,
        subject_accounts=sorted(subject_accounts),
        alert_ids=sorted(str(a["alert_id"]) for a in alerts),
        reasons=reasons,
        sender=sender,
        recipient=recipient,
        created=created.isoformat(),
        expires=(created + lifetime).isoformat(),
        handling=handling or Handling(),
        tables=entries,
    )
    return manifest, blobs


def write(folder: Path, manifest: Manifest, blobs: dict[str, bytes]) -> None:
    """Write the package into ``folder`` all at once (a failed write leaves nothing)."""
    tmp = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "evidence").mkdir(parents=True)
    for name, entry in manifest.tables.items():
        (tmp / entry.file).write_bytes(blobs[name])
    (tmp / "manifest.json").write_bytes(canonical(manifest))
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)


def verify(folder: Path) -> Manifest:
    """Read a package and check every table against the manifest."""
    try:
        manifest = msgspec.json.decode((folder / "manifest.json").read_bytes(), type=Manifest)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise PackageError(f"{folder}/manifest.json is missing or not a manifest: {exc}") from exc
    for name, entry in manifest.tables.items():
        path = folder / entry.file
        if not path.resolve().is_relative_to(folder.resolve()):
            raise PackageError(f"table {name} points outside the package: {entry.file}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PackageError(f"table {name} ({entry.file}) is missing") from exc
        if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), entry.sha256):
            raise PackageError(f"table {name} ({entry.file}) does not match its SHA-256")
    return manifest
