"""Receipts: the receiver's signed word that a message arrived intact (or why it was refused).

A receipt names the message id and the SHA-256 of the exact envelope bytes received,
so the sender can check it against what it sent: a receipt for different bytes is
worthless. It is canonical JSON (RFC 8785) signed with the receiver's Ed25519 key over
``b"fraudlink-receipt-v1\\0" ‖ canonical body``.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

import msgspec
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from fraudlink.exchange.directory import Directory
from fraudlink.exchange.errors import (
    BadSignatureError,
    MalformedError,
    RevokedSenderError,
    UnknownSenderError,
)
from fraudlink.exchange.keys import NodeKeys, b64, unb64

CONTEXT = b"fraudlink-receipt-v1\x00"
STATUSES = ("accepted", "refused")


class ReceiptBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    message_id: str
    envelope_sha256: str
    receiver: str
    receiver_kid: str
    received_at: str
    status: str
    reason: str = ""


class Receipt(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    body: ReceiptBody
    signature: str  # base64 Ed25519


class ReceiptMismatchError(ValueError):
    """A valid receipt, but not for the envelope this node sent."""


def _signed(body: ReceiptBody) -> bytes:
    return CONTEXT + rfc8785.dumps(msgspec.to_builtins(body))


def issue_receipt(
    receiver: NodeKeys,
    message_id: str,
    envelope_sha256: str,
    status: str,
    received_at: datetime,
    reason: str = "",
) -> Receipt:
    if status not in STATUSES:
        raise ValueError(f"receipt status {status!r}: expected one of {', '.join(STATUSES)}")
    body = ReceiptBody(
        message_id=message_id,
        envelope_sha256=envelope_sha256,
        receiver=receiver.org,
        receiver_kid=receiver.sign_kid,
        received_at=received_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        status=status,
        reason=reason,
    )
    return Receipt(body=body, signature=b64(receiver.signing.sign(_signed(body))))


def verify_receipt(
    raw: bytes, directory: Directory, message_id: str, envelope_sha256: str
) -> Receipt:
    """The receipt if the expected receiver signed it for exactly these envelope bytes."""
    try:
        receipt = msgspec.json.decode(raw, type=Receipt)
        signature = unb64(receipt.signature)
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
        raise MalformedError(f"not a receipt: {exc}") from exc
    body = receipt.body
    trusted = directory.by_sign_kid(body.receiver_kid)
    if trusted is None or trusted.card.org != body.receiver:
        raise UnknownSenderError(f"receipt signed by untrusted {body.receiver} key")
    if trusted.revoked_at is not None:
        raise RevokedSenderError(f"receipt signed by revoked {body.receiver} key")
    public = ed25519.Ed25519PublicKey.from_public_bytes(unb64(trusted.card.sign_public))
    try:
        public.verify(signature, _signed(body))
    except InvalidSignature as exc:
        raise BadSignatureError("the receipt's signature does not verify") from exc
    if body.message_id != message_id or not hmac.compare_digest(
        body.envelope_sha256, envelope_sha256
    ):
        raise ReceiptMismatchError(
            f"receipt is for message {body.message_id} with envelope {body.envelope_sha256[:12]}…, "
            f"not for {message_id} {envelope_sha256[:12]}…"
        )
    return receipt
