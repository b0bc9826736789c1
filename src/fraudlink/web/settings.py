"""What ``create_app`` needs to know; built by ``fraudlink serve`` or by tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

MiB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    home: Path
    passphrase: bytes | None
    # A 100k-row case is ~3 MiB sealed; refuse anything far beyond a real case.
    max_envelope_bytes: int = 512 * MiB
    # How often the outbox is tried while serving (seconds); 0 leaves it to `outbox send`.
    pump_every: float = 2.0
    # Served over TLS (directly or behind a proxy that terminates it): cookies get the
    # Secure flag and responses carry HSTS.
    tls: bool = False
    # A staff session ends after this long.
    session_lifetime: timedelta = timedelta(hours=8)
    # How often the payee-check index and the API keys are re-read (seconds).
    refresh_every: float = 5.0
    # The platform's own event files (or world folder) that case evidence is gathered from.
    events: Path | None = None
    # Threads running page handlers at once, per worker process. Pages hold the GIL for
    # most of their time, so 40 threads (the default) only queue on it and switch
    # context; a few are enough to overlap the store's waits (disk syncs, locks).
    request_threads: int = 4
    # How many worker processes serve this node (`serve --workers`); limits kept in memory
    # are shared out among them.
    workers: int = 1
    # How long the alert queue's rendered table is reused for the same view (seconds;
    # 0: never). Changes made in this process clear it at once (web/queue_cache.py).
    queue_cache_seconds: float = 1.0
    # How long the audit writer waits for more views to share one commit (seconds); see
    # store/audit_batch.py. Each view waits at most this much longer for its record.
    audit_linger: float = 0.002
