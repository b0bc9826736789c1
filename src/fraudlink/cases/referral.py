"""Alert → case → referral: gather the evidence, package it, post it; take one in.

On the platform::

    HOME/cases/<case_id>/draft/case.json         title, subject accounts, the alerts
    HOME/cases/<case_id>/draft/evidence/*.jsonl  the evidence tables (cases.evidence)
    HOME/cases/<case_id>/package/                the package as last referred (manifest + tables)

On the police node a referral lands, verified, in ``HOME/inbox/<case_id>/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import msgspec

from fraudlink.cases import evidence, package
from fraudlink.exchange import outbox
from fraudlink.exchange.envelope import Header
from fraudlink.exchange.mailroom import ContentError
from fraudlink.exchange.node import Node, NodeError
from fraudlink.investigate import evidence_arrivals
from fraudlink.store import AlertRecord, DuplicateError, MessageRecord

KIND = "case_referral"


class CaseError(ValueError):
    """A case that cannot be opened or referred as asked, with what to do."""


class CaseBody(msgspec.Struct, frozen=True, kw_only=True):
    """What a referral carries: the manifest and every table's bytes.

    Tables travel zlib-compressed (JSON lines shrink ~12×, so sealing, sending and
    storing a large case costs a fraction); the manifest's hashes are of the plain bytes.
    Compressing before encrypting leaks nothing useful here: no attacker chooses part of
    the content and watches the size, which is what CRIME-style attacks need.
    """

    manifest: package.Manifest
    tables: dict[str, bytes]
    encoding: Literal["identity", "zlib"] = "identity"


MAX_TABLE_BYTES = 4 * 1024**3  # a decompression bomb stops here, not at the disk's end


def pack_case(manifest: package.Manifest, blobs: dict[str, bytes]) -> bytes:
    packed = {name: zlib.compress(blob, 3) for name, blob in blobs.items()}
    return msgspec.msgpack.encode(CaseBody(manifest=manifest, tables=packed, encoding="zlib"))


def unpack_case(body: bytes) -> tuple[package.Manifest, dict[str, bytes]]:
    """The manifest and plain tables of a referral body; ContentError if it is not one."""
    try:
        case = msgspec.msgpack.decode(body, type=CaseBody)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ContentError(f"not a case package: {exc}") from exc
    if case.encoding == "identity":
        return case.manifest, case.tables
    tables = {}
    for name, blob in case.tables.items():
        inflater = zlib.decompressobj()
        try:
            plain = inflater.decompress(blob, MAX_TABLE_BYTES)
        except zlib.error as exc:
            raise ContentError(f"table {name} does not decompress: {exc}") from exc
        if inflater.unconsumed_tail or not inflater.eof:
            raise ContentError(f"table {name} is truncated or larger than {MAX_TABLE_BYTES} bytes")
        tables[name] = plain
    return case.manifest, tables


class Draft(msgspec.Struct, frozen=True, kw_only=True):
    case_id: str
    title: str
    subject_accounts: list[str]
    alerts: list[dict[str, Any]]


def case_id_for(org: str, alert_ids: list[str]) -> str:
    """The same alerts at the same organisation give the same case id; other orgs differ."""
    digest = hashlib.sha256("\n".join([org, *sorted(alert_ids)]).encode()).hexdigest()
    return f"case-{digest[:16]}"


def case_folder(node: Node, case_id: str) -> Path:
    return node.home / "cases" / case_id


def world_files(events: Path) -> tuple[Path, Path | None, Path | None]:
    """events.parquet, and accounts/parties beside it when ``events`` is a world folder."""
    if events.is_dir():
        found = events / "events.parquet"
        if not found.exists():
            raise CaseError(f"{events} has no events.parquet: pass the events file itself")
        accounts, parties = events / "accounts.parquet", events / "parties.parquet"
        return found, accounts if accounts.exists() else None, parties if parties.exists() else None
    if not events.exists():
        raise CaseError(f"{events} not found")
    return events, None, None


def open_case(node: Node, alert_ids: list[str], events: Path, *, hops: int = 2) -> Draft:
    """Gather the evidence of the alerts' accounts into a draft case (idempotent)."""
    events_file, accounts, parties = world_files(events)
    with node.store() as store:
        found: list[AlertRecord] = []
        for alert_id in dict.fromkeys(alert_ids):
            record = store.get_alert(alert_id)
            if record is None:
                raise CaseError(f"no alert {alert_id}: `fraudlink alerts import` the alerts file")
            found.append(record)
    subjects = sorted({a for r in found for a in _accounts_of(r)})
    if not subjects:
        raise CaseError("the alerts name no account to gather evidence about")
    case_id = case_id_for(node.info.org, [r.id for r in found])
    tables: dict[str, list[dict[str, Any]]] = {}
    for account in subjects:
        for name, rows in evidence.gather(events_file, account, accounts=accounts,
                                          parties=parties, hops=hops).items():  # fmt: skip
            tables.setdefault(name, []).extend({"subject": account, **r} for r in rows)
    alerts = [r.body for r in found]
    title = f"{found[0].body.get('title', found[0].rule_id)}: {', '.join(subjects)}"
    draft = Draft(case_id=case_id, title=title, subject_accounts=subjects, alerts=alerts)
    _write_draft(case_folder(node, case_id) / "draft", draft, tables)
    with node.store() as store:
        if store.get_case(case_id) is None:
            store.open_case(case_id, title, node.info.org, tuple(r.id for r in found))
            counts = {k: len(v) for k, v in sorted(tables.items())}
            store.append_audit(node.info.org, "case.open", case_id,
                               {"alerts": [r.id for r in found], "accounts": subjects,
                                "rows": counts})  # fmt: skip
    return draft


