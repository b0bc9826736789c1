"""Page latency of the web console under load: the alert queue, a case page and the payee
check, each hit by 50 concurrent clients for a fixed time on loopback.

A platform node (1,000 alerts) and a police node run `fraudlink serve` in their own
processes. The police node has received three referrals of mules from a wallet (the tiny
simulated world), imported as evidence, so its case page is a real one: the fund-flow
trace, the gang with roles, victims and losses, and the related cases. Each client logs in
once (password + TOTP) and then requests its page again as soon as the last answer
arrived (a closed loop, like people clicking); the first 3 s are a warm-up, not counted.
Prints p50 / p99 / max, requests/s, errors and server CPU per page.

    python benchmarks/web.py [--clients 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

import machine_line
from fraudlink.auth import passwords, totp
from fraudlink.cases import referral
from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import routes
from fraudlink.exchange.mailroom import receive
from fraudlink.exchange.node import Node
from fraudlink.investigate import evidence
from fraudlink.sim.world import simulate
from fraudlink.store import AlertRecord, UserRecord

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "a long and quiet river"
T = datetime(2026, 9, 1, tzinfo=UTC)
USERS = 64
# Mules of one gang (two) and of another in the tiny world at seed 4.
MULES = ("qb-u00000367", "qb-u00000369", "qb-u00000378")
WARM_UP_S = 3.0
CLI = [sys.executable, "-c", "from fraudlink.cli import main; main()"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def nodes(root: Path) -> tuple[Path, Path, str, str]:
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
    case_id = refer_cases(root, pol)
    made = subprocess.run([*CLI, "apikey", "add", "--org", "qb-pay", "--label", "bench",
                           "--home", str(plat.home)], capture_output=True, text=True,
                          check=True, env={**os.environ, "COLUMNS": "300"})  # fmt: skip
    key = re.search(r"flk_[A-Za-z0-9_-]+", made.stdout).group(0)  # type: ignore[union-attr]
    return plat.home, pol.home, key, case_id


def refer_cases(root: Path, police: Node) -> str:
    """A wallet refers three mules of the tiny world to the police node, as in real use:
    the case page then has its fund-flow trace, the gang with roles, victims and the
    related cases. Returns the first case's id."""
    world = root / "world"
    simulate("tiny", 4, world)
    wallet = Node.init(root / "wallet", "qb-pay", "platform", None)
    wallet.trust(police.info.card)
    police.trust(wallet.info.card)
    routes.save(wallet.home, {police.info.org: routes.Route(url="http://unused.invalid")})
    reason = "received money from several payers and passed most of it on within minutes"
    cases = []
    for n, account in enumerate(MULES):
        with wallet.store() as store:
            store.add_alert(AlertRecord(
                id=f"al-{n}", rule_id="mule-pass-through", rule_version=1,
                entity_kind="account", entity_id=account, ts=T, score=84, severity="high",
                reasons=[reason], body={"alert_id": f"al-{n}", "rule_id": "mule-pass-through",
                                        "title": "Mule pass-through", "accounts": [account],
                                        "reasons": [reason]}, created_at=T,
            ))  # fmt: skip
        draft = referral.open_case(wallet, [f"al-{n}"], world)
        message = referral.refer(wallet, draft.case_id, police.info.org)
        assert message.body is not None and receive(police, message.body, HANDLERS).accepted
        evidence.import_package(police.home, police.home / "inbox" / draft.case_id)
        cases.append(draft.case_id)
    return cases[0]


async def session(base: str, user: int) -> str:
    """Log ``bench{user}`` in (password + TOTP) and return its session cookie header."""
    async with httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False) as client:
        form = await client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        # Each login needs a fresh code step: TOTP codes are never accepted twice.
        code = totp.code_at(SECRET, datetime.now(UTC))
        done = await client.post("/login", data={"username": f"bench{user}", "password": PASSWORD,
                                                 "code": code, "csrf": csrf})  # fmt: skip
        if done.status_code != 303:
            raise RuntimeError(f"bench{user} could not log in: HTTP {done.status_code}")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                request: bytes) -> int:  # fmt: skip
    """One request on a kept-alive connection; the status code (the body is read and dropped).

    A hand-written HTTP/1.1 client, like wrk: the load generator shares the 2 cores with
    the servers, and a full client library spent more CPU per request than some pages.
    """
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    if length is None:
        raise RuntimeError("a response without Content-Length")
    await reader.readexactly(int(length.group(1)))
    return status


