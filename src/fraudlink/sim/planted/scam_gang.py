"""Impersonation gangs: victims pay first-layer mules, money fans out to cash-out.

Every forwarded transfer is funded by one received "lot", so the generator knows
exactly where each victim's money ended: that is the fund-tracing answer key.
"""

from __future__ import annotations

from collections import defaultdict

from fraudlink.model.geo import CITIES
from fraudlink.sim import names
from fraudlink.sim.planted.context import Context, iso
from fraudlink.sim.registry import mobile_ip
from fraudlink.sim.scales import DAY_US, MINUTE_US, US
from fraudlink.sim.truth import AccountLabel, Gang, Member, Victim, VictimPayment

PRETEXTS = ("安全账户", "资金核查", "退款理赔", "账户解冻", "征信修复", "客服退款")


class _Gang:
    def __init__(self, ctx: Context, gang_id: str) -> None:
        self.ctx = ctx
        self.gang_id = gang_id
        self.members: list[Member] = []
        self.cities: set[str] = set()
        self.cards: dict[int, int] = {}  # cash-out wallet → its holder's bank card
        self.boss = -1
        self.devices: list[str] = []
        self.base = 0

    def person(self, city: int) -> int:
        self.cities.add(CITIES[city].name)
        return self.ctx.reg.add_person(city)

    def wallet(self, person: int, opened_days_ago: int, *, variant: bool) -> int:
        ctx, reg, rng = self.ctx, self.ctx.reg, self.ctx.rng
        p = reg.persons[person]
        org = rng.choice(("qb-pay", "lt-pay"))
        return reg.add_account(
            person,
            org,
            "wallet",
            ctx.start_us - opened_days_ago * DAY_US,
            name=names.name_variant(p.name, rng) if variant else None,
            phone=names.phone_number(rng) if variant and rng.random() < 0.5 else None,
        )

    def label(self, account: int, person: int, role: str, layer: int | None = None) -> None:
        self.ctx.truth.accounts[self.ctx.acc(account)] = AccountLabel(
            person_id=self.ctx.reg.person_ids[person],
            typology="impersonation_scam",
            role=role,
            gang_id=self.gang_id,
            layer=layer,
        )


def plant_scam_gang(ctx: Context, number: int, days: int) -> None:
    rng, reg = ctx.rng, ctx.reg
    g = _Gang(ctx, f"G-IS{number:03d}")
    base = g.base = rng.randrange(len(CITIES))
    coordinator = g.person(base)
    boss_wallet = g.boss = g.wallet(coordinator, rng.randrange(100, 900), variant=False)
    controlled = g.devices = [reg.new_device() for _ in range(rng.randrange(1, 3))]
    ctx.register(boss_wallet, reg.home_ips[coordinator], reg.devices[coordinator][0])
    g.label(boss_wallet, coordinator, "coordinator")
    g.members.append(
        Member(
            person_id=reg.person_ids[coordinator],
            role="coordinator",
            accounts=[ctx.acc(boss_wallet)],
            devices=controlled,
        )
    )
    callers = [g.person(base) for _ in range(rng.randrange(1, 3))]
    for c in callers:
        g.members.append(Member(person_id=reg.person_ids[c], role="caller", accounts=[]))
    depth = rng.randrange(2, 5)
    sizes = [rng.randrange(3, 6), rng.randrange(2, 4), rng.randrange(2, 4), rng.randrange(1, 3)]
    layers: list[list[int]] = []
    for layer in range(1, depth + 2):  # mule layers, then the cash-out layer
        role = "cash_out" if layer == depth + 1 else "mule"
        accounts = []
        for _ in range(sizes[layer - 1] if role == "mule" else rng.randrange(1, 3)):
            city = base if rng.random() < 0.5 else rng.randrange(len(CITIES))
            person = g.person(city)
            wallets = [g.wallet(person, rng.randrange(2, 40), variant=False)]
            if rng.random() < 0.4:  # a second wallet elsewhere under a variant name
                wallets.append(g.wallet(person, rng.randrange(2, 40), variant=True))
            card = reg.add_account(person, "hs-bank", "bank_card", ctx.start_us - 30 * DAY_US)
            for w in wallets:
                ctx.register(w, reg.home_ips[person], reg.devices[person][0])
                g.label(w, person, role, layer if role == "mule" else None)
            accounts.extend(wallets)
            g.members.append(
                Member(
                    person_id=reg.person_ids[person],
                    role=role,
                    layer=layer if role == "mule" else None,
                    accounts=[ctx.acc(w) for w in wallets] + [ctx.acc(card)],
                    devices=[reg.devices[person][0]],
                )
            )
            g.cities.add(CITIES[city].name)
            if role == "cash_out":
                g.cards.update(dict.fromkeys(wallets, card))
        layers.append(accounts)
    _launder_victims(ctx, g, layers, callers, days)
    ctx.truth.gangs.append(
        Gang(
            gang_id=g.gang_id,
            typology="impersonation_scam",
            members=g.members,
            cities=sorted(g.cities),
        )
    )


