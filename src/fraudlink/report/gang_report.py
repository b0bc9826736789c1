"""The case report of one gang: who does what, the victims, where their money went, and the
files it all came from with their SHA-256 — one HTML file with inline pictures, no script,
readable offline and printable."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from fraudlink.investigate.gang_result import Gang
from fraudlink.investigate.trace_result import TraceResult
from fraudlink.model.money import format_money
from fraudlink.report.svg import COLOURS, flow_chart, gang_chart

_env = Environment(loader=PackageLoader("fraudlink.report", "templates"),
                   autoescape=select_autoescape(["html"]))  # fmt: skip
_env.filters["money"] = lambda minor, currency="CNY": format_money(int(minor or 0), currency)


@dataclass(frozen=True)
class Source:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class VictimTrace:
    label: str
    result: TraceResult
    svg: str


def source_of(path: Path) -> Source:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return Source(name=path.name, size=path.stat().st_size, sha256=digest.hexdigest())


def render_gang_report(
    gang: Gang, traces: list[tuple[str, TraceResult]], sources: list[Path],
    handling: str = "TLP:AMBER+STRICT — for the investigating unit only",
) -> str:  # fmt: skip
    return _env.get_template("gang_report.html").render(
        gang=gang, gang_svg=gang_chart(gang), colours=COLOURS, handling=handling,
        traces=[VictimTrace(label, result, flow_chart(result)) for label, result in traces],
        sources=[source_of(p) for p in sources],
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )  # fmt: skip
