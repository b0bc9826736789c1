"""Account takeovers: a stranger's logins hop between distant cities, then money leaves."""

from __future__ import annotations

from fraudlink.model.geo import CITIES
from fraudlink.sim.planted.context import Context, iso
from fraudlink.sim.registry import home_ip, mobile_ip
from fraudlink.sim.scales import DAY_US, MINUTE_US, US
from fraudlink.sim.truth import AccountLabel, Takeover


def plant_takeover(ctx: Context, number: int, days: int) -> None:
    rng, reg = ctx.rng, ctx.reg
    victim = ctx.ordinary_person(need_wallet=True)
    home = reg.person_city[victim]
    on_wallet = number % 3 != 2
    if on_wallet:
        account = int(ctx.pop.primary_wallet()[victim])
    else:
        shops = [int(a) for a in ctx.pop.shop[victim] if a >= 0]
        account = shops[0]
    t0 = ctx.day_time(rng.randrange(0, max(1, days - 1)), 8, 20)
    # The owner's own login, then the attacker's from far away minutes later.
    ctx.login(account, t0, reg.home_ips[victim], CITIES[home].name, reg.devices[victim][0])
    first = ctx.far_city(home)
    second = ctx.far_city(first)
    device = reg.new_device()
    t = t0 + rng.randrange(8, 40) * MINUTE_US
    for _ in range(rng.randrange(0, 3)):
        ctx.login(account, t, mobile_ip(first, rng), CITIES[first].name, device, success=False)
        t += rng.randrange(20, 90) * US
    ctx.login(account, t, mobile_ip(first, rng), CITIES[first].name, device)
    hop = t + rng.randrange(10, 45) * MINUTE_US
    ctx.login(account, hop, home_ip(second, rng), CITIES[second].name, device)
    stolen = 0
    if on_wallet:
        drop_person = reg.add_person(first)
        drop = reg.add_account(
            drop_person,
            rng.choice(("qb-pay", "lt-pay")),
            "wallet",
            ctx.start_us - rng.randrange(2, 20) * DAY_US,
        )
        ctx.register(drop, reg.home_ips[drop_person], device)
        ctx.truth.accounts[ctx.acc(drop)] = AccountLabel(
            person_id=reg.person_ids[drop_person],
            typology="account_takeover",
            role="attacker",
        )
        t = hop + rng.randrange(1, 6) * MINUTE_US
        for _ in range(rng.randrange(1, 4)):
            amount = rng.randrange(30, 200) * 10000 + rng.randrange(0, 100) * 100
            if ctx.transfer(account, drop, amount, t, delay_s=rng.randrange(2, 15)):
                stolen += amount
            t += rng.randrange(1, 8) * MINUTE_US
    else:
        t = hop + rng.randrange(2, 10) * MINUTE_US
        org = ctx.org(account)
        for _ in range(rng.randrange(2, 4)):
            amount = rng.randrange(2000, 9000) * 100
            ctx.order_with_parcel(account, t, amount, ctx.merchant(org), second, "electronics")
            stolen += amount
            t += rng.randrange(2, 9) * MINUTE_US
    ctx.truth.accounts[ctx.acc(account)] = AccountLabel(
        person_id=reg.person_ids[victim],
        typology="account_takeover",
        role="compromised",
    )
    ctx.truth.takeovers.append(
        Takeover(
            account_id=ctx.acc(account),
            person_id=reg.person_ids[victim],
            home_city=CITIES[home].name,
            attacker_cities=[CITIES[first].name, CITIES[second].name],
            attacker_device=device,
            started=iso(t0),
            stolen=stolen,
        )
    )
