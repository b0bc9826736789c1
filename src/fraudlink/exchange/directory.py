"""The organisations a node trusts: their public keys, by key id, with revocations.

A key card is what an organisation hands to another (``fraudlink node export-key``):
its name, role and public keys. The directory keeps every key ever trusted, so old
messages can still be checked, and marks revoked ones, whose messages are refused.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import msgspec

from fraudlink.exchange.keys import ENC_LABEL, SIGN_LABEL, NodeKeys, b64, key_id, unb64


class KeyCard(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation's public identity, as exchanged between nodes."""

    org: str
    role: str
    sign_public: str  # base64 of the raw Ed25519 public key
    enc_public: str  # base64 of the raw X25519 public key
    created: datetime

    @property
    def sign_kid(self) -> str:
        return key_id(SIGN_LABEL, unb64(self.sign_public))

    @property
    def enc_kid(self) -> str:
        return key_id(ENC_LABEL, unb64(self.enc_public))

    @classmethod
    def of(cls, keys: NodeKeys, role: str, created: datetime) -> KeyCard:
        return cls(
            org=keys.org,
            role=role,
            sign_public=b64(keys.sign_public),
            enc_public=b64(keys.enc_public),
            created=created,
        )


class TrustedKey(msgspec.Struct, frozen=True, kw_only=True):
    card: KeyCard
    trusted_at: datetime
    revoked_at: datetime | None = None


class Directory(msgspec.Struct, kw_only=True):
    """Trusted key cards by signing key id."""

    keys: dict[str, TrustedKey] = msgspec.field(default_factory=dict)

    def trust(self, card: KeyCard, now: datetime) -> TrustedKey:
        entry = TrustedKey(card=card, trusted_at=now)
        self.keys[card.sign_kid] = entry
        return entry

    def revoke(self, sign_kid: str, now: datetime) -> None:
        entry = self.keys[sign_kid]
        self.keys[sign_kid] = TrustedKey(card=entry.card, trusted_at=entry.trusted_at,
                                         revoked_at=now)  # fmt: skip

    def by_sign_kid(self, kid: str) -> TrustedKey | None:
        return self.keys.get(kid)

    def current(self, org: str) -> KeyCard | None:
        """The newest unrevoked card of an organisation."""
        live = [k.card for k in self.keys.values() if k.card.org == org and k.revoked_at is None]
        return max(live, key=lambda c: c.created) if live else None

    def save(self, path: Path) -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(msgspec.json.format(msgspec.json.encode(self)))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Directory:
        if not path.exists():
            return cls()
        return msgspec.json.decode(path.read_bytes(), type=cls)
