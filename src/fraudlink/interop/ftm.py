"""FollowTheMoney entities: account holders, wallet accounts, and every transfer as a Payment
edge between them (payer → beneficiary, with the accounts, amount, currency and date).

Holders are known for the case's own accounts (the platform's party record); for a
counterparty only its account is known, so its holder is a LegalEntity named after the
account, which tools merge later when the same holder turns up elsewhere.
"""

from __future__ import annotations

from typing import Any

from fraudlink.interop.source import CaseData, major

Entity = dict[str, Any]


def e164(phone: str) -> str:
    """Phones as E.164 (FtM validates them so): Chinese numbers in our data lack "+86"."""
    digits = "".join(c for c in phone if c.isdigit())
    return phone if phone.startswith("+") else f"+86{digits}"


def to_ftm(case: CaseData) -> list[Entity]:
    m = case.manifest
    entities: dict[str, Entity] = {}
    holder_of: dict[str, str] = {}
    account_of: dict[str, str] = {}

    def add(schema: str, key: tuple[object, ...], props: dict[str, list[str]]) -> str:
        eid = case.uid(schema, *key)
        entities.setdefault(eid, {"id": eid, "schema": schema,
                                  "properties": {k: v for k, v in props.items() if v}})  # fmt: skip
        return eid

    for row in case.rows("account"):
        acc = str(row.get("account_id") or row.get("subject"))
        name = row.get("holder_name")
        props = {"name": [name or f"holder of {acc}"], "country": ["cn"]}
        for ours, theirs in (
            ("holder_phone", "phone"),
            ("holder_email", "email"),
            ("holder_address", "address"),
            ("holder_birth_date", "birthDate"),
        ):
            if row.get(ours):
                props[theirs] = [e164(str(row[ours])) if theirs == "phone" else str(row[ours])]
        holder_of[acc] = add("Person" if name else "LegalEntity", ("holder", acc), props)

    def account(acc: str, org: str | None) -> str:
        if acc not in account_of:
            account_of[acc] = add(
                "BankAccount",
                ("account", acc),
                {"accountNumber": [acc], "bankName": [org] if org else []},
            )
            holder = holder_of.get(acc) or add("LegalEntity", ("holder", acc),
                                                {"name": [f"holder of {acc}"]})  # fmt: skip
            holder_of[acc] = holder
            add("Ownership", ("owns", acc), {"owner": [holder], "asset": [account_of[acc]],
                                             "role": ["account holder"]})  # fmt: skip
        return account_of[acc]

    for subject in m.subject_accounts:
        account(subject, None)
    for row in case.rows("transactions"):
        payer, payee = row["from_account"], row["to_account"]
        payer_acc, payee_acc = account(payer, row.get("org")), account(payee, row.get("to_org"))
        date = str(row.get("completed_at") or row.get("initiated_at") or "")[:10]
        add("Payment", ("payment", row["transfer_id"]), {
            "payer": [holder_of[payer]], "beneficiary": [holder_of[payee]],
            "payerAccount": [payer_acc], "beneficiaryAccount": [payee_acc],
            "amount": [major(int(row["amount"]), row["currency"])],
            "currency": [row["currency"]], "date": [date] if date else [],
            "transactionNumber": [row["transfer_id"]],
            "purpose": [f"{row.get('channel', '')} transfer, {row.get('status', '')}"],
        })  # fmt: skip
    return sorted(entities.values(), key=lambda e: (e["schema"], e["id"]))
