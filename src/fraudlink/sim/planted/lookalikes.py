"""Honest behaviour that a careless rule would flag. None of these is fraud."""

from __future__ import annotations

from fraudlink.model.geo import CITIES, distance_km
from fraudlink.sim.planted.context import Context
from fraudlink.sim.registry import mobile_ip
from fraudlink.sim.scales import HOUR_US, MINUTE_US
from fraudlink.sim.truth import AccountLabel, Lookalike


def _label(ctx: Context, account: int, person: int, kind: str) -> None:
    ctx.truth.accounts[ctx.acc(account)] = AccountLabel(
        person_id=ctx.reg.person_ids[person],
        typology="benign_lookalike",
        role=kind,
    )


def plant_returner(ctx: Context, days: int) -> None:
    """A shopper who rightly sends back several signed-for items within an hour or two."""
    rng, reg = ctx.rng, ctx.reg
    person = ctx.ordinary_person()
    account = next(int(a) for a in ctx.pop.shop[person] if a >= 0)
    org = ctx.org(account)
    placed = ctx.day_time(rng.randrange(0, max(1, days - 4)), 9, 12)
    orders = []
    for _ in range(rng.randrange(5, 8)):
        amount = rng.randrange(300, 3000) * 100
        oid, signed = ctx.order_with_parcel(
            account, placed, amount, ctx.merchant(org), reg.person_city[person], "clothing"
        )
        orders.append((oid, amount, signed))
        placed += rng.randrange(2, 30) * MINUTE_US
    t = max(s for _, _, s in orders) + rng.randrange(2, 20) * HOUR_US
    for oid, amount, _ in orders[:-1]:
        rid = ctx.ids.one("r")
        ctx.emit(
            "refund_requested",
            t,
            org=org,
            account=ctx.acc(account),
            order_id=oid,
            refund_id=rid,
            amount=amount,
            currency="CNY",
            reason=rng.choice(("not_as_described", "wrong_item", "changed_mind")),
            text="尺码不合适，申请退货",
        )
        t += rng.randrange(3, 20) * MINUTE_US
    _label(ctx, account, person, "returner")
    ctx.truth.lookalikes.append(
        Lookalike(
            kind="returner",
            person_ids=[reg.person_ids[person]],
            accounts=[ctx.acc(account)],
            note="several returns in one sitting, all signed for, none claimed as not received",
        )
    )


def plant_traveller(ctx: Context, days: int) -> None:
    """Flies to a far city and back; logs in at home and away, never faster than a plane."""
    rng, reg = ctx.rng, ctx.reg
    person = ctx.ordinary_person(need_wallet=True)
    ctx.scripted_logins.add(person)
    account = int(ctx.pop.primary_wallet()[person])
    device = reg.devices[person][0]
    home = reg.person_city[person]
    away = ctx.far_city(home, 900)
    km = distance_km(CITIES[home].name, CITIES[away].name)
    # Door to door: the flight at 750 km/h plus three hours of airports.
    trip = int((km / 750 + 3) * HOUR_US)
    leave = rng.randrange(0, max(1, days - 3))
    back = leave + 2
    for day in range(days):
        where = away if leave < day < back else home
        ip = mobile_ip(where, rng) if where == away else reg.home_ips[person]
        if day not in (leave, back):
            for _ in range(rng.randrange(1, 4)):
                ctx.login(account, ctx.day_time(day, 8, 22), ip, CITIES[where].name, device)
            continue
        src, dst = (home, away) if day == leave else (away, home)
        t = ctx.day_time(day, 6, 9)
        src_ip = reg.home_ips[person] if src == home else mobile_ip(src, rng)
        ctx.login(account, t, src_ip, CITIES[src].name, device)
        t += trip + rng.randrange(0, 90) * MINUTE_US
        for _ in range(rng.randrange(2, 4)):
            dst_ip = reg.home_ips[person] if dst == home else mobile_ip(dst, rng)
            ctx.login(account, t, dst_ip, CITIES[dst].name, device)
            t += rng.randrange(20, 120) * MINUTE_US
    _label(ctx, account, person, "traveller")
    ctx.truth.lookalikes.append(
        Lookalike(
            kind="traveller",
            person_ids=[reg.person_ids[person]],
            accounts=[ctx.acc(account)],
            note=f"{CITIES[home].name} → {CITIES[away].name} ({km:.0f} km) by air and back",
        )
    )


def plant_small_merchant(ctx: Context, days: int) -> None:
    """A street vendor whose personal wallet takes dozens of small QR payments a day."""
    rng, reg = ctx.rng, ctx.reg
    person = ctx.ordinary_person(need_wallet=True)
    account = int(ctx.pop.primary_wallet()[person])
    card = int(ctx.pop.card[person])
    for day in range(days):
        takings = 0
        for _ in range(rng.randrange(15, 45)):
            payer = int(ctx.pop.primary_wallet()[rng.randrange(ctx.pop.size)])
            if payer == account:
                continue
            amount = rng.randrange(300, 8000)
            if ctx.transfer(
                payer, account, amount, ctx.day_time(day, 7, 21), channel="qr_code", delay_s=2
            ):
                takings += amount
        if takings and rng.random() < 0.4:
            ctx.transfer(
                account,
                card,
                takings // 2,
                ctx.day_time(day, 21, 23) + HOUR_US,
                channel="withdrawal",
                memo="提现",
            )
    _label(ctx, account, person, "small_merchant")
    ctx.truth.lookalikes.append(
        Lookalike(
            kind="small_merchant",
            person_ids=[reg.person_ids[person]],
            accounts=[ctx.acc(account)],
            note="many small payers every day, occasional withdrawal of part of the takings",
        )
    )


def plant_family_device(ctx: Context, days: int) -> None:
    """Three or four relatives using one tablet at home for their own accounts."""
    rng, reg = ctx.rng, ctx.reg
    head = ctx.ordinary_person()
    city = reg.person_city[head]
    family = [head] + [ctx.ordinary_person(city=city) for _ in range(rng.randrange(2, 4))]
    device = reg.new_device()
    accounts = []
    for person in family:
        account = next(int(a) for a in [*ctx.pop.shop[person], *ctx.pop.wallet[person]] if a >= 0)
        accounts.append(account)
        for day in range(days):
            if rng.random() < 0.6:
                ctx.login(
                    account,
                    ctx.day_time(day, 18, 23),
                    reg.home_ips[head],
                    CITIES[city].name,
                    device,
                )
        _label(ctx, account, person, "family_device")
    ctx.truth.lookalikes.append(
        Lookalike(
            kind="family_device",
            person_ids=[reg.person_ids[p] for p in family],
            accounts=[ctx.acc(a) for a in accounts],
            note="one home device and IP shared by a family",
        )
    )
