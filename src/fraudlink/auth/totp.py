"""TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s), with replay protection.

A code is accepted for the current 30-second step or the one before or after it (clock
drift), and only if its step is later than the last one this user used: a code seen
over someone's shoulder cannot be used again.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

STEP = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str, org: str) -> str:
    """The otpauth:// URI an authenticator app reads (shown as a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=f"{username}@{org}", issuer_name="fraudlink")


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def accept(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to if it is valid now and unused, else ``None``."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP
    for step in range(max(current - DRIFT_STEPS, 0), current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step if last_step is None or step > last_step else None
    return None
