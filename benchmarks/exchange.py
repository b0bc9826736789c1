"""Time a referral end to end over loopback HTTP: seal, send, verify, import, receipt.

Two real nodes in temporary homes; the police node runs `fraudlink serve` in its own
process (so its work is not hidden in this one). For a case of N transactions it
prints the time of each step, and packages/s for a stream of small cases.

    python benchmarks/exchange.py [--rows 100000] [--small 200]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

import machine_line
from fraudlink.cases import package
from fraudlink.cases.referral import KIND, pack_case
from fraudlink.exchange import outbox, routes
from fraudlink.exchange.node import Node

PASS = "a benchmark passphrase"
START = datetime(2026, 9, 1, tzinfo=UTC)


def transactions(n: int) -> list[dict[str, object]]:
    """Rows shaped like the evidence table of a busy mule account."""
    rows = []
    for i in range(n):
        t = START + timedelta(seconds=37 * i)
        rows.append({"subject": "qb-u00002746", "event_id": f"ev-{i:09d}",
                     "transfer_id": f"T{i:012d}", "org": "qb-wallet",
                     "from_account": "qb-u00002746" if i % 2 else f"qb-u{i % 9973:08d}",
                     "to_account": f"qb-u{(i * 7) % 9973:08d}" if i % 2 else "qb-u00002746",
                     "to_org": "qb-wallet", "amount": 10_000 + (i * 7919) % 5_000_000,
                     "currency": "CNY", "channel": "app", "status": "completed",
                     "initiated_at": t.isoformat(),
                     "completed_at": (t + timedelta(seconds=3)).isoformat(),
                     "memo": "货款" if i % 3 else ""})  # fmt: skip
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=200, help="small cases to send in a row")
    args = parser.parse_args()
    os.environ["FRAUDLINK_PASSPHRASE"] = PASS
    with tempfile.TemporaryDirectory(prefix="bench-exchange-") as tmp:
        root = Path(tmp)
        platform_node = Node.init(root / "platform", "hx-mall", "platform", PASS.encode())
        police = Node.init(root / "police", "hz-cyber", "police", PASS.encode())
        platform_node.trust(police.info.card)
        police.trust(platform_node.info.card)
        port = free_port()
        routes.save(platform_node.home, {"hz-cyber": routes.Route(url=f"http://127.0.0.1:{port}")})
        server = subprocess.Popen(
            [sys.executable, "-c", "from fraudlink.cli import main; main()", "serve",
             "--home", str(police.home), "--port", str(port), "--pump-every", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            for _ in range(300):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            big = transactions(args.rows)

            t0 = time.perf_counter()
            manifest, blobs = package.build(
                case_id="case-big", title="busy mule", subject_accounts=["qb-u00002746"],
                alerts=[], tables={"transactions": big}, sender="hx-mall",
                recipient="hz-cyber", created=datetime.now(UTC),
            )  # fmt: skip
            t1 = time.perf_counter()
            body = pack_case(manifest, blobs)
            sent = outbox.post(platform_node, "hz-cyber", KIND, body, ref="case-big")
            t2 = time.perf_counter()
            (attempt,) = outbox.pump(platform_node)
            t3 = time.perf_counter()
            assert attempt.state == "delivered", attempt
            size = len(sent.body)
            print(f"# exchange benchmark — {machine_line.machine('cryptography')}\n")
            print(f"case of {args.rows:,} transactions: {size / 2**20:.1f} MiB sealed\n")
            print("| step | seconds |\n| --- | --- |")
            print(f"| build package (canonical JSON + SHA-256 per table) | {t1 - t0:.3f} |")
            print(f"| seal (compress, sign, encrypt) and store in the outbox | {t2 - t1:.3f} |")
            print(f"| send over HTTP, verify, decrypt, import, receipt, check receipt | "
                  f"{t3 - t2:.3f} |")  # fmt: skip
            print(f"| **seal + send + verify + import + receipt** | **{t3 - t1:.3f}** |")

            small_rows = transactions(20)
            started = time.perf_counter()
            for i in range(args.small):
                manifest, blobs = package.build(case_id=f"case-{i}", title="small",
                                                subject_accounts=["a"], alerts=[],
                                                tables={"transactions": small_rows},
                                                sender="hx-mall", recipient="hz-cyber",
                                                created=datetime.now(UTC))  # fmt: skip
                body = pack_case(manifest, blobs)
                outbox.post(platform_node, "hz-cyber", KIND, body, ref=f"case-{i}")
                (attempt,) = outbox.pump(platform_node)
                assert attempt.state == "delivered", attempt
            elapsed = time.perf_counter() - started
            print(f"\n{args.small} small cases (20 rows each), one after another: "
                  f"{elapsed:.2f} s, **{args.small / elapsed:.1f} packages/s**")  # fmt: skip
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
