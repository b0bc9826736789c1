"""Password policy and hashing (argon2id, RFC 9106 parameters from argon2-cffi).

The policy follows NIST SP 800-63B: length over composition rules (at least 12
characters), no password from a list of the most common ones, none that contains the
user's own name or organisation, and no character-class puzzles.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; a cap stops someone hashing a megabyte per try

# The most common passwords of public breach corpora that are 12+ characters long, and
# patterns people reach for when told "at least 12".
COMMON = frozenset(
    """
    123456789012 1234567890123 12345678901234 123456789abc 1qaz2wsx3edc qwertyuiopas
    qwertyuiop12 qwertyuiop123 password1234 password12345 password123456 passwordpassword
    iloveyou1234 abcdefghijkl abc123456789 aaaaaaaaaaaa 111111111111 000000000000
    a1b2c3d4e5f6 zaq12wsxcde3 1q2w3e4r5t6y qazwsxedcrfv asdfghjkl123 woaini1314520
    5201314520131 wangyuan123456 admin1234567 administrator changeme1234 welcome12345
    letmein12345 trustno1trustno1 football1234 baseball1234 superman1234 iloveyou123456
    88888888888888 66666666666666 147258369147 789456123789 159357159357 qwerty123456
    """.split()
)

_hasher = PasswordHasher()


def problems(password: str, *, username: str = "", org: str = "") -> list[str]:
    """What is wrong with ``password`` (empty when it is acceptable)."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"use at least {MIN_LENGTH} characters (a short sentence works well)")
    if len(password) > MAX_LENGTH:
        found.append(f"use at most {MAX_LENGTH} characters")
    lowered = password.lower()
    if lowered in COMMON or len(set(password)) <= 3:
        found.append("this password is among the most common ones; choose another")
    for part, what in ((username, "your user name"), (org, "the organisation's name")):
        if len(part) >= 3 and part.lower() in lowered:
            found.append(f"do not put {what} in the password")
    return found


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches, and a new hash when the stored one uses old parameters."""
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    return True, _hasher.hash(password) if _hasher.check_needs_rehash(stored) else None
