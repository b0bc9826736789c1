"""Referrals into the evidence store as they arrive, off the receiving path.

The mailroom answers a referral once its package is verified and in the inbox; turning
the package into events (``evidence.import_package``) happens here, on one worker thread,
so the sender's receipt does not wait for it and the mailroom's lock is not held meanwhile.
Every import is audited (``evidence.import``, or ``evidence.not_imported`` with the reason;
the package stays in the inbox either way).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from fraudlink.exchange.node import Node
from fraudlink.investigate.evidence import import_package

# One worker keeps imports in arrival order (a case referred twice ends as its last
# version). It is joined when the process exits, so `fraudlink inbox take` finishes its
# imports before it returns.
_imports: ThreadPoolExecutor | None = None
_pending: list[Future[None]] = []
_imports_lock = threading.Lock()
log = logging.getLogger("fraudlink.evidence")


def import_later(node: Node, folder: Path, message_id: str) -> None:
    """Queue the received package in ``folder`` for import (returns at once)."""
    global _imports
    with _imports_lock:
        if _imports is None:
            _imports = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-import")
        _pending[:] = [job for job in _pending if not job.done()]  # a server runs for months
        _pending.append(_imports.submit(_import_now, node, folder, message_id))


def wait_for_imports(timeout: float | None = None) -> None:
    """Return once every referral received so far is in the evidence store (or audited as
    not importable)."""
    with _imports_lock:
        pending = list(_pending)
        _pending.clear()
    for job in pending:
        job.result(timeout)


def _import_now(node: Node, folder: Path, message_id: str) -> None:
    """Add the received package to the node's evidence store, where every investigation
    reads it. The package is authentic and intact by now, so a package whose rows cannot
    become events is kept (in the inbox, and audited with the reason) rather than refused:
    the sender did nothing wrong that a resend would fix."""
    try:
        got = import_package(node.home, folder, message_id=message_id, clock=node.clock)
        action = "evidence.import"
        detail: dict[str, object] = {"source": got.folder.name, "events": got.info.events,
                                     "manifest_sha256": got.info.manifest_sha256,
                                     "message_id": message_id,
                                     "changed": got.changed}  # fmt: skip
    except Exception as exc:  # a background job: record whatever went wrong
        log.warning("case package %s not imported into the evidence store: %s", folder, exc)
        action, detail = "evidence.not_imported", {"reason": str(exc), "message_id": message_id}
    with node.store() as store:
        store.append_audit(node.info.org, action, folder.name, detail)
