"""Envelopes open only for the right recipient, from a trusted sender, untouched, in time, once."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.exchange.directory import Directory, KeyCard
from fraudlink.exchange.envelope import (
    INFO,
    MAGIC,
    SUITE,
    SUITE_NAME,
    Header,
    ReplayGuard,
    _signed_bytes,
    open_envelope,
    seal,
)
from fraudlink.exchange.errors import (
    BadSignatureError,
    EnvelopeError,
    ExpiredError,
    MalformedError,
    NotYetValidError,
    ReplayedError,
    RevokedSenderError,
    UnknownSenderError,
    WrongRecipientError,
)
from fraudlink.exchange.keys import KeyFileError, NodeKeys, fingerprint

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
BODY = "案件 referral: account hx-u00002653, 5 refunds ¥23,400.00".encode() * 20

PLATFORM = NodeKeys.generate("hx-mall")
POLICE = NodeKeys.generate("hz-cyber")
OTHER_POLICE = NodeKeys.generate("cd-cyber")
IMPOSTOR = NodeKeys.generate("hx-mall")  # claims the platform's name with its own key


def card(keys: NodeKeys, role: str) -> KeyCard:
    return KeyCard.of(keys, role, NOW)


def police_directory() -> Directory:
    directory = Directory()
    directory.trust(card(PLATFORM, "platform"), NOW)
    return directory


def sealed(sender: NodeKeys = PLATFORM, to: NodeKeys = POLICE, **kw: object) -> bytes:
    args: dict[str, object] = {"message_id": "m-1", "kind": "case_referral", "seq": 1,
                               "created": NOW, **kw}  # fmt: skip
    return seal(BODY, sender, card(to, "police"), **args)  # type: ignore[arg-type]


def test_the_recipient_reads_what_the_sender_sealed() -> None:
    envelope = sealed()
    opened = open_envelope(envelope, POLICE, police_directory(), NOW + timedelta(minutes=1))
    assert opened.body == BODY
    assert opened.header.sender == "hx-mall" and opened.header.recipient == "hz-cyber"
    assert opened.header.sender_kid == PLATFORM.sign_kid
    assert BODY not in envelope  # encrypted, not just signed
    assert len(opened.envelope_sha256) == 64


def test_sealing_twice_gives_different_bytes() -> None:
    assert sealed() != sealed()  # a fresh ephemeral key each time


def test_another_police_unit_cannot_open_it() -> None:
    directory = police_directory()
    with pytest.raises(WrongRecipientError):
        open_envelope(sealed(), OTHER_POLICE, directory, NOW)


def test_a_right_name_with_a_wrong_key_is_refused() -> None:
    with pytest.raises(WrongRecipientError, match="key"):
        open_envelope(sealed(to=POLICE), NodeKeys("hz-cyber", POLICE.signing,
                      OTHER_POLICE.encryption), police_directory(), NOW)  # fmt: skip


def test_an_unknown_sender_is_refused() -> None:
    with pytest.raises(UnknownSenderError):
        open_envelope(sealed(sender=IMPOSTOR), POLICE, police_directory(), NOW)
    with pytest.raises(UnknownSenderError):
        open_envelope(sealed(sender=OTHER_POLICE), POLICE, police_directory(), NOW)


def test_a_revoked_sender_is_refused() -> None:
    directory = police_directory()
    directory.revoke(PLATFORM.sign_kid, NOW)
    with pytest.raises(RevokedSenderError):
        open_envelope(sealed(), POLICE, directory, NOW)


def test_a_forged_signature_is_refused() -> None:
    """Anyone can encrypt to the police and claim the platform's key id, but not sign for it."""
    header = Header(v=1, suite=SUITE_NAME, message_id="m-9", kind="case_referral",
                    sender="hx-mall", sender_kid=PLATFORM.sign_kid, recipient="hz-cyber",
                    recipient_kid=POLICE.enc_kid, seq=1, created="2026-09-01T08:00:00Z",
                    expires="2026-09-08T08:00:00Z")  # fmt: skip
    head = rfc8785.dumps(msgspec.to_builtins(header))
    signature = IMPOSTOR.signing.sign(_signed_bytes(head, BODY))
    ciphertext = SUITE.encrypt(signature + BODY, POLICE.encryption.public_key(), info=INFO + head)
    envelope = MAGIC + struct.pack(">I", len(head)) + head + ciphertext
    with pytest.raises(BadSignatureError):
        open_envelope(envelope, POLICE, police_directory(), NOW)


