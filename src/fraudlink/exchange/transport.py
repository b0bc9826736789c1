"""Moving sealed bytes to a peer: HTTP(S) POST to its inbox, or a file in a drop folder.

A transport never looks inside an envelope. ``deliver`` returns the receiver's receipt
bytes when the transport gives one at once (HTTP), or ``None`` when the receipt comes
back later by another way (a drop folder). Failures that may pass (network down, the
peer busy) raise :class:`TransportError` so the outbox retries; nothing else does.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import httpx

from fraudlink.exchange.routes import Route

INBOX_PATH = "/exchange/v1/inbox"
ENVELOPE_TYPE = "application/vnd.fraudlink.envelope"
RECEIPT_TYPE = "application/vnd.fraudlink.receipt+json"
TIMEOUT = httpx.Timeout(60.0, connect=5.0)


class TransportError(Exception):
    """The bytes did not reach the peer this time; trying again later may work."""


def deliver(route: Route, message_id: str, envelope: bytes) -> bytes | None:
    if route.drop is not None:
        _drop(Path(route.drop), message_id, envelope)
        return None
    assert route.url is not None  # a Route has one or the other
    return _post(route, envelope)


def _post(route: Route, envelope: bytes) -> bytes:
    verify: bool | ssl.SSLContext = True
    if route.cafile:
        try:
            verify = ssl.create_default_context(cafile=route.cafile)
        except (OSError, ssl.SSLError) as exc:
            raise TransportError(f"CA file {route.cafile}: {exc}") from exc
    url = route.url.rstrip("/") + INBOX_PATH if route.url else ""
    try:
        with httpx.Client(timeout=TIMEOUT, verify=verify) as client:
            response = client.post(url, content=envelope,
                                   headers={"content-type": ENVELOPE_TYPE})  # fmt: skip
    except httpx.HTTPError as exc:
        raise TransportError(f"{url}: {type(exc).__name__}: {exc}") from exc
    # A refused envelope still gets a signed receipt (HTTP 422); anything without one
    # is the server's trouble, not an answer about the message.
    if response.headers.get("content-type", "").startswith(RECEIPT_TYPE):
        return response.content
    raise TransportError(f"{url}: HTTP {response.status_code} {response.text[:200]!r}")


def _drop(folder: Path, message_id: str, envelope: bytes) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{message_id}.fle"
        tmp = folder / f".{message_id}.fle.partial"
        with tmp.open("wb") as out:
            out.write(envelope)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(final)  # a reader never sees half a file
    except OSError as exc:
        raise TransportError(f"cannot write to drop folder {folder}: {exc}") from exc
