"""An account's timeline as an inline SVG: what it did, lane by lane, on one time axis
(silences of more than a week cut out and drawn as a break).

Lanes, top to bottom: logins and registration (a dot per login, coloured by city, hollow
when it failed), shopping (orders, parcels, refunds), money in (green bars), money out
(blue bars, red when withdrawn to a bank card), alerts (red triangles). Bars are as tall
as the square root of the amount against the largest, so a ¥50 fee stays visible beside
¥50,000. What stands out (city jumps, quick pass-on, overlaps, silences) is a dashed red
line across the lanes with its explanation on hover, and listed under the picture.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from fraudlink.investigate.timeline import Entry, Timeline
from fraudlink.model.money import format_money

LANES = ("logins", "shopping", "money in", "money out", "alerts")
LANE_OF = {"registered": "logins", "login": "logins", "login_failed": "logins",
           "order": "shopping", "payment": "shopping", "parcel": "shopping",
           "refund": "shopping", "refund_decided": "shopping", "transfer_in": "money in",
           "credential": "logins",
           "transfer_out": "money out", "alert": "alerts"}  # fmt: skip
CITY_COLOURS = ("#0b5fff", "#e8710a", "#8e24aa", "#00897b", "#6d4c41", "#c2185b", "#546e7a")
LANE_H, LEFT, TOP = 46, 92, 40


GAP = timedelta(days=7)  # a silence this long is drawn as a break, not as empty width
BREAK_W, MIN_SEGMENT_W = 34.0, 26.0


class _Axis:
    """Time → x, with each silence longer than ``GAP`` cut out and drawn as a break, so an
    account registered a year before its week of laundering still shows that week."""

    def __init__(self, times: list[datetime], width: int) -> None:
        times = sorted(times)
        self.segments: list[tuple[datetime, datetime]] = []
        first = last = times[0]
        for t in times[1:]:
            if t - last > GAP:
                self.segments.append((first, last))
                first = t
            last = t
        self.segments.append((first, last))
        room = width - LEFT - 16 - BREAK_W * (len(self.segments) - 1)
        spans = [max((b - a).total_seconds(), 3600.0) for a, b in self.segments]
        spare = max(room - MIN_SEGMENT_W * len(spans), 0.0)
        self.widths = [MIN_SEGMENT_W + spare * s / sum(spans) for s in spans]
        self.spans = spans
        self.lefts = []
        x = float(LEFT)
        for w in self.widths:
            self.lefts.append(x)
            x += w + BREAK_W

    def x(self, ts: datetime) -> float:
        for (a, b), left, w, span in zip(self.segments, self.lefts, self.widths, self.spans,
                                         strict=True):  # fmt: skip
            if ts <= b or (a, b) == self.segments[-1]:
                return left + max((ts - a).total_seconds(), 0.0) / span * w
        return self.lefts[-1]

    def breaks(self) -> list[tuple[float, timedelta]]:
        """Where each break is drawn and how long the silence it stands for was."""
        return [(self.lefts[i] + self.widths[i] + BREAK_W / 2, self.segments[i + 1][0] - b)
                for i, (_, b) in enumerate(self.segments[:-1])]  # fmt: skip


def _ticks(start: datetime, end: datetime, zone: ZoneInfo, room: float) -> list[datetime]:
    """Local midnights when a stretch spans days, else hours; one per ~70 px at most."""
    fit = max(1, int(room // 70))
    days = (end - start).total_seconds() / 86_400
    if days > 1:
        step = timedelta(days=max(1, math.ceil(days / fit)))
    else:
        step = timedelta(hours=max(1, math.ceil(days * 24 / fit)))
    local = start.astimezone(zone)
    t = local.replace(minute=0, second=0, microsecond=0)
    if step >= timedelta(days=1):
        t = t.replace(hour=0)
    out = []
    while t <= end:
        if t >= start:
            out.append(t)
        t += step
    return out


def timeline_chart(story: Timeline, zone: ZoneInfo, width: int = 1060) -> str:
    entries = story.entries
    if not entries:
        return ""
    axis = _Axis([t for e in entries for t in (e.ts, e.ends) if t is not None], width)
    height = TOP + LANE_H * len(LANES) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="timeline of {escape(story.account)}">']  # fmt: skip
    for i, lane in enumerate(LANES):
        y = TOP + i * LANE_H
        parts.append(f'<line x1="{LEFT}" y1="{y + LANE_H:.0f}" x2="{width - 16}" '
                     f'y2="{y + LANE_H:.0f}" stroke="#e7eaf0"/><text x="6" y="{y + 27}" '
                     f'font-size="11" fill="#5b6578">{lane}</text>')  # fmt: skip
    for (a, b), w in zip(axis.segments, axis.widths, strict=True):
        for tick in _ticks(a, b, zone, w):
            x = axis.x(tick)
            label = f"{tick:%m-%d}" if tick.hour == 0 else f"{tick:%H:%M}"
            parts.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{height - 20}" '
                         f'stroke="#eef1f6"/><text x="{x:.1f}" y="{height - 6}" font-size="10" '
                         f'text-anchor="middle" fill="#5b6578">{label}</text>')  # fmt: skip
    for x, gap in axis.breaks():
        parts.append(f'<rect x="{x - BREAK_W / 2 + 4:.1f}" y="{TOP}" width="{BREAK_W - 8:.1f}" '
                     f'height="{LANE_H * len(LANES)}" fill="#eef1f6"/><text x="{x:.1f}" '
                     f'y="{height - 6}" font-size="10" text-anchor="middle" fill="#5b6578">'
                     f"≈{gap.days} d</text>")  # fmt: skip
    for flag in story.flags:
        x = axis.x(flag.at)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height - 20}" '
                     f'stroke="#b3261e" stroke-dasharray="4 3"><title>{escape(flag.kind)}: '
                     f"{escape(flag.what)}</title></line>"
                     f'<text x="{x:.1f}" y="{TOP - 10}" font-size="11" fill="#b3261e" '
                     f'text-anchor="middle">⚑</text>')  # fmt: skip
    parts += _marks(entries, axis, zone)
    parts.append("</svg>")
    return "".join(parts)


def _marks(entries: list[Entry], axis: _Axis, zone: ZoneInfo) -> list[str]:
    biggest = max((e.amount or 0 for e in entries if e.kind.startswith("transfer")), default=0)
    cities: dict[str, str] = {}
    out = []
    for e in entries:
        lane = LANE_OF.get(e.kind)
        if lane is None:
            continue
        x = axis.x(e.ts)
        y = TOP + LANES.index(lane) * LANE_H
        tip = f"<title>{e.ts.astimezone(zone):%Y-%m-%d %H:%M} {escape(e.what)}</title>"
        if lane == "logins":
            colour = cities.setdefault(e.city or "—", CITY_COLOURS[len(cities) % 7])
            fill = "none" if e.kind == "login_failed" else colour
            out.append(f'<circle cx="{x:.1f}" cy="{y + 23}" r="4.5" fill="{fill}" '
                       f'stroke="{colour}" stroke-width="1.5">{tip}</circle>')  # fmt: skip
        elif lane in ("money in", "money out"):
            h = 4 + 36 * math.sqrt((e.amount or 0) / biggest) if biggest else 4
            cashed = "withdrawal" in e.what
            colour = "#2e7d32" if lane == "money in" else ("#b3261e" if cashed else "#5b7bd5")
            out.append(f'<rect x="{x - 1.5:.1f}" y="{y + LANE_H - 3 - h:.1f}" width="3" '
                       f'height="{h:.1f}" fill="{colour}">{tip}</rect>')  # fmt: skip
        elif lane == "alerts":
            out.append(f'<path d="M{x:.1f},{y + 14} l6,12 h-12 z" fill="#b3261e">{tip}</path>')
        else:
            out.append(f'<rect x="{x - 3:.1f}" y="{y + 19}" width="6" height="8" '
                       f'fill="#f9a825">{tip}</rect>')  # fmt: skip
    legend = ", ".join(f'<tspan fill="{c}">● {escape(city)}</tspan>' for city, c in cities.items())
    if legend:
        out.append(f'<text x="{LEFT}" y="13" font-size="10">{legend}</text>')
    return out


def money_summary(story: Timeline) -> str:
    """One line under the picture: money in and out, for people to read beside it."""
    cur = next((e.currency for e in story.entries if e.currency), "CNY") or "CNY"
    got = sum(e.amount or 0 for e in story.entries if e.kind == "transfer_in")
    sent = sum(e.amount or 0 for e in story.entries if e.kind == "transfer_out")
    return f"received {format_money(got, cur)}, sent {format_money(sent, cur)}"
