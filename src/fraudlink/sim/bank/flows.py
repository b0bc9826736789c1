"""Planted account-flow typologies: fans, pass-through, rapid in-out, structuring,
dormant-then-burst and counterparty explosion.

Each function plants one instance at its own drawn time scale and amounts and
labels its accounts; the role that counts as positive is the account the typology
is about (``POSITIVE_ROLES`` in :mod:`fraudlink.detect.backtest`).
"""

from __future__ import annotations

from fraudlink.sim.bank.planter import Planter
from fraudlink.sim.bank.timescales import DAY_US, HOUR_US, MINUTE_US

SHORT = ("minutes", "hours", "days")


def _cash_in(p: Planter, account: str, ts: int, amount: int) -> None:
    """Money arriving from outside the bank (a cash deposit at a branch)."""
    branch = f"BRANCH-{int(p.rng.integers(40)):02d}"
    p.book.transfer(ts, branch, account, amount, "cash", external="payer", memo="cash deposit")


def plant_fan_in(p: Planter) -> None:
    """8–40 new accounts each pay one collector, which passes the lot on."""
    inst, scale = p.instance("fan_in"), p.scale()
    k = int(p.rng.integers(8, 41))
    hops = p.delays(scale, k + 1)
    t = p.begin(sum(hops))
    hub, centre = p.name(p.host()), p.amount(50, 20_000)
    sources, sink = p.fresh_many(k, t), p.fresh(t - 5 * DAY_US)
    sent = []
    for src, hop in zip(sources, hops, strict=False):
        t += hop
        amount = p.around(centre)
        _cash_in(p, src, t - 10 * MINUTE_US, amount)
        p.book.transfer(t, src, hub, amount)
        sent.append(amount)
        p.label(src, "fan_in", "source", inst)
    p.book.transfer(t + hops[-1], hub, sink, int(sum(sent) * p.rng.uniform(0.8, 0.95)))
    p.label(hub, "fan_in", "collector", inst)
    p.label(sink, "fan_in", "sink", inst)
    p.record(inst, "fan_in", scale, [hub, *sources, sink], hops, sent)


def plant_fan_out(p: Planter) -> None:
    """A lump arrives and one distributor pays it out to 8–40 new accounts."""
    inst, scale = p.instance("fan_out"), p.scale()
    k = int(p.rng.integers(8, 41))
    hops = p.delays(scale, k)
    t = p.begin(sum(hops))
    hub = p.name(p.host())
    payees = p.fresh_many(k, t)
    centre = p.amount(50, 20_000)
    paid = [p.around(centre) for _ in payees]
    _cash_in(p, hub, t - HOUR_US, int(sum(paid) * 1.05))
    for dst, hop, amount in zip(payees, hops, paid, strict=True):
        t += hop
        p.book.transfer(t, hub, dst, amount)
        p.label(dst, "fan_out", "recipient", inst)
    p.label(hub, "fan_out", "distributor", inst)
    p.record(inst, "fan_out", scale, [hub, *payees], hops, paid)


def plant_pass_through(p: Planter) -> None:
    """A mule with months of ordinary history receives money and passes on 80–98 % of it."""
    inst, scale = p.instance("pass_through"), p.scale()
    episodes = int(p.rng.integers(1, 4))
    hops = p.delays(scale, episodes)
    t = p.begin(sum(hops) + episodes * 3 * DAY_US)
    mule = p.name(p.host())
    accounts, moved = [mule], []
    for hop in hops:
        payer, payee = p.fresh(t - 3 * DAY_US), p.fresh(t - 3 * DAY_US)
        amount = p.amount()
        _cash_in(p, payer, t - HOUR_US, amount)
        p.book.transfer(t, payer, mule, amount)
        onward = int(amount * p.rng.uniform(0.80, 0.98))
        parts = p.split(onward, int(p.rng.integers(1, 3)))
        for i, part in enumerate(parts):
            p.book.transfer(t + hop + i * MINUTE_US, mule, payee, part)
        p.label(payer, "pass_through", "source", inst)
        p.label(payee, "pass_through", "beneficiary", inst)
        accounts += [payer, payee]
        moved.append(amount)
        t += hop + int(p.rng.uniform(1, 3) * DAY_US)
    p.label(mule, "pass_through", "mule", inst)
    p.record(inst, "pass_through", scale, accounts, hops, moved)


