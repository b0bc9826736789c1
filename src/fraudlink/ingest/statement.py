"""Customer statements: one posting per row, a signed amount and the other side's *name*.

A card or current-account statement names the counterparty in free text ("ACME
PAYROLL", "Starbucks #1234"), not by an account id: it is outside the customer
base. The name becomes a stable id (``ext:acme-payroll``), the same for every
customer and every file that writes the name the same way up to case, spacing and
punctuation, so many customers paying one merchant share one counterparty. The
transfer's ``external`` says which side it is, so alerts never name it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

EXTERNAL_PREFIX = "ext:"
STATEMENT_DERIVES = ("transfer_id", "status", "initiated_at", "completed_at", "to_org", "memo")
"""Transfer fields a statement fills from the posting itself when the mapping does not."""
_MAX_SLUG = 100
_NOT_WORD = re.compile(r"[\W_]+")


def external_id(name: str) -> str:
    """The id of a counterparty known only by name: ``ext:`` and a slug of the name.

    Case, spacing and punctuation do not count; letters of any script are kept. A
    name with no letters or digits, or a very long one, is identified by a digest.

    >>> external_id("Acme Payroll")
    'ext:acme-payroll'
    >>> external_id("  ACME   PAYROLL. ")
    'ext:acme-payroll'
    >>> external_id("星巴克 (上海)")
    'ext:星巴克-上海'
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    slug = _NOT_WORD.sub("-", text).strip("-")
    if not slug:
        return EXTERNAL_PREFIX + "h-" + _digest(text.strip())
    if len(slug) > _MAX_SLUG:
        slug = slug[: _MAX_SLUG - 13].rstrip("-") + "-" + _digest(slug)
    return EXTERNAL_PREFIX + slug


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def complete_posting(out: dict[str, Any], derive: tuple[str, ...], name: str) -> None:
    """Fill the transfer fields a posting implies and the mapping left out.

    A statement lists what was booked: the posting is its own transfer (its id
    is the event id), completed at its time unless ``status`` is mapped, held by
    the statement's organisation, with the counterparty's name as written in
    ``memo`` (the id keeps only a slug of it).
    """
    ts = out.get("ts")
    if "transfer_id" in derive:
        out["transfer_id"] = out.get("event_id")
    if "status" in derive:
        out["status"] = "completed"
    if "initiated_at" in derive and ts is not None:
        out["initiated_at"] = ts
    if (
        "completed_at" in derive
        and ts is not None
        and out.get("status") in ("completed", "reversed")
    ):
        out["completed_at"] = ts
    if "to_org" in derive and "org" in out:
        out["to_org"] = out["org"]
    if "memo" in derive:
        out["memo"] = name
