"""`fraudlink demo --serve`: both nodes served with demo users that can really log in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from fraudlink.auth import totp
from tests.integration.servers import free_port


def test_demo_serves_both_nodes_with_printed_users(tmp_path: Path) -> None:
    port = free_port()
    while True:  # the police node takes the next port: both must be free
        probe = free_port()
        if probe != port + 1:
            break
    env = {**os.environ, "COLUMNS": "250"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from fraudlink.cli import main; main()", "demo", "--out",
         str(tmp_path), "--serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 240
        assert process.stdout is not None
        while not any("Ctrl-C" in line for line in lines):
            assert time.monotonic() < deadline and process.poll() is None, "".join(lines)
            lines.append(process.stdout.readline())
        text = "".join(lines)
        row = re.search(r"analyst\s+│\s+(\S+)\s+│\s+([A-Z2-7]{32})", text)
        assert row is not None, text
        password, secret = row.group(1), row.group(2)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, follow_redirects=False, timeout=10) as client:
            for _ in range(100):
                try:
                    page = client.get("/login")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            done = client.post("/login", data={"username": "analyst", "password": password,
                                               "code": totp.code_at(secret, datetime.now(UTC)),
                                               "csrf": csrf})  # fmt: skip
            assert done.status_code == 303, done.text
            queue = client.get("/alerts")
            assert queue.status_code == 200 and "refund-burst-signed" in queue.text
        portal = httpx.get(f"http://127.0.0.1:{port + 1}/report", timeout=10)
        assert portal.status_code == 200 and "举报网络诈骗" in portal.text
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
