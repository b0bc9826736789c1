"""Which freezes a case allows: a real case this node holds, and an account in it.

A freeze holds someone's money. It must rest on a case the requester can see (on a
police node: a package it received or referred, verified against its digests) and
name an account the case's evidence contains, at the organisation that holds it.
Otherwise a typo, or a hostile insider, could freeze any account for any amount.
"""

from __future__ import annotations

import json
from pathlib import Path

from fraudlink.cases import package, referral
from fraudlink.exchange.node import Node, NodeError

# Columns of the evidence tables naming an account, and the column naming its holder.
_ACCOUNT_COLUMNS = {
    "account": "org",
    "account_id": "org",
    "subject_account": "org",
    "from_account": "org",
    "to_account": "to_org",
}


def case_accounts(folder: Path) -> dict[str, str | None]:
    """Every account in a verified case package → the organisation holding it (if said)."""
    manifest = package.verify(folder)
    found: dict[str, str | None] = dict.fromkeys(manifest.subject_accounts)
    for entry in manifest.tables.values():
        for line in (folder / entry.file).read_text("utf-8").splitlines():
            row = json.loads(line)
            for column, org_column in _ACCOUNT_COLUMNS.items():
                account = row.get(column)
                if not isinstance(account, str) or not account:
                    continue
                org = row.get(org_column)
                if found.get(account) is None:
                    found[account] = org if isinstance(org, str) and org else None
    return found


def check_freeze(node: Node, case_id: str, account: str, platform: str) -> None:
    """Raise NodeError unless ``case_id`` is a case on this node and ``account`` is in
    it, held (when the evidence says) by ``platform``."""
    try:
        folder = referral.find_package(node, case_id)
    except NodeError as exc:
        raise NodeError(f"no case {case_id} here: a freeze must name a case you hold") from exc
    try:
        accounts = case_accounts(folder)
    except package.PackageError as exc:
        raise NodeError(f"case {case_id}'s package no longer verifies: {exc}") from exc
    if account not in accounts:
        raise NodeError(
            f"account {account} is not in case {case_id}: a freeze must name an account "
            "of the case's evidence"
        )
    holder = accounts[account]
    if holder is not None and holder != platform:
        raise NodeError(f"account {account} is held by {holder}, not {platform}")
