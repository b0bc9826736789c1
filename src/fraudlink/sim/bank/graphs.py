"""Planted graph typologies: cycles, scatter-gather, gather-scatter and layering.

Money moves hop by hop with each hop's delay drawn from the instance's time scale
and each account keeping a small cut (1–10 %), as launderers' fees do.
"""

from __future__ import annotations

from fraudlink.sim.bank.planter import Planter
from fraudlink.sim.bank.timescales import HOUR_US, MINUTE_US


def _keep(p: Planter, amount: int) -> int:
    return max(1, int(amount * p.rng.uniform(0.90, 0.99)))


def plant_cycle(p: Planter) -> None:
    """Money leaves an origin through 1–7 accounts and returns to it (length 2–8), 1–3 times."""
    inst, scale = p.instance("cycle"), p.scale()
    length, rounds = int(p.rng.integers(2, 9)), int(p.rng.integers(1, 4))
    hops = p.delays(scale, length * rounds)
    t = p.begin(sum(hops) + rounds * HOUR_US)
    members = [p.name(p.host()) for _ in range(length)]
    moved = []
    for r in range(rounds):
        amount = p.amount()
        for i in range(length):
            src, dst = members[i], members[(i + 1) % length]
            t += hops[r * length + i]
            p.book.transfer(t, src, dst, amount)
            moved.append(amount)
            amount = _keep(p, amount)
        t += HOUR_US
    p.label(members[0], "cycle", "origin", inst)
    for m in members[1:]:
        p.label(m, "cycle", "member", inst)
    p.record(inst, "cycle", scale, members, hops, moved)


def plant_scatter_gather(p: Planter) -> None:
    """One source pays 3–10 intermediaries who each pay one sink."""
    inst, scale = p.instance("scatter_gather"), p.scale()
    width = int(p.rng.integers(3, 11))
    hops = p.delays(scale, 2 * width)
    t = p.begin(sum(hops))
    source, sink = p.name(p.host()), p.name(p.host())
    middle = p.fresh_many(width, t)
    parts = p.split(p.amount(500, 50_000), width)
    for m, part, hop in zip(middle, parts, hops[:width], strict=True):
        t += hop // 2
        p.book.transfer(t, source, m, part)
    for m, part, hop in zip(middle, parts, hops[width:], strict=True):
        t += hop // 2
        p.book.transfer(t + hop // 2, m, sink, _keep(p, part))
        p.label(m, "scatter_gather", "intermediary", inst)
    p.label(source, "scatter_gather", "source", inst)
    p.label(sink, "scatter_gather", "sink", inst)
    p.record(inst, "scatter_gather", scale, [source, *middle, sink], hops, parts)


def plant_gather_scatter(p: Planter) -> None:
    """3–10 payers pay one hub, which pays 3–10 payees on."""
    inst, scale = p.instance("gather_scatter"), p.scale()
    n_in, n_out = int(p.rng.integers(3, 11)), int(p.rng.integers(3, 11))
    hops = p.delays(scale, n_in + n_out)
    t = p.begin(sum(hops))
    hub = p.name(p.host())
    payers, payees = p.fresh_many(n_in, t), p.fresh_many(n_out, t)
    got = [p.amount(100, 20_000) for _ in payers]
    for src, amount, hop in zip(payers, got, hops[:n_in], strict=True):
        t += hop
        p.book.transfer(t - 5 * MINUTE_US, f"BRANCH-{int(p.rng.integers(40)):02d}", src, amount,
                        "cash", external="payer", memo="cash deposit")  # fmt: skip
        p.book.transfer(t, src, hub, amount)
        p.label(src, "gather_scatter", "payer", inst)
    for dst, part, hop in zip(payees, p.split(_keep(p, sum(got)), n_out), hops[n_in:], strict=True):
        t += hop
        p.book.transfer(t, hub, dst, part)
        p.label(dst, "gather_scatter", "payee", inst)
    p.label(hub, "gather_scatter", "hub", inst)
    p.record(inst, "gather_scatter", scale, [hub, *payers, *payees], hops, got)


def plant_layering(p: Planter) -> None:
    """An origin's money passes a stack of 2–4 layers of 2–5 accounts each to a sink."""
    inst, scale = p.instance("layering"), p.scale()
    depth = int(p.rng.integers(2, 5))
    widths = [int(p.rng.integers(2, 6)) for _ in range(depth)]
    hops = p.delays(scale, depth + 1)
    t = p.begin(sum(hops) + (depth + 1) * HOUR_US)
    origin, sink = p.name(p.host()), p.name(p.host())
    layers = [p.fresh_many(w, t) for w in widths]
    total = p.amount(500, 50_000)
    holding = {origin: total}
    moved = [total]
    for level, hop in enumerate(hops):
        t += hop
        nxt = layers[level] if level < depth else [sink]
        gained: dict[str, int] = {}
        for src, targets in _edges(p, list(holding), nxt).items():
            parts = p.split(_keep(p, holding[src]), len(targets))
            for j, (dst, part) in enumerate(zip(targets, parts, strict=True)):
                p.book.transfer(t + j * MINUTE_US, src, dst, part)
                gained[dst] = gained.get(dst, 0) + part
        holding = gained if level < depth else {}
        moved.append(sum(gained.values()))
    p.label(origin, "layering", "origin", inst)
    p.label(sink, "layering", "sink", inst)
    for level, layer in enumerate(layers):
        for a in layer:
            p.label(a, "layering", "layer", inst, layer=level + 1)
    p.record(
        inst,
        "layering",
        scale,
        [origin, *(a for layer in layers for a in layer), sink],
        hops,
        moved,
    )


def _edges(p: Planter, srcs: list[str], dsts: list[str]) -> dict[str, list[str]]:
    """Who pays whom between two layers: every account on both sides is on an edge."""
    edges: dict[str, list[str]] = {s: [] for s in srcs}
    for j, dst in enumerate(dsts):
        edges[srcs[j % len(srcs)]].append(dst)
    for s in srcs:
        spare = [d for d in dsts if d not in edges[s]]
        if spare and (not edges[s] or p.rng.random() < 0.4):
            edges[s].append(spare[int(p.rng.integers(len(spare)))])
    return edges
