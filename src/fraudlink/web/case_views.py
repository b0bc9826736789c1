"""What the case page shows beyond the package: the fund-flow trace from the case's subject
accounts, the gang they belong to with every member's role, its victims and losses, and
the gang's case report — all over the police node's evidence store.

The evidence store (:mod:`fraudlink.investigate.evidence`) holds every case package and
event file the node imported, each as a world-like folder; the ledger and the gangs are
built over all of them, so money that left this case's accounts is followed into what
other referrals showed. They are built once per version of the store and kept
(:mod:`.case_cache`); a page view then costs a lookup, or a trace the first time.

The trace starts from the money that reached the subject accounts (each transfer into
them) and follows it forward: the payers are at hop 0, the subjects at hop 1 with what
they still hold (what a freeze saves), and every later account, cash-out point and the
money past the hop limit after them. An account that received nothing is traced from
what it sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fraudlink.investigate import evidence
from fraudlink.investigate.gang_result import Gang
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.trace import trace_funds
from fraudlink.investigate.victims import victims_and_losses
from fraudlink.report.gang_report import gang_report_html
from fraudlink.store import FreezeRecord
from fraudlink.web.case_cache import Analysis, LatestAnalyses, Memo, build_analysis
from fraudlink.web.case_graphs import gang_graph, trace_graph

Json = dict[str, Any]
Account = tuple[str, str]  # (org, account id)
log = logging.getLogger("fraudlink.web")


_analyses = LatestAnalyses(build_analysis)
_views = Memo(64)
_refusals: dict[tuple[str, str, tuple[tuple[str, int, int], ...]], evidence.EvidenceError] = {}
_refusals_lock = threading.Lock()


def analysis(home: Path, case_id: str | None = None) -> tuple[Analysis | None, bool]:
    """The ledger and gangs over every evidence folder of the node (None if it has none),
    and whether newer evidence is still being added to them: meanwhile a case already in
    the last build is served from it (see :mod:`.case_cache`)."""
    folders = tuple(evidence.evidence_folders(home))
    if not folders:
        return None, False
    need = evidence.case_folder(home, case_id) if case_id else None
    built = _analyses.get(home, folders, need)
    return built, built.folders != folders


def ensure_imported(home: Path, case_id: str, package_folder: Path) -> None:
    """Import a received package into the evidence store if it is not there yet.

    Referrals are imported as they arrive; this catches those received before that, so
    their page still has a trace. Importing is idempotent and all-or-nothing.
    """
    if evidence.case_folder(home, case_id) is not None:
        return
    # A package that cannot become events fails the same way each time: remembered per
    # version of its files, so each view does not read and convert it again.
    stamp = (str(home), case_id, _stamp(package_folder))
    with _refusals_lock:
        refused = _refusals.get(stamp)
    if refused is not None:
        raise refused
    try:
        evidence.import_package(home, package_folder)
    except evidence.EvidenceError as exc:
        with _refusals_lock:
            _refusals[stamp] = exc
        raise
    log.info("case %s imported into the evidence store on first view", case_id)


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                 for p in sorted(folder.iterdir()) if p.is_file())  # fmt: skip


def subjects_of(accounts: Iterable[str], holders: dict[str, str]) -> list[Account]:
    return [(holders.get(a, ""), a) for a in accounts]


def _codes(ledger: Ledger, subjects: Iterable[Account]) -> list[int]:
    return [c for org, acc in subjects for c in ledger.account_codes(acc, org or None)]


def resolve(an: Analysis, subjects: Iterable[Account]) -> set[Account]:
    """The subjects with their organisation: from the ledger where the package did not say."""
    ledger = an.ledger
    found = {(ledger.org(c), ledger.account(c)) for c in _codes(ledger, subjects)}
    return found | {(org, acc) for org, acc in subjects if org}


def trace_from_subjects(an: Analysis, subjects: Sequence[Account]) -> Json | None:
    """The trace of the money that reached the subject accounts (module docstring)."""
    ledger = an.ledger
    seeds: list[int] = []
    for code in _codes(ledger, subjects):
        mine = ledger.transfers_of(code)
        incoming = mine[ledger.dst[mine] == code]
        seeds += [int(k) for k in (incoming if len(incoming) else mine)]
    if not seeds:
        return None
    # One currency per trace: the one most of the seeds are in.
    counts: dict[int, int] = {}
    for k in seeds:
        counts[int(ledger.currency[k])] = counts.get(int(ledger.currency[k]), 0) + 1
    main = min(counts, key=lambda c: (-counts[c], ledger.currencies[c]))
    result = trace_funds(ledger, [k for k in seeds if int(ledger.currency[k]) == main])
    return trace_graph(result, resolve(an, subjects))


def gangs_of(an: Analysis, subjects: Sequence[Account]) -> list[Gang]:
    """The gangs a subject account is in, as a member or a victim; most money first."""
    wanted = {acc for _, acc in subjects}
    orgs = {acc: org for org, acc in subjects if org}

    def holds(gang: Gang) -> bool:
        return any(a.account in wanted and orgs.get(a.account, a.org) == a.org
                   for m in [*gang.members, *gang.victims] for a in m.accounts)  # fmt: skip

    return [g for g in an.gangs.gangs if holds(g)]


def victims_view(an: Analysis, gangs: list[Gang], freezes: Iterable[FreezeRecord]) -> Json | None:
    if not any(g.victims for g in gangs):
        return None
    report = victims_and_losses(gangs, an.ledger, freezes)
    return {"currency": report.currency,
            "victims": [{"person": v.person, "name": v.name, "accounts": v.accounts,
                         "city": v.city, "province": v.province, "gang_id": v.gang_id,
                         "loss": v.loss, "recoverable": v.recoverable, "frozen": v.frozen}
                        for v in report.victims],
            "total": {"victims": report.total.victims, "loss": report.total.loss,
                      "recoverable": report.total.recoverable,
                      "frozen": report.total.frozen}}  # fmt: skip


def case_views(
    home: Path, case_id: str, subjects: Sequence[Account], freezes: Sequence[FreezeRecord]
) -> Json:
    """Trace, gangs and victims for the case page (cached per store version and freezes,
    which together are its ``version``).

    ``note`` says why a part is missing, for the page to tell the investigator.
    """
    an, updating = analysis(home, case_id)
    if an is None:
        return {"trace": None, "gangs": [], "victims": None, "updating": False,
                "note": "No evidence has been imported on this node yet.",
                "version": None}  # fmt: skip
    # Frozen amounts change the victims' figures: the freezes are part of the key.
    held = tuple(sorted((f.id, f.account, f.state, f.held_minor or 0) for f in freezes))
    key = (home, an.version, case_id, tuple(subjects), held)

    def build() -> Json:
        gangs = gangs_of(an, subjects)
        mine = resolve(an, subjects)
        trace = trace_from_subjects(an, subjects)
        note = None if trace else "The evidence holds no completed transfer of these accounts."
        return {"trace": trace, "gangs": [gang_graph(g, an.ledger, mine) for g in gangs],
                "victims": victims_view(an, gangs, freezes), "note": note,
                "sources": len(an.folders)}  # fmt: skip

    built: Json = _views.get(key, build)
    # ``version`` names what these views were computed from, for pages that keep their HTML.
    return {**built, "updating": updating, "version": key}


def gang_report(
    home: Path, subjects: Sequence[Account], gang_id: str | None
) -> tuple[str, str] | None:
    """``(gang id, HTML)`` of the case report of the subjects' gang (or ``gang_id`` among
    theirs): the report ``fraudlink report --home`` writes, from the same ledger and gangs
    as the page; None if they are in no gang."""
    an, _ = analysis(home)
    if an is None:
        return None
    gangs = gangs_of(an, subjects)
    chosen = next((g for g in gangs if g.gang_id == gang_id), None) if gang_id else (
        gangs[0] if gangs else None)  # fmt: skip
    if chosen is None:
        return None
    return chosen.gang_id, gang_report_html(chosen, an.ledger, [], home).html
