"""What is known about payee accounts, held in memory so a check is one dictionary lookup.

The answer says how risky paying the account is and why, in words a payer can act on,
without anything private about third parties: no names, amounts, other accounts or case
details, only the kind of concern and how many sources share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from fraudlink.store import AlertRecord, FreezeRecord

HIGH_SCORE = 80
MEDIUM_SCORE = 50
LIVE_FREEZES = ("requested", "held", "partial")


class PayeeAnswer(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    risk: str  # high | medium | none
    reasons: list[str]
    advice: str
    as_of: str


ADVICE = {
    "high": "Do not pay. If someone is pressing you to pay, it is very likely a scam: "
    "stop, and call the police anti-fraud line (96110 in China).",
    "medium": "Be careful: check who you are paying through a channel you already trust "
    "before you pay.",
    "none": "Nothing is known against this account. That is not a guarantee: never pay "
    "someone you have only met online or who says you must hurry.",
}


@dataclass
class _Facts:
    score: int = 0
    rules: set[str] = field(default_factory=set)
    frozen: bool = False
    cases: int = 0


class PayeeIndex:
    def __init__(self, facts: dict[str, _Facts], as_of: datetime) -> None:
        self._facts = facts
        self.as_of = as_of.isoformat(timespec="seconds")

    def __len__(self) -> int:
        return len(self._facts)

    @classmethod
    def build(
        cls,
        alerts: Iterable[AlertRecord],
        freezes: Iterable[FreezeRecord],
        case_accounts: Iterable[str],
        as_of: datetime,
    ) -> PayeeIndex:
        facts: dict[str, _Facts] = {}
        for a in alerts:
            if a.status == "false_positive" or a.score < MEDIUM_SCORE:
                continue
            accounts = a.body.get("accounts") or ([a.entity_id] if a.entity_kind == "account"
                                                  else [])  # fmt: skip
            for account in accounts:
                f = facts.setdefault(str(account), _Facts())
                f.score = max(f.score, a.score)
                f.rules.add(str(a.body.get("title") or a.rule_id))
        for z in freezes:
            if z.state in LIVE_FREEZES:
                facts.setdefault(z.account, _Facts()).frozen = True
        for account in case_accounts:
            facts.setdefault(account, _Facts()).cases += 1
        return cls(facts, as_of)

    def check(self, account: str) -> PayeeAnswer:
        account = account.strip()
        f = self._facts.get(account)
        if f is None:
            return PayeeAnswer(account=account, risk="none", reasons=[], advice=ADVICE["none"],
                               as_of=self.as_of)  # fmt: skip
        reasons = []
        if f.frozen:
            reasons.append("the account is under a police freeze request")
        if f.cases:
            named = f"{f.cases} fraud cases" if f.cases > 1 else "a fraud case"
            reasons.append(f"the account is named in {named} referred to the police")
        if f.rules:
            reasons.append("fraud detection flagged the account: " + ", ".join(sorted(f.rules)))
        risk = "high" if f.frozen or f.cases or f.score >= HIGH_SCORE else "medium"
        return PayeeAnswer(account=account, risk=risk, reasons=reasons, advice=ADVICE[risk],
                           as_of=self.as_of)  # fmt: skip