def _accounts_of(record: AlertRecord) -> list[str]:
    listed = record.body.get("accounts") or []
    if listed:
        return [str(a) for a in listed]
    return [record.entity_id] if record.entity_kind == "account" else []


def _write_draft(folder: Path, draft: Draft, tables: dict[str, list[dict[str, Any]]]) -> None:
    tmp = folder.with_name(".draft.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "evidence").mkdir(parents=True)
    (tmp / "case.json").write_bytes(msgspec.json.format(msgspec.json.encode(draft)))
    for name, rows in tables.items():
        (tmp / "evidence" / f"{name}.jsonl").write_bytes(package.table_bytes(rows))
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def read_draft(node: Node, case_id: str) -> tuple[Draft, dict[str, list[dict[str, Any]]]]:
    folder = case_folder(node, case_id) / "draft"
    if not (folder / "case.json").exists():
        raise CaseError(f"no case {case_id} here: `fraudlink case open ALERT_ID` first")
    draft = msgspec.json.decode((folder / "case.json").read_bytes(), type=Draft)
    tables = {
        path.stem: [json.loads(line) for line in path.read_text("utf-8").splitlines()]
        for path in sorted((folder / "evidence").glob("*.jsonl"))
    }
    return draft, tables


def refer(
    node: Node,
    case_id: str,
    recipient: str,
    *,
    handling: package.Handling | None = None,
    lifetime: timedelta = timedelta(days=90),
) -> MessageRecord:
    """Package the case for ``recipient`` and queue it in the outbox (the pump sends it)."""
    draft, tables = read_draft(node, case_id)
    manifest, blobs = package.build(case_id=case_id, title=draft.title,
                                    subject_accounts=draft.subject_accounts,
                                    alerts=draft.alerts, tables=tables, sender=node.info.org,
                                    recipient=recipient, created=node.clock(),
                                    lifetime=lifetime, handling=handling)  # fmt: skip
    package.write(case_folder(node, case_id) / "package", manifest, blobs)
    message = outbox.post(node, recipient, KIND, pack_case(manifest, blobs), ref=case_id)
    with node.store() as store:
        store.set_case_status(case_id, "referred")
        hashes = {k: v.sha256 for k, v in manifest.tables.items()}
        store.append_audit(node.info.org, "case.refer", case_id,
                           {"to": recipient, "message_id": message.id,
                            "tables": hashes})  # fmt: skip
    return message


def take_referral(node: Node, header: Header, body: bytes) -> str:
    """Handler for ``case_referral``: check the package fully, then write it to the inbox."""
    manifest, tables = unpack_case(body)
    if manifest.sender != header.sender or manifest.recipient != node.info.org:
        raise ContentError(f"manifest says {manifest.sender} → {manifest.recipient}, "
                           f"envelope says {header.sender} → {node.info.org}")  # fmt: skip
    if datetime.fromisoformat(manifest.expires) < node.clock():
        raise ContentError(f"case package expired at {manifest.expires}")
    for name, entry in manifest.tables.items():
        blob = tables.get(name)
        if blob is None or hashlib.sha256(blob).hexdigest() != entry.sha256:
            raise ContentError(f"table {name} does not match its SHA-256 in the manifest")
    if set(tables) != set(manifest.tables):
        raise ContentError("the package carries tables its manifest does not list")
    folder = node.home / "inbox" / manifest.case_id
    try:
        # The bytes were hashed above; write() is all-or-nothing, so no re-read is needed.
        package.write(folder, manifest, tables)
    except OSError as exc:
        raise ContentError(f"cannot store case {manifest.case_id}: {exc}") from exc
    with node.store() as store:
        # suppress: a concurrent delivery of the same case may have opened it
        if store.get_case(manifest.case_id) is None:
            with contextlib.suppress(DuplicateError):
                store.open_case(manifest.case_id, manifest.title, node.info.org)
    # Into the evidence store, where every investigation reads it (after the receipt).
    evidence_arrivals.import_later(node, folder, header.message_id)
    return manifest.case_id


def find_package(node: Node, case_id: str) -> Path:
    """The package folder of a case on this node: referred out, or received."""
    for folder in (case_folder(node, case_id) / "package", node.home / "inbox" / case_id):
        if (folder / "manifest.json").exists():
            return folder
    raise NodeError(f"no package for case {case_id} in {node.home}")
