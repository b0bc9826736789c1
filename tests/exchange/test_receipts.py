"""A receipt proves the exact bytes arrived, signed by the receiver; anything else is refused."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.exchange.directory import Directory, KeyCard
from fraudlink.exchange.envelope import open_envelope, seal
from fraudlink.exchange.errors import EnvelopeError, UnknownSenderError
from fraudlink.exchange.keys import NodeKeys
from fraudlink.exchange.receipts import (
    Receipt,
    ReceiptMismatchError,
    issue_receipt,
    verify_receipt,
)

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
PLATFORM = NodeKeys.generate("hx-mall")
POLICE = NodeKeys.generate("hz-cyber")


def directories() -> tuple[Directory, Directory]:
    at_platform, at_police = Directory(), Directory()
    at_platform.trust(KeyCard.of(POLICE, "police", NOW), NOW)
    at_police.trust(KeyCard.of(PLATFORM, "platform", NOW), NOW)
    return at_platform, at_police


def round_trip() -> tuple[bytes, str, bytes]:
    _, at_police = directories()
    envelope = seal(b"case", PLATFORM, KeyCard.of(POLICE, "police", NOW), message_id="m-1",
                    kind="case_referral", seq=1, created=NOW)  # fmt: skip
    sent_hash = hashlib.sha256(envelope).hexdigest()
    opened = open_envelope(envelope, POLICE, at_police, NOW)
    receipt = issue_receipt(POLICE, opened.header.message_id, opened.envelope_sha256,
                            "accepted", NOW)  # fmt: skip
    return envelope, sent_hash, msgspec.json.encode(receipt)


def test_the_sender_verifies_the_receivers_receipt() -> None:
    _, sent_hash, raw = round_trip()
    at_platform, _ = directories()
    receipt = verify_receipt(raw, at_platform, "m-1", sent_hash)
    assert receipt.body.status == "accepted" and receipt.body.receiver == "hz-cyber"


def test_a_receipt_for_other_bytes_or_another_message_is_refused() -> None:
    _, sent_hash, raw = round_trip()
    at_platform, _ = directories()
    with pytest.raises(ReceiptMismatchError):
        verify_receipt(raw, at_platform, "m-1", "0" * 64)
    with pytest.raises(ReceiptMismatchError):
        verify_receipt(raw, at_platform, "m-2", sent_hash)


def test_a_receipt_from_an_untrusted_key_is_refused() -> None:
    _, sent_hash, _ = round_trip()
    at_platform, _ = directories()
    forged = issue_receipt(NodeKeys.generate("hz-cyber"), "m-1", sent_hash, "accepted", NOW)
    with pytest.raises(UnknownSenderError):
        verify_receipt(msgspec.json.encode(forged), at_platform, "m-1", sent_hash)


_, HASH, RAW = round_trip()


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, len(RAW) - 1), flip=st.integers(1, 255))
def test_any_changed_byte_of_a_receipt_is_refused(position: int, flip: int) -> None:
    changed = bytearray(RAW)
    changed[position] ^= flip
    at_platform, _ = directories()
    with pytest.raises((EnvelopeError, ReceiptMismatchError)):
        verify_receipt(bytes(changed), at_platform, "m-1", HASH)


def test_a_signature_spelt_another_way_is_refused() -> None:
    # Base64 ignores the unused low bits of its last character, so a changed byte there
    # decodes to the very same signature; hypothesis found this, and it must not verify.
    receipt = msgspec.json.decode(RAW, type=Receipt)
    text = receipt.signature
    last = text.rstrip("=")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    twin = alphabet[alphabet.index(last[-1]) ^ 1]
    respelt = last[:-1] + twin + text[len(last) :]
    assert base64.b64decode(respelt) == base64.b64decode(text)  # same bytes, other text
    changed = RAW.replace(text.encode(), respelt.encode())
    at_platform, _ = directories()
    with pytest.raises(EnvelopeError):
        verify_receipt(changed, at_platform, "m-1", HASH)
