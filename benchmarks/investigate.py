"""Speed, memory and accuracy of the police side's investigation on one world.

Four steps, each in a process of its own under ``peak_rss.py`` so each peak RSS is that
step's own (``investigate_steps.py`` has the steps):

1. **build the graph**: the ledger fund tracing walks (completed transfers, indexed by
   account) and the gang graph (seeds, candidates, persons, shared things);
2. **find all gangs**: Leiden per component and every member's role;
3. **trace every victim**: each victim's payments followed forward (amount matching), with one
   trace's p50 / p99 / max; then the other methods, every cash-out card back, and
   everything 50 ordinary wallets sent (the worst case for spreading);
4. **resolve entities**: the world's party records by hard identifiers, then Splink.

Then a fifth process scores the results against ``truth.json``: membership ARI and the
true leaders' ranks, the share of each victim's loss traced to the accounts it really
ended in, pairwise precision / recall / F1 of the persons, and FEBRL 4. Targets: each
step ≤ 60 s, one trace ≤ 1 s, peak RSS ≤ 6 GiB; ARI ≥ 0.90 with every leader in its
gang's top 3, ≥ 95 % traced per victim, F1 ≥ 0.95.

    python benchmarks/investigate.py [--world DIR] [--scale xlarge] [--seed 1]
                                     [--steps build,gangs,trace,resolve] [--thresholds] [--json]

Without ``--world``: /tmp/world-SCALE (/tmp/world-SCALE-SEED for a seed other than 1),
simulated there first if it is not there yet. ``--thresholds`` adds the F1 at other
match-probability thresholds (each a full resolution, in the scoring process).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import machine_line
import peak_rss

STEPS_SCRIPT = Path(__file__).with_name("investigate_steps.py")
STEPS = ("build", "gangs", "trace", "resolve")
NEEDS_BUILD = {"gangs", "trace"}
TARGET_S, TARGET_TRACE_S, TARGET_RSS_MIB = 60.0, 1.0, 6 * 1024
TARGET_ARI, TARGET_F1 = 0.90, 0.95


def world_folder(world: Path | None, scale: str, seed: int) -> Path:
    """The world to measure, simulated first if it is not there yet."""
    if world is None:
        suffix = "" if seed == 1 else f"-{seed}"
        world = Path(tempfile.gettempdir()) / f"world-{scale}{suffix}"
    if not (world / "manifest.json").exists():
        print(f"simulating {scale} (seed {seed}) into {world} ...", file=sys.stderr)
        fraudlink = Path(sys.executable).with_name("fraudlink")
        subprocess.run([str(fraudlink), "simulate", "--scale", scale, "--seed", str(seed),
                        "--out", str(world), "-q"], check=True)  # fmt: skip
    return world


def run_step(step: str, world: Path, work: Path, *extra: str) -> dict[str, Any]:
    """One step in a fresh process: its figures, its wall time and its own peak RSS."""
    rss = work / f"{step}.rss"
    command = [sys.executable, str(STEPS_SCRIPT), step, str(world), str(work), *extra]
    print(f"{step} ...", file=sys.stderr)
    started = time.perf_counter()
    proc = subprocess.run(peak_rss.wrap(rss, command), stdout=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"step {step} failed with exit code {proc.returncode}")
    figures: dict[str, Any] = json.loads(proc.stdout)
    return {**figures, "process_s": wall, "rss_mib": peak_rss.peak_mib(rss)}


def measure(world: Path, steps: list[str], thresholds: bool) -> dict[str, Any]:
    loops, loads = [loop_seconds()], [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="bench-investigate-") as tmp:
        work = Path(tmp)
        wanted = set(steps) | ({"build"} if NEEDS_BUILD & set(steps) else set())
        results = {step: run_step(step, world, work) for step in STEPS if step in wanted}
        loops.append(loop_seconds())
        loads.append(os.getloadavg()[0])
        score = (
            run_step("score", world, work, *(["--thresholds"] if thresholds else []))
            if {"gangs", "resolve"} & wanted
            else {}
        )
    manifest = json.loads((world / "manifest.json").read_text())
    return {"world": str(world), "manifest": manifest, "machine": machine(),
            "loop_s": loops, "load": loads, "steps": results, "score": score}  # fmt: skip


def loop_seconds() -> float:
    """Seconds for an empty 20-million-iteration Python loop: how fast the shared machine
    is right now, so runs on different days can be compared."""
    started = time.perf_counter()
    for _ in range(20_000_000):
        pass
    return time.perf_counter() - started


def machine() -> str:
    return machine_line.machine("duckdb", "igraph", "splink")


# -- report -------------------------------------------------------------------------
def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f} %"


def _prf(s: dict[str, Any]) -> str:
    return f"{s['precision']:.4f} / {s['recall']:.4f} / {s['f1']:.4f}"


def _cell(step: dict[str, Any]) -> tuple[str, str, str]:
    return f"{step['seconds']:.2f} s", f"{step['cpu_s']:.1f} s", f"{step['rss_mib']:,} MiB"


def step_rows(f: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(step, time, CPU time, peak RSS, what it found and how well) per step that ran."""
    steps, score, rows = f["steps"], f["score"], []
    if "build" in steps:
        b = steps["build"]
        g = b["graph"]
        rows.append(("build the graph (ledger + gang graph)", *_cell(b),
                     f"ledger {b['ledger_s']:.1f} s ({b['transfers']:,} completed transfers, "
                     f"{b['accounts']:,} accounts) + gang graph {b['graph_s']:.1f} s "
                     f"({g['candidates']:,} candidate accounts, {g['vertices']:,} vertices, "
                     f"{g['edges']:,} edges)"))  # fmt: skip
    if "gangs" in steps:
        s, sc = steps["gangs"]["stats"], score["gangs"]
        ranks = ", ".join(f"{k}: {v}" for k, v in sc["ranks"].items())
        hidden = sc.get("unshown_leaders", [])
        unshown = f"; not in the events (ranked None): the leader of {', '.join(hidden)}"
        unshown = unshown if hidden else ""
        rows.append(("find all gangs", *_cell(steps["gangs"]),
                     f"{s['gangs']} gangs / {sc['true_gangs']} planted; membership ARI "
                     f"{sc['ari']:.3f} over {sc['scored']:,} persons ({sc['unseen']} never "
                     f"acted); true leader's rank (rank: gangs) {ranks}{unshown}"))  # fmt: skip
    if "trace" in steps:
        t = steps["trace"]
        r = t["rows"][0]
        rows.append(("trace every victim (amount matching)", *_cell(t),
                     f"{t['victims']} victims, their payments found in the ledger in "
                     f"{t['lookup_s']:.1f} s; one trace p50 / p99 / max {r['p50_ms']:.1f} / "
                     f"{r['p99_ms']:.1f} / {r['max_ms']:.1f} ms; {r['share_ok']} of "
                     f"{r['traces']} with ≥ 95 % of the loss traced to the true end accounts "
                     f"(min {_pct(r['share_min'])}, mean {_pct(r['share_mean'])})"))  # fmt: skip
    if "resolve" in steps:
        r, s = steps["resolve"], steps["resolve"]["stats"]
        world, febrl = _prf(score["resolve"]), _prf(score["febrl"])
        rows.append(("resolve entities", *_cell(r),
                     f"{r['records']:,} party records → {s['clusters']:,} persons; pairwise "
                     f"P / R / F1 {world}; FEBRL 4 {febrl}"))  # fmt: skip
    return rows


