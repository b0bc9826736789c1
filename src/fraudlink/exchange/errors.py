"""Why an envelope was refused: one class per reason, so logs and tests can tell them apart."""

from __future__ import annotations


class EnvelopeError(Exception):
    """An envelope that was refused; nothing of it may be imported."""

    reason = "refused"


class MalformedError(EnvelopeError):
    reason = "malformed"


class WrongRecipientError(EnvelopeError):
    reason = "wrong_recipient"


class UnknownSenderError(EnvelopeError):
    reason = "unknown_sender"


class RevokedSenderError(EnvelopeError):
    reason = "revoked_sender"


class TamperedError(EnvelopeError):
    """Decryption failed: a byte of the header or ciphertext changed, or another key sealed it."""

    reason = "tampered"


class BadSignatureError(EnvelopeError):
    reason = "bad_signature"


class ExpiredError(EnvelopeError):
    reason = "expired"


class NotYetValidError(EnvelopeError):
    reason = "not_yet_valid"


class ReplayedError(EnvelopeError):
    reason = "replayed"
