"""Jinja2 templates (autoescaped), with helpers for money and times."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

from fraudlink.model.money import format_money

ZONE = ZoneInfo("Asia/Shanghai")
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# The templates ship with the package and do not change under a running server; checking
# each one's file time on every render was a system call per template per page.
templates.env.auto_reload = False
templates.env.filters["money"] = lambda minor, currency="CNY": format_money(int(minor), currency)
templates.env.filters["local"] = lambda ts: (
    ts.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") if isinstance(ts, datetime) else ts
)
