"""Page latency of the web console under load: the alert queue, a case page and the payee
check, each hit by 50 concurrent clients for a fixed time on loopback.

A platform node (1,000 alerts) and a police node (a received case) run `fraudlink serve`
in their own processes; each client logs in once (password + TOTP) and then requests its
page again as soon as the last answer arrived (a closed loop, like people clicking).
Prints p50 / p99 / max, requests/s and errors per page.

    python benchmarks/web.py [--clients 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform as machine
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

from fraudlink.auth import passwords, totp
from fraudlink.cases import package
from fraudlink.exchange.node import Node
from fraudlink.store import AlertRecord, UserRecord

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "a long and quiet river"
T = datetime(2026, 9, 1, tzinfo=UTC)
USERS = 64
CLI = [sys.executable, "-c", "from fraudlink.cli import main; main()"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def nodes(root: Path) -> tuple[Path, Path, str]:
    plat = Node.init(root / "platform", "hx-mall", "platform", None)
    pol = Node.init(root / "police", "hz-cyber", "police", None)
    digest = passwords.hash_password(PASSWORD)
    for node, role in ((plat, "analyst"), (pol, "investigator")):
        with node.store() as store:
            # One user per client: a TOTP code is accepted once per user, so 50 people
            # logging in within the same 30 seconds are 50 users.
            for i in range(USERS):
                store.add_user(UserRecord(org=node.info.org, username=f"bench{i}", roles=(role,),
                                          created_at=T, totp_secret=SECRET,
                                          password_hash=digest))  # fmt: skip
    with plat.store() as store:
        for i in range(1000):
            store.add_alert(AlertRecord(
                id=f"al-{i:05d}", rule_id=["refund-burst-signed", "mule-pass-through",
                                           "impossible-travel"][i % 3],
                rule_version=1, entity_kind="account", entity_id=f"hx-u{i:08d}", ts=T,
                score=50 + i % 50, severity="high", reasons=["3 refunds totalling ¥13,160.48"],
                body={"title": "Refund burst", "accounts": [f"hx-u{i:08d}"]}, created_at=T,
            ))  # fmt: skip
    manifest, blobs = package.build(
        case_id="case-00000000000000aa", title="mule ring", subject_accounts=["qb-u1"],
        alerts=[{"alert_id": "al-1", "reasons": ["passed on 97 %"]}],
        tables={"transactions": [{"transfer_id": f"T{i}", "amount": 100 * i,
                                  "from_account": f"u{i}", "to_account": "qb-u1"}
                                 for i in range(200)]},
        sender="hx-mall", recipient="hz-cyber", created=datetime.now(UTC),
    )  # fmt: skip
    package.write(pol.home / "inbox" / "case-00000000000000aa", manifest, blobs)
    made = subprocess.run([*CLI, "apikey", "add", "--org", "qb-pay", "--label", "bench",
                           "--home", str(plat.home)], capture_output=True, text=True,
                          check=True, env={**os.environ, "COLUMNS": "300"})  # fmt: skip
    key = re.search(r"flk_[A-Za-z0-9_-]+", made.stdout).group(0)  # type: ignore[union-attr]
    return plat.home, pol.home, key


async def session(base: str, user: int) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False)
    form = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    # Each login needs a fresh code step: TOTP codes are never accepted twice.
    code = totp.code_at(SECRET, datetime.now(UTC))
    done = await client.post("/login", data={"username": f"bench{user}", "password": PASSWORD,
                                             "code": code, "csrf": csrf})  # fmt: skip
    if done.status_code != 303:
        raise RuntimeError(f"bench{user} could not log in: HTTP {done.status_code}")
    return client


async def hammer(client: httpx.AsyncClient, path: str, headers: dict[str, str],
                 until: float, lat: list[float], errors: list[int]) -> None:  # fmt: skip
    while time.perf_counter() < until:
        t0 = time.perf_counter()
        try:
            r = await client.get(path, headers=headers)
            if r.status_code != 200:
                errors.append(r.status_code)
        except httpx.HTTPError:
            errors.append(0)
        lat.append(time.perf_counter() - t0)


async def page(base: str, path: str, clients: int, seconds: float, logged_in: bool,
               headers: dict[str, str]) -> tuple[list[float], list[int]]:  # fmt: skip
    pool = []
    for i in range(clients):
        if logged_in:
            pool.append(await session(base, i))
        else:
            pool.append(httpx.AsyncClient(base_url=base, timeout=30))
    lat: list[float] = []
    errors: list[int] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(*(hammer(c, path, headers, until, lat, errors) for c in pool))
    for c in pool:
        await c.aclose()
    return lat, errors


def serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([*CLI, "serve", "--home", str(home), "--port", str(port),
                             "--pump-every", "0", "--no-passphrase"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        plat, pol, key = nodes(Path(tmp))
        ports = free_port(), free_port()
        procs = [serve(plat, ports[0]), serve(pol, ports[1])]
        try:
            runs = [
                ("alert queue (100 of 1,000 alerts)", ports[0], "/alerts", True, {}),
                ("case page (200 transactions)", ports[1], "/cases/case-00000000000000aa",
                 True, {}),
                ("payee check API", ports[0], "/api/v1/payee-check?account=hx-u00000007",
                 False, {"Authorization": f"Bearer {key}"}),
            ]  # fmt: skip
            print(f"# web benchmark — {machine.machine()}, {os.cpu_count()} cores, Python "
                  f"{machine.python_version()}; {args.clients} clients, {args.seconds:.0f} s "
                  "each, closed loop\n")  # fmt: skip
            print("| page | requests | requests/s | errors | p50 | p99 | max |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            for name, port, path, logged_in, headers in runs:
                lat, errors = asyncio.run(page(f"http://127.0.0.1:{port}", path, args.clients,
                                               args.seconds, logged_in, headers))  # fmt: skip
                ms = np.array(lat) * 1000
                print(f"| {name} | {len(ms):,} | {len(ms) / args.seconds:,.0f} | {len(errors)} | "
                      f"{np.percentile(ms, 50):.1f} ms | {np.percentile(ms, 99):.1f} ms | "
                      f"{ms.max():.1f} ms |")  # fmt: skip
        finally:
            for p in procs:
                p.terminate()
                p.wait()


if __name__ == "__main__":
    main()
