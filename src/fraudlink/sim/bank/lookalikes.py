"""Honest customers whose ledger looks like a typology: the false alarms that matter.

Labelled ``benign_lookalike`` with the kind as role, so a backtest lists each one a
rule flags. Each mirrors one typology: payroll (fan-out), a landlord (fan-in), a
family passing money around (cycle), a small shop (many small receipts), a saver
(pass-through), a long trip (dormant then active), a shopper with a refund or two,
a customer who changes a password and carries on (takeover).
"""

from __future__ import annotations

import numpy as np

from fraudlink.sim.bank.background import MERCHANTS, PERIOD_DAYS
from fraudlink.sim.bank.planter import Planter
from fraudlink.sim.bank.timescales import DAY_US, HOUR_US


def _periods(p: Planter, day: int, hour: float) -> list[int]:
    """One time per 30-day period on ``day`` of it, from the start to the end."""
    out, t = [], p.start_us + day * DAY_US + int(hour * HOUR_US)
    while t < p.end_us:
        out.append(t)
        t += PERIOD_DAYS * DAY_US
    return out


def plant_payroll(p: Planter) -> None:
    """An employer pays 20–200 customers each period, funded by its clients."""
    staff = p.ordinary(int(p.rng.integers(20, 201)))
    employer = p.fresh(p.start_us - 400 * DAY_US)
    pay = [p.amount(1_500, 8_000) for _ in staff]
    for t in _periods(p, int(p.rng.integers(0, 28)), 5.0):
        for client in range(int(p.rng.integers(2, 6))):
            p.book.transfer(t - (client + 2) * DAY_US, f"CLIENT-{client:02d}-{employer}", employer,
                            int(sum(pay) * 0.4), external="payer", memo="invoice")  # fmt: skip
        for i, (who, amount) in enumerate(zip(staff, pay, strict=True)):
            p.book.transfer(t + i * 1_000_000, employer, who, amount, memo="salary")
    p.lookalike("payroll", [employer], f"pays {len(staff)} staff every {PERIOD_DAYS} days")


def plant_landlord(p: Planter) -> None:
    """5–30 tenants pay the same rent to one landlord early each period."""
    landlord = p.name(p.host())
    tenants = p.ordinary(int(p.rng.integers(5, 31)))
    rent = [p.amount(400, 3_000) for _ in tenants]
    for t in _periods(p, 0, 8.0):
        for who, amount in zip(tenants, rent, strict=True):
            late = int(p.rng.uniform(0, 5) * DAY_US)
            p.book.transfer(t + late, who, landlord, amount, memo="rent")
    p.lookalike("landlord", [landlord], f"{len(tenants)} tenants pay rent each period")


def plant_family_cycle(p: Planter) -> None:
    """2–4 relatives pass small sums round each week (A→B→C→A), never the same sum onward."""
    family = [p.name(p.host()) for _ in range(int(p.rng.integers(2, 5)))]
    t = p.start_us + int(p.rng.uniform(0, 7) * DAY_US)
    while t < p.end_us:
        for i, src in enumerate(family):
            dst = family[(i + 1) % len(family)]
            p.book.transfer(t + int(p.rng.uniform(0, 3) * DAY_US), src, dst, p.amount(20, 200))
        t += 7 * DAY_US
    p.lookalike("family_cycle", family, f"{len(family)} relatives, weekly small transfers")


def plant_small_shop(p: Planter) -> None:
    """A shopkeeper's account takes 10–40 small payments a day from many customers."""
    shop = p.name(p.host())
    days = (p.end_us - p.start_us) // DAY_US
    per_day = p.rng.integers(10, 41)
    n = int(days * per_day)
    day = p.rng.integers(0, days, n)
    ts = p.start_us + day * DAY_US + (p.rng.uniform(8, 20, n) * HOUR_US).astype(np.int64)
    # Customers in a story (a dormant account, someone away) do not shop here meanwhile.
    free = p.free()
    payers = p.bg.names[free[p.rng.integers(0, len(free), n)]]
    amount = p.amounts.log_uniform(p.rng, 3, 60, n)
    ok = payers != shop
    p.book.transfers(ts[ok], payers[ok], np.full(int(ok.sum()), shop), amount[ok], "bank_transfer",
                     memo="shop")  # fmt: skip
    p.lookalike("small_shop", [shop], f"about {int(per_day)} small receipts a day")


def plant_saver(p: Planter) -> None:
    """Each salary is moved (70–95 %) to the customer's own savings account within a day."""
    host = p.host()
    account = p.name(host)
    savings = p.fresh(p.start_us - 300 * DAY_US, person=p.persons[account])
    salary = p.amount(2_000, 9_000)
    for t in _periods(p, int(p.rng.integers(0, 28)), 6.0):
        p.book.transfer(t, "EMP-SAVER", account, salary, external="payer", memo="salary")
        later = t + int(p.rng.uniform(0.2, 20) * HOUR_US)
        p.book.transfer(later, account, savings, int(salary * p.rng.uniform(0.7, 0.95)),
                        memo="to savings")  # fmt: skip
    p.lookalike("saver", [account, savings], "moves most of each salary to own savings")


def plant_returner(p: Planter) -> None:
    """Away for 30–90 days, then ordinary life resumes (bills and shopping catch up)."""
    host = p.host(p.start_us - 365 * DAY_US)
    away = int(p.rng.uniform(30, 90) * DAY_US)
    t = p.begin(away + 20 * DAY_US, baseline_days=40)
    p.bg.silence(host, t, t + away)
    account = p.name(host)
    back = t + away
    for i in range(int(p.rng.integers(2, 6))):
        shop = str(MERCHANTS[int(p.rng.integers(100))])
        p.book.transfer(back + i * 3 * HOUR_US, account, shop, p.amount(10, 200), "card_payment",
                        external="payee")  # fmt: skip
    p.lookalike("returner", [account], f"no activity for {away // DAY_US} days, then normal life")


def plant_honest_shopper(p: Planter) -> None:
    """One or two purchases returned and refunded, among ordinary shopping."""
    account = p.name(p.host())
    for _ in range(int(p.rng.integers(1, 3))):
        t = p.begin(10 * DAY_US, baseline_days=20)
        shop, amount = str(MERCHANTS[int(p.rng.integers(200))]), p.amount(30, 2_000)
        p.book.transfer(t, account, shop, amount, "card_payment", external="payee")
        p.book.transfer(t + int(p.rng.uniform(1, 9) * DAY_US), shop, account, amount,
                        "card_payment", external="payer", memo="refund")  # fmt: skip
    p.lookalike("honest_shopper", [account], "one or two refunds")


def plant_credential_change(p: Planter) -> None:
    """A customer changes a password or phone by day and carries on as before."""
    account = p.name(p.host())
    t = p.begin(10 * DAY_US, baseline_days=60)
    t = t - t % DAY_US + int(p.rng.uniform(9, 19) * HOUR_US)
    p.book.credential_changed(t, account, str(p.rng.choice(["password", "phone", "email"])))
    p.lookalike("credential_change", [account], "changed a credential, spending unchanged")