def plant_rapid_in_out(p: Planter) -> None:
    """A new account receives 1–3 payments within days of opening and sends ≥ 85 % on."""
    inst, scale = p.instance("rapid_in_out"), p.scale(SHORT)
    n = int(p.rng.integers(1, 4))
    hops = p.delays(scale, n + 1)
    t = p.begin(sum(hops) + 20 * DAY_US, baseline_days=30)
    account = p.fresh(t)
    t += int(p.rng.uniform(0.1, 20) * DAY_US)
    got = []
    for hop in hops[:n]:
        payer = p.fresh(t - 30 * DAY_US)
        amount = p.amount()
        _cash_in(p, payer, t - HOUR_US, amount)
        p.book.transfer(t, payer, account, amount)
        p.label(payer, "rapid_in_out", "source", inst)
        got.append(amount)
        t += hop // n
    exit_ = p.fresh(t - 40 * DAY_US)
    p.book.transfer(t + hops[-1], account, exit_, int(sum(got) * p.rng.uniform(0.85, 1.0)))
    p.label(account, "rapid_in_out", "account", inst)
    p.label(exit_, "rapid_in_out", "beneficiary", inst)
    p.record(inst, "rapid_in_out", scale, [account, exit_], hops, got)


def plant_structuring(p: Planter) -> None:
    """3–8 cash deposits each 1–9 % under the reporting threshold, within a week."""
    inst, scale = p.instance("structuring"), p.scale(SHORT)
    n = int(p.rng.integers(3, 9))
    hops = [min(h, (6 * DAY_US) // n) for h in p.delays(scale, n)]
    t = p.begin(sum(hops) + 2 * DAY_US)
    account = p.name(p.host())
    limit = p.amounts.threshold
    deposits = [int(limit * p.rng.uniform(0.91, 0.99)) for _ in range(n)]
    for hop, amount in zip(hops, deposits, strict=True):
        _cash_in(p, account, t, amount)
        t += hop
    exit_ = p.fresh(t - 30 * DAY_US)
    p.book.transfer(t + HOUR_US, account, exit_, int(sum(deposits) * p.rng.uniform(0.7, 0.95)))
    p.label(account, "structuring", "structurer", inst)
    p.label(exit_, "structuring", "beneficiary", inst)
    p.record(inst, "structuring", scale, [account, exit_], hops, deposits)


def plant_dormant_burst(p: Planter) -> None:
    """An old account silent for 35–100 days wakes to 6–30 transfers with strangers, then sleeps."""
    inst, scale = p.instance("dormant_burst"), p.scale(SHORT)
    n = int(p.rng.integers(6, 31))
    hops = [min(h, (6 * DAY_US) // n) for h in p.delays(scale, n)]
    quiet = int(p.rng.uniform(35, 100) * DAY_US)
    host = p.host(p.start_us - 365 * DAY_US)
    account = p.name(host)
    t = p.begin(sum(hops) + DAY_US, baseline_days=max(60, quiet // DAY_US + 20))
    p.bg.silence(host, t - quiet, p.end_us)
    others, moved = p.fresh_many(max(2, n // 3), t), []
    centre = p.amount(100, 30_000)
    for i, hop in enumerate(hops):
        other, amount = others[i % len(others)], p.around(centre)
        if i % 2 == 0:
            p.book.transfer(t, other, account, amount)
        else:
            p.book.transfer(t, account, other, int(amount * 0.95))
        moved.append(amount)
        t += hop
    for o in others:
        p.label(o, "dormant_burst", "counterparty", inst)
    p.label(account, "dormant_burst", "dormant", inst)
    p.record(inst, "dormant_burst", scale, [account, *others], hops, moved)


def plant_counterparty_explosion(p: Planter) -> None:
    """An account with a few regular counterparties trades with 12–50 new ones within a week."""
    inst, scale = p.instance("counterparty_explosion"), p.scale(SHORT)
    n = int(p.rng.integers(12, 51))
    hops = [min(h, (6 * DAY_US) // n) for h in p.delays(scale, n)]
    t = p.begin(sum(hops) + DAY_US, baseline_days=100)
    account = p.name(p.host())
    others = p.fresh_many(n, t)
    centre, moved = p.amount(50, 5_000), []
    _cash_in(p, account, t - HOUR_US, centre * n // 2)
    for i, (other, hop) in enumerate(zip(others, hops, strict=True)):
        amount = p.around(centre)
        if i % 3 == 0:
            p.book.transfer(t, other, account, amount)
        else:
            p.book.transfer(t, account, other, amount)
        p.label(other, "counterparty_explosion", "counterparty", inst)
        moved.append(amount)
        t += hop
    p.label(account, "counterparty_explosion", "account", inst)
    p.record(inst, "counterparty_explosion", scale, [account, *others], hops, moved)
