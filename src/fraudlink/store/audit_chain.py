"""The hash chain of the audit log: pure functions, no database.

Each entry's hash covers its own fields and the previous entry's hash, canonicalised
with RFC 8785 (JSON Canonicalization Scheme) so the same entry always hashes the same
on any machine. Editing an entry breaks its own hash; deleting or reordering entries
breaks the link (``prev_hash``) or the numbering (``seq`` must run 1, 2, 3, ...).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import rfc8785

from fraudlink.store.records import AuditEntry, AuditVerdict

GENESIS = "0" * 64


def timestamp(ts: datetime) -> str:
    """UTC, microseconds, ``Z``: one spelling per instant, whatever zone it came in."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    seq: int, ts: datetime, actor: str, action: str, subject: str, detail: Any, prev_hash: str
) -> str:
    body = {
        "seq": seq,
        "ts": timestamp(ts),
        "actor": actor,
        "action": action,
        "subject": subject,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()


def verify_chain(entries: Iterable[AuditEntry]) -> AuditVerdict:
    """Walk the entries in ``seq`` order; the first broken one is named."""
    prev = GENESIS
    count = 0
    for expected_seq, entry in enumerate(entries, start=1):
        count += 1
        if entry.seq != expected_seq:
            problem = f"expected entry {expected_seq} here, found {entry.seq}: an entry is missing"
            return AuditVerdict(ok=False, entries=count, head=prev, bad_seq=entry.seq,
                                problem=problem)  # fmt: skip
        if not hmac.compare_digest(entry.prev_hash, prev):
            return AuditVerdict(ok=False, entries=count, head=prev, bad_seq=entry.seq,
                                problem="does not link to the entry before it")  # fmt: skip
        actual = entry_hash(entry.seq, entry.ts, entry.actor, entry.action, entry.subject,
                            entry.detail, entry.prev_hash)  # fmt: skip
        if not hmac.compare_digest(actual, entry.entry_hash):
            return AuditVerdict(ok=False, entries=count, head=prev, bad_seq=entry.seq,
                                problem="its content was changed after it was written")  # fmt: skip
        prev = entry.entry_hash
    return AuditVerdict(ok=True, entries=count, head=prev)
