"""A receipt proves the exact bytes arrived, signed by the receiver; anything else is refused."""

from __future__ import annotations

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
from fraudlink.exchange.receipts import ReceiptMismatchError, issue_receipt, verify_receipt

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
