"""The pictures: a login map that shows impossible hops in red, nothing drawn from nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fraudlink.investigate.timeline import Entry
from fraudlink.report.svg import login_map

T = datetime(2026, 9, 1, 8, tzinfo=UTC)


def login(city: str, minutes: int) -> Entry:
    return Entry(ts=T + timedelta(minutes=minutes), kind="login", what="", city=city,
                 event_id=f"{city}-{minutes}")  # fmt: skip


def test_an_impossible_hop_is_red_and_an_ordinary_one_is_not() -> None:
    svg = login_map([login("Hangzhou", 0), login("Chengdu", 30), login("Chengdu", 600),
                     login("Chongqing", 1800)])  # fmt: skip
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('stroke="#b3261e"') == 1  # Hangzhou → Chengdu in 30 minutes
    assert svg.count('stroke="#5b7bd5"') == 1  # Chengdu → Chongqing over 20 hours
    assert "Chengdu: 2 login(s)" in svg


def test_no_known_places_no_picture() -> None:
    assert login_map([]) == ""
    assert login_map([login("Atlantis", 0)]) == ""
