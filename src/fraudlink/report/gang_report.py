"""The case report of one gang: who does what, the key members' timelines, the victims,
where their money went, and the evidence it all came from (files with their SHA-256,
received case packages with the signed receipts) — one HTML file with inline pictures,
no script, readable offline and printable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from fraudlink.investigate.gang_result import Gang
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.trace import trace_funds
from fraudlink.investigate.trace_result import TraceResult
from fraudlink.model.money import format_money
from fraudlink.report.gang_timelines import MemberTimeline, member_timelines
from fraudlink.report.report_sources import ReceivedPackage, Source, report_sources, source_of
from fraudlink.report.svg import COLOURS, flow_chart, gang_chart

_env = Environment(loader=PackageLoader("fraudlink.report", "templates"),
                   autoescape=select_autoescape(["html"]))  # fmt: skip
_env.filters["money"] = lambda minor, currency="CNY": format_money(int(minor or 0), currency)
VICTIMS_TRACED = 5
__all__ = ["Source", "VictimTrace", "WrittenReport", "gang_report_html", "render_gang_report",
           "source_of", "victim_traces"]  # fmt: skip


@dataclass(frozen=True)
class VictimTrace:
    label: str
    result: TraceResult
    svg: str


def victim_traces(
    gang: Gang, ledger: Ledger, limit: int = VICTIMS_TRACED
) -> list[tuple[str, TraceResult]]:
    """The first victims' payments into the gang, each traced forward (their other
    spending is not the case)."""
    inside = {(a.org, a.account) for m in gang.members for a in m.accounts}
    traces = []
    for victim in gang.victims[:limit]:
        for acc in victim.accounts[:1]:
            seeds = []
            for code in ledger.account_codes(acc.account, acc.org):
                mine = ledger.transfers_of(code)
                seeds += [int(k) for k in mine[ledger.src[mine] == code]
                          if (ledger.org(int(ledger.dst[k])),
                              ledger.account(int(ledger.dst[k]))) in inside]  # fmt: skip
            if seeds:
                label = f"{victim.name or victim.person} ({acc.org}:{acc.account})"
                traces.append((label, trace_funds(ledger, seeds)))
    return traces


def render_gang_report(
    gang: Gang, traces: list[tuple[str, TraceResult]], sources: Sequence[Path | Source],
    handling: str = "TLP:AMBER+STRICT — for the investigating unit only",
    *, timelines: Sequence[MemberTimeline] = (), packages: Sequence[ReceivedPackage] = (),
) -> str:  # fmt: skip
    files = [s if isinstance(s, Source) else source_of(s) for s in sources]
    return _env.get_template("gang_report.html").render(
        gang=gang, gang_svg=gang_chart(gang), colours=COLOURS, handling=handling,
        traces=[VictimTrace(label, result, flow_chart(result)) for label, result in traces],
        sources=files, packages=packages, timelines=timelines,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )  # fmt: skip


@dataclass(frozen=True)
class WrittenReport:
    html: str
    traces: int
    timelines: int
    packages: int


def gang_report_html(
    gang: Gang, ledger: Ledger, events: list[Path], home: Path | None
) -> WrittenReport:
    """The whole report: ``events`` are the files given, ``home`` the police node whose
    evidence store (and receipts) were read too."""
    files, packages = report_sources(events, home)
    traces = victim_traces(gang, ledger)
    timelines = member_timelines(gang, events, home)
    html = render_gang_report(gang, traces, files, timelines=timelines, packages=packages)
    return WrittenReport(html, len(traces), len(timelines), len(packages))
