"""Real node servers for the integration tests: `fraudlink serve` in its own process."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PASSPHRASE = "an integration passphrase"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(
    home: Path, port: int, *extra: str, cafile: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `fraudlink serve` for ``home`` until the block ends; wait until it answers."""
    env = {**os.environ, "FRAUDLINK_PASSPHRASE": PASSPHRASE}
    command = [sys.executable, "-c", "from fraudlink.cli import main; main()", "serve",
               "--home", str(home), "--port", str(port), "--pump-every", "0", *extra]  # fmt: skip
    log = (home / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    scheme = "https" if "--certfile" in extra else "http"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError((home / f"serve-{port}.log").read_text())
            try:
                verify = ssl.create_default_context(cafile=str(cafile)) if cafile else True
                httpx.get(f"{scheme}://127.0.0.1:{port}/healthz", verify=verify, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as a unit's own small CA would issue."""
    import ipaddress
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "police inbox")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    certfile, keyfile = folder / "inbox.crt", folder / "inbox.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))  # fmt: skip
    keyfile.chmod(0o600)
    return certfile, keyfile
