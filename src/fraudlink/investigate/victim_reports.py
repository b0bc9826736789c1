"""Victims' own reports (the portal) matched to the transfers they describe and to the
victims gang finding already knows, so a person who reported and whose payments are in
the events is counted once.

The rule, in order:

1. **Payment.** A reported payment is the completed transfer into the named payee account
   (at any organisation) of exactly the amount reported, completed within
   ``MATCH_WINDOW`` of the time the reporter gave (a time without a zone is taken as
   ``REPORT_ZONE``, where the portal's users are); the closest in time wins, each
   transfer answers one reported payment. With no time given, the amount must point to
   a single transfer. The payer of a matched transfer is the reporter's account: if a
   known victim holds it, the report is that victim's.
2. **Identity.** Otherwise, a reporter whose contact (phone digits, or e-mail in lower
   case) is on the KYC record of a known victim's account is that victim.
3. **New victim.** Otherwise the report is a victim the transfers did not show (their
   payments may be at a bank or platform that sent nothing). Reports with the same payer
   account, or else the same contact, are one person. Their loss is the matched
   transfers' amounts plus the reported amounts nothing matched.

Pure: reports, a ledger and a contact map in; matches out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from fraudlink.investigate.ledger import Ledger
from fraudlink.store import ReportRecord

MATCH_WINDOW = timedelta(hours=24)
REPORT_ZONE = ZoneInfo("Asia/Shanghai")
Account = tuple[str, str]  # (org, account)


@dataclass
class ReportMatch:
    """One report: the ledger positions it matched, and what nothing matched."""

    report: ReportRecord
    transfers: list[int] = field(default_factory=list)
    unmatched: int = 0  # reported minor units with no transfer found
    payers: set[Account] = field(default_factory=set)


def normalise_contact(text: str) -> str:
    """Phone numbers by their digits (no country prefix), e-mail in lower case."""
    text = text.strip()
    if "@" in text:
        return text.lower()
    digits = re.sub(r"\D", "", text)
    return digits[-11:] if len(digits) >= 11 else digits


def _paid_at(text: object) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=REPORT_ZONE)


def _candidates(ledger: Ledger, account: str, amount: int, used: set[int]) -> list[int]:
    found: list[int] = []
    for code in ledger.account_codes(account):
        mine = ledger.transfers_of(code)
        mine = mine[(ledger.dst[mine] == code) & (ledger.amount[mine] == amount)]
        found += [int(k) for k in mine if int(k) not in used]
    return found


def match_reports(ledger: Ledger, reports: Iterable[ReportRecord]) -> list[ReportMatch]:
    """Each report with the transfers its payments are (rule 1 of the module docstring)."""
    used: set[int] = set()
    out = []
    for report in reports:
        match = ReportMatch(report)
        for payment in report.payments:
            amount = int(payment.get("amount_minor") or 0)
            options = _candidates(ledger, str(payment.get("account", "")), amount, used)
            when = _paid_at(payment.get("paid_at"))
            chosen = None
            if when is not None and options:
                at = int(when.timestamp() * 1_000_000)
                gaps = np.abs(ledger.time_us[options] - at)
                best = int(np.argmin(gaps))
                if gaps[best] <= MATCH_WINDOW.total_seconds() * 1_000_000:
                    chosen = options[best]
            elif when is None and len(options) == 1:
                chosen = options[0]
            if chosen is None:
                match.unmatched += amount
                continue
            used.add(chosen)
            match.transfers.append(chosen)
            payer = int(ledger.src[chosen])
            match.payers.add((ledger.org(payer), ledger.account(payer)))
        out.append(match)
    return out


def owner_of(
    match: ReportMatch, victim_accounts: Mapping[Account, str], contacts: Mapping[str, str]
) -> str | None:
    """The known victim (person id) a report is about, by payment then by identity."""
    for payer in sorted(match.payers):
        if payer in victim_accounts:
            return victim_accounts[payer]
    contact = normalise_contact(match.report.contact)
    return contacts.get(contact) if contact else None


def group_new(matches: Iterable[ReportMatch]) -> list[list[ReportMatch]]:
    """Reports of victims nobody knew, one group per person (same payer, else contact)."""
    groups: list[list[ReportMatch]] = []
    keyed: dict[str, int] = {}
    for m in matches:
        keys = [f"account {o}:{a}" for o, a in sorted(m.payers)]
        contact = normalise_contact(m.report.contact)
        keys += [f"contact {contact}"] if contact else [f"report {m.report.id}"]
        index = next((keyed[k] for k in keys if k in keyed), None)
        if index is None:
            index = len(groups)
            groups.append([])
        groups[index].append(m)
        for k in keys:
            keyed.setdefault(k, index)
    return groups
