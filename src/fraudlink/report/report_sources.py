"""The report's evidence sources: every file it was computed from with its SHA-256, and
every case package the police node received with the signed receipt it gave for it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fraudlink.digests import file_sha256
from fraudlink.investigate.evidence_custody import CustodyReceipt, held_sources


@dataclass(frozen=True)
class Source:
    name: str
    size: int
    sha256: str
    note: str = ""  # where it came from; "changed since import" if the store's copy was


@dataclass(frozen=True)
class ReceivedPackage:
    case_id: str
    title: str
    sender: str
    created: str
    manifest_sha256: str
    tables: dict[str, str]
    events: int
    receipt: CustodyReceipt | None
    intact: bool  # the store's events still have the SHA-256 written at import


def source_of(path: Path, note: str = "") -> Source:
    return Source(name=path.name, size=path.stat().st_size, sha256=file_sha256(path), note=note)


def report_sources(
    events: list[Path], home: Path | None
) -> tuple[list[Source], list[ReceivedPackage]]:
    """Files given (``--events``) and the node's evidence: raw sources as files, case
    packages with their manifest hash and receipt."""
    files = [source_of(p / "events.parquet" if p.is_dir() else p) for p in events]
    packages = []
    for held in held_sources(home) if home is not None else []:
        info, stored = held.info, held.folder / "events.parquet"
        digest = file_sha256(stored)
        intact = digest == info.files.get("events.parquet")
        if info.kind == "events":
            note = "" if intact else "changed since import"
            files.append(Source(name=f"{info.label} ({stored.name})", size=stored.stat().st_size,
                                sha256=digest, note=note))  # fmt: skip
            continue
        packages.append(ReceivedPackage(
            case_id=info.case_id or "", title=info.title or "", sender=info.sender or "",
            created=info.created or "", manifest_sha256=info.manifest_sha256 or "",
            tables=info.tables, events=info.events, receipt=held.receipt, intact=intact,
        ))  # fmt: skip
    return files, packages