def test_expired_and_future_envelopes_are_refused() -> None:
    old = sealed(lifetime=timedelta(hours=1))
    with pytest.raises(ExpiredError):
        open_envelope(old, POLICE, police_directory(), NOW + timedelta(hours=2))
    future = sealed(created=NOW + timedelta(hours=1))
    with pytest.raises(NotYetValidError):
        open_envelope(future, POLICE, police_directory(), NOW)


def test_a_replayed_or_out_of_sequence_message_is_refused() -> None:
    guard = ReplayGuard()
    first = open_envelope(sealed(seq=5), POLICE, police_directory(), NOW)
    guard.check(first.header)
    guard.remember(first.header)
    with pytest.raises(ReplayedError, match="already received"):
        guard.check(open_envelope(sealed(seq=6), POLICE, police_directory(), NOW).header)
    older = open_envelope(sealed(message_id="m-2", seq=4), POLICE, police_directory(), NOW)
    with pytest.raises(ReplayedError, match="not after"):
        guard.check(older.header)
    newer = open_envelope(sealed(message_id="m-3", seq=6), POLICE, police_directory(), NOW)
    guard.check(newer.header)


def test_garbage_is_malformed_not_a_crash() -> None:
    for junk in (b"", b"FLE1", b"NOPE" + bytes(40), MAGIC + struct.pack(">I", 10**6) + b"{}"):
        with pytest.raises(MalformedError):
            open_envelope(junk, POLICE, police_directory(), NOW)


ENVELOPE = sealed()


@settings(max_examples=300, deadline=None)
@given(position=st.integers(0, len(ENVELOPE) - 1), flip=st.integers(1, 255))
def test_any_flipped_byte_anywhere_is_refused(position: int, flip: int) -> None:
    changed = bytearray(ENVELOPE)
    changed[position] ^= flip
    with pytest.raises(EnvelopeError):
        open_envelope(bytes(changed), POLICE, police_directory(), NOW)


@settings(max_examples=50, deadline=None)
@given(cut=st.integers(0, len(ENVELOPE) - 1))
def test_any_truncation_is_refused(cut: int) -> None:
    with pytest.raises(EnvelopeError):
        open_envelope(ENVELOPE[:cut], POLICE, police_directory(), NOW)


def test_private_keys_are_stored_encrypted_and_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    PLATFORM.save(folder, b"correct horse battery staple")
    for name in ("signing.pem", "encryption.pem"):
        path = folder / name
        assert path.stat().st_mode & 0o777 == 0o600
        assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
    back = NodeKeys.load("hx-mall", folder, b"correct horse battery staple")
    assert back.sign_kid == PLATFORM.sign_kid and back.enc_kid == PLATFORM.enc_kid
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        NodeKeys.load("hx-mall", folder, b"wrong")
    (folder / "signing.pem").chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        NodeKeys.load("hx-mall", folder, b"correct horse battery staple")


def test_key_ids_come_from_the_keys_and_directories_round_trip(tmp_path: Path) -> None:
    platform_card = card(PLATFORM, "platform")
    assert platform_card.sign_kid == PLATFORM.sign_kid
    assert len(fingerprint(PLATFORM.sign_kid).split()) == 8
    directory = police_directory()
    path = tmp_path / "directory.json"
    directory.save(path)
    again = Directory.load(path)
    assert again.current("hx-mall") == platform_card
    again.revoke(PLATFORM.sign_kid, NOW)
    assert again.current("hx-mall") is None