Check = tuple[bool, str]


def speed_checks(steps: dict[str, Any]) -> list[Check]:
    """Each step ≤ 60 s, one trace ≤ 1 s, each step's peak RSS ≤ 6 GiB."""
    slow = max(steps, key=lambda s: steps[s]["seconds"])
    big = max(steps, key=lambda s: steps[s]["rss_mib"])
    seconds, mib = steps[slow]["seconds"], steps[big]["rss_mib"]
    checks = [(seconds <= TARGET_S, f"each step ≤ 60 s (slowest: {slow}, {seconds:.1f} s)")]
    if "trace" in steps:
        worst = max(steps["trace"]["rows"], key=lambda r: r["max_ms"])
        ms = worst["max_ms"]
        what = f"one trace ≤ 1 s (slowest: {ms:.0f} ms, {worst['what']})"
        checks.append((ms <= 1000 * TARGET_TRACE_S, what))
    checks.append((mib <= TARGET_RSS_MIB, f"peak RSS ≤ 6 GiB (largest: {big}, {mib:,} MiB)"))
    return checks


def accuracy_checks(steps: dict[str, Any], score: dict[str, Any]) -> list[Check]:
    """The accuracy targets of the issue, for the steps that ran."""
    checks = []
    if "gangs" in steps:
        g = score["gangs"]
        top3 = f"every leader in the top 3 ({g['top3']} of {g['true_gangs']})"
        checks.append((g["ari"] >= TARGET_ARI, f"ARI ≥ {TARGET_ARI:.2f} ({g['ari']:.3f})"))
        checks.append((g["top3"] == g["true_gangs"], top3))
    if "trace" in steps:
        ok, n = steps["trace"]["rows"][0]["share_ok"], steps["trace"]["rows"][0]["traces"]
        checks.append((ok == n, f"every victim ≥ 95 % traced ({ok} of {n})"))
    if "resolve" in steps:
        f1 = score["resolve"]["f1"]
        checks.append((f1 >= TARGET_F1, f"pairwise F1 ≥ {TARGET_F1} ({f1:.4f})"))
    return checks


def verdict(name: str, checks: list[Check]) -> str:
    text = "; ".join(f"{what}: {'met' if ok else 'NOT MET'}" for ok, what in checks)
    return f"{name}: {'all met' if all(ok for ok, _ in checks) else 'NOT ALL MET'} — {text}"


