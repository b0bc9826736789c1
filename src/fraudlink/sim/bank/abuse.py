"""Planted abuse of an account: repeated purchase→refund, and takeover after a credential change."""

from __future__ import annotations

from fraudlink.sim.bank.background import MERCHANTS
from fraudlink.sim.bank.planter import Planter
from fraudlink.sim.bank.timescales import DAY_US, HOUR_US, MINUTE_US


def plant_refund_abuse(p: Planter) -> None:
    """5–15 card purchases at 1–4 merchants, each refunded in full or nearly (90–100 %)."""
    inst = p.instance("refund_abuse")
    refund_scale, spacing_scale = p.scale(("minutes", "hours", "days")), p.scale()
    n = int(p.rng.integers(5, 16))
    gaps = p.delays(spacing_scale, n)
    backs = [min(b, 2 * DAY_US) for b in p.delays(refund_scale, n)]
    span = sum(gaps) + max(backs)
    if span > 120 * DAY_US:
        gaps = [g * 120 * DAY_US // span for g in gaps]
    t = p.begin(sum(gaps) + max(backs))
    account = p.name(p.host())
    shops = [
        str(m) for m in p.rng.choice(MERCHANTS[:200], int(p.rng.integers(1, 5)), replace=False)
    ]
    paid = []
    for gap, back in zip(gaps, backs, strict=True):
        shop, amount = shops[int(p.rng.integers(len(shops)))], p.amount(30, 5_000)
        p.book.transfer(t, account, shop, amount, "card_payment", external="payee")
        refund = int(amount * p.rng.choice([1.0, 1.0, 1.0, p.rng.uniform(0.9, 1.0)]))
        p.book.transfer(t + back, shop, account, refund, "card_payment", external="payer",
                        memo="refund")  # fmt: skip
        paid.append(amount)
        t += gap
    p.label(account, "refund_abuse", "abuser", inst)
    p.record(inst, "refund_abuse", refund_scale, [account], backs, paid)


def plant_account_takeover(p: Planter) -> None:
    """A credential change, then 3–8 night-time transfers to new payees draining 80–98 %."""
    inst, scale = p.instance("account_takeover"), p.scale(("minutes", "hours"))
    n = int(p.rng.integers(3, 9))
    hops = p.delays(scale, n)
    host = p.host()
    account = p.name(host)
    t = p.begin(sum(hops) + 2 * DAY_US, baseline_days=90)
    t = t - t % DAY_US + int(p.rng.uniform(0.5, 4.5) * HOUR_US)  # the small hours
    kind = str(p.rng.choice(["phone", "password", "device", "email"]))
    p.book.credential_changed(t, account, kind)
    held = max(p.bg.balance_at(host, t), p.amount(500, 20_000))
    drained = int(held * p.rng.uniform(0.80, 0.98))
    drops = p.fresh_many(int(p.rng.integers(1, 4)), t)
    parts = p.split(drained, n)
    for i, (hop, part) in enumerate(zip(hops, parts, strict=True)):
        t += hop if i else max(hop, 5 * MINUTE_US)
        p.book.transfer(t, account, drops[i % len(drops)], part)
    for d in drops:
        p.label(d, "account_takeover", "drop", inst)
    p.label(account, "account_takeover", "compromised", inst)
    p.record(inst, "account_takeover", scale, [account, *drops], hops, parts)
