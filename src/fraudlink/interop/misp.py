"""MISP event: the case as one event, TLP-tagged, with the login addresses as ``ip-src``
attributes, the alert reasons as ``text``, and ``bank-account`` / ``transaction`` objects
built from the templates MISP ships."""

from __future__ import annotations

from typing import Any

from fraudlink.interop.source import CaseData, major

# The object templates MISP ships (uuid, version), as in its misp-objects repository.
TEMPLATES = {
    "bank-account": ("b4712203-95a8-4883-80e9-b566f5df11c9", "3"),
    "transaction": ("a47fa26a-01b6-4747-a394-5144e34456dc", "1"),
}
# MISP's distribution: 0 = this organisation only … 4 = sharing group; TLP decides.
DISTRIBUTION = {"red": "0", "amber+strict": "0", "amber": "1", "green": "2", "clear": "3"}


def _attr(case: CaseData, kind: str, category: str, value: str, key: object,
          to_ids: bool = False, relation: str | None = None) -> dict[str, Any]:  # fmt: skip
    out = {"uuid": case.uid("attr", kind, key), "type": kind, "category": category,
           "value": value, "to_ids": to_ids, "distribution": "5"}  # fmt: skip
    if relation:
        out["object_relation"] = relation
    return out


def to_misp(case: CaseData) -> dict[str, Any]:
    m = case.manifest
    attributes = [_attr(case, "text", "Other", reason, ("reason", i))
                  for i, reason in enumerate(m.reasons)]  # fmt: skip
    seen: set[str] = set()
    for row in case.rows("logins"):
        ip = row.get("ip")
        if ip and ip not in seen:
            seen.add(ip)
            attributes.append(_attr(case, "ip-src", "Network activity", ip, ("ip", ip)))
    objects = []
    accounts = {(r["from_account"], r.get("org")) for r in case.rows("transactions")} | {
        (r["to_account"], r.get("to_org")) for r in case.rows("transactions")} | {
        (a, None) for a in m.subject_accounts}  # fmt: skip
    for acc, org in sorted(accounts, key=lambda a: (a[0], a[1] or "")):
        attrs = [_attr(case, "bank-account-nr", "Financial fraud", acc, ("acct", acc, org),
                       relation="account")]  # fmt: skip
        if org:
            attrs.append(_attr(case, "text", "Financial fraud", org, ("inst", acc, org),
                               relation="institution-name"))  # fmt: skip
        objects.append({"uuid": case.uid("object", "bank-account", acc, org),
                        "name": "bank-account", "meta-category": "financial",
                        "template_uuid": TEMPLATES["bank-account"][0],
                        "template_version": TEMPLATES["bank-account"][1], "distribution": "5",
                        "Attribute": attrs})  # fmt: skip
    for row in case.rows("transactions"):
        tid = row["transfer_id"]
        attrs = [
            _attr(case, "text", "Other", tid, ("tx", tid), relation="transaction-number"),
            _attr(case, "float", "Other", major(int(row["amount"]), row["currency"]),
                  ("amount", tid), relation="amount"),
            _attr(case, "text", "Other", f"{row['from_account']} → {row['to_account']}",
                  ("flow", tid), relation="text"),
        ]  # fmt: skip
        when = row.get("completed_at") or row.get("initiated_at")
        if when:
            attrs.append(
                _attr(case, "datetime", "Other", str(when), ("date", tid), relation="date")
            )
        objects.append({"uuid": case.uid("object", "transaction", tid), "name": "transaction",
                        "meta-category": "financial",
                        "template_uuid": TEMPLATES["transaction"][0],
                        "template_version": TEMPLATES["transaction"][1], "distribution": "5",
                        "Attribute": attrs})  # fmt: skip
    return {"Event": {
        "uuid": case.uid("event"), "info": f"{m.case_id}: {m.title}",
        "date": m.created[:10], "threat_level_id": "2", "analysis": "1",
        "distribution": DISTRIBUTION[m.handling.tlp], "published": False,
        "Orgc": {"name": m.sender}, "Tag": [{"name": f"tlp:{m.handling.tlp}"},
                                           {"name": "fraudlink:case=\"" + m.case_id + "\""}],
        "Attribute": attributes, "Object": objects,
    }}  # fmt: skip