def report(f: dict[str, Any]) -> None:
    m = f["manifest"]
    transfers = m["event_counts"].get("wallet_transfer", 0)
    print(f"investigation benchmark on {f['world']} ({m['scale']}, seed {m['seed']}: "
          f"{m['events']:,} events, {transfers:,} wallet transfers of any status)")  # fmt: skip
    (before, after), (load0, load1) = f["loop_s"], f["load"]
    print(f"machine: {f['machine']}")
    print(f"while measuring: a 20M-iteration Python loop took {before:.2f} s before the steps "
          f"and {after:.2f} s after; load average {load0:.1f} → {load1:.1f}\n")  # fmt: skip
    print("| step | time | CPU | peak RSS | what it found, and how well |")
    print("| --- | ---: | ---: | ---: | --- |")
    for row in step_rows(f):
        print("| " + " | ".join(row) + " |")
    steps = f["steps"]
    print("\n" + verdict("speed targets", speed_checks(steps)))
    accuracy = accuracy_checks(steps, f["score"])
    if accuracy:
        print(verdict("accuracy targets", accuracy))
    loads = ", ".join(f"{s} {steps[s]['load_s']:.1f} s" for s in steps if "load_s" in steps[s])
    walls = ", ".join(f"{s} {steps[s]['process_s']:.1f} s" for s in steps)
    print(f"\nwhole processes (start-up and imports included): {walls}")
    if loads:
        print(f"loading the built ledger / graph, not counted in the step: {loads}")
    if "build" in steps:
        g = steps["build"]["graph"]
        print(f"\ngang graph: {g['pass-through accounts']:,} pass-through accounts, "
              f"{g['relays']:,} relays and {g['claim bursts']:,} claim bursts seeded "
              f"{g['candidates']:,} candidate accounts of {g['persons']:,} persons sharing "
              f"{g['shared things']:,} devices and addresses")  # fmt: skip
    if "trace" in steps:
        trace_detail(steps["trace"])
    if "resolve" in steps:
        resolve_detail(steps["resolve"], f["score"])


def trace_detail(t: dict[str, Any]) -> None:
    print("\n| trace | traces | p50 (ms) | p99 (ms) | max (ms) | accounts reached (max) "
          "| traced to the right accounts (min / mean) | victims ≥ 95 % "
          "| to the amount (min / mean) |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in t["rows"]:
        print(f"| {r['what']} | {r['traces']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
              f"| {r['max_ms']:.1f} | {r['accounts_max']:,} "
              f"| {_pct(r['share_min'])} / {_pct(r['share_mean'])} "
              f"| {r['share_ok'] if r['share_min'] is not None else '—'} "
              f"| {_pct(r['exact_min'])} / {_pct(r['exact_mean'])} |")  # fmt: skip
    for v in t["rows"][0].get("short", []):
        apart = zip(v["mixed_with"], v["apart_h"], strict=True)
        others = ", ".join(f"{o} ({h:.1f} h apart)" for o, h in apart)
        print(f"\nunder 95 % by amount matching: {v['victim']} ({v['gang']}) {_pct(v['share'])}; "
              f"victims of the same gang who paid within 12 h: {others or 'none'}; "
              f"{_pct(v['missing_in_their_ends'])} of the rest ended in their true end "
              f"accounts; traced together {_pct(v['together'])} to the right accounts, "
              f"{_pct(v['together_exact'])} to the amount")  # fmt: skip


def resolve_detail(r: dict[str, Any], score: dict[str, Any]) -> None:
    t, s = r["timings"], r["stats"]
    print(f"\nresolve: read {r['read_s']:.1f} s ({r['records']:,} records, {r['links']:,} "
          f"identifiers from events), hard identifiers {t['hard identifiers']:.1f} s, "
          f"Splink {t.get('probabilistic linkage', 0):.1f} s, label merges {t['merges']:.1f} s; "
          f"merges hard / probabilistic {s['hard_merges']:,} / {s['probabilistic_merges']:,}; "
          f"hub values {s['hub_values']:,}, name conflicts {s['name_conflicts']:,}; "
          f"FEBRL 4 resolved in {score['febrl_s']:.1f} s")  # fmt: skip
    if score.get("curve"):
        print("\n| threshold | world P / R / F1 | FEBRL 4 P / R / F1 |")
        print("| ---: | ---: | ---: |")
        for threshold, c in score["curve"].items():
            print(f"| {threshold} | {_prf(c['world'])} | {_prf(c['febrl'])} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, help="a simulated world folder")
    parser.add_argument(
        "--scale",
        default="xlarge",
        help="what to simulate without --world (xlarge: ≥ 5M transfers)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--thresholds", action="store_true", help="F1 at other thresholds")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    steps = args.steps.split(",")
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}")
    world = world_folder(args.world, args.scale, args.seed)
    figures = measure(world, steps, args.thresholds)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        report(figures)


if __name__ == "__main__":
    main()
