"""Pictures as inline SVG, drawn here so the report needs no script and no network.

* :func:`gang_chart` — the gang as rings: its leader in the centre, mules by layer, the
  cash-out and device controllers, victims on the outside, coloured by role;
* :func:`flow_chart` — money from a victim's payment hop by hop (a Sankey-like picture):
  a column per hop, a bar per account as tall as the traced money it received, green
  where money is still held (what a freeze can save), red where it was cashed out.
"""

from __future__ import annotations

import itertools
import math
from html import escape

from fraudlink.investigate.gang_result import Gang, GangMember
from fraudlink.investigate.timeline import Entry
from fraudlink.investigate.trace_result import AccountFlow, TraceResult
from fraudlink.model.geo import CITY_BY_NAME, distance_km
from fraudlink.model.money import format_money

COLOURS = {"coordinator": "#b3261e", "device_controller": "#e8710a", "cash_out": "#8e24aa",
           "mule": "#f9a825", "claimant": "#f9a825", "card": "#6d4c41", "associate": "#607d8b",
           "victim": "#2e7d32"}  # fmt: skip


def _ring(member: GangMember) -> int:
    if member.role == "victim":
        return 4
    if member.role == "coordinator":
        return 0
    if member.role == "mule" and member.layer:
        return min(member.layer, 3)
    return 1 if member.role in ("device_controller", "cash_out") else 2


def gang_chart(gang: Gang, size: int = 560) -> str:
    people = [*gang.members, *gang.victims]
    rings: dict[int, list[GangMember]] = {}
    for m in people:
        rings.setdefault(_ring(m), []).append(m)
    c = size / 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
             f'role="img" aria-label="gang {escape(gang.gang_id)}">']  # fmt: skip
    spots: list[tuple[float, float, GangMember]] = []
    for ring, members in sorted(rings.items()):
        radius = 0 if ring == 0 and len(members) == 1 else 45 + ring * 52
        for i, m in enumerate(members):
            angle = 2 * math.pi * i / max(len(members), 1) + ring * 0.4
            spots.append((c + radius * math.cos(angle), c + radius * math.sin(angle), m))
        if radius:
            parts.append(f'<circle cx="{c}" cy="{c}" r="{radius}" fill="none" stroke="#d9dee7" '
                         'stroke-dasharray="3 4"/>')  # fmt: skip
    centre = next(((x, y) for x, y, m in spots if m.role == "coordinator"), (c, c))
    for x, y, m in spots:
        if m.role != "coordinator":
            parts.append(f'<line x1="{centre[0]:.1f}" y1="{centre[1]:.1f}" x2="{x:.1f}" '
                         f'y2="{y:.1f}" stroke="#cfd6e3" stroke-width="1"/>')  # fmt: skip
    for x, y, m in spots:
        label = escape(m.name or m.person)
        r = 13 if m.role == "coordinator" else 9
        colour = COLOURS.get(m.role, "#999")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}">'
                     f"<title>{label}: {escape(m.role)}</title></circle>"
                     f'<text x="{x:.1f}" y="{y + r + 11:.1f}" font-size="10" text-anchor="middle">'
                     f"{label}</text>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


PER_HOP = 8  # the accounts drawn per hop, by traced money; the table lists them all