async def hammer(port: int, request: bytes, until: float, lat: list[float],
                 errors: list[int]) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            try:
                status = await fetch(reader, writer, request)
                if status != 200:
                    errors.append(status)
            except (OSError, asyncio.IncompleteReadError, RuntimeError):
                errors.append(0)
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            lat.append(time.perf_counter() - t0)
    finally:
        writer.close()


async def page(
    port: int, path: str, clients: int, seconds: float, logged_in: bool,
    headers: dict[str, str], pids: list[int],
) -> tuple[list[float], list[int], float]:  # fmt: skip
    requests = []
    for i in range(clients):
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if logged_in:
            lines.append(f"Cookie: {await session(f'http://127.0.0.1:{port}', i)}")
        requests.append(("\r\n".join(lines) + "\r\n\r\n").encode())
    # Warm-up, not counted: each worker builds its case analysis on its first view (as a
    # server does once per version of its evidence) and fills its caches.
    warm = time.perf_counter() + WARM_UP_S
    await asyncio.gather(*(hammer(port, r, warm, [], []) for r in requests))
    lat: list[float] = []
    errors: list[int] = []
    cpu0 = cpu_seconds(pids)  # after the logins: argon2id is slow on purpose
    until = time.perf_counter() + seconds
    await asyncio.gather(*(hammer(port, r, until, lat, errors) for r in requests))
    return lat, errors, cpu_seconds(pids) - cpu0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the serving workers)."""
    found = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found += tree(int(child))
    return found


def serve(home: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([*CLI, "serve", "--home", str(home), "--port", str(port),
                             "--pump-every", "0", "--no-passphrase", "--workers", str(workers),
                             "--no-access-log"],
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
    parser.add_argument("--workers", type=int, default=2, help="`fraudlink serve --workers`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        plat, pol, key, case_id = nodes(Path(tmp))
        ports = free_port(), free_port()
        procs = [serve(plat, ports[0], args.workers), serve(pol, ports[1], args.workers)]
        try:
            runs = [
                ("alert queue (100 of 1,000 alerts)", 0, "/alerts", True, {}),
                ("case page (a mule's referral: trace, gang, victims)", 1,
                 f"/cases/{case_id}", True, {}),
                ("payee check API", 0, "/api/v1/payee-check?account=hx-u00000007",
                 False, {"Authorization": f"Bearer {key}"}),
            ]  # fmt: skip
            print(f"# web benchmark — {machine_line.machine('fastapi', 'uvicorn')}; "
                  f"{args.clients} clients, {args.seconds:.0f} s "
                  f"each, closed loop, {args.workers} worker(s) per node\n")  # fmt: skip
            print("| page | requests | requests/s | errors | p50 | p99 | max | server CPU "
                  "per request |")  # fmt: skip
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for name, which, path, logged_in, headers in runs:
                lat, errors, used = asyncio.run(page(ports[which], path, args.clients,
                                                     args.seconds, logged_in, headers,
                                                     tree(procs[which].pid)))  # fmt: skip
                ms = np.array(lat) * 1000
                cpu = used * 1000 / max(1, len(ms))
                print(f"| {name} | {len(ms):,} | {len(ms) / args.seconds:,.0f} | {len(errors)} | "
                      f"{np.percentile(ms, 50):.1f} ms | {np.percentile(ms, 99):.1f} ms | "
                      f"{ms.max():.1f} ms | {cpu:.2f} ms |")  # fmt: skip
        finally:
            for p in procs:
                p.terminate()
                p.wait()


if __name__ == "__main__":
    main()
