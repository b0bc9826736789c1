"""``fraudlink demo --serve``: the demo's two nodes served for people to try in a browser.

The platform console (hx-mall) and the police node (hz-cyber, with the victim portal)
are served side by side with demo users whose passwords and two-factor keys are printed,
until Ctrl-C. Their routes point at each other so freeze requests flow while they run.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import uvicorn
from rich.console import Console
from rich.table import Table

from fraudlink.auth import passwords, totp
from fraudlink.detect.alerts import Alert
from fraudlink.exchange import routes
from fraudlink.exchange.node import Node
from fraudlink.store import AlertRecord, DuplicateError, UserRecord
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings

WORDS = ("river", "lantern", "harbour", "maple", "copper", "meadow", "orbit", "willow",
         "signal", "granite", "ember", "compass")  # fmt: skip


def _password() -> str:
    return "-".join(secrets.choice(WORDS) for _ in range(4))


def _user(node: Node, username: str, roles: tuple[str, ...]) -> tuple[str, str]:
    password, secret = _password(), totp.new_secret()
    with node.store() as store:
        record = UserRecord(org=node.info.org, username=username, roles=roles,
                            created_at=datetime.now(UTC), totp_secret=secret,
                            password_hash=passwords.hash_password(password))  # fmt: skip
        try:
            store.add_user(record)
        except DuplicateError:
            store.update_user(node.info.org, username, password_hash=record.password_hash,
                              totp_secret=secret, totp_last_step=None, failed_logins=0,
                              locked_until=None)  # fmt: skip
    return password, secret


def serve_demo(out: Path, world: Path, alerts: list[Alert], console: Console,
               host: str = "127.0.0.1", port: int = 8000) -> None:  # fmt: skip
    platform = Node.load(out / "nodes" / "hx-mall", None)
    police = Node.load(out / "nodes" / "hz-cyber", None)
    with platform.store() as store:
        for a in alerts:
            store.add_alert(AlertRecord(id=a.alert_id, rule_id=a.rule_id,
                                        rule_version=a.rule_version, entity_kind=a.entity_kind,
                                        entity_id=a.entity, ts=a.ts, score=a.score,
                                        severity=a.severity, reasons=a.reasons,
                                        body=msgspec.to_builtins(a),
                                        created_at=a.ts))  # fmt: skip
    routes.save(platform.home, {"hz-cyber": routes.Route(url=f"http://{host}:{port + 1}")})
    routes.save(police.home, {"hx-mall": routes.Route(url=f"http://{host}:{port}")})
    people = [
        ("platform console", f"http://{host}:{port}/", "analyst",
         *_user(platform, "analyst", ("analyst", "supervisor"))),
        ("police node", f"http://{host}:{port + 1}/", "investigator",
         *_user(police, "investigator", ("investigator", "supervisor"))),
    ]  # fmt: skip
    table = Table(title="Demo users (two-factor is required: add the key to an authenticator "
                  "app, or use the code shown, valid 30 s)", title_justify="left")  # fmt: skip
    for name in ("site", "address", "user", "password", "TOTP key", "code now"):
        table.add_column(name, no_wrap=name != "site")
    for site, url, user, password, secret in people:
        table.add_row(site, url, user, password, secret, totp.code_at(secret, datetime.now(UTC)))
    console.print(table)
    console.print(f"Victim portal: http://{host}:{port + 1}/report   (Ctrl-C to stop)")
    apps = [
        create_app(Settings(home=platform.home, passphrase=None, events=world, pump_every=1)),
        create_app(Settings(home=police.home, passphrase=None, pump_every=1)),
    ]
    servers = [uvicorn.Server(uvicorn.Config(app, host=host, port=port + i, log_level="warning"))
               for i, app in enumerate(apps)]  # fmt: skip

    async def both() -> None:
        await asyncio.gather(*(s.serve() for s in servers))

    asyncio.run(both())
