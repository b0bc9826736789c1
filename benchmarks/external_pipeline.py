"""Ingest → detect → score for one external generator's dataset, as a new user would run it.

Shared by ``external_finforge.py`` and ``external_synthfin_aml.py``: each makes (or
is given) the generator's files, then this runs ``fraudlink ingest`` with the
committed mapping and ``fraudlink detect`` with the pack (the CLI, as its own
process), scores the alerts against the generator's labels
(:mod:`fraudlink.evaluate.external`) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec

from fraudlink.detect.alerts import Alert
from fraudlink.detect.rules.loader import builtin_pack, load_rules
from fraudlink.evaluate.external import ExternalReport, ExternalTruth, score_external
from fraudlink.evaluate.label_csv import LabelFileError

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "examples" / "mappings"
CLI = [sys.executable, "-c", "import sys; from fraudlink.cli import main; sys.exit(main())"]


def common_options(parser: argparse.ArgumentParser, workdir: str) -> None:
    parser.add_argument(
        "--python",
        type=Path,
        help="interpreter that has the generator installed (e.g. a scratch venv's bin/python);"
        " not needed with --data",
    )
    parser.add_argument(
        "--data", type=Path, help="folder that already holds the generator's files: skip generating"
    )
    parser.add_argument("--seed", type=int, default=17, help="generator seed (default: 17)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(workdir),
        help=f"where data, events and alerts go (default: {workdir})",
    )
    parser.add_argument("--rules", type=Path, help="rule file (default: the built-in pack)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def generate(python: Path | None, script: str, args: Sequence[str], out: Path) -> float:
    """Run the generator ``script`` under ``python`` into ``out``; the seconds it took."""
    if python is None:
        sys.exit("give --python (an interpreter with the generator installed) or --data")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # numba (synthfin-aml's) caches compiled code by module name: keep it with the data.
    env = {**os.environ, "NUMBA_CACHE_DIR": str(out.parent / "numba-cache")}
    subprocess.run(
        [str(python), "-c", script, str(out), *args],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    return time.perf_counter() - started


def ingest_and_detect(
    sources: Sequence[Path], mapping: Path, workdir: Path, rules: Path | None
) -> tuple[list[Alert], dict[str, float]]:
    """``fraudlink ingest`` then ``fraudlink detect``; the alerts and the seconds of each."""
    events = workdir / "events"
    alerts_path = workdir / "alerts.jsonl"
    timings: dict[str, float] = {}
    started = time.perf_counter()
    _run([*CLI, "ingest", *map(str, sources), "--mapping", str(mapping), "--out", str(events)])
    timings["ingest_s"] = time.perf_counter() - started
    started = time.perf_counter()
    detect = [*CLI, "detect", str(events / "events.parquet"), "--out", str(alerts_path), "-q"]
    _run(detect + (["--rules", str(rules)] if rules else []))
    timings["detect_s"] = time.perf_counter() - started
    decoder = msgspec.json.Decoder(Alert)
    with alerts_path.open("rb") as handle:
        alerts = [decoder.decode(line) for line in handle if line.strip()]
    return alerts, timings


def _run(command: list[str]) -> None:
    proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command[3:])} failed:\n{proc.stderr}")


def pack_settings(rules: Path | None) -> tuple[int, list[str]]:
    """The pack's ``flag_at`` and its rule ids heaviest first (weight, then pack order)."""
    pack = load_rules(rules) if rules else builtin_pack()
    weighted = [(r.weight, r.id) for r in pack.rules] + [(r.weight, r.id) for r in pack.ledger]
    order = sorted(range(len(weighted)), key=lambda i: (-weighted[i][0], i))
    return pack.flag_at, [weighted[i][1] for i in order]


def run(
    args: argparse.Namespace,
    truth_of: Callable[[Path], ExternalTruth],
    sources_of: Callable[[Path], Sequence[Path]],
    mapping: Path,
    size: str,
) -> None:
    """Score one dataset in ``args.data`` (or the generated one) and print the report."""
    data = args.data or args.workdir / "data"
    try:
        truth = truth_of(data)
    except (OSError, LabelFileError) as exc:
        sys.exit(f"cannot read the generator's labels in {data}: {exc}")
    alerts, timings = ingest_and_detect(sources_of(data), mapping, args.workdir, args.rules)
    flag_at, heaviest_first = pack_settings(args.rules)
    report = score_external(truth, alerts, flag_at=flag_at, heaviest_first=heaviest_first)
    if args.json:
        print(
            json.dumps(
                {
                    "size": size,
                    "alerts": len(alerts),
                    **timings,
                    "report": msgspec.to_builtins(report),
                },
                indent=2,
            )
        )
        return
    print(
        f"{truth.generator}: {size}; {len(alerts):,} alerts;"
        f" events ingested {ingested_events(args.workdir):,};"
        f" ingest {timings['ingest_s']:.1f} s, detect {timings['detect_s']:.1f} s"
    )
    print(markdown(report))


def markdown(report: ExternalReport) -> str:
    """The report as the Markdown tables docs/detection-quality.md quotes."""
    lines = [
        "| typology | labelled | found | recall | taken for it | precision |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report.typologies:
        precision = "—" if row.precision is None else f"{row.precision:.3f}"
        lines.append(
            f"| {row.typology} | {row.positives:,} | {row.found:,} | {row.recall:.3f}"
            f" | {row.predicted:,} | {precision} |"
        )
    precision = "—" if report.precision is None else f"{report.precision:.3f}"
    at = report.recall_at
    lines += [
        "",
        f"| accounts | labelled | alerted | flagged (score ≥ {report.flag_at})"
        " | share flagged | recall | precision | recall @ 5 % | recall @ 10 %"
        " | alerts outside the accounts |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {report.accounts:,} | {report.labelled:,} | {report.alerted:,} | {report.flagged:,}"
        f" | {report.share_flagged:.1%} | {report.recall:.3f} | {precision}"
        f" | {at.get('5%', 0.0):.3f} | {at.get('10%', 0.0):.3f} | {report.outside_population:,} |",
    ]
    return "\n".join(lines)


def ingested_events(workdir: Path) -> int:
    summary = json.loads((workdir / "events" / "summary.json").read_text(encoding="utf-8"))
    return sum(int(n) for n in summary["events_by_type"].values())
