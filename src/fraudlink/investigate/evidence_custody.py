"""Chain of custody: each imported source with the signed receipt this node gave for it,
and the victims' reports the node's portal took in.

The receipt is the one the police node signed when the referral arrived (the sender holds
the same bytes); with the manifest's SHA-256 it shows what was received, from whom and
when. Read from the node's store, without changing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec
from sqlalchemy import select

from fraudlink.exchange.node import Node
from fraudlink.exchange.receipts import Receipt
from fraudlink.investigate.evidence import SourceInfo, sources
from fraudlink.store import MessageRecord, ReportRecord, Store, store_url
from fraudlink.store.tables import reports

CASE_REFERRAL = "case_referral"  # the message kind (cases/referral.py)


@dataclass(frozen=True)
class CustodyReceipt:
    message_id: str
    status: str  # accepted | refused
    received_at: str
    receiver: str
    receiver_kid: str
    envelope_sha256: str
    signature: str


@dataclass(frozen=True)
class HeldSource:
    folder: Path
    info: SourceInfo
    receipt: CustodyReceipt | None  # None: imported from a file, not received by referral


def _is_node(home: Path) -> bool:
    return Node.info_path(home).exists()


def _receipt(message: MessageRecord) -> CustodyReceipt | None:
    if message.receipt is None:
        return None
    try:
        r = msgspec.json.decode(message.receipt, type=Receipt)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    b = r.body
    return CustodyReceipt(message_id=b.message_id, status=b.status, received_at=b.received_at,
                          receiver=b.receiver, receiver_kid=b.receiver_kid,
                          envelope_sha256=b.envelope_sha256, signature=r.signature)  # fmt: skip


def held_sources(home: Path) -> list[HeldSource]:
    """Every source in the evidence store, each case package with its referral's receipt."""
    found = sources(home)
    by_id: dict[str, MessageRecord] = {}
    by_case: dict[str, MessageRecord] = {}
    if _is_node(home) and any(info.case_id for _, info in found):
        with Store.open(store_url(home)) as store:
            for m in store.list_messages(direction="in"):
                if m.kind == CASE_REFERRAL:
                    by_id[m.id] = m
                    if m.ref:
                        by_case[m.ref] = m  # oldest first: the latest delivery wins
    held = []
    for folder, info in found:
        message = by_id.get(info.message_id or "") or (
            by_case.get(info.case_id) if info.case_id else None
        )
        held.append(HeldSource(folder, info, _receipt(message) if message else None))
    return held


def portal_reports(home: Path) -> list[ReportRecord]:
    """The fraud reports the node's victim portal took in, oldest first."""
    if not _is_node(home):
        return []
    with Store.open(store_url(home)) as store, store.engine.connect() as conn:
        rows = conn.execute(select(reports).order_by(reports.c.created_at, reports.c.id))
        return [ReportRecord(**r) for r in rows.mappings().all()]
