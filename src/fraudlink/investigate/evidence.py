"""The police node's evidence store: every source it received, as canonical event files.

``HOME/evidence/<source id>/`` holds one source each:

* ``events.parquet``: its events in the canonical wide event schema (``model/columns.py``),
  the same layout the simulator and ``fraudlink ingest`` write, so every investigation
  that takes world folders (trace, gangs, victims, report, timeline, resolve) reads it;
* ``accounts.parquet``, ``parties.parquet`` (and, for raw files, ``organisations.parquet``)
  where the source has them;
* ``alerts.jsonl``: the platform's alerts a case package carried;
* ``source.json``: what it is (:class:`SourceInfo`): case id, sender, recipient, the
  manifest's and every table's SHA-256, the referral's message id, when it was imported.

A case package is verified (every table against its manifest hash) before anything is
written; a source is written to a hidden temporary folder and renamed into place, so a
reader never sees half a source and a failed import leaves nothing. Importing the same
package (same manifest bytes) or the same files again changes nothing.

The same event in two sources (two case packages about accounts that paid each other) is
in both folders; the readers count it once (the ledger and gang finding by transfer id,
the timeline by event id).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink import file_versions
from fraudlink.cases import package
from fraudlink.digests import file_sha256
from fraudlink.investigate.evidence_raw import RawFiles, locate_raw, write_raw
from fraudlink.investigate.evidence_rows import EvidenceError, kyc_tables, package_events

EVIDENCE = "evidence"
SOURCE_FILE = "source.json"
Clock = Callable[[], datetime]
__all__ = ["EvidenceError", "ImportedSource", "SourceInfo", "case_folder", "evidence_folders",
           "import_events", "import_package", "read_source", "sources"]  # fmt: skip


class SourceInfo(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """``source.json``: what one evidence folder holds and where it came from."""

    source_id: str  # the folder's name
    kind: Literal["case_package", "events"]
    label: str  # for people: "case … from …", or the label given to raw files
    imported_at: str
    events: int
    accounts: int = 0
    parties: int = 0
    files: dict[str, str] = {}  # file in the folder → SHA-256
    case_id: str | None = None
    title: str | None = None
    sender: str | None = None
    recipient: str | None = None
    created: str | None = None
    subject_accounts: list[str] = []
    manifest_sha256: str | None = None  # of manifest.json, which lists every table's hash
    tables: dict[str, str] = {}  # package table → SHA-256, as in the manifest
    message_id: str | None = None  # the referral that brought it, when it came by exchange
    origin: list[str] = []  # raw files: the files imported, with their SHA-256 in ``inputs``
    inputs: dict[str, str] = {}


@dataclass(frozen=True)
class ImportedSource:
    folder: Path
    info: SourceInfo
    changed: bool  # False: the same source was already in the store, nothing was written


def _now() -> datetime:
    return datetime.now(UTC)


def safe_id(text: str) -> str:
    """A folder name for ``text``: itself when harmless, else cleaned plus a short hash."""
    clean = re.sub(r"[^A-Za-z0-9._-]", "_", text).lstrip(".")[:80]
    if clean == text and clean:
        return clean
    return f"{clean or 'source'}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def store_root(home: Path) -> Path:
    return home / EVIDENCE


def read_source(folder: Path) -> SourceInfo | None:
    try:
        return msgspec.json.decode((folder / SOURCE_FILE).read_bytes(), type=SourceInfo)
    except FileNotFoundError:
        return None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise EvidenceError(f"{folder / SOURCE_FILE} is damaged ({exc}): delete the folder "
                            "and import the source again") from exc  # fmt: skip


def evidence_folders(home: Path) -> list[Path]:
    """Every imported source folder, in name order; each reads like a world folder."""
    return [Path(folder) for _, folder, _ in _imported(home)]


def evidence_version(home: Path) -> tuple[tuple[str, int, int], ...]:
    """Each imported folder's events file by name, size and change time: any import
    changes it (the version of what a page drawn from the evidence shows)."""
    return file_versions.sizes_and_times(_imported(home))


def _imported(home: Path) -> list[tuple[str, str, os.stat_result]]:
    return file_versions.files_in_subfolders(store_root(home), "", "events.parquet",
                                             also=(SOURCE_FILE,))  # fmt: skip


def sources(home: Path) -> list[tuple[Path, SourceInfo]]:
    found = []
    for folder in evidence_folders(home):
        info = read_source(folder)
        if info is not None:
            found.append((folder, info))
    return found


def case_folder(home: Path, case_id: str) -> Path | None:
    """The evidence folder of a received case package, if it was imported."""
    folder = store_root(home) / safe_id(case_id)
    info = read_source(folder) if folder.is_dir() else None
    return folder if info is not None and info.case_id == case_id else None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_package(folder: Path) -> tuple[package.Manifest, bytes, dict[str, bytes]]:
    """The verified manifest, its bytes and every table's bytes, hashes checked on the
    bytes actually kept (a file changed after the check is caught too)."""
    try:
        manifest = package.verify(folder)
        raw = (folder / "manifest.json").read_bytes()
        blobs = {name: (folder / entry.file).read_bytes()
                 for name, entry in manifest.tables.items()}  # fmt: skip
    except (package.PackageError, OSError) as exc:
        raise EvidenceError(f"{folder}: {exc}. Nothing was imported: ask the sender for the "
                            "package again") from exc  # fmt: skip
    for name, entry in manifest.tables.items():
        if not hmac.compare_digest(_sha256(blobs[name]), entry.sha256):
            raise EvidenceError(f"{folder}: table {name} ({entry.file}) changed while it was "
                                "read. Nothing was imported: import it again")  # fmt: skip
    return manifest, raw, blobs


def import_package(
    home: Path, folder: Path, *, message_id: str | None = None, clock: Clock = _now
) -> ImportedSource:
    """Verify a case package and add its events to the store (idempotent, all or nothing)."""
    manifest, raw, blobs = _read_package(folder)
    digest = _sha256(raw)
    target = store_root(home) / safe_id(manifest.case_id)
    existing = read_source(target) if target.is_dir() else None
    if existing is not None:
        if existing.kind != "case_package" or existing.sender != manifest.sender:
            raise EvidenceError(
                f"{target} already holds {existing.label}, not case {manifest.case_id} from "
                f"{manifest.sender}: nothing was imported; move that folder away first"
            )
        if existing.manifest_sha256 == digest:
            if message_id is None or existing.message_id is not None:
                return ImportedSource(target, existing, changed=False)
            # The same package, now known to have come by this referral: note it.
            noted = msgspec.structs.replace(existing, message_id=message_id)
            _replace_file(target / SOURCE_FILE, _encode(noted))
            return ImportedSource(target, noted, changed=True)
    try:
        events = package_events(manifest, blobs)
    except EvidenceError as exc:
        raise EvidenceError(f"{folder}: {exc}. Nothing was imported") from exc
    accounts, parties = kyc_tables(manifest, blobs.get("account"))
    files: dict[str, bytes | pa.Table] = {"events.parquet": events, "manifest.json": raw}
    if accounts.num_rows:
        files["accounts.parquet"] = accounts
    if parties.num_rows:
        files["parties.parquet"] = parties
    if "alerts" in blobs:
        files["alerts.jsonl"] = blobs["alerts"]

    def describe(written: dict[str, str]) -> SourceInfo:
        return SourceInfo(
            source_id=target.name, kind="case_package",
            label=f"case {manifest.case_id} from {manifest.sender}",
            imported_at=clock().astimezone(UTC).isoformat(), events=events.num_rows,
            accounts=accounts.num_rows, parties=parties.num_rows, files=written,
            case_id=manifest.case_id, title=manifest.title, sender=manifest.sender,
            recipient=manifest.recipient, created=manifest.created,
            subject_accounts=list(manifest.subject_accounts), manifest_sha256=digest,
            tables={k: v.sha256 for k, v in manifest.tables.items()}, message_id=message_id,
        )  # fmt: skip

    return ImportedSource(target, _write_source(target, files, describe), changed=True)


def import_events(
    home: Path, files: Sequence[Path], label: str, *, clock: Clock = _now
) -> ImportedSource:
    """Canonical event files (or world folders) as one more source, labelled ``label``."""
    if not label.strip():
        raise EvidenceError("a raw source needs a --label saying what it is, e.g. qb-pay-2026-09")
    raw: RawFiles = locate_raw(list(files))
    target = store_root(home) / safe_id(f"events-{label}")
    existing = read_source(target) if target.is_dir() else None
    if existing is not None:
        if existing.kind != "events":
            raise EvidenceError(f"{target} already holds {existing.label}: choose another label")
        if existing.inputs == raw.digests:
            return ImportedSource(target, existing, changed=False)
    tmp = _tmp_folder(target)
    try:
        counts = write_raw(raw, tmp)
        written = {p.name: file_sha256(p) for p in sorted(tmp.iterdir())}
        info = SourceInfo(
            source_id=target.name, kind="events", label=label,
            imported_at=clock().astimezone(UTC).isoformat(), events=counts["events"],
            accounts=counts.get("accounts", 0), parties=counts.get("parties", 0),
            files=written, origin=[str(p) for p in raw.inputs], inputs=raw.digests,
        )  # fmt: skip
        (tmp / SOURCE_FILE).write_bytes(_encode(info))
        _swap(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ImportedSource(target, info, changed=True)


def _encode(info: SourceInfo) -> bytes:
    return msgspec.json.format(msgspec.json.encode(info)) + b"\n"


def _tmp_folder(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    # A unique hidden name: two importers never write into each other's folder, and
    # evidence_folders() never lists one.
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))


def _write_source(
    target: Path, files: dict[str, bytes | pa.Table], info: Callable[[dict[str, str]], SourceInfo]
) -> SourceInfo:
    tmp = _tmp_folder(target)
    try:
        for name, content in files.items():
            if isinstance(content, pa.Table):
                pq.write_table(content, tmp / name)  # snappy: quick to write on arrival
            else:
                (tmp / name).write_bytes(content)
        done = info({name: file_sha256(tmp / name) for name in sorted(files)})
        (tmp / SOURCE_FILE).write_bytes(_encode(done))
        _swap(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return done


def _swap(tmp: Path, target: Path) -> None:
    """Put the finished ``tmp`` folder in the place of ``target`` (renames only)."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        target.rename(old / "was")
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _replace_file(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(data)
    tmp.replace(path)
