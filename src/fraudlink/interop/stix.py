"""STIX 2.1 bundle: the case as a report, its accounts and login addresses as observables,
the alert reasons as notes, marked with the package's TLP 2.0 level.

STIX has no object for a payment; the money flow travels in the FollowTheMoney export.
Observables get the spec's deterministic ids (UUIDv5 of their id-contributing properties
under the STIX namespace), so the same account is the same object in every bundle.
"""

from __future__ import annotations

import ipaddress
import uuid
from datetime import datetime
from typing import Any

import rfc8785

from fraudlink.interop.source import CaseData

STIX_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
# The TLP 2.0 marking definitions of the OASIS TLP 2.0 STIX extension (fixed ids).
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_AUTHOR = "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01"
TLP2 = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


def _time(text: str) -> str:
    ts = datetime.fromisoformat(text)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def _sco_id(kind: str, contributing: dict[str, Any]) -> str:
    return f"{kind}--{uuid.uuid5(STIX_NAMESPACE, rfc8785.dumps(contributing).decode())}"


def _sdo_id(case: CaseData, kind: str, *key: object) -> str:
    """A UUIDv4-shaped id derived from the case and key: STIX asks SDOs for version-4 ids,
    the export must be the same bytes every time, and both hold this way."""
    raw = bytearray(uuid.UUID(case.uid(kind, *key)).bytes)
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    return f"{kind}--{uuid.UUID(bytes=bytes(raw))}"


def _marking(tlp: str) -> dict[str, Any]:
    return {"type": "marking-definition", "spec_version": "2.1", "id": TLP2[tlp],
            "created": "2022-10-01T00:00:00.000Z", "created_by_ref": TLP2_AUTHOR,
            "name": f"TLP:{tlp.upper()}",
            "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension",
                                            "tlp_2_0": tlp}}}  # fmt: skip


def to_stix(case: CaseData) -> dict[str, Any]:
    m = case.manifest
    when = _time(m.created)
    marking = TLP2[m.handling.tlp]
    sender = {
        "type": "identity", "spec_version": "2.1", "id": _sdo_id(case, "identity", m.sender),
        "created": when, "modified": when, "name": m.sender, "identity_class": "organization",
        "object_marking_refs": [marking],
    }  # fmt: skip
    common = {"spec_version": "2.1", "object_marking_refs": [marking]}
    accounts: dict[str, dict[str, Any]] = {}

    def account(acc: str, org: str | None) -> str:
        if acc not in accounts:
            # No account-type-ov value fits a wallet, and the vocabulary is open but
            # validators warn on others: the type is left out and said in the name.
            obj = {"type": "user-account", **common, "user_id": acc,
                   "display_name": f"wallet account {acc}"}  # fmt: skip
            obj["id"] = _sco_id("user-account", {"user_id": acc})
            if org:
                obj["display_name"] = f"wallet account {acc} at {org}"
            accounts[acc] = obj
        return str(accounts[acc]["id"])

    for subject in m.subject_accounts:
        account(subject, None)
    for row in case.rows("transactions"):
        account(row["from_account"], row.get("org"))
        account(row["to_account"], row.get("to_org"))
    for row in case.rows("linked"):
        account(row["account"], None)
    addresses: dict[str, dict[str, Any]] = {}
    for row in case.rows("logins"):
        ip = row.get("ip")
        if not ip or ip in addresses:
            continue
        kind = "ipv6-addr" if ipaddress.ip_address(ip).version == 6 else "ipv4-addr"
        addresses[ip] = {"type": kind, **common, "id": _sco_id(kind, {"value": ip}), "value": ip}
    subjects = [account(s, None) for s in m.subject_accounts]
    notes = [
        {"type": "note", **common, "id": _sdo_id(case, "note", i), "created": when,
         "modified": when, "created_by_ref": sender["id"], "abstract": "alert reason",
         "content": reason, "object_refs": subjects}
        for i, reason in enumerate(m.reasons)
    ]  # fmt: skip
    observables = [*accounts.values(), *addresses.values()]
    report = {"type": "report", **common, "id": _sdo_id(case, "report"), "created": when,
              "modified": when, "published": when, "created_by_ref": sender["id"],
              "name": f"{m.case_id}: {m.title}", "report_types": ["threat-report"],
              "description": f"Fraud case referred by {m.sender} to {m.recipient}. "
                             f"Handling TLP:{m.handling.tlp.upper()}, "
                             f"{'may' if m.handling.may_forward else 'may not'} be passed on.",
              "object_refs": [o["id"] for o in observables] + [n["id"] for n in notes],
              "external_references": [{"source_name": "fraudlink",
                                       "external_id": m.case_id}]}  # fmt: skip
    objects = [_marking(m.handling.tlp), sender, report, *notes, *observables]
    return {"type": "bundle", "id": _sdo_id(case, "bundle"), "objects": objects}
