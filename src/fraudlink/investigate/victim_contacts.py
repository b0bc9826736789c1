"""The phone numbers and e-mail addresses on the KYC records of known victims' accounts,
so a portal report can be matched to its reporter by who they are (``victim_reports``).

Read from the ``accounts.parquet`` and ``parties.parquet`` beside the event files (a world
folder, or a source in the police node's evidence store).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from fraudlink.investigate.victim_reports import Account, normalise_contact

_CONTACTS = """
SELECT DISTINCT a.org, a.account_id, p.phone, p.email
FROM read_parquet($accounts, union_by_name = true) a
JOIN read_parquet($parties, union_by_name = true) p ON p.party_id = a.party_id AND p.org = a.org
"""


def victim_contacts(folders: Sequence[Path], victims: Mapping[Account, str]) -> dict[str, str]:
    """Normalised contact → person id, for the accounts of ``victims`` (account → person)."""
    dirs = sorted({f if f.is_dir() else f.parent for f in folders})
    accounts = [str(d / "accounts.parquet") for d in dirs if (d / "accounts.parquet").exists()]
    parties = [str(d / "parties.parquet") for d in dirs if (d / "parties.parquet").exists()]
    if not accounts or not parties or not victims:
        return {}
    with duckdb.connect() as con:
        rows = con.execute(_CONTACTS, {"accounts": accounts, "parties": parties}).fetchall()
    found: dict[str, str] = {}
    for org, account, phone, email in rows:
        person = victims.get((str(org), str(account)))
        if person is None:
            continue
        for contact in (phone, email):
            key = normalise_contact(str(contact)) if contact else ""
            if key:
                found.setdefault(key, person)
    return found
