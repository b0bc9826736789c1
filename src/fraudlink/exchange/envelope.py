"""The envelope: signed, then encrypted to the recipient, with an authenticated header.

Byte layout (version 1; docs/protocol.md has the worked example)::

    0      4   magic b"FLE1"
    4      4   H, header length, unsigned big-endian
    8      H   header: RFC 8785 canonical JSON, UTF-8
    8+H    32  HPKE encapsulated key (DHKEM X25519)
    40+H   …   AES-256-GCM ciphertext and 16-byte tag of: signature (64) ‖ body

HPKE (RFC 9180, base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM) with
``info = b"fraudlink-envelope-v1\\0" ‖ header``, so a changed header byte fails
decryption. The Ed25519 signature covers ``b"fraudlink-signature-v1\\0" ‖ SHA-256(header)
‖ SHA-256(body)``: the header names the recipient's key id, so a signed body cannot be
re-sealed to someone else without the signature failing.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import msgspec
import rfc8785
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from fraudlink.exchange.directory import Directory, KeyCard
from fraudlink.exchange.errors import (
    BadSignatureError,
    ExpiredError,
    MalformedError,
    NotYetValidError,
    ReplayedError,
    RevokedSenderError,
    TamperedError,
    UnknownSenderError,
    WrongRecipientError,
)
from fraudlink.exchange.keys import NodeKeys, unb64

MAGIC = b"FLE1"
VERSION = 1
SUITE_NAME = "HPKE-X25519-HKDF-SHA256-AES-256-GCM+Ed25519"
SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)
INFO = b"fraudlink-envelope-v1\x00"
SIG_CONTEXT = b"fraudlink-signature-v1\x00"
SIG_LEN = 64
MAX_HEADER = 16 * 1024
CLOCK_SKEW = timedelta(minutes=5)


class Header(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    v: int
    suite: str
    message_id: str
    kind: str
    sender: str
    sender_kid: str
    recipient: str
    recipient_kid: str
    seq: int
    created: str
    expires: str


@dataclass(frozen=True)
class Opened:
    header: Header
    body: bytes
    envelope_sha256: str


def _time(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signed_bytes(header: bytes, body: bytes) -> bytes:
    return SIG_CONTEXT + hashlib.sha256(header).digest() + hashlib.sha256(body).digest()


def seal(
    body: bytes,
    sender: NodeKeys,
    recipient: KeyCard,
    *,
    message_id: str,
    kind: str,
    seq: int,
    created: datetime,
    lifetime: timedelta = timedelta(days=7),
) -> bytes:
    """Sign ``body`` as ``sender`` and encrypt it so only ``recipient`` can read it."""
    header = Header(
        v=VERSION,
        suite=SUITE_NAME,
        message_id=message_id,
        kind=kind,
        sender=sender.org,
        sender_kid=sender.sign_kid,
        recipient=recipient.org,
        recipient_kid=recipient.enc_kid,
        seq=seq,
        created=_time(created),
        expires=_time(created + lifetime),
    )
    head = rfc8785.dumps(msgspec.to_builtins(header))
    signature = sender.signing.sign(_signed_bytes(head, body))
    public = x25519.X25519PublicKey.from_public_bytes(unb64(recipient.enc_public))
    sealed = SUITE.encrypt(signature + body, public, info=INFO + head)
    return MAGIC + struct.pack(">I", len(head)) + head + sealed


def read_header(envelope: bytes) -> tuple[Header, bytes, bytes]:
    """The header (not yet authenticated), its bytes and the sealed rest."""
    if len(envelope) < 8 or envelope[:4] != MAGIC:
        raise MalformedError("not a fraudlink envelope (bad magic)")
    (length,) = struct.unpack(">I", envelope[4:8])
    if length > MAX_HEADER or 8 + length > len(envelope):
        raise MalformedError(f"header length {length} does not fit the envelope")
    head = envelope[8 : 8 + length]
    try:
        header = msgspec.json.decode(head, type=Header)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError) as exc:
        raise MalformedError(f"header is not a valid v1 header: {exc}") from exc
    if rfc8785.dumps(msgspec.to_builtins(header)) != head:
        raise MalformedError("header is not in canonical form (RFC 8785)")
    if header.v != VERSION or header.suite != SUITE_NAME:
        raise MalformedError(f"unsupported version {header.v} or suite {header.suite!r}")
    return header, head, envelope[8 + length :]


def open_envelope(envelope: bytes, me: NodeKeys, directory: Directory, now: datetime) -> Opened:
    """Check everything, in an order where each refusal can be trusted; return the body.

    Authenticity comes first (recipient, sender, decryption, signature), so that the
    header fields used afterwards (expiry) have been proven; replay is the caller's
    check against what it has already imported (:class:`ReplayGuard`).
    """
    header, head, sealed = read_header(envelope)
    if header.recipient != me.org or header.recipient_kid != me.enc_kid:
        raise WrongRecipientError(
            f"sealed for {header.recipient} key {header.recipient_kid}, "
            f"this node is {me.org} key {me.enc_kid}"
        )
    trusted = directory.by_sign_kid(header.sender_kid)
    if trusted is None or trusted.card.org != header.sender:
        raise UnknownSenderError(f"{header.sender} key {header.sender_kid} is not trusted here")
    if trusted.revoked_at is not None:
        raise RevokedSenderError(
            f"{header.sender} key {header.sender_kid} was revoked at {trusted.revoked_at}"
        )
    try:
        plain = SUITE.decrypt(sealed, me.encryption, info=INFO + head)
    except (InvalidTag, ValueError) as exc:
        raise TamperedError("decryption failed: the envelope was changed in transit") from exc
    if len(plain) < SIG_LEN:
        raise MalformedError("sealed content is shorter than a signature")
    signature, body = plain[:SIG_LEN], plain[SIG_LEN:]
    public = ed25519.Ed25519PublicKey.from_public_bytes(unb64(trusted.card.sign_public))
    try:
        public.verify(signature, _signed_bytes(head, body))
    except InvalidSignature as exc:
        raise BadSignatureError(f"signature does not verify with {header.sender}'s key") from exc
    created = datetime.fromisoformat(header.created)
    expires = datetime.fromisoformat(header.expires)
    if now > expires:
        raise ExpiredError(f"expired at {header.expires}")
    if created > now + CLOCK_SKEW:
        raise NotYetValidError(f"created {header.created}, in the future")
    return Opened(header, body, hashlib.sha256(envelope).hexdigest())


class ReplayGuard:
    """Message ids already taken in, and the highest sequence number per sender."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.last_seq: dict[str, int] = {}

    def check(self, header: Header) -> None:
        if header.message_id in self.seen:
            raise ReplayedError(f"message {header.message_id} was already received")
        last = self.last_seq.get(header.sender_kid)
        if last is not None and header.seq <= last:
            raise ReplayedError(f"sequence {header.seq} from {header.sender} is not after {last}")

    def remember(self, header: Header) -> None:
        self.seen.add(header.message_id)
        self.last_seq[header.sender_kid] = max(
            header.seq, self.last_seq.get(header.sender_kid, header.seq)
        )