def flow_chart(trace: TraceResult, width: int = 1060) -> str:
    hops = sorted({a.hop for a in trace.accounts})
    if not hops:
        return ""
    col = max(190.0, width / (len(hops) + 1))
    width = int(30 + col * len(hops))
    tallest = max(max((a.received or a.seeded) for a in trace.accounts), 1)

    def biggest(hop: int) -> list[AccountFlow]:
        at = [a for a in trace.accounts if a.hop == hop]
        return sorted(at, key=lambda a: -(a.received or a.seeded))[:PER_HOP]

    by_hop = {h: biggest(h) for h in hops}
    height = max(160, 70 * max(len(v) for v in by_hop.values()) + 40)
    place: dict[str, tuple[float, float, float]] = {}
    parts = []
    for i, hop in enumerate(hops):
        x = 30 + i * col
        for j, a in enumerate(by_hop[hop]):
            amount = a.received or a.seeded
            h = max(6.0, 50 * amount / tallest)
            y = 30 + j * 70
            place[a.account] = (x, y, h)
            held_h = h * a.held / amount if amount else 0
            out_h = h * a.withdrawn / amount if amount else 0
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="14" height="{h:.1f}" fill="#9fb3d9"/>'
            )
            if held_h:
                parts.append(f'<rect x="{x:.1f}" y="{y + h - held_h:.1f}" width="14" '
                             f'height="{held_h:.1f}" fill="#2e7d32"/>')  # fmt: skip
            if out_h:
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="14" height="{out_h:.1f}" '
                             'fill="#b3261e"/>')  # fmt: skip
            note = format_money(amount, trace.currency)
            parts.append(f'<text x="{x + 18:.1f}" y="{y + 10:.1f}" font-size="10">'
                         f"{escape(a.account)}</text><text x=\"{x + 18:.1f}\" y=\"{y + 22:.1f}\" "
                         f'font-size="10" fill="#5b6578">{note}'
                         + (f" · held {format_money(a.held, trace.currency)}" if a.held else "")
                         + "</text>")  # fmt: skip
    flows = []
    widest = max((e.amount for e in trace.edges), default=1) or 1
    for e in trace.edges:
        if e.source in place and e.target in place:
            sx, sy, sh = place[e.source]
            tx, ty, th = place[e.target]
            w = max(1.0, 10 * e.amount / widest)
            mid = (sx + 14 + tx) / 2
            flows.append(f'<path d="M{sx + 14:.1f},{sy + sh / 2:.1f} C{mid:.1f},{sy + sh / 2:.1f} '
                         f'{mid:.1f},{ty + th / 2:.1f} {tx:.1f},{ty + th / 2:.1f}" fill="none" '
                         f'stroke="#5b7bd5" stroke-opacity="0.45" '
                         f'stroke-width="{w:.1f}"/>')  # fmt: skip
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            'role="img" aria-label="fund flow">')  # fmt: skip
    return head + "".join(flows) + "".join(parts) + "</svg>"


def login_map(entries: list[Entry], width: int = 640, height: int = 420) -> str:
    """Where an account logged in from, in order: known cities placed by longitude and
    latitude (equirectangular over eastern China), each hop a line, jumps faster than a
    traveller could go in red."""
    kinds = ("registered", "login", "login_failed")
    hops = [e for e in entries if e.kind in kinds and e.city in CITY_BY_NAME]
    if not hops:
        return ""
    lon0, lon1, lat0, lat1 = 97.0, 132.0, 18.0, 48.0

    def xy(city: str) -> tuple[float, float]:
        c = CITY_BY_NAME[city]
        return (20 + (c.lon - lon0) / (lon1 - lon0) * (width - 40),
                20 + (lat1 - c.lat) / (lat1 - lat0) * (height - 40))  # fmt: skip

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             'role="img" aria-label="login places">']  # fmt: skip
    for known in CITY_BY_NAME.values():
        if known.name.isascii():
            x, y = xy(known.name)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#cfd6e3"/>'
                         f'<text x="{x + 4:.1f}" y="{y - 3:.1f}" font-size="9" fill="#9aa3b2">'
                         f"{escape(known.name)}</text>")  # fmt: skip
    visits: dict[str, int] = {}
    for before, after in itertools.pairwise(hops):
        if before.city == after.city:
            continue
        (x1, y1), (x2, y2) = xy(str(before.city)), xy(str(after.city))
        hours = max((after.ts - before.ts).total_seconds() / 3600, 1 / 3600)
        fast = distance_km(str(before.city), str(after.city)) / hours > 800
        colour, w = ("#b3261e", 2.5) if fast else ("#5b7bd5", 1.2)
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'stroke="{colour}" stroke-width="{w}" stroke-opacity="0.8">'
                     f"<title>{escape(str(before.city))} → {escape(str(after.city))}, "
                     f"{after.ts:%Y-%m-%d %H:%M} UTC</title></line>")  # fmt: skip
    for e in hops:
        visits[str(e.city)] = visits.get(str(e.city), 0) + 1
    for city, n in visits.items():
        x, y = xy(city)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4 + min(n, 20) / 2:.1f}" '
                     f'fill="#0b5fff" fill-opacity="0.7"><title>{escape(city)}: {n} '
                     f"login(s)</title></circle>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)
