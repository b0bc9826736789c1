"""Refund-fraud rings: bursts of high-value "not received" claims on parcels signed for."""

from __future__ import annotations

from fraudlink.model.geo import CITIES
from fraudlink.sim import names
from fraudlink.sim.planted.context import Context
from fraudlink.sim.scales import DAY_US, HOUR_US, MINUTE_US, US
from fraudlink.sim.truth import AccountLabel, Gang, Member

CLAIMS = (
    "包裹显示已签收但我没有收到",
    "快递没收到，物流却显示签收",
    "没有收到货，请退款",
    "未收到商品",
)


def plant_refund_ring(ctx: Context, number: int, days: int) -> None:
    rng, reg = ctx.rng, ctx.reg
    gang_id = f"G-RF{number:03d}"
    home = rng.randrange(len(CITIES))
    organiser = reg.add_person(home)
    org_devices = [reg.new_device() for _ in range(2)]
    members = [
        Member(
            person_id=reg.person_ids[organiser], role="organiser", accounts=[], devices=org_devices
        )
    ]
    cities = {CITIES[home].name}
    claimants = rng.randrange(3, 6)
    lent: dict[str, set[int]] = {d: set() for d in org_devices}  # phone → claimants
    for index in range(claimants):
        city = home if rng.random() < 0.6 else rng.randrange(len(CITIES))
        cities.add(CITIES[city].name)
        person = reg.add_person(city)
        p = reg.persons[person]
        accounts = []
        # The same claimant on both sites, under the variants a fraudster gives.
        for org in ("hx-mall", "jy-shop", rng.choice(("hx-mall", "jy-shop"))):
            opened = ctx.start_us - rng.randrange(3, 90) * DAY_US
            accounts.append(
                reg.add_account(
                    person,
                    org,
                    "user",
                    opened,
                    name=names.name_variant(p.name, rng) if rng.random() < 0.5 else None,
                    phone=names.phone_number(rng) if rng.random() < 0.5 else None,
                    address=names.address_variant(p.address, rng) if rng.random() < 0.5 else None,
                )
            )
        for k, account in enumerate(accounts):
            device = rng.choice(org_devices) if rng.random() < 0.5 else reg.devices[person][0]
            lent_phone = _phone_to_lend(index, claimants, lent) if k == 0 else None
            if lent_phone is not None:
                device = lent_phone
            if device in lent:
                lent[device].add(person)
            ctx.register(account, reg.home_ips[person], device)
            _claim_burst(ctx, account, person, device, days)
            ctx.truth.accounts[ctx.acc(account)] = AccountLabel(
                person_id=reg.person_ids[person],
                typology="refund_fraud",
                role="claimant",
                gang_id=gang_id,
            )
        members.append(
            Member(
                person_id=reg.person_ids[person],
                role="claimant",
                accounts=[ctx.acc(a) for a in accounts],
                devices=[reg.devices[person][0]],
            )
        )
    ctx.truth.gangs.append(
        Gang(gang_id=gang_id, typology="refund_fraud", members=members, cities=sorted(cities))
    )


def _phone_to_lend(index: int, claimants: int, lent: dict[str, set[int]]) -> str | None:
    """The organiser's phone this claimant (at their first account) must be lent, if any.

    An organiser holds no account: one phone of theirs in two claimants' hands is the only
    trace they leave. A ring whose phones each worked one claimant's accounts would exist
    only in the truth file (each phone looks like that claimant's own), so the last
    claimants are lent the phone lent most when no phone has yet been lent to two. The
    random draws are made as before, so every other event of the world stays the same.
    """
    short = 2 - max(len(users) for users in lent.values())
    if short > 0 and claimants - index <= short:
        return max(lent, key=lambda phone: len(lent[phone]))
    return None


def _claim_burst(ctx: Context, account: int, person: int, device: str, days: int) -> None:
    """High-value orders delivered and signed, then five or more claims within two hours."""
    rng, reg = ctx.rng, ctx.reg
    burst_day = rng.randrange(min(4, days - 2), days - 1) if days > 5 else days - 2
    burst = ctx.day_time(burst_day, 10, 20)
    org = ctx.org(account)
    ship_city = reg.person_city[person]
    signed_orders = []
    for _ in range(rng.randrange(5, 8)):
        placed = max(
            ctx.start_us + HOUR_US,
            burst - rng.randrange(3 * 24, 6 * 24) * HOUR_US + rng.randrange(0, 12) * HOUR_US,
        )
        amount = rng.randrange(1500, 9000) * 100 + rng.choice((0, 0, 99, 50))
        category = rng.choice(("electronics", "electronics", "beauty", "luxury"))
        oid, signed = ctx.order_with_parcel(
            account, placed, amount, ctx.merchant(org), ship_city, category
        )
        ip, city = ctx.proxy_ip()
        ctx.login(account, placed - rng.randrange(60, 900) * US, ip, city, device)
        if signed < burst:
            signed_orders.append((oid, amount))
    # Claims inside a window of under two hours, each after a login from another city.
    span = rng.randrange(40, 115) * MINUTE_US
    offsets = sorted(rng.randrange(0, span) for _ in signed_orders)
    for (oid, amount), offset in zip(signed_orders, offsets, strict=True):
        t = burst + offset
        ip, city = ctx.proxy_ip()
        ctx.login(account, t - rng.randrange(30, 240) * US, ip, city, device)
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
            reason="not_received",
            text=rng.choice(CLAIMS),
        )
        decided = t + rng.randrange(2, 30) * HOUR_US
        ctx.emit(
            "refund_decided",
            decided,
            org=org,
            account=ctx.acc(account),
            order_id=oid,
            refund_id=rid,
            decision="approved" if rng.random() < 0.6 else "rejected",
            amount=amount,
            currency="CNY",
        )