def _launder_victims(
    ctx: Context, g: _Gang, layers: list[list[int]], callers: list[int], days: int
) -> None:
    rng, reg = ctx.rng, ctx.reg
    for _ in range(rng.randrange(3, 8)):
        victim = ctx.ordinary_person(need_wallet=True)
        wallet = int(ctx.pop.primary_wallet()[victim])
        caller_phone = reg.persons[rng.choice(callers)].phone
        t = ctx.day_time(rng.randrange(0, max(1, days - 1)), 9, 19)
        payments = []
        for _k in range(rng.randrange(1, 4)):
            mule = rng.choice(layers[0])
            amount = rng.randrange(50, 800) * 10000 + rng.randrange(0, 100) * 100
            tid = ctx.transfer(
                wallet,
                mule,
                amount,
                t,
                channel="app",
                memo=rng.choice(PRETEXTS),
                delay_s=rng.randrange(2, 20),
            )
            if tid is None:
                break
            arrived = t + 20 * US
            dest: dict[str, int] = defaultdict(int)
            _forward(ctx, g, layers, 0, mule, amount, arrived, dest)
            payments.append(
                VictimPayment(
                    transfer_id=tid,
                    from_account=ctx.acc(wallet),
                    to_account=ctx.acc(mule),
                    amount=amount,
                    ts=iso(t),
                    destinations=dict(sorted(dest.items())),
                )
            )
            t += rng.randrange(3, 25) * MINUTE_US
        if not payments:
            continue
        ctx.truth.accounts[ctx.acc(wallet)] = AccountLabel(
            person_id=reg.person_ids[victim],
            typology="scam_victim",
            role="victim",
            gang_id=g.gang_id,
        )
        city = CITIES[reg.person_city[victim]]
        ctx.truth.victims.append(
            Victim(
                person_id=reg.person_ids[victim],
                gang_id=g.gang_id,
                city=city.name,
                province=city.province,
                caller_phone=caller_phone,
                payments=payments,
                loss=sum(p.amount for p in payments),
            )
        )


def _forward(
    ctx: Context,
    g: _Gang,
    layers: list[list[int]],
    layer: int,
    account: int,
    amount: int,
    arrived: int,
    dest: dict[str, int],
) -> None:
    """Pass one received lot on to the next layer, or cash it out at the last one.

    The mule's app is worked from the coordinator's phones in the coordinator's city,
    which is what ties the mules to the person who runs them.
    """
    rng = ctx.rng
    acc_id = ctx.acc(account)
    device = rng.choice(g.devices)
    ip = mobile_ip(g.base, rng)
    boss = g.boss
    delay = rng.randrange(2, 40) * MINUTE_US if layer == 0 else rng.randrange(3, 180) * MINUTE_US
    t = arrived + delay
    ctx.login(account, t - rng.randrange(30, 300) * US, ip, CITIES[g.base].name, device)
    if layer == len(layers) - 1:
        cut = amount * rng.randrange(5, 11) // 100
        if ctx.transfer(account, boss, cut, t, memo="") is not None:
            dest[ctx.acc(boss)] += cut
            amount -= cut
            t += rng.randrange(1, 20) * MINUTE_US
        withdraw = amount if rng.random() < 0.8 else amount // 2
        card = g.cards[account]
        if ctx.transfer(account, card, withdraw, t, channel="withdrawal", memo="提现") is not None:
            dest[ctx.acc(card)] += withdraw
            amount -= withdraw
        if amount:
            dest[acc_id] += amount
        return
    keep = amount * rng.randrange(0, 3) // 100
    if keep:
        dest[acc_id] += keep
    rest = amount - keep
    parts = rng.randrange(1, 4)
    # Splits are uneven but never slivers: each part carries at least a fifth.
    shares = [100]
    if parts == 2:
        first = rng.randrange(30, 71)
        shares = [first, 100 - first]
    elif parts == 3:
        a, b = rng.randrange(20, 41), rng.randrange(20, 41)
        shares = [a, b, 100 - a - b]
    sent = 0
    for i, share in enumerate(shares):
        part = rest - sent if i == parts - 1 else rest * share // 100
        if part <= 0:
            continue
        nxt = rng.choice(layers[layer + 1])
        when = t + i * rng.randrange(1, 6) * MINUTE_US
        if ctx.transfer(account, nxt, part, when, delay_s=rng.randrange(2, 30)) is None:
            dest[acc_id] += part  # the world ended before it moved: still held here
        else:
            _forward(ctx, g, layers, layer + 1, nxt, part, when + 40 * US, dest)
        sent += part
