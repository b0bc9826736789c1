"""The demo's referral step: a platform node and a police node, each serving on loopback.

Real nodes, real keys, real HTTP: the platform refers its strongest cases, the police
ask for a freeze, the platform confirms what it held, and every receipt is verified.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import msgspec
import uvicorn
from rich import box
from rich.console import Console
from rich.table import Table

from fraudlink.cases import referral
from fraudlink.detect.alerts import Alert
from fraudlink.exchange import outbox, routes
from fraudlink.exchange.keys import fingerprint
from fraudlink.exchange.node import Node
from fraudlink.freeze import holdings, service
from fraudlink.investigate import evidence_arrivals
from fraudlink.model.money import format_money
from fraudlink.store import AlertRecord
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings

PLATFORM, POLICE = "hx-mall", "hz-cyber"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _serving(home: Path, port: int) -> Iterator[None]:
    app = create_app(Settings(home=home, passphrase=None, pump_every=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the demo's server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def _nodes(root: Path) -> tuple[Node, Node, int, int]:
    shutil.rmtree(root, ignore_errors=True)  # a fresh pair each run: new keys, empty stores
    platform = Node.init(root / PLATFORM, PLATFORM, "platform", None)
    police = Node.init(root / POLICE, POLICE, "police", None)
    platform.trust(police.info.card)
    police.trust(platform.info.card)
    ports = _free_port(), _free_port()
    routes.save(platform.home, {POLICE: routes.Route(url=f"http://127.0.0.1:{ports[1]}")})
    routes.save(police.home, {PLATFORM: routes.Route(url=f"http://127.0.0.1:{ports[0]}")})
    return platform, police, ports[0], ports[1]


def _receipt_row(table: Table, what: str, ref: str, attempt: outbox.Attempt) -> None:
    receipt = attempt.receipt
    if receipt is None:
        table.add_row(what, ref, attempt.state, attempt.error or "", "")
        return
    body = receipt.body
    status = f"[green]{body.status}[/]" if body.status == "accepted" else body.status
    table.add_row(what, ref, status, f"{body.receiver} {fingerprint(body.receiver_kid)[:4]}",
                  body.envelope_sha256[:8])  # fmt: skip


def refer_and_freeze(
    out: Path, world: Path, alerts: list[Alert], console: Console, cases: int = 3
) -> Path:
    """Run the exchange between the two nodes; the police node's home."""
    platform, police, platform_port, police_port = _nodes(out / "nodes")
    with platform.store() as store:
        for a in alerts:
            store.add_alert(AlertRecord(id=a.alert_id, rule_id=a.rule_id,
                                        rule_version=a.rule_version, entity_kind=a.entity_kind,
                                        entity_id=a.entity, ts=a.ts, score=a.score,
                                        severity=a.severity, reasons=a.reasons,
                                        body=_builtins(a), created_at=a.ts))  # fmt: skip
    chosen = [a for a in alerts if a.accounts][:cases]
    table = Table(title="Signed receipts, each verified against the receiver's trusted key "
                  "and the bytes sent", title_justify="left", box=box.SIMPLE)  # fmt: skip
    table.add_column("sent")
    table.add_column("id", no_wrap=True)
    table.add_column("receipt", no_wrap=True)
    table.add_column("signed by")
    table.add_column("envelope")
    with _serving(platform.home, platform_port), _serving(police.home, police_port):
        subjects: list[str] = []
        for alert in chosen:
            draft = referral.open_case(platform, [alert.alert_id], world)
            subjects += draft.subject_accounts
            message = referral.refer(platform, draft.case_id, POLICE)
            (attempt,) = [a for a in outbox.pump(platform) if a.message.id == message.id]
            _receipt_row(table, "case", draft.case_id, attempt)
        events = world / "events.parquet"
        # Ask for everything paid into the busiest subject; the platform holds what is left.
        target = max(subjects, key=lambda acc: (holdings.received(events, acc, "CNY"), acc))
        held_now = holdings.balance(events, target, "CNY")
        asked = max(holdings.received(events, target, "CNY"), 100)
        freeze, _ = service.request(police, PLATFORM, target, asked, "CNY",
                                    "demo decision 2026-001",
                                    police.clock() + timedelta(days=30))  # fmt: skip
        (attempt,) = outbox.pump(police)
        _receipt_row(table, "freeze request", freeze.id, attempt)
        service.confirm(platform, freeze.id, min(held_now, asked),
                        "" if held_now >= asked else "balance below the amount asked")  # fmt: skip
        (attempt,) = outbox.pump(platform)
        _receipt_row(table, "freeze answer", freeze.id, attempt)
    console.print(table)
    evidence_arrivals.wait_for_imports()  # the referred packages, into the evidence store
    with police.store() as store:
        done = store.get_freeze(freeze.id)
        referred = [m for m in store.list_messages(direction="in") if m.kind == referral.KIND]
        intact = store.verify_audit().ok
    assert done is not None
    held = "nothing" if not done.held_minor else format_money(done.held_minor, done.currency)
    console.print(f"{POLICE} received {len(referred)} cases, each imported into its evidence "
                  f"store on arrival; "
                  f"freeze on {target}: {done.state}, {held} held of "
                  f"{format_money(done.amount_minor, done.currency)} asked.")  # fmt: skip
    console.print(f"Audit chains intact on both nodes: {intact and _intact(platform)}. "
                  f"Look around: fraudlink evidence list --home {police.home}")  # fmt: skip
    return police.home


def _intact(node: Node) -> bool:
    with node.store() as store:
        return store.verify_audit().ok


def _builtins(alert: Alert) -> dict[str, object]:
    built: dict[str, object] = msgspec.to_builtins(alert)
    return built
