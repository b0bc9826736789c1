"""The ``fraudlink`` command line: thin commands over the services."""

from __future__ import annotations

from fraudlink.cli import (
    alerts_cmd,
    apikey_cmd,
    audit_cmd,
    case_cmd,
    demo_cmd,
    detect_cmd,
    evidence_cmd,
    freeze_cmd,
    gangs_cmd,
    ingest_cmd,
    interop_cmd,
    mailbox_cmd,
    node_cmd,
    rank_cmd,
    report_cmd,
    resolve_cmd,
    schema_cmd,
    serve_cmd,
    simulate_cmd,
    store_cmd,
    timeline_cmd,
    trace_cmd,
    user_cmd,
    victims_cmd,
)
from fraudlink.cli.app import app

__all__ = [
    "alerts_cmd",
    "apikey_cmd",
    "app",
    "audit_cmd",
    "case_cmd",
    "demo_cmd",
    "detect_cmd",
    "evidence_cmd",
    "freeze_cmd",
    "gangs_cmd",
    "ingest_cmd",
    "interop_cmd",
    "mailbox_cmd",
    "main",
    "node_cmd",
    "rank_cmd",
    "report_cmd",
    "resolve_cmd",
    "schema_cmd",
    "serve_cmd",
    "simulate_cmd",
    "store_cmd",
    "timeline_cmd",
    "trace_cmd",
    "user_cmd",
    "victims_cmd",
]


def main() -> None:
    app()
