"""Taking a fraud report in: validate it, keep its evidence, match its payees, raise freezes.

Each payee the victim paid is checked against what this (police) node knows; a known
mule or suspect held by a platform this node works with gets an urgent freeze request at
once, for the amount the victim paid into it, and the time from report to request is kept.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from fraudlink.exchange import outbox, routes
from fraudlink.exchange.node import Node, NodeError
from fraudlink.freeze import service
from fraudlink.model.money import to_minor
from fraudlink.payee.index import PayeeIndex
from fraudlink.portal.holders import account_holders
from fraudlink.portal.uploads import MAX_FILES, Upload, UploadError, check
from fraudlink.store import ReportRecord

URGENT_HOLD = timedelta(hours=48)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


class ReportError(ValueError):
    """What is wrong with a report, per field, in the reporter's language."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Payment:
    account: str
    amount: str
    paid_at: str


@dataclass(frozen=True)
class Filed:
    report: ReportRecord
    follow: str  # the secret the reporter uses to follow the case; shown once


def _number(now: datetime) -> str:
    return f"FR-{now:%Y%m%d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def validate(name: str, contact: str, story: str,
             payments: list[Payment]) -> list[dict[str, object]]:  # fmt: skip
    problems: dict[str, str] = {}
    if not name.strip() or len(name) > 100:
        problems["name"] = "required, at most 100 characters"
    if not contact.strip() or len(contact) > 100:
        problems["contact"] = "a phone number or e-mail we can reach you at"
    if len(story.strip()) < 10 or len(story) > 5000:
        problems["story"] = "tell us what happened (10 to 5,000 characters)"
    rows: list[dict[str, object]] = []
    for i, p in enumerate(payments, 1):
        if not p.account.strip():
            continue
        try:
            minor = to_minor(p.amount.replace("¥", "").strip(), "CNY")
            if minor <= 0:
                raise ValueError("not positive")
        except ValueError:
            problems[f"amount_{i}"] = "an amount like 5000 or 5,000.00"
            continue
        if len(p.account) > 64:
            problems[f"account_{i}"] = "at most 64 characters"
            continue
        rows.append({"account": p.account.strip(), "amount_minor": minor, "currency": "CNY",
                     "paid_at": p.paid_at.strip()[:32]})  # fmt: skip
    if not rows and not problems:
        problems["account_1"] = "the account you paid (at least one)"
    if problems:
        raise ReportError(problems)
    return rows


def file_report(
    node: Node, index: PayeeIndex, *, lang: str, name: str, contact: str, city: str,
    story: str, payments: list[Payment], files: list[tuple[str, str | None, bytes]],
) -> Filed:  # fmt: skip
    started = time.perf_counter()
    rows = validate(name, contact, story, payments)
    if len(files) > MAX_FILES:
        raise ReportError({"files": f"at most {MAX_FILES} files"})
    try:
        uploads = [(check(n, t, data), data) for n, t, data in files if data]
    except UploadError as exc:
        raise ReportError({"files": str(exc)}) from exc
    now = node.clock()
    number, follow = _number(now), secrets.token_urlsafe(12)
    _keep_files(node.home / "reports" / number, uploads)
    matches = []
    for row in rows:
        answer = index.check(str(row["account"]))
        if answer.risk != "none":
            matches.append({"account": answer.account, "risk": answer.risk})
    record = ReportRecord(
        id=number, follow_sha256=hashlib.sha256(follow.encode()).hexdigest(), created_at=now,
        lang=lang, name=name.strip(), contact=contact.strip(), city=city.strip() or None,
        story=story.strip(), payments=rows, status="received", matches=matches, freeze_ids=[],
        files=[{"name": u.name, "kind": u.kind, "size": u.size, "sha256": u.sha256}
               for u, _ in uploads],
    )  # fmt: skip
    with node.store() as store:
        store.add_report(record)
        store.append_audit("public", "report.filed", number,
                           {"payments": len(rows), "files": len(uploads),
                            "matches": len(matches)})  # fmt: skip
    freeze_ids = _urgent_freezes(node, number, rows, {m["account"] for m in matches})
    if freeze_ids:
        latency = int((time.perf_counter() - started) * 1000)
        with node.store() as store:
            store.update_report(number, freeze_ids=freeze_ids, status="freeze_requested",
                                freeze_latency_ms=latency)  # fmt: skip
            store.append_audit("public", "report.freeze", number,
                               {"freezes": freeze_ids, "latency_ms": latency})  # fmt: skip
        with node.store() as store:
            record = store.get_report(number) or record
    return Filed(report=record, follow=follow)


def _keep_files(folder: Path, uploads: list[tuple[Upload, bytes]]) -> None:
    if not uploads:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for upload, data in uploads:
        # Named by content: a name from the public never reaches the file system.
        (folder / f"{upload.sha256}.{upload.kind}").write_bytes(data)


def _urgent_freezes(node: Node, number: str, rows: list[dict[str, object]],
                    risky: set[str]) -> list[str]:  # fmt: skip
    if node.info.role != "police" or not risky:
        return []
    holders = account_holders(node.home / "inbox")
    known_routes = routes.load(node.home)
    raised = []
    for row in rows:
        account = str(row["account"])
        org = holders.get(account)
        if account not in risky or org is None or org not in known_routes:
            continue
        try:
            freeze, _ = service.request(node, org, account, int(str(row["amount_minor"])), "CNY",
                                        f"urgent: victim report {number}",
                                        node.clock() + URGENT_HOLD, case_id=number)  # fmt: skip
        except NodeError:
            continue  # the platform is not trusted here; the report still stands
        raised.append(freeze.id)
    if raised:
        outbox.pump(node)  # send now; the outbox keeps retrying if the platform is away
    return raised
