"""An organisation's keys: Ed25519 to sign, X25519 to receive encrypted messages.

Key ids are derived from the public keys (the first 16 bytes of a SHA-256 over a
labelled encoding), so anyone holding a public key can compute its id and nobody can
choose one. Private keys are written as PKCS #8, encrypted with the passphrase when one
is given, and always in a file only its owner can read.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

SIGN_LABEL = b"fraudlink-ed25519-v1:"
ENC_LABEL = b"fraudlink-x25519-v1:"
RAW = serialization.Encoding.Raw
RAW_PUB = serialization.PublicFormat.Raw


def key_id(label: bytes, public_raw: bytes) -> str:
    """32 hex digits naming a public key."""
    return hashlib.sha256(label + public_raw).hexdigest()[:32]


def fingerprint(kid: str) -> str:
    """A key id in groups of four, for people to compare over the phone."""
    return " ".join(kid[i : i + 4] for i in range(0, len(kid), 4))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Strict base64: only the one canonical spelling of the bytes is taken.

    Plain decoders ignore the unused low bits of the last character, so several texts
    decode to the same signature; a receipt or card with a changed byte must not verify.
    """
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if base64.b64encode(data).decode("ascii") != text:
        raise ValueError("not canonical base64")
    return data


@dataclass(frozen=True)
class NodeKeys:
    """The private half of an organisation's identity."""

    org: str
    signing: ed25519.Ed25519PrivateKey
    encryption: x25519.X25519PrivateKey

    @classmethod
    def generate(cls, org: str) -> NodeKeys:
        return cls(org, ed25519.Ed25519PrivateKey.generate(), x25519.X25519PrivateKey.generate())

    @property
    def sign_public(self) -> bytes:
        return self.signing.public_key().public_bytes(RAW, RAW_PUB)

    @property
    def enc_public(self) -> bytes:
        return self.encryption.public_key().public_bytes(RAW, RAW_PUB)

    @property
    def sign_kid(self) -> str:
        return key_id(SIGN_LABEL, self.sign_public)

    @property
    def enc_kid(self) -> str:
        return key_id(ENC_LABEL, self.enc_public)

    def save(self, folder: Path, passphrase: bytes | None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        protect: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        for name, key in (("signing.pem", self.signing), ("encryption.pem", self.encryption)):
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, protect
            )
            _write_private(folder / name, pem)

    @classmethod
    def load(cls, org: str, folder: Path, passphrase: bytes | None) -> NodeKeys:
        signing = _load_private(folder / "signing.pem", passphrase)
        encryption = _load_private(folder / "encryption.pem", passphrase)
        if not isinstance(signing, ed25519.Ed25519PrivateKey):
            raise KeyFileError(f"{folder / 'signing.pem'} is not an Ed25519 key")
        if not isinstance(encryption, x25519.X25519PrivateKey):
            raise KeyFileError(f"{folder / 'encryption.pem'} is not an X25519 key")
        return cls(org, signing, encryption)


class KeyFileError(ValueError):
    """A key file that cannot be read, with what to do."""


def _write_private(path: Path, data: bytes) -> None:
    # Created 0600 from the start: no moment where another user could read it.
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    tmp.replace(path)


def _load_private(path: Path, passphrase: bytes | None) -> object:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileError(f"{path} not found: run `fraudlink node init` first") from exc
    if path.stat().st_mode & 0o077:
        raise KeyFileError(f"{path} is readable by others: chmod 600 {path}")
    try:
        return serialization.load_pem_private_key(data, password=passphrase or None)
    except (ValueError, TypeError) as exc:
        hint = "wrong passphrase" if passphrase else "it is encrypted: give the passphrase"
        raise KeyFileError(f"cannot read {path}: {hint}") from exc
