"""The four freeze messages, as carried inside sealed envelopes (msgpack bodies)."""

from __future__ import annotations

import msgspec

REQUEST = "freeze_request"  # police → platform: hold up to this amount
CONFIRMATION = "freeze_confirmation"  # platform → police: what was actually held, or why not
LIFT = "freeze_lift"  # police → platform: the hold may end
RELEASE = "freeze_release"  # platform → police: the hold has ended, this much released

OUTCOMES = ("held", "partial", "refused")


class FreezeRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    freeze_id: str
    account: str
    amount_minor: int
    currency: str
    legal_basis: str
    deadline: str  # ISO 8601 with zone: hold at least until then unless lifted
    case_id: str | None = None


class FreezeConfirmation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    freeze_id: str
    outcome: str  # one of OUTCOMES
    held_minor: int
    currency: str
    reason: str
    at: str


class FreezeLift(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    freeze_id: str
    reason: str


class FreezeRelease(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    freeze_id: str
    released_minor: int
    currency: str
    reason: str
    at: str
