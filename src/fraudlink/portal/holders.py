"""Which platform or wallet holds an account, from the case packages a police node received."""

from __future__ import annotations

import json
from pathlib import Path


def account_holders(inbox: Path) -> dict[str, str]:
    """account id → organisation, from the ``account`` and ``linked`` tables of each package."""
    found: dict[str, str] = {}
    for table in sorted(inbox.glob("*/evidence/account.jsonl")):
        for line in table.read_text("utf-8").splitlines():
            row = json.loads(line)
            account, org = row.get("account_id"), row.get("org")
            if account and org:
                found.setdefault(str(account), str(org))
    for table in sorted(inbox.glob("*/evidence/transactions.jsonl")):
        for line in table.read_text("utf-8").splitlines():
            row = json.loads(line)
            # The payee's institution is to_org; the payer's, the transfer's own org.
            for account, org in ((row.get("to_account"), row.get("to_org")),
                                 (row.get("from_account"), row.get("org"))):  # fmt: skip
                if account and org:
                    found.setdefault(str(account), str(org))
    return found
