"""The ``fraudlink`` command line: thin commands over the services."""

from __future__ import annotations

from fraudlink.cli import (
    audit_cmd,
    demo_cmd,
    detect_cmd,
    ingest_cmd,
    node_cmd,
    schema_cmd,
    simulate_cmd,
    store_cmd,
)
from fraudlink.cli.app import app

__all__ = [
    "app",
    "audit_cmd",
    "demo_cmd",
    "detect_cmd",
    "ingest_cmd",
    "main",
    "node_cmd",
    "schema_cmd",
    "simulate_cmd",
    "store_cmd",
]


def main() -> None:
    app()
