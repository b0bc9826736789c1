"""An account's timeline picture: every event drawn in its lane, flags marked, a long
silence cut out of the axis so the active days keep their width."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fraudlink.investigate import timeline
from fraudlink.report.timeline_svg import timeline_chart

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")


def row(i: int, minutes: float, **fields: object) -> dict[str, object]:
    return {"event_id": f"e{i}", "ts": T0 + timedelta(minutes=minutes), "org": "qb-pay", **fields}


def story() -> timeline.Timeline:
    def login(i: int, minutes: float, city: str) -> dict[str, object]:
        return row(i, minutes, type="login", account="a", city=city, ip="1.2.3.4",
                   device_id="d", success=True)  # fmt: skip

    def transfer(i: int, minutes: float, src: str, dst: str, amount: int) -> dict[str, object]:
        at = T0 + timedelta(minutes=minutes)
        return row(i, minutes, type="wallet_transfer", from_account=src, to_account=dst,
                   to_org="qb-pay", amount=amount, currency="CNY", channel="app",
                   status="completed", initiated_at=at, completed_at=at)  # fmt: skip

    later = 60 * 24 * 300  # registered, then silent for 300 days
    rows = [login(1, 0, "Hangzhou"), login(2, later, "Hangzhou"), login(3, later + 30, "Chengdu"),
            transfer(4, later + 40, "victim", "a", 1_000_000),
            transfer(5, later + 50, "a", "b", 990_000)]  # fmt: skip
    return timeline.build("a", [("src", r) for r in rows])


def test_every_event_is_drawn_in_its_lane_with_the_flags() -> None:
    s = story()
    svg = timeline_chart(s, ZONE)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<circle") == 3  # three logins
    assert svg.count('fill="#2e7d32"') == 1 and svg.count('fill="#5b7bd5"') == 1  # in, out
    kinds = {f.kind for f in s.flags}
    assert {"city_jump", "quick_pass_on", "silence"} <= kinds
    assert svg.count("⚑") == len(s.flags)


def test_a_long_silence_is_a_break_not_empty_width() -> None:
    svg = timeline_chart(story(), ZONE)
    assert "≈299 d" in svg or "≈300 d" in svg
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    # The last day's two logins are 30 minutes apart, yet far apart on the picture,
    # because the 300 days before them take only the break's width.
    assert xs[2] - xs[1] > 100


def test_nothing_drawn_from_nothing() -> None:
    assert timeline_chart(timeline.build("a", []), ZONE) == ""
